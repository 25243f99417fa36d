/**
 * The guard on matches(): patterns are bounded in size, take a few flags and run on RE2 (re2js, a pure
 * JavaScript port), whose matching time grows linearly with the text whatever the pattern, so no
 * pattern can stall a workflow worker the way backtracking does (`^(a|aa)*$`). The texts it scans are
 * bounded too, which bounds a call's time.
 *
 * Nothing is cached here: module state would be shared by every run in the worker's V8 context.
 */
import { RE2JS } from 're2js';
import { ExpressionError } from './ast.js';
import { toRe2Syntax, UnsupportedPatternError } from './pattern-syntax.js';

export const MAX_PATTERN_LENGTH = 200;
export const MAX_MATCHED_TEXT_LENGTH = 10_000;
const ALLOWED_FLAGS = /^[imsu]*$/;

/** A compiled matches() pattern. */
export interface CompiledPattern {
  test(text: string): boolean;
}

/** The compiled matches() pattern, or an ExpressionError saying why the pattern is refused. */
export function compilePattern(pattern: string, flags: string, position: number): CompiledPattern {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new ExpressionError(`matches() patterns are limited to ${MAX_PATTERN_LENGTH} characters`, position);
  }
  if (!ALLOWED_FLAGS.test(flags)) throw new ExpressionError("matches() flags may only be 'i', 'm', 's' and 'u'", position);
  try {
    // Only checks the JavaScript syntax the language documents; the pattern never runs on this engine.
    new RegExp(pattern, flags);
  } catch (error) {
    throw new ExpressionError(`matches(): invalid pattern: ${error instanceof Error ? error.message : String(error)}`, position);
  }
  const engineFlags = RE2JS.LOOKBEHINDS | (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) | (flags.includes('m') ? RE2JS.MULTILINE : 0);
  try {
    return RE2JS.compile(toRe2Syntax(pattern, flags), engineFlags);
  } catch (error) {
    if (error instanceof UnsupportedPatternError) throw new ExpressionError(error.message, position);
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    throw new ExpressionError(`matches(): invalid pattern: ${reason}`, position);
  }
}

/** Whether `pattern` matches somewhere in `text`; texts over MAX_MATCHED_TEXT_LENGTH are refused. */
export function testPattern(pattern: CompiledPattern, text: string, position: number): boolean {
  if (text.length > MAX_MATCHED_TEXT_LENGTH) {
    throw new ExpressionError(`matches() scans texts of at most ${MAX_MATCHED_TEXT_LENGTH} characters, got ${text.length}`, position);
  }
  return pattern.test(text);
}
