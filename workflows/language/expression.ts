/**
 * Vigil's expression language: the conditions, switch values, loop guards and `set` values of playbooks.
 *
 * Expressions are evaluated inside Temporal workflows, so evaluation is deterministic and pure: no
 * eval, no clock, no randomness, no I/O, no Node modules. Parsing uses jsep; the jsep tree is then
 * checked and converted to Vigil's own small AST, and only that AST is ever evaluated.
 *
 * The language (documented for authors in playbooks/README.md):
 * - literals: numbers, 'strings' or "strings", true, false, null, [lists]
 * - identifiers are looked up in the scope object's own properties only
 * - member access `a.b`, `a['b']`, `a[0]`: own properties only, a missing path is undefined
 * - operators, loosest first: `?:`, `||`, `&&`, `== !=`, `< <= > >= in`, `+ -`, `* / %`, unary `! -`
 * - a fixed set of pure functions (FUNCTION_NAMES); no method calls, no assignment, no `this`
 */
import jsep from 'jsep';

// ---------------------------------------------------------------------------------------------
// AST

export type BinaryOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '+' | '-' | '*' | '/' | '%' | 'in';
export type UnaryOperator = '!' | '-';

export const FUNCTION_NAMES = [
  'len',
  'lower',
  'upper',
  'contains',
  'startsWith',
  'endsWith',
  'matches',
  'exists',
  'default',
  'min',
  'max',
  'first',
  'last',
  'unique',
  'flatten',
  'filterBy',
  'map',
  'count',
  'join',
  'toNumber',
  'toString',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Every node carries `position`: the 0-based offset in the expression text where it starts. */
export interface LiteralNode {
  type: 'literal';
  value: string | number | boolean | null;
  position: number;
}
export interface ArrayNode {
  type: 'array';
  elements: Ast[];
  position: number;
}
export interface IdentifierNode {
  type: 'identifier';
  name: string;
  position: number;
}
/** `a.b` is stored with a literal property, exactly like `a['b']`. */
export interface MemberNode {
  type: 'member';
  object: Ast;
  property: Ast;
  position: number;
}
export interface UnaryNode {
  type: 'unary';
  operator: UnaryOperator;
  argument: Ast;
  position: number;
}
export interface BinaryNode {
  type: 'binary';
  operator: BinaryOperator;
  left: Ast;
  right: Ast;
  position: number;
}
export interface ConditionalNode {
  type: 'conditional';
  test: Ast;
  consequent: Ast;
  alternate: Ast;
  position: number;
}
export interface CallNode {
  type: 'call';
  name: FunctionName;
  args: Ast[];
  position: number;
}
export type Ast = LiteralNode | ArrayNode | IdentifierNode | MemberNode | UnaryNode | BinaryNode | ConditionalNode | CallNode;

/** The scope's roots in a playbook run; a foreach body adds its `as` name (`item` by default). */
export const EXPRESSION_ROOTS = ['alert', 'case', 'steps', 'vars', 'inputs', 'observables'] as const;
export const DEFAULT_ITEM_NAME = 'item';

export type ExpressionScope = Readonly<Record<string, unknown>>;

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    /** 0-based offset in the expression text. */
    readonly position: number,
  ) {
    super(message);
  }
}

export const MAX_EXPRESSION_LENGTH = 2000;
export const MAX_PATTERN_LENGTH = 200;
const MAX_DEPTH = 200;
/** Names that lead from data to the engine's objects; refused in every position. */
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// ---------------------------------------------------------------------------------------------
// jsep setup: `in` as a relational operator, and start offsets on nodes

jsep.addBinaryOp('in', 7);

/** Start offsets of the tokens being read; jsep reads one expression at a time, synchronously. */
let tokenStarts: number[] = [];
const positions = new WeakMap<jsep.Expression, number>();

function isNumberStart(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 46;
}

jsep.plugins.register({
  name: 'vigil-positions',
  init() {
    // jsep reads number literals without running `after-token`, so only other tokens are tracked.
    jsep.hooks.add('gobble-token', function recordStart(this: jsep.HookScope) {
      if (!isNumberStart(this.code)) tokenStarts.push(this.index);
    });
    jsep.hooks.add('after-token', function attachStart(env) {
      const start = tokenStarts.pop();
      if (env.node && start !== undefined) positions.set(env.node, start);
    });
  },
});

