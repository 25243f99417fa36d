/**
 * The syntax tree of a STIX 2.1 pattern, as `parseStixPattern` builds it. One node type per rule of
 * the official grammar (`STIXPattern.g4`), with parenthesised groups kept only where they change the
 * meaning of qualifiers (observation groups); comparison parentheses only set the tree's shape.
 */

/** Observation expressions: `[...]`, joined by AND / OR / FOLLOWEDBY, optionally qualified. */
export type StixObservationExpression = StixObservation | StixObservationGroup | StixObservationOperation | StixQualified;

export interface StixObservation {
  type: 'observation';
  comparison: StixComparisonExpression;
}

/** `( observationExpressions )`: qualifiers after it apply to the whole group. */
export interface StixObservationGroup {
  type: 'observation-group';
  expression: StixObservationExpression;
}

export interface StixObservationOperation {
  type: 'observation-operation';
  operator: 'AND' | 'OR' | 'FOLLOWEDBY';
  left: StixObservationExpression;
  right: StixObservationExpression;
}

export type StixQualifier = { kind: 'WITHIN'; seconds: number } | { kind: 'REPEATS'; times: number } | { kind: 'START_STOP'; start: string; stop: string };

export interface StixQualified {
  type: 'qualified';
  qualifier: StixQualifier;
  expression: StixObservationExpression;
}

/** Comparison expressions, inside one observation (or a bare condition, see `parseStixComparison`). */
export type StixComparisonExpression = StixBooleanComparison | StixComparison | StixExists;

export interface StixBooleanComparison {
  type: 'comparison-operation';
  operator: 'AND' | 'OR';
  left: StixComparisonExpression;
  right: StixComparisonExpression;
}

export type StixComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET';

export interface StixComparison {
  type: 'comparison';
  path: StixObjectPath;
  operator: StixComparisonOperator;
  /** `NOT` before the operator. */
  negated: boolean;
  value: StixOperand;
}

export interface StixExists {
  type: 'exists';
  path: StixObjectPath;
  negated: boolean;
}

/** `object-type:property.sub[0].'quoted'[*]` */
export interface StixObjectPath {
  objectType: string;
  steps: StixPathStep[];
}

export type StixPathStep = { kind: 'key'; name: string } | { kind: 'index'; index: number | '*' };

export type StixLiteral =
  | { type: 'string'; value: string }
  | { type: 'integer'; value: number }
  | { type: 'float'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'binary'; value: string }
  | { type: 'hex'; value: string }
  | { type: 'timestamp'; value: string };

export interface StixSetLiteral {
  type: 'set';
  items: StixLiteral[];
}

/** A CACAO variable as an operand, `__name__:value` (the `variables` option only). */
export interface StixVariableOperand {
  type: 'variable';
  name: string;
}

export type StixOperand = StixLiteral | StixSetLiteral | StixVariableOperand;

/** Where a pattern stops making sense; `offset` counts UTF-16 units from 0. */
export interface StixPatternError {
  message: string;
  offset: number;
}

export type StixParseResult<T> = { ok: true; value: T } | { ok: false; error: StixPatternError };
