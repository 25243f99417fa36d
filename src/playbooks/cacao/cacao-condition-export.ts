/**
 * Vigil expressions into CACAO conditions: STIX 2.1 comparison expressions with CACAO variables,
 * the form `translateCacaoCondition` (cacao-condition.ts) reads back. The expression is parsed with
 * Vigil's own parser and written from its syntax tree:
 *
 * - `vars.x` / `inputs.x` → `__x__:value`; literals as STIX literals (strings quoted, numbers, booleans);
 * - `==` `!=` `<` `<=` `>` `>=` → `=` `!=` `<` `<=` `>` `>=` (a literal on the left is moved to the right);
 * - `&&` / `||` → AND / OR; `!` is pushed down to the comparisons (`NOT =`, `NOT EXISTS`, De Morgan for
 *   AND / OR), because STIX has NOT only before an operator or EXISTS;
 * - `x in [...]` → `x IN (...)`; `matches(x, 're'[, 'i' | 's'])` → `x MATCHES '(?i)re'`; `exists(x)` → `EXISTS x`.
 *
 * Anything else (alert fields, step outputs, other functions, arithmetic, `null`, a bare truthy value)
 * has no STIX equivalent: the result says so, and the exporter writes a comparison on a variable that
 * stands for the expression (see cacao-export.ts). Every text produced here is checked with the
 * STIX pattern parser before it is returned.
 */
import { type Ast, parseExpression } from '../../../workflows/language/expression.js';
import { parseStixComparison } from '../../common/stix-pattern/index.js';
import { cacaoVariableKey, quoteString } from './cacao-shared.js';

export type StixConditionResult = { ok: true; condition: string } | { ok: false; reason: string };

class NoEquivalent extends Error {}

const COMPARISONS: Readonly<Record<string, string>> = { '==': '=', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
/** The operator with its operands swapped: `1 < x` is `x > 1`. */
const SWAPPED: Readonly<Record<string, string>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
/** Regular-expression flags Vigil's matches() takes that PCRE spells inline. */
const INLINE_FLAGS: ReadonlySet<string> = new Set(['i', 's']);

/** `vars.x` or `inputs.x` as the CACAO variable `__x__:value`; undefined for anything else. */
function variablePath(node: Ast): string | undefined {
  if (node.type !== 'member' || node.object.type !== 'identifier' || (node.object.name !== 'vars' && node.object.name !== 'inputs')) return undefined;
  const property = node.property;
  if (property.type !== 'literal' || typeof property.value !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(property.value)) return undefined;
  return `${cacaoVariableKey(property.value)}:value`;
}

function literal(node: Ast): string | undefined {
  if (node.type === 'literal') {
    if (typeof node.value === 'string') return quoteString(node.value);
    if (typeof node.value === 'number') return Number.isFinite(node.value) ? String(node.value) : undefined;
    if (typeof node.value === 'boolean') return String(node.value);
    return undefined;
  }
  if (node.type === 'unary' && node.operator === '-' && node.argument.type === 'literal' && typeof node.argument.value === 'number') return String(-node.argument.value);
  return undefined;
}

/** A right-hand operand: a literal, or (CACAO's extension of STIX) another variable. */
function operand(node: Ast): string | undefined {
  return literal(node) ?? variablePath(node);
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new NoEquivalent(what);
  return value;
}

class Writer {
  /** A boolean expression, negated when `negate` is set; `group` asks for parentheses around AND / OR. */
  write(node: Ast, negate: boolean, group: boolean): string {
    switch (node.type) {
      case 'unary':
        if (node.operator === '!') return this.write(node.argument, !negate, group);
        break;
      case 'binary': {
        if (node.operator === '&&' || node.operator === '||') {
          // De Morgan: NOT (a AND b) is (NOT a) OR (NOT b).
          const and = (node.operator === '&&') !== negate;
          const text = `${this.write(node.left, negate, true)} ${and ? 'AND' : 'OR'} ${this.write(node.right, negate, true)}`;
          return group ? `(${text})` : text;
        }
        if (node.operator === 'in') return this.membership(node.left, node.right, negate);
        if (node.operator in COMPARISONS) return this.comparison(node.operator, node.left, node.right, negate);
        break;
      }
      case 'call':
        if (node.name === 'exists' && node.args.length === 1)
          return `${negate ? 'NOT ' : ''}EXISTS ${need(variablePath(node.args[0]!), 'exists() of something other than a variable')}`;
        if (node.name === 'matches') return this.matches(node.args, negate);
        break;
      default:
        break;
    }
    throw new NoEquivalent(`${node.type === 'call' ? `${node.name}()` : node.type} has no STIX patterning equivalent`);
  }

  private comparison(operator: string, left: Ast, right: Ast, negate: boolean): string {
    let path = variablePath(left);
    let value = operand(right);
    let op = operator;
    if (path === undefined || value === undefined) {
      // A literal (or variable) on the left: STIX wants the object path first.
      path = variablePath(right);
      value = operand(left);
      op = SWAPPED[operator]!;
    }
    if (path === undefined || value === undefined) throw new NoEquivalent('a comparison that does not compare a variable with a literal or variable');
    return `${path} ${negate ? 'NOT ' : ''}${COMPARISONS[op]} ${value}`;
  }

  private membership(left: Ast, right: Ast, negate: boolean): string {
    const path = need(variablePath(left), "'in' on something other than a variable");
    const set = right.type === 'array' ? `(${right.elements.map((e) => need(literal(e), "a list of something other than literals after 'in'")).join(', ')})` : variablePath(right);
    return `${path} ${negate ? 'NOT ' : ''}IN ${need(set, "'in' on something other than a list of literals or a variable")}`;
  }

  private matches(args: Ast[], negate: boolean): string {
    const path = need(variablePath(args[0]!), 'matches() on something other than a variable');
    const pattern = args[1];
    if (pattern?.type !== 'literal' || typeof pattern.value !== 'string') throw new NoEquivalent('matches() with a pattern that is not a literal');
    const flags = args[2];
    let prefix = '';
    if (flags !== undefined) {
      if (flags.type !== 'literal' || typeof flags.value !== 'string' || [...flags.value].some((f) => !INLINE_FLAGS.has(f)))
        throw new NoEquivalent('matches() flags other than i and s');
      prefix = flags.value === '' ? '' : `(?${[...new Set(flags.value)].sort().join('')})`;
    }
    return `${path} ${negate ? 'NOT ' : ''}MATCHES ${quoteString(prefix + pattern.value)}`;
  }
}

/** The CACAO condition of a Vigil expression, or why it has none. */
export function vigilExpressionToStix(expression: string): StixConditionResult {
  let tree: Ast;
  try {
    tree = parseExpression(expression);
  } catch (error) {
    return { ok: false, reason: `not a Vigil expression: ${error instanceof Error ? error.message : String(error)}` };
  }
  let condition: string;
  try {
    condition = new Writer().write(tree, false, false);
  } catch (error) {
    if (error instanceof NoEquivalent) return { ok: false, reason: error.message };
    throw error;
  }
  const parsed = parseStixComparison(condition, { variables: true });
  return parsed.ok ? { ok: true, condition } : { ok: false, reason: `the STIX text '${condition}' does not parse: ${parsed.error.message}` };
}

/** The CACAO variable a switch reads: `vars.x` / `inputs.x` as `__x__:value`; undefined for any other expression. */
export function vigilSwitchVariable(expression: string): string | undefined {
  try {
    return variablePath(parseExpression(expression));
  } catch {
    return undefined;
  }
}
