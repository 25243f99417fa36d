/**
 * A recursive-descent parser for STIX 2.1 patterning that follows the parser rules of the official
 * ANTLR grammar (`STIXPattern.g4`), plus the two checks the official validator
 * (oasis-open/cti-pattern-validator) makes after parsing: no qualifier type twice directly on one
 * observation, and values of well-known hash algorithms in their format.
 *
 * Precedence, loosest first: FOLLOWEDBY, OR, AND between observations; OR, AND inside one.
 * Qualifiers (WITHIN, REPEATS, START … STOP) follow an observation or a parenthesised group.
 *
 * One documented extension, off unless asked for (`variables: true`): a CACAO variable
 * `__name__:value` may stand where a literal is expected (`[ipv4-addr:value = __bad_ip__:value]`).
 * The grammar already reads `__name__:value` as an object path on the left of a comparison.
 */
import type {
  StixComparison,
  StixComparisonExpression,
  StixComparisonOperator,
  StixLiteral,
  StixObjectPath,
  StixObservationExpression,
  StixOperand,
  StixParseResult,
  StixPathStep,
  StixQualifier,
} from './stix-pattern.ast.js';
import { tokenizeStixPattern, type StixToken, type StixTokenKind } from './stix-pattern.lexer.js';

export interface StixParseOptions {
  /** Accept `__name__:value` (a CACAO variable) as a comparison operand. */
  variables?: boolean;
}

/** Deepest nesting of parentheses and brackets accepted, so no input can exhaust the stack. */
export const MAX_STIX_PATTERN_DEPTH = 64;

/** `__name__` as CACAO spells a variable's key. */
export const CACAO_VARIABLE_KEY = /^__[A-Za-z0-9_-]+__$/;

class StixSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const ORDER_OPERATORS: Partial<Record<StixTokenKind, StixComparisonOperator>> = { GT: '>', LT: '<', GE: '>=', LE: '<=' };
const STRING_OPERATORS: Partial<Record<StixTokenKind, StixComparisonOperator>> = { LIKE: 'LIKE', MATCHES: 'MATCHES', ISSUBSET: 'ISSUBSET', ISSUPERSET: 'ISSUPERSET' };

function describe(token: StixToken): string {
  return token.kind === 'EOF' ? 'the end of the pattern' : `'${token.text}'`;
}