// ---------------------------------------------------------------------------------------------
// Parsing

interface FunctionSpec {
  minArgs: number;
  maxArgs: number;
  call(args: unknown[], position: number): unknown;
}

const BINARY_OPERATORS: ReadonlySet<string> = new Set<BinaryOperator>(['==', '!=', '<', '<=', '>', '>=', '&&', '||', '+', '-', '*', '/', '%', 'in']);

const OPERATOR_HINTS: Readonly<Record<string, string>> = {
  '===': "use '==' (it is already strict)",
  '!==': "use '!=' (it is already strict)",
  '??': 'use default(x, y)',
};

function isBinaryOperator(operator: string): operator is BinaryOperator {
  return BINARY_OPERATORS.has(operator);
}

function isFunctionName(name: string): name is FunctionName {
  return FUNCTIONS.has(name);
}

function jsepFailure(error: unknown): ExpressionError {
  if (error instanceof RangeError) return new ExpressionError('expression is nested too deeply', 0);
  if (error instanceof Error) {
    const detail = error as Error & { index?: unknown; description?: unknown };
    const position = typeof detail.index === 'number' ? detail.index : 0;
    const description = typeof detail.description === 'string' ? detail.description : error.message;
    return new ExpressionError(description, position);
  }
  return new ExpressionError(String(error), 0);
}

/** Parses expression text into Vigil's AST, refusing anything outside the language. */
export function parseExpression(text: string): Ast {
  if (typeof text !== 'string') throw new ExpressionError('an expression must be text', 0);
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH);
  }
  if (text.trim() === '') throw new ExpressionError('empty expression', 0);
  let tree: jsep.Expression;
  tokenStarts = [];
  try {
    tree = jsep(text);
  } catch (error) {
    throw jsepFailure(error);
  } finally {
    tokenStarts = [];
  }
  return convert(tree, 0, 0);
}

function stringProperty(node: Ast): string | undefined {
  return node.type === 'literal' && typeof node.value === 'string' ? node.value : undefined;
}

