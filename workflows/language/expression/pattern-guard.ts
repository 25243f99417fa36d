/**
 * The guard on matches() patterns: bounded in size, a few flags, and refused when a quantified group
 * itself contains a quantifier (`(a+)+`), the usual shape of catastrophic backtracking.
 *
 * Nothing is cached here: module state would be shared by every run in the worker's V8 context, and
 * V8 already reuses the compiled code of a pattern it has seen.
 */
import { ExpressionError } from './ast.js';

export const MAX_PATTERN_LENGTH = 200;
const ALLOWED_FLAGS = /^[imsu]*$/;

/** The RegExp for a matches() pattern, or an ExpressionError saying why the pattern is refused. */
export function compilePattern(pattern: string, flags: string, position: number): RegExp {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new ExpressionError(`matches() patterns are limited to ${MAX_PATTERN_LENGTH} characters`, position);
  }
  if (!ALLOWED_FLAGS.test(flags)) throw new ExpressionError("matches() flags may only be 'i', 'm', 's' and 'u'", position);
  if (hasNestedQuantifier(pattern)) {
    throw new ExpressionError('matches() refuses patterns that repeat a group containing a repetition, such as (a+)+', position);
  }
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw new ExpressionError(`matches(): invalid pattern: ${error instanceof Error ? error.message : String(error)}`, position);
  }
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