/** The text of a StringLiteral: quotes removed, `\'` and `\\` unescaped. */
function unquote(text: string): string {
  return text.slice(1, -1).replace(/\\(['\\])/g, '$1');
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: StixToken[],
    private readonly options: StixParseOptions,
  ) {}

  private get token(): StixToken {
    return this.tokens[this.index]!;
  }

  private peek(ahead = 1): StixToken {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  private next(): StixToken {
    const token = this.token;
    if (token.kind !== 'EOF') this.index += 1;
    return token;
  }

  private fail(expected: string, token = this.token): never {
    throw new StixSyntaxError(`expected ${expected} at ${token.offset}, found ${describe(token)}`, token.offset);
  }

  private expect(kind: StixTokenKind, expected: string): StixToken {
    if (this.token.kind !== kind) this.fail(expected);
    return this.next();
  }

  private enter(): void {
    this.depth += 1;
    if (this.depth > MAX_STIX_PATTERN_DEPTH) throw new StixSyntaxError(`the pattern nests deeper than ${MAX_STIX_PATTERN_DEPTH} levels`, this.token.offset);
  }

  end(): void {
    if (this.token.kind !== 'EOF') this.fail('the end of the pattern');
  }

  // observationExpressions: FOLLOWEDBY over OR over AND, all left-associative.
  observationExpressions(): StixObservationExpression {
    let left = this.observationOr();
    while (this.token.kind === 'FOLLOWEDBY') {
      this.next();
      left = { type: 'observation-operation', operator: 'FOLLOWEDBY', left, right: this.observationOr() };
    }
    return left;
  }

  private observationOr(): StixObservationExpression {
    let left = this.observationAnd();
    while (this.token.kind === 'OR') {
      this.next();
      left = { type: 'observation-operation', operator: 'OR', left, right: this.observationAnd() };
    }
    return left;
  }

  private observationAnd(): StixObservationExpression {
    let left = this.observationExpression();
    while (this.token.kind === 'AND') {
      this.next();
      left = { type: 'observation-operation', operator: 'AND', left, right: this.observationExpression() };
    }
    return left;
  }

  private observationExpression(): StixObservationExpression {
    let expression: StixObservationExpression;
    this.enter();
    if (this.token.kind === 'LBRACK') {
      this.next();
      expression = { type: 'observation', comparison: this.comparisonExpression() };
      this.expect('RBRACK', "']'");
    } else if (this.token.kind === 'LPAREN') {
      this.next();
      expression = { type: 'observation-group', expression: this.observationExpressions() };
      this.expect('RPAREN', "')'");
    } else {
      this.fail("'[' or '('");
    }
    this.depth -= 1;
    for (let qualifier = this.qualifier(); qualifier; qualifier = this.qualifier()) expression = { type: 'qualified', qualifier, expression };
    return expression;
  }

  private qualifier(): StixQualifier | undefined {
    switch (this.token.kind) {
      case 'WITHIN': {
        this.next();
        const amount = this.next();
        if (amount.kind !== 'IntPos' && amount.kind !== 'FloatPos') this.fail('a positive number of seconds', amount);
        this.expect('SECONDS', "'SECONDS'");
        return { kind: 'WITHIN', seconds: Number(amount.text) };
      }
      case 'REPEATS': {
        this.next();
        const times = Number(this.expect('IntPos', 'a positive whole number').text);
        this.expect('TIMES', "'TIMES'");
        return { kind: 'REPEATS', times };
      }
      case 'START': {
        this.next();
        const start = this.expect('Timestamp', "a timestamp t'…Z'").text.slice(2, -1);
        this.expect('STOP', "'STOP'");
        const stop = this.expect('Timestamp', "a timestamp t'…Z'").text.slice(2, -1);
        return { kind: 'START_STOP', start, stop };
      }
      default:
        return undefined;
    }
  }

  // comparisonExpression: OR over AND, left-associative.
  comparisonExpression(): StixComparisonExpression {
    let left = this.comparisonAnd();
    while (this.token.kind === 'OR') {
      this.next();
      left = { type: 'comparison-operation', operator: 'OR', left, right: this.comparisonAnd() };
    }
    return left;
  }

  private comparisonAnd(): StixComparisonExpression {
    let left = this.propTest();
    while (this.token.kind === 'AND') {
      this.next();
      left = { type: 'comparison-operation', operator: 'AND', left, right: this.propTest() };
    }
    return left;
  }

  private propTest(): StixComparisonExpression {
    if (this.token.kind === 'LPAREN') {
      this.enter();
      this.next();
      const inner = this.comparisonExpression();
      this.expect('RPAREN', "')'");
      this.depth -= 1;
      return inner;
    }
    if (this.token.kind === 'EXISTS' || (this.token.kind === 'NOT' && this.peek().kind === 'EXISTS')) {
      const negated = this.token.kind === 'NOT';
      if (negated) this.next();
      this.next();
      return { type: 'exists', path: this.objectPath(), negated };
    }
    const path = this.objectPath();
    const negated = this.token.kind === 'NOT';
    if (negated) this.next();
    const op = this.next();
    const comparison = (operator: StixComparisonOperator, value: StixOperand): StixComparison => ({ type: 'comparison', path, operator, negated, value });
    if (op.kind === 'EQ' || op.kind === 'NEQ') return comparison(op.kind === 'EQ' ? '=' : '!=', this.operand('primitive'));
    const order = ORDER_OPERATORS[op.kind];
    if (order) return comparison(order, this.operand('orderable'));
    if (op.kind === 'IN') return comparison('IN', this.setLiteral());
    const textual = STRING_OPERATORS[op.kind];
    if (textual) return comparison(textual, this.operand('string'));
    return this.fail('a comparison operator', op);
  }

  private setLiteral(): StixOperand {
    if (this.options.variables && this.isVariable()) return this.variable();
    this.expect('LPAREN', "'('");
    const items: StixLiteral[] = [];
    if (this.token.kind !== 'RPAREN') {
      items.push(this.literal('primitive'));
      while (this.token.kind === 'COMMA') {
        this.next();
        items.push(this.literal('primitive'));
      }
    }
    this.expect('RPAREN', "')' or ','");
    return { type: 'set', items };
  }

  private isVariable(): boolean {
    const t = this.token;
    return (t.kind === 'IdentNoHyphen' || t.kind === 'IdentHyphen') && CACAO_VARIABLE_KEY.test(t.text) && this.peek().kind === 'COLON' && this.peek(2).text === 'value';
  }

  private variable(): StixOperand {
    const name = this.next().text;
    this.next();
    this.next();
    return { type: 'variable', name };
  }

  private operand(kind: 'primitive' | 'orderable' | 'string'): StixOperand {
    if (this.options.variables && this.isVariable()) return this.variable();
    return this.literal(kind);
  }

  private literal(kind: 'primitive' | 'orderable' | 'string'): StixLiteral {
    const t = this.token;
    if (kind === 'string') {
      if (t.kind !== 'String') this.fail('a string literal');
      this.next();
      return { type: 'string', value: unquote(t.text) };
    }
    switch (t.kind) {
      case 'IntPos':
      case 'IntNeg':
        this.next();
        return { type: 'integer', value: Number(t.text) };
      case 'FloatPos':
      case 'FloatNeg':
        this.next();
        return { type: 'float', value: Number(t.text) };
      case 'String':
        this.next();
        return { type: 'string', value: unquote(t.text) };
      case 'Binary':
        this.next();
        return { type: 'binary', value: t.text.slice(2, -1) };
      case 'Hex':
        this.next();
        return { type: 'hex', value: t.text.slice(2, -1) };
      case 'Timestamp':
        this.next();
        return { type: 'timestamp', value: t.text.slice(2, -1) };
      case 'Bool':
        if (kind === 'primitive') {
          this.next();
          return { type: 'boolean', value: t.text === 'true' };
        }
        return this.fail('a literal that can be ordered');
      default:
        return this.fail('a literal');
    }
  }

  private objectPath(): StixObjectPath {
    const type = this.token;
    if (type.kind !== 'IdentNoHyphen' && type.kind !== 'IdentHyphen') this.fail('an object type');
    this.next();
    this.expect('COLON', "':'");
    const first = this.token;
    if (first.kind !== 'IdentNoHyphen' && first.kind !== 'String') this.fail('a property name');
    this.next();
    const steps: StixPathStep[] = [{ kind: 'key', name: first.kind === 'String' ? unquote(first.text) : first.text }];
    for (;;) {
      if (this.token.kind === 'DOT') {
        this.next();
        const key = this.token;
        if (key.kind !== 'IdentNoHyphen' && key.kind !== 'String') this.fail('a property name');
        this.next();
        steps.push({ kind: 'key', name: key.kind === 'String' ? unquote(key.text) : key.text });
      } else if (this.token.kind === 'LBRACK' && ['IntPos', 'IntNeg', 'ASTERISK'].includes(this.peek().kind)) {
        this.next();
        const index = this.next();
        this.expect('RBRACK', "']'");
        steps.push({ kind: 'index', index: index.kind === 'ASTERISK' ? '*' : Number(index.text) });
      } else {
        return { objectType: type.text, steps };
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The official validator's checks after parsing

const HASH_FORMATS: Record<string, RegExp> = {
  MD5: /^[a-fA-F0-9]{32}$/,
  MD6: /^(?:[a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{56}|[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|[a-fA-F0-9]{128})$/,
  RIPEMD160: /^[a-fA-F0-9]{40}$/,
  SHA1: /^[a-fA-F0-9]{40}$/,
  SHA224: /^[a-fA-F0-9]{56}$/,
  SHA256: /^[a-fA-F0-9]{64}$/,
  SHA384: /^[a-fA-F0-9]{96}$/,
  SHA512: /^[a-fA-F0-9]{128}$/,
  SHA3224: /^[a-fA-F0-9]{56}$/,
  SHA3256: /^[a-fA-F0-9]{64}$/,
  SHA3384: /^[a-fA-F0-9]{96}$/,
  SHA3512: /^[a-fA-F0-9]{128}$/,
  SSDEEP: /^[a-zA-Z0-9/+:.]{1,128}$/,
  WHIRLPOOL: /^[a-fA-F0-9]{128}$/,
};

/** Every comparison of an expression, left to right. */
export function stixComparisons(expression: StixComparisonExpression): Array<StixComparison> {
  if (expression.type === 'comparison') return [expression];
  if (expression.type === 'exists') return [];
  return [...stixComparisons(expression.left), ...stixComparisons(expression.right)];
}

function hashProblem(comparison: StixComparison): string | undefined {
  const keys = comparison.path.steps;
  const last = keys[keys.length - 1];
  if (!keys.some((step) => step.kind === 'key' && step.name === 'hashes') || last?.kind !== 'key') return undefined;
  const format = HASH_FORMATS[last.name.toUpperCase().replaceAll('-', '')];
  const value = comparison.value;
  if (!format || value.type === 'set' || value.type === 'variable') return undefined;
  const text = String(value.value);
  return format.test(text) ? undefined : `'${text}' is not a valid ${last.name} hash`;
}

function observationProblem(expression: StixObservationExpression): string | undefined {
  switch (expression.type) {
    case 'observation':
      for (const comparison of stixComparisons(expression.comparison)) {
        const problem = hashProblem(comparison);
        if (problem) return problem;
      }
      return undefined;
    case 'observation-group':
      return observationProblem(expression.expression);
    case 'observation-operation':
      return observationProblem(expression.left) ?? observationProblem(expression.right);
    case 'qualified': {
      // Only qualifiers directly on a bracketed observation must differ; a group may be qualified again.
      const kinds: string[] = [];
      let base: StixObservationExpression = expression;
      while (base.type === 'qualified') {
        kinds.push(base.qualifier.kind);
        base = base.expression;
      }
      if (base.type === 'observation') {
        const duplicate = kinds.find((kind, i) => kinds.indexOf(kind) !== i);
        if (duplicate) return `duplicate qualifier type ${duplicate === 'START_STOP' ? 'START … STOP' : duplicate} on one observation`;
      }
      return observationProblem(base);
    }
  }
}

function run<T>(text: string, options: StixParseOptions, parse: (parser: Parser) => T): StixParseResult<T> {
  const parser = new Parser(tokenizeStixPattern(text), options);
  try {
    const value = parse(parser);
    parser.end();
    return { ok: true, value };
  } catch (error) {
    if (error instanceof StixSyntaxError) return { ok: false, error: { message: error.message, offset: error.offset } };
    throw error;
  }
}

/** Parses and checks a STIX 2.1 pattern (one or more observation expressions). */
export function parseStixPattern(text: string, options: StixParseOptions = {}): StixParseResult<StixObservationExpression> {
  const parsed = run(text, options, (parser) => parser.observationExpressions());
  if (!parsed.ok) return parsed;
  const problem = observationProblem(parsed.value);
  return problem ? { ok: false, error: { message: problem, offset: 0 } } : parsed;
}

/**
 * Parses a comparison expression on its own, without the square brackets of an observation: the
 * grammar's `comparisonExpression` rule, which CACAO conditions such as `__reputation__:value = 'malicious'` use.
 */
export function parseStixComparison(text: string, options: StixParseOptions = {}): StixParseResult<StixComparisonExpression> {
  const parsed = run(text, options, (parser) => parser.comparisonExpression());
  if (!parsed.ok) return parsed;
  for (const comparison of stixComparisons(parsed.value)) {
    const problem = hashProblem(comparison);
    if (problem) return { ok: false, error: { message: problem, offset: 0 } };
  }
  return parsed;
}
