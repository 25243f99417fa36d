/**
 * CACAO conditions into Vigil expressions. CACAO 2.0 writes the conditions of if-, while- and
 * switch-condition steps in STIX 2.1 patterning with CACAO variables; they are parsed with the STIX
 * pattern parser (src/common/stix-pattern) and translated, or refused with the construct that has no
 * Vigil meaning. Two forms are read:
 *
 * - a bare comparison expression over variables, as most producers write it:
 *   `__reputation__:value = 'malicious' AND __score__:value > 70` → `vars.reputation == 'malicious' && vars.score > 70`;
 * - a STIX pattern over what the case observed: `[ipv4-addr:value = '__bad_ip__:value']` →
 *   `contains(observables.ip, vars.bad_ip)`. An observation stands for "an observable of that kind
 *   with that value"; observations combine with AND / OR.
 *
 * Refused, because a Vigil condition is evaluated once, on the case as it is: FOLLOWEDBY and the
 * WITHIN / REPEATS / START…STOP qualifiers (they need a stream of observations), ISSUBSET /
 * ISSUPERSET (no address-range function), binary and hex literals, comparisons other than `=` / IN on
 * observed objects, and AND between observed-object comparisons inside one observation (one object
 * having two values).
 */
import {
  parseStixComparison,
  parseStixPattern,
  type StixComparison,
  type StixComparisonExpression,
  type StixLiteral,
  type StixObjectPath,
  type StixObservationExpression,
  type StixOperand,
} from '../../common/stix-pattern/index.js';
import { checkExpression, MAX_PATTERN_LENGTH } from '../../../workflows/language/expression.js';
import { quoteString } from './cacao-shared.js';

export type ConditionTranslation = { ok: true; expression: string } | { ok: false; construct: string; message: string };

class Unsupported extends Error {
  constructor(
    readonly construct: string,
    message: string,
  ) {
    super(message);
  }
}

/** STIX cyber-observable properties that name a Vigil observable kind (`observables.<kind>` is the case's list of values). */
const OBSERVED: Record<string, string> = {
  'ipv4-addr:value': 'ip',
  'ipv6-addr:value': 'ip',
  'domain-name:value': 'domain',
  'url:value': 'url',
  'email-addr:value': 'email',
  'file:name': 'file_name',
  'file:hashes.MD5': 'md5',
  'file:hashes.SHA-1': 'sha1',
  'file:hashes.SHA-256': 'sha256',
  'user-account:user_id': 'user',
  'user-account:account_login': 'user',
  'process:command_line': 'command_line',
};

const VARIABLE_PATH = /^__([A-Za-z0-9_-]+)__$/;
const VARIABLE_IN_TEXT = /__([A-Za-z0-9_-]+)__:value/g;

function pathText(path: StixObjectPath): string {
  return `${path.objectType}:${path.steps.map((step, i) => (step.kind === 'index' ? `[${step.index}]` : `${i === 0 ? '' : '.'}${step.name}`)).join('')}`;
}

