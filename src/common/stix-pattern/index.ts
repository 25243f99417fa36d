/** STIX 2.1 patterning: a parser after the official grammar, with its own syntax tree. Pure: no I/O, no state. */
export type * from './stix-pattern.ast.js';
export { CACAO_VARIABLE_KEY, MAX_STIX_PATTERN_DEPTH, parseStixComparison, parseStixPattern, stixComparisons, type StixParseOptions } from './stix-pattern.parser.js';
export { tokenizeStixPattern, type StixToken, type StixTokenKind } from './stix-pattern.lexer.js';
