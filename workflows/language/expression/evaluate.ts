/**
 * Evaluation of a parsed expression against a scope: pure and deterministic (no clock, randomness
 * or I/O), reading own properties only. Missing paths give undefined; type errors (`'a' - 1`),
 * division by zero and refused properties throw ExpressionError.
 */
import { type Ast, type BinaryNode, ExpressionError, type ExpressionScope, FORBIDDEN_NAMES } from './ast.js';
import { FUNCTIONS, isFunctionName } from './functions.js';
import { parseExpression } from './parse.js';
import { finite, isMissing, isRecord, isScalar, isTruthy, readOwn, typeName, valuesEqual } from './values.js';

/**
 * Evaluates an expression (text or a parsed AST) against a scope. Text is parsed on every call: a
 * caller that evaluates one expression often keeps its AST (the interpreter holds one map per run),
 * since a cache here would be shared by every run in the worker.
 */
export function evaluate(expression: Ast | string, scope: ExpressionScope): unknown {
  const ast = typeof expression === 'string' ? parseExpression(expression) : expression;
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
      // An AST is plain data and may come from elsewhere, so its function name is checked again.
      if (!isFunctionName(node.name)) throw new ExpressionError(`unknown function '${String(node.name)}'`, node.position);
      return FUNCTIONS[node.name].call(
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
