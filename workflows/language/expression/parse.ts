/**
 * Parsing: jsep reads the text, and the jsep tree is checked and converted to Vigil's own AST, so
 * only the language's constructs (and only known functions, with their argument counts) get through.
 */
import jsep from 'jsep';
import { type Ast, type BinaryOperator, ExpressionError, FORBIDDEN_NAMES, MAX_DEPTH, MAX_EXPRESSION_LENGTH } from './ast.js';
import { FUNCTIONS, isFunctionName } from './functions.js';
import { compilePattern } from './pattern-guard.js';

// ---------------------------------------------------------------------------------------------
// jsep setup: `in` as a relational operator, and start offsets on nodes. jsep's configuration is
// global to the worker; both calls are idempotent (a second import changes nothing) and keep no
// state between parses: the offsets being read live on the jsep parser of one call, and each
// start offset on the jsep node it belongs to.

jsep.addBinaryOp('in', 7);

/** Property of a jsep node holding its start offset. */
const START = 'vigilStart';

/** The jsep parser of one call, with the start offsets of the tokens it is reading. */
interface PositionedParser extends jsep.HookScope {
  vigilTokenStarts?: number[];
}

function isNumberStart(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 46;
}

jsep.plugins.register({
  name: 'vigil-positions',
  init() {
    // jsep reads number literals without running `after-token`, so only other tokens are tracked.
    jsep.hooks.add('gobble-token', function recordStart(this: PositionedParser) {
      if (!isNumberStart(this.code)) (this.vigilTokenStarts ??= []).push(this.index);
    });
    jsep.hooks.add('after-token', function attachStart(this: PositionedParser, env) {
      const start = this.vigilTokenStarts?.pop();
      if (env.node && start !== undefined) env.node[START] = start;
    });
  },
});

function startOf(node: jsep.Expression): number | undefined {
  const start = node[START];
  return typeof start === 'number' ? start : undefined;
}

// ---------------------------------------------------------------------------------------------
// Parsing

const BINARY_OPERATORS: ReadonlySet<string> = new Set<BinaryOperator>(['==', '!=', '<', '<=', '>', '>=', '&&', '||', '+', '-', '*', '/', '%', 'in']);

const OPERATOR_HINTS: Readonly<Record<string, string>> = {
  '===': "use '==' (it is already strict)",
  '!==': "use '!=' (it is already strict)",
  '??': 'use default(x, y)',
};

function isBinaryOperator(operator: string): operator is BinaryOperator {
  return BINARY_OPERATORS.has(operator);
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
  try {
    tree = jsep(text);
  } catch (error) {
    throw jsepFailure(error);
  }
  return convert(tree, 0, 0);
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

function stringProperty(node: Ast): string | undefined {
  return node.type === 'literal' && typeof node.value === 'string' ? node.value : undefined;
}

function convert(node: jsep.Expression, fallback: number, depth: number): Ast {
  const position = startOf(node) ?? fallback;
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
        property = { type: 'literal', value: name, position: startOf(member.property) ?? position };
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
      const spec = FUNCTIONS[name];
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
      throw new ExpressionError('one expression expected; join conditions with && or ||', second ? (startOf(second) ?? position) : position);
    }
    case 'SequenceExpression':
      throw new ExpressionError('one expression expected inside parentheses', position);
    default:
      throw new ExpressionError(`unsupported syntax (${node.type})`, position);
  }
}
