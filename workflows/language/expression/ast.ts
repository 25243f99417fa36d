/**
 * The expression language's AST and the vocabulary every part shares: the scope's roots, the error
 * type, the limits and the names refused everywhere. The AST is plain data (it survives JSON), so a
 * caller may keep parsed expressions for as long as it likes.
 */
import type { FunctionName } from './functions.js';

export type BinaryOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '+' | '-' | '*' | '/' | '%' | 'in';
export type UnaryOperator = '!' | '-';

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
export const MAX_DEPTH = 200;
/** Names that lead from data to the engine's objects; refused in every position. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