const COMPARISON_OPERATORS: Record<string, string> = { '=': '==', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** `LIKE` wildcards (`%` any run, `_` one character) as an anchored regular expression. */
function likeToRegex(pattern: string): string {
  let out = '^';
  for (const char of pattern) {
    if (char === '%') out += '.*';
    else if (char === '_') out += '.';
    else out += /[\\^$.*+?()[\]{}|]/.test(char) ? `\\${char}` : char;
  }
  return `${out}$`;
}

class Translator {
  constructor(private readonly nameOf: (cacaoKey: string) => string) {}

  private variable(key: string): string {
    return `vars.${this.nameOf(key)}`;
  }

  /** A text literal; `__x__:value` inside it reads the variable (the whole text, or joined with `+`). */
  private text(value: string): string {
    const parts: string[] = [];
    let last = 0;
    for (const m of value.matchAll(VARIABLE_IN_TEXT)) {
      if (m.index > last) parts.push(quoteString(value.slice(last, m.index)));
      parts.push(this.variable(`__${m[1]}__`));
      last = m.index + m[0].length;
    }
    if (last < value.length || parts.length === 0) parts.push(quoteString(value.slice(last)));
    return parts.join(' + ');
  }

  private literal(literal: StixLiteral): string {
    switch (literal.type) {
      case 'string':
        return this.text(literal.value);
      case 'integer':
      case 'float':
        return String(literal.value);
      case 'boolean':
        return String(literal.value);
      case 'timestamp':
        return quoteString(literal.value);
      case 'binary':
      case 'hex':
        throw new Unsupported(`${literal.type} literal`, `${literal.type} literals have no counterpart in Vigil expressions`);
    }
  }

  private operand(operand: StixOperand): string {
    if (operand.type === 'variable') return this.variable(operand.name);
    if (operand.type === 'set') return `[${operand.items.map((item) => this.literal(item)).join(', ')}]`;
    return this.literal(operand);
  }

  /** A pattern string for matches(): a literal without variables (Vigil checks patterns before a run). */
  private patternText(comparison: StixComparison): string {
    const value = comparison.value;
    if (value.type !== 'string' || new RegExp(VARIABLE_IN_TEXT.source).test(value.value)) {
      throw new Unsupported(
        `${comparison.operator} with a variable pattern`,
        `${comparison.operator} needs a fixed pattern; a variable inside the pattern cannot be checked before the run`,
      );
    }
    const regex = comparison.operator === 'LIKE' ? likeToRegex(value.value) : value.value;
    if (regex.length > MAX_PATTERN_LENGTH)
      throw new Unsupported(comparison.operator, `the ${comparison.operator} pattern is longer than the ${MAX_PATTERN_LENGTH} characters Vigil's matches() takes`);
    return quoteString(regex);
  }

  /** A comparison whose left side is a CACAO variable. */
  private variableComparison(comparison: StixComparison, subject: string): string {
    let expression: string;
    switch (comparison.operator) {
      case 'IN':
        expression = `${subject} in ${this.operand(comparison.value)}`;
        break;
      case 'LIKE':
        expression = `matches(${subject}, ${this.patternText(comparison)}, 's')`;
        break;
      case 'MATCHES': {
        // PCRE's leading inline flags (?i) / (?s), as Vigil's export writes them, are matches() flags.
        const pattern = this.patternText(comparison);
        const inline = /^'\(\?([is]+)\)/.exec(pattern);
        expression = inline ? `matches(${subject}, '${pattern.slice(inline[0].length)}, '${inline[1]}')` : `matches(${subject}, ${pattern})`;
        break;
      }
      case 'ISSUBSET':
      case 'ISSUPERSET':
        throw new Unsupported(comparison.operator, `${comparison.operator} compares address ranges; Vigil expressions have no address-range function`);
      default:
        expression = `${subject} ${COMPARISON_OPERATORS[comparison.operator]} ${this.operand(comparison.value)}`;
    }
    return comparison.negated ? `!(${expression})` : expression;
  }

  /** A comparison on an observed object: "the case has an observable of this kind with this value". */
  private observedComparison(comparison: StixComparison, kind: string): string {
    const list = `observables.${kind}`;
    if (comparison.negated || (comparison.operator !== '=' && comparison.operator !== 'IN')) {
      const op = `${comparison.negated ? 'NOT ' : ''}${comparison.operator}`;
      throw new Unsupported(`${op} on ${pathText(comparison.path)}`, `only = and IN compare observed objects; '${op}' would need a test on each observable`);
    }
    const value = comparison.value;
    if (comparison.operator === '=') return `contains(${list}, ${this.operand(value)})`;
    if (value.type !== 'set') throw new Unsupported(`IN a variable on ${pathText(comparison.path)}`, 'IN on observed objects needs a set of literals');
    if (value.items.length === 0) return 'false';
    const tests = value.items.map((item) => `contains(${list}, ${this.literal(item)})`);
    return tests.length === 1 ? tests[0]! : `(${tests.join(' || ')})`;
  }

  comparison(expression: StixComparisonExpression, inObservation: boolean): string {
    switch (expression.type) {
      case 'comparison-operation': {
        if (inObservation && expression.operator === 'AND' && this.readsObserved(expression)) {
          throw new Unsupported(
            'AND inside an observation',
            'AND between comparisons of observed objects inside one [ ] asks for one object with both values; write [ … ] AND [ … ]',
          );
        }
        const op = expression.operator === 'AND' ? '&&' : '||';
        return `(${this.comparison(expression.left, inObservation)} ${op} ${this.comparison(expression.right, inObservation)})`;
      }
      case 'exists': {
        const subject = this.subject(expression.path, inObservation);
        if (subject.kind === 'observed') return `${expression.negated ? '!' : ''}(len(observables.${subject.name}) > 0)`;
        return `${expression.negated ? '!' : ''}exists(${subject.name})`;
      }
      case 'comparison': {
        const subject = this.subject(expression.path, inObservation);
        return subject.kind === 'observed' ? this.observedComparison(expression, subject.name) : this.variableComparison(expression, subject.name);
      }
    }
  }

  private readsObserved(expression: StixComparisonExpression): boolean {
    if (expression.type === 'comparison-operation') return this.readsObserved(expression.left) || this.readsObserved(expression.right);
    return !VARIABLE_PATH.test(expression.path.objectType);
  }

  private subject(path: StixObjectPath, inObservation: boolean): { kind: 'variable' | 'observed'; name: string } {
    if (VARIABLE_PATH.test(path.objectType)) {
      const only = path.steps.length === 1 && path.steps[0]!.kind === 'key' && path.steps[0]!.name === 'value';
      if (!only) throw new Unsupported(pathText(path), `a CACAO variable is read as ${path.objectType}:value; '${pathText(path)}' reads into it`);
      return { kind: 'variable', name: this.variable(path.objectType) };
    }
    const text = pathText(path);
    const kind = OBSERVED[text];
    if (!inObservation) throw new Unsupported(text, `'${text}' is an object path outside an observation; compare a CACAO variable (__name__:value) or write [${text} = …]`);
    if (kind === undefined) throw new Unsupported(text, `'${text}' is not an observable Vigil collects (known: ${Object.keys(OBSERVED).join(', ')})`);
    return { kind: 'observed', name: kind };
  }

  observation(expression: StixObservationExpression): string {
    switch (expression.type) {
      case 'observation':
        return this.comparison(expression.comparison, true);
      case 'observation-group':
        return this.observation(expression.expression);
      case 'qualified': {
        const construct = expression.qualifier.kind === 'START_STOP' ? 'START … STOP' : expression.qualifier.kind;
        throw new Unsupported(construct, `${construct} qualifies a stream of observations in time; a Vigil condition is evaluated once, on the case as it is`);
      }
      case 'observation-operation':
        if (expression.operator === 'FOLLOWEDBY')
          throw new Unsupported('FOLLOWEDBY', 'FOLLOWEDBY orders observations in time; a Vigil condition is evaluated once, on the case as it is');
        return `(${this.observation(expression.left)} ${expression.operator === 'AND' ? '&&' : '||'} ${this.observation(expression.right)})`;
    }
  }
}

/** Drops the parentheses around the whole expression that the translation adds. */
function unwrap(expression: string): string {
  if (!expression.startsWith('(') || !expression.endsWith(')')) return expression;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < expression.length; i++) {
    const char = expression[i]!;
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === '(') depth++;
    else if (char === ')' && --depth === 0 && i < expression.length - 1) return expression;
  }
  return expression.slice(1, -1);
}