function convert(node: jsep.Expression, fallback: number, depth: number): Ast {
  const position = positions.get(node) ?? fallback;
  if (depth > MAX_DEPTH) throw new ExpressionError('expression is nested too deeply', position);
  const child = (inner: jsep.Expression, at = position): Ast => convert(inner, at, depth + 1);

  switch (node.type) {
    case 'Literal': {
      const literal = node as jsep.Literal;
      const value = literal.value;
      if (typeof value === 'number' && !Number.isFinite(value)) throw new ExpressionError('number out of range', position);
      if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        return { type: 'literal', value, position };
      }
      throw new ExpressionError('unsupported literal', position);
    }
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      if (FORBIDDEN_NAMES.has(name)) throw new ExpressionError(`'${name}' cannot be used`, position);
      return { type: 'identifier', name, position };
    }
    case 'ThisExpression':
      throw new ExpressionError("'this' is not part of the language; name a root such as alert or vars", position);
    case 'ArrayExpression': {
      const elements = (node as jsep.ArrayExpression).elements.map((element) => {
        if (element === null) throw new ExpressionError('empty list element', position);
        return child(element);
      });
      return { type: 'array', elements, position };
    }
    case 'MemberExpression': {
      const member = node as jsep.MemberExpression;
      const object = child(member.object);
      let property: Ast;
      if (member.computed) {
        property = child(member.property);
      } else {
        const name = (member.property as jsep.Identifier).name;
        property = { type: 'literal', value: name, position: positions.get(member.property) ?? position };
      }
      const name = stringProperty(property);
      if (name !== undefined && FORBIDDEN_NAMES.has(name)) throw new ExpressionError(`property '${name}' cannot be read`, position);
      return { type: 'member', object, property, position };
    }
    case 'CallExpression': {
      const call = node as jsep.CallExpression;
      if (call.callee.type !== 'Identifier') {
        throw new ExpressionError('method calls are not supported; use a function such as lower(x) or contains(list, x)', position);
      }
      const name = (call.callee as jsep.Identifier).name;
      if (!isFunctionName(name)) throw new ExpressionError(`unknown function '${name}'`, position);
      const spec = FUNCTIONS.get(name) as FunctionSpec;
      const count = call.arguments.length;
      if (count < spec.minArgs || count > spec.maxArgs) {
        const expected = spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : `${spec.minArgs} to ${spec.maxArgs}`;
        throw new ExpressionError(`${name}() takes ${expected} argument${spec.maxArgs === 1 ? '' : 's'}, got ${count}`, position);
      }
      const args = call.arguments.map((argument) => child(argument));
      if (name === 'matches') {
        // A literal pattern is checked now, so a playbook with a bad pattern fails validation, not a run.
        const pattern = stringProperty(args[1]);
        const flags = args.length > 2 ? stringProperty(args[2]) : '';
        if (pattern !== undefined && flags !== undefined) compilePattern(pattern, flags, args[1].position);
      }
      return { type: 'call', name, args, position };
    }
    case 'UnaryExpression': {
      const unary = node as jsep.UnaryExpression;
      if (unary.operator !== '!' && unary.operator !== '-') {
        throw new ExpressionError(`operator '${unary.operator}' is not supported${unary.operator === '+' ? '; use toNumber(x)' : ''}`, position);
      }
      return { type: 'unary', operator: unary.operator, argument: child(unary.argument), position };
    }
    case 'BinaryExpression': {
      const binary = node as jsep.BinaryExpression;
      const left = child(binary.left);
      const right = child(binary.right, left.position);
      if (!isBinaryOperator(binary.operator)) {
        const hint = OPERATOR_HINTS[binary.operator];
        throw new ExpressionError(`operator '${binary.operator}' is not supported${hint ? `; ${hint}` : ''}`, left.position);
      }
      return { type: 'binary', operator: binary.operator, left, right, position: left.position };
    }
    case 'ConditionalExpression': {
      const conditional = node as jsep.ConditionalExpression;
      const test = child(conditional.test);
      return {
        type: 'conditional',
        test,
        consequent: child(conditional.consequent, test.position),
        alternate: child(conditional.alternate, test.position),
        position: test.position,
      };
    }
    case 'Compound': {
      const body = (node as jsep.Compound).body;
      if (body.length === 0) throw new ExpressionError('empty expression', position);
      const second = body[1];
      throw new ExpressionError('one expression expected; join conditions with && or ||', second ? (positions.get(second) ?? position) : position);
    }
    case 'SequenceExpression':
      throw new ExpressionError('one expression expected inside parentheses', position);
    default:
      throw new ExpressionError(`unsupported syntax (${node.type})`, position);
  }
}

/** Undefined when the text is a valid expression, otherwise the first problem and where it is. */
export function checkExpression(text: string): undefined | { message: string; position: number } {
  try {
    parseExpression(text);
    return undefined;
  } catch (error) {
    if (error instanceof ExpressionError) return { message: error.message, position: error.position };
    throw error;
  }
}

/** Root identifiers the expression reads (`alert`, `vars`, …), each once, in order of appearance. */
export function collectIdentifiers(ast: Ast): string[] {
  const names: string[] = [];
  walk(ast, (node) => {
    if (node.type === 'identifier' && !names.includes(node.name)) names.push(node.name);
  });
  return names;
}

/**
 * The statically known paths the expression reads: `steps.enrich.output[0]` gives
 * `['steps', 'enrich', 'output', '0']`; a computed part ends the path (`vars[x].y` gives `['vars']`).
 * Lets the validator check references such as `steps.<id>` against the playbook.
 */
export function collectPaths(ast: Ast): string[][] {
  const paths: string[][] = [];
  const visit = (node: Ast, extendsParent: boolean): void => {
    if (node.type === 'identifier' || node.type === 'member') {
      const path = staticPath(node);
      if (path && !extendsParent) paths.push(path);
      if (node.type === 'member') {
        visit(node.object, path !== undefined);
        visit(node.property, false);
      }
      return;
    }
    for (const next of children(node)) visit(next, false);
  };
  visit(ast, false);
  return paths;
}

