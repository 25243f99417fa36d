/**
 * Vigil's expression language: the conditions, switch values, loop guards and `set` values of playbooks.
 * This file is its one public entry; the parts live in `expression/`.
 *
 * Expressions are evaluated inside Temporal workflows, so evaluation is deterministic and pure: no
 * eval, no clock, no randomness, no I/O, no Node modules, no module-level caches. Parsing uses jsep
 * (`parse.ts`); the jsep tree is then checked and converted to Vigil's own small AST (`ast.ts`), and
 * only that AST is ever evaluated (`evaluate.ts`, with the built-ins of `functions.ts` and the
 * pattern guard of `pattern-guard.ts`). `analyse.ts` lists what an expression reads.
 *
 * The language (documented for authors in playbooks/README.md):
 * - literals: numbers, 'strings' or "strings", true, false, null, [lists]
 * - identifiers are looked up in the scope object's own properties only
 * - member access `a.b`, `a['b']`, `a[0]`: own properties only, a missing path is undefined
 * - operators, loosest first: `?:`, `||`, `&&`, `== !=`, `< <= > >= in`, `+ -`, `* / %`, unary `! -`
 * - a fixed set of pure functions (FUNCTION_NAMES); no method calls, no assignment, no `this`
 */
export {
  type ArrayNode,
  type Ast,
  type BinaryNode,
  type BinaryOperator,
  type CallNode,
  type ConditionalNode,
  DEFAULT_ITEM_NAME,
  EXPRESSION_ROOTS,
  ExpressionError,
  type ExpressionScope,
  type IdentifierNode,
  type LiteralNode,
  MAX_EXPRESSION_LENGTH,
  type MemberNode,
  type UnaryNode,
  type UnaryOperator,
} from './expression/ast.js';
export { collectIdentifiers, collectPaths } from './expression/analyse.js';
export { evaluate } from './expression/evaluate.js';
export { FUNCTION_NAMES, type FunctionName } from './expression/functions.js';
export { checkExpression, parseExpression } from './expression/parse.js';
export { MAX_MATCHED_TEXT_LENGTH, MAX_PATTERN_LENGTH } from './expression/pattern-guard.js';
export { isTruthy, valuesEqual } from './expression/values.js';