/** A CACAO condition (STIX patterning with CACAO variables) as a Vigil expression, or the construct that stops it. */
export function translateCacaoCondition(condition: string, nameOf: (cacaoKey: string) => string): ConditionTranslation {
  const text = condition.trim();
  const translator = new Translator(nameOf);
  let expression: string;
  try {
    if (text.startsWith('[') || (text.startsWith('(') && parseStixPattern(text, { variables: true }).ok)) {
      const pattern = parseStixPattern(text, { variables: true });
      if (!pattern.ok) return { ok: false, construct: 'STIX pattern syntax', message: `not a STIX pattern: ${pattern.error.message}` };
      expression = translator.observation(pattern.value);
    } else {
      const comparison = parseStixComparison(text, { variables: true });
      if (!comparison.ok) return { ok: false, construct: 'STIX pattern syntax', message: `not a STIX comparison expression: ${comparison.error.message}` };
      expression = translator.comparison(comparison.value, false);
    }
  } catch (error) {
    if (error instanceof Unsupported) return { ok: false, construct: error.construct, message: error.message };
    throw error;
  }
  expression = unwrap(expression);
  const problem = checkExpression(expression);
  if (problem) return { ok: false, construct: 'expression', message: `the translation '${expression}' is not a valid Vigil expression: ${problem.message}` };
  return { ok: true, expression };
}

/** A switch-condition's `switch`: the variable whose value picks the case. */
export function translateCacaoSwitch(text: string, nameOf: (cacaoKey: string) => string): ConditionTranslation {
  const m = /^\s*(__[A-Za-z0-9_-]+__):value\s*$/.exec(text);
  if (m) return { ok: true, expression: `vars.${nameOf(m[1]!)}` };
  return { ok: false, construct: 'switch expression', message: `the switch of a switch-condition is a CACAO variable (__name__:value); '${text}' is not one` };
}