function staticPath(node: Ast): string[] | undefined {
  if (node.type === 'identifier') return [node.name];
  if (node.type !== 'member') return undefined;
  const base = staticPath(node.object);
  if (!base) return undefined;
  const property = node.property;
  if (property.type === 'literal' && (typeof property.value === 'string' || typeof property.value === 'number')) {
    return [...base, String(property.value)];
  }
  return undefined;
}

function children(node: Ast): Ast[] {
  switch (node.type) {
    case 'literal':
    case 'identifier':
      return [];
    case 'array':
      return node.elements;
    case 'member':
      return [node.object, node.property];
    case 'unary':
      return [node.argument];
    case 'binary':
      return [node.left, node.right];
    case 'conditional':
      return [node.test, node.consequent, node.alternate];
    case 'call':
      return node.args;
  }
}

function walk(node: Ast, visit: (node: Ast) => void): void {
  visit(node);
  for (const next of children(node)) walk(next, visit);
}

// ---------------------------------------------------------------------------------------------
// Values

/** JavaScript truthiness: false, 0, '', null and undefined are falsy; every list and object is truthy. */
export function isTruthy(value: unknown): boolean {
  return Boolean(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMissing(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'text';
  return typeof value;
}

/** Strict, structural equality: no coercion (`1 == '1'` is false); lists and objects compare by content. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, index) => valuesEqual(item, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && valuesEqual(a[key], b[key]));
  }
  return false;
}

/** Reads an own property; anything else (inherited, missing, a primitive without it) is undefined. */
function readOwn(target: unknown, key: unknown, position: number): unknown {
  if (typeof key !== 'string' && typeof key !== 'number') return undefined;
  const name = String(key);
  if (FORBIDDEN_NAMES.has(name)) throw new ExpressionError(`property '${name}' cannot be read`, position);
  if (typeof target === 'string') {
    if (name === 'length') return target.length;
    return /^(0|[1-9]\d*)$/.test(name) ? target[Number(name)] : undefined;
  }
  if (typeof target !== 'object' || target === null) return undefined;
  return Object.hasOwn(target, name) ? (target as Record<string, unknown>)[name] : undefined;
}

/** Reads a dotted path (`device.ip`) of own properties, as used by filterBy and map. */
function readPath(target: unknown, path: string, position: number): unknown {
  let value = target;
  for (const part of path.split('.')) {
    value = readOwn(value, part, position);
    if (value === undefined) return undefined;
  }
  return value;
}

function finite(value: number, position: number): number {
  if (!Number.isFinite(value)) throw new ExpressionError('number out of range', position);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

const astCache = new Map<string, Ast>();
const AST_CACHE_SIZE = 500;

function cachedParse(text: string): Ast {
  const cached = astCache.get(text);
  if (cached) return cached;
  const ast = parseExpression(text);
  if (astCache.size >= AST_CACHE_SIZE) {
    const oldest = astCache.keys().next();
    if (!oldest.done) astCache.delete(oldest.value);
  }
  astCache.set(text, ast);
  return ast;
}

/**
 * Evaluates an expression (text or a parsed AST) against a scope. Missing paths give undefined;
 * type errors (`'a' - 1`), division by zero and refused properties throw ExpressionError.
 */
export function evaluate(expression: Ast | string, scope: ExpressionScope): unknown {
  const ast = typeof expression === 'string' ? cachedParse(expression) : expression;
  return evaluateNode(ast, scope);
}

function evaluateNode(node: Ast, scope: ExpressionScope): unknown {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'array':
      return node.elements.map((element) => evaluateNode(element, scope));
    case 'identifier':
      if (FORBIDDEN_NAMES.has(node.name)) throw new ExpressionError(`'${node.name}' cannot be used`, node.position);
      return Object.hasOwn(scope, node.name) ? scope[node.name] : undefined;
    case 'member':
      return readOwn(evaluateNode(node.object, scope), evaluateNode(node.property, scope), node.position);
    case 'unary': {
      const value = evaluateNode(node.argument, scope);
      if (node.operator === '!') return !isTruthy(value);
      if (typeof value !== 'number') throw new ExpressionError(`'-' needs a number, got ${typeName(value)}`, node.position);
      return -value;
    }
    case 'conditional':
      return isTruthy(evaluateNode(node.test, scope)) ? evaluateNode(node.consequent, scope) : evaluateNode(node.alternate, scope);
    case 'binary':
      return evaluateBinary(node, scope);
    case 'call': {
      const spec = FUNCTIONS.get(node.name);
      if (!spec) throw new ExpressionError(`unknown function '${node.name}'`, node.position);
      return spec.call(
        node.args.map((arg) => evaluateNode(arg, scope)),
        node.position,
      );
    }
  }
}

function evaluateBinary(node: BinaryNode, scope: ExpressionScope): unknown {
  const { operator, position } = node;
  if (operator === '&&') return isTruthy(evaluateNode(node.left, scope)) && isTruthy(evaluateNode(node.right, scope));
  if (operator === '||') return isTruthy(evaluateNode(node.left, scope)) || isTruthy(evaluateNode(node.right, scope));
  const left = evaluateNode(node.left, scope);
  const right = evaluateNode(node.right, scope);
  switch (operator) {
    case '==':
      return valuesEqual(left, right);
    case '!=':
      return !valuesEqual(left, right);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(operator, left, right);
    case 'in':
      return isIn(left, right, position);
    case '+':
      if (typeof left === 'number' && typeof right === 'number') return finite(left + right, position);
      if ((typeof left === 'string' || typeof right === 'string') && isScalar(left) && isScalar(right)) return `${left}${right}`;
      throw new ExpressionError(`'+' needs two numbers or text, got ${typeName(left)} and ${typeName(right)}`, position);
    case '-':
    case '*':
    case '/':
    case '%': {
      if (typeof left !== 'number' || typeof right !== 'number') {
        throw new ExpressionError(`'${operator}' needs two numbers, got ${typeName(left)} and ${typeName(right)}`, position);
      }
      if ((operator === '/' || operator === '%') && right === 0) throw new ExpressionError('division by zero', position);
      if (operator === '-') return finite(left - right, position);
      if (operator === '*') return finite(left * right, position);
      if (operator === '/') return finite(left / right, position);
      return finite(left % right, position);
    }
  }
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Ordering applies to two numbers or two texts; any other pair is simply not ordered (false). */
function compare(operator: '<' | '<=' | '>' | '>=', left: unknown, right: unknown): boolean {
  const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) return false;
  const a = left as number | string;
  const b = right as number | string;
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function isIn(needle: unknown, haystack: unknown, position: number): boolean {
  if (isMissing(haystack)) return false;
  if (Array.isArray(haystack)) return haystack.some((item) => valuesEqual(item, needle));
  if (typeof haystack === 'string') return typeof needle === 'string' && haystack.includes(needle);
  if (isRecord(haystack)) return typeof needle === 'string' && !FORBIDDEN_NAMES.has(needle) && Object.hasOwn(haystack, needle);
  throw new ExpressionError(`'in' needs a list, text or object on its right, got ${typeName(haystack)}`, position);
}

// ---------------------------------------------------------------------------------------------
// Functions. A missing argument (undefined or null) counts as absent: predicates give false,
// len/count give 0, list functions give [] and text functions give undefined. Other wrong types throw.

function needList(name: string, value: unknown, position: number): unknown[] {
  if (isMissing(value)) return [];
  if (Array.isArray(value)) return value;
  throw new ExpressionError(`${name}() needs a list, got ${typeName(value)}`, position);
}

function needText(name: string, value: unknown, position: number, what = 'text'): string {
  if (typeof value === 'string') return value;
  throw new ExpressionError(`${name}() needs ${what}, got ${typeName(value)}`, position);
}

function textOrMissing(name: string, value: unknown, position: number): string | undefined {
  return isMissing(value) ? undefined : needText(name, value, position);
}

function numbersOf(name: string, args: unknown[], position: number): number[] | undefined {
  const values = args.length === 1 && (Array.isArray(args[0]) || isMissing(args[0])) ? needList(name, args[0], position) : args;
  return values.map((value) => {
    if (typeof value !== 'number') throw new ExpressionError(`${name}() needs numbers, got ${typeName(value)}`, position);
    return value;
  });
}

function uniqueValues(values: unknown[]): unknown[] {
  const result: unknown[] = [];
  for (const value of values) if (!result.some((seen) => valuesEqual(seen, value))) result.push(value);
  return result;
}

const NUMBER_TEXT = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function scalarText(name: string, value: unknown, position: number): string {
  if (isMissing(value)) return '';
  if (isScalar(value)) return String(value);
  throw new ExpressionError(`${name}() needs a list of texts or numbers, got an item of type ${typeName(value)}`, position);
}

const FUNCTIONS = new Map<string, FunctionSpec>([
  [
    'len',
    {
      minArgs: 1,
      maxArgs: 1,
      call([value], position) {
        if (isMissing(value)) return 0;
        if (typeof value === 'string' || Array.isArray(value)) return value.length;
        if (isRecord(value)) return Object.keys(value).length;
        throw new ExpressionError(`len() needs text, a list or an object, got ${typeName(value)}`, position);
      },
    },
  ],
  ['lower', { minArgs: 1, maxArgs: 1, call: ([value], position) => textOrMissing('lower', value, position)?.toLowerCase() }],
  ['upper', { minArgs: 1, maxArgs: 1, call: ([value], position) => textOrMissing('upper', value, position)?.toUpperCase() }],
  [
    'contains',
    {
      minArgs: 2,
      maxArgs: 2,
      call([haystack, needle], position) {
        if (isMissing(haystack)) return false;
        if (Array.isArray(haystack)) return haystack.some((item) => valuesEqual(item, needle));
        if (typeof haystack === 'string') return typeof needle === 'string' && haystack.includes(needle);
        throw new ExpressionError(`contains() needs text or a list, got ${typeName(haystack)}`, position);
      },
    },
  ],
  [
    'startsWith',
    {
      minArgs: 2,
      maxArgs: 2,
      call([value, prefix], position) {
        const text = textOrMissing('startsWith', value, position);
        return text !== undefined && text.startsWith(needText('startsWith', prefix, position, 'a text prefix'));
      },
    },
  ],
  [
    'endsWith',
    {
      minArgs: 2,
      maxArgs: 2,
      call([value, suffix], position) {
        const text = textOrMissing('endsWith', value, position);
        return text !== undefined && text.endsWith(needText('endsWith', suffix, position, 'a text suffix'));
      },
    },
  ],
  [
    'matches',
    {
      minArgs: 2,
      maxArgs: 3,
      call([value, pattern, flags], position) {
        const regex = compilePattern(
          needText('matches', pattern, position, 'a text pattern'),
          isMissing(flags) ? '' : needText('matches', flags, position, 'text flags'),
          position,
        );
        const text = textOrMissing('matches', value, position);
        return text !== undefined && regex.test(text);
      },
    },
  ],
  ['exists', { minArgs: 1, maxArgs: 1, call: ([value]) => !isMissing(value) }],
  ['default', { minArgs: 2, maxArgs: 2, call: ([value, fallback]) => (isMissing(value) ? fallback : value) }],
  [
    'min',
    {
      minArgs: 1,
      maxArgs: 20,
      call(args, position) {
        const values = numbersOf('min', args, position);
        return values && values.length > 0 ? Math.min(...values) : undefined;
      },
    },
  ],
  [
    'max',
    {
      minArgs: 1,
      maxArgs: 20,
      call(args, position) {
        const values = numbersOf('max', args, position);
        return values && values.length > 0 ? Math.max(...values) : undefined;
      },
    },
  ],
  ['first', { minArgs: 1, maxArgs: 1, call: ([list], position) => needList('first', list, position)[0] }],
  [
    'last',
    {
      minArgs: 1,
      maxArgs: 1,
      call([list], position) {
        const items = needList('last', list, position);
        return items[items.length - 1];
      },
    },
  ],
  ['unique', { minArgs: 1, maxArgs: 1, call: ([list], position) => uniqueValues(needList('unique', list, position)) }],
  ['flatten', { minArgs: 1, maxArgs: 1, call: ([list], position) => needList('flatten', list, position).flatMap((item) => (Array.isArray(item) ? item : [item])) }],
  [
    'filterBy',
    {
      minArgs: 3,
      maxArgs: 3,
      call([list, field, value], position) {
        const path = needText('filterBy', field, position, 'a field name');
        return needList('filterBy', list, position).filter((item) => valuesEqual(readPath(item, path, position), value));
      },
    },
  ],
  [
    'map',
    {
      minArgs: 2,
      maxArgs: 2,
      call([list, field], position) {
        const path = needText('map', field, position, 'a field name');
        return needList('map', list, position).map((item) => readPath(item, path, position));
      },
    },
  ],
  [
    'count',
    {
      minArgs: 1,
      maxArgs: 3,
      call([list, field, value], position) {
        const items = needList('count', list, position);
        if (field === undefined) return items.length;
        const path = needText('count', field, position, 'a field name');
        return items.filter((item) => valuesEqual(readPath(item, path, position), value)).length;
      },
    },
  ],
  [
    'join',
    {
      minArgs: 1,
      maxArgs: 2,
      call([list, separator], position) {
        const sep = isMissing(separator) ? ', ' : needText('join', separator, position, 'a text separator');
        return needList('join', list, position)
          .map((item) => scalarText('join', item, position))
          .join(sep);
      },
    },
  ],
  [
    'toNumber',
    {
      minArgs: 1,
      maxArgs: 1,
      call([value]) {
        if (typeof value === 'number') return value;
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) {
          const parsed = Number(value.trim());
          return Number.isFinite(parsed) ? parsed : undefined;
        }
        return undefined;
      },
    },
  ],
  [
    'toString',
    {
      minArgs: 1,
      maxArgs: 1,
      call([value]) {
        if (isMissing(value)) return '';
        if (isScalar(value)) return String(value);
        return JSON.stringify(value);
      },
    },
  ],
]);

// ---------------------------------------------------------------------------------------------
// Regular expressions for matches(): bounded in size and refused when a quantified group itself
// contains a quantifier (`(a+)+`), the usual shape of catastrophic backtracking.

const patternCache = new Map<string, RegExp>();
const PATTERN_CACHE_SIZE = 200;
const ALLOWED_FLAGS = /^[imsu]*$/;

function compilePattern(pattern: string, flags: string, position: number): RegExp {
  const key = `${flags}/${pattern}`;
  const cached = patternCache.get(key);
  if (cached) {
    cached.lastIndex = 0;
    return cached;
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new ExpressionError(`matches() patterns are limited to ${MAX_PATTERN_LENGTH} characters`, position);
  }
  if (!ALLOWED_FLAGS.test(flags)) throw new ExpressionError("matches() flags may only be 'i', 'm', 's' and 'u'", position);
  if (hasNestedQuantifier(pattern)) {
    throw new ExpressionError('matches() refuses patterns that repeat a group containing a repetition, such as (a+)+', position);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (error) {
    throw new ExpressionError(`matches(): invalid pattern: ${error instanceof Error ? error.message : String(error)}`, position);
  }
  if (patternCache.size >= PATTERN_CACHE_SIZE) {
    const oldest = patternCache.keys().next();
    if (!oldest.done) patternCache.delete(oldest.value);
  }
  patternCache.set(key, regex);
  return regex;
}

function hasNestedQuantifier(pattern: string): boolean {
  // For each open group: whether a quantifier appears inside it.
  const groups: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern[i];
    if (ch === '\\') {
      i += 1;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
    } else if (ch === '(') {
      groups.push(false);
    } else if (ch === ')') {
      const innerRepeats = groups.pop() ?? false;
      const next = pattern[i + 1];
      const repeated = next === '*' || next === '+' || next === '{';
      if (innerRepeats && repeated) return true;
      if ((innerRepeats || repeated) && groups.length > 0) groups[groups.length - 1] = true;
    } else if ((ch === '*' || ch === '+' || ch === '{') && groups.length > 0) {
      groups[groups.length - 1] = true;
    }
  }
  return false;
}
