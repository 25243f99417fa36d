/**
 * Rewrites a matches() pattern, written as a JavaScript regular expression, into RE2 syntax with the
 * same meaning, so the linear-time engine of `pattern-guard.ts` can run it. The pattern has already
 * been accepted by `new RegExp(pattern, flags)`, so only valid JavaScript syntax reaches here.
 *
 * Where the two differ, JavaScript's meaning is kept: `\s` and `.` cover JavaScript's whitespace and
 * line terminators, `[]` matches nothing and `[^]` anything, `\x41`/`\u0041` are code points and
 * identity escapes such as `\a` (without the `u` flag) are the letter itself. What RE2 cannot do in
 * linear time, look-ahead and back-references, is refused with an UnsupportedPatternError.
 */

/** JavaScript's `\s` (WhiteSpace and LineTerminator) as the inside of an RE2 class. */
const SPACE = '\\x{9}-\\x{d}\\x{20}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';
/** Its complement, written out because an RE2 class cannot hold a negated class. */
const NOT_SPACE =
  '\\x{0}-\\x{8}\\x{e}-\\x{1f}\\x{21}-\\x{9f}\\x{a1}-\\x{167f}\\x{1681}-\\x{1fff}\\x{200b}-\\x{2027}\\x{202a}-\\x{202e}' +
  '\\x{2030}-\\x{205e}\\x{2060}-\\x{2fff}\\x{3001}-\\x{fefe}\\x{ff00}-\\x{10ffff}';
const ANY = '[\\x{0}-\\x{10ffff}]';
const NOT_LINE_END = '[^\\n\\r\\x{2028}\\x{2029}]';
const HEX2 = /^[0-9a-fA-F]{2}$/;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const UNSUPPORTED = 'matches() patterns cannot look ahead ((?= and (?!) or refer back to a group (\\1, \\k<name>)';

/** A valid JavaScript pattern that needs backtracking; the guard turns it into an ExpressionError. */
export class UnsupportedPatternError extends Error {
  constructor() {
    super(UNSUPPORTED);
  }
}

/** The RE2 form of `pattern`; `flags` are the matches() flags (the caller maps i and m to RE2's). */
export function toRe2Syntax(pattern: string, flags: string): string {
  const unicode = flags.includes('u');
  const dot = flags.includes('s') ? ANY : NOT_LINE_END;
  let out = '';
  let inClass = false;
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === '\\') {
      const [text, length] = escape(pattern, i, inClass, unicode);
      out += text;
      i += length;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch === '[' ? '\\[' : ch;
      i += 1;
      continue;
    }
    if (ch === '[') {
      // JavaScript's `[]` and `[^]`; in RE2 a `]` right after `[` or `[^` would be a literal.
      if (pattern.startsWith('[]', i) || pattern.startsWith('[^]', i)) {
        out += pattern[i + 1] === ']' ? '[^\\x{0}-\\x{10ffff}]' : ANY;
        i += pattern[i + 1] === ']' ? 2 : 3;
        continue;
      }
      inClass = true;
      out += pattern[i + 1] === '^' ? '[^' : '[';
      i += pattern[i + 1] === '^' ? 2 : 1;
      continue;
    }
    if (ch === '.') {
      out += dot;
      i += 1;
      continue;
    }
    if (ch === '(' && pattern[i + 1] === '?') {
      if (pattern[i + 2] === '=' || pattern[i + 2] === '!') throw new UnsupportedPatternError();
      if (pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') {
        out += '(?P<';
        i += 3;
        continue;
      }
    }
    out += ch;
    i += 1;
  }
  return out;
}

/** The RE2 text for the escape at `at` and how many pattern characters it spans. */
function escape(pattern: string, at: number, inClass: boolean, unicode: boolean): [string, number] {
  const ch = pattern[at + 1] ?? '';
  switch (ch) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 'n':
    case 'r':
    case 't':
    case 'f':
    case 'v':
      return [`\\${ch}`, 2];
    case 'b':
      return [inClass ? '\\x{8}' : '\\b', 2];
    case 'B':
      return [inClass ? 'B' : '\\B', 2];
    case 's':
      return [inClass ? SPACE : `[${SPACE}]`, 2];
    case 'S':
      return [inClass ? NOT_SPACE : `[${NOT_SPACE}]`, 2];
    case 'k':
      throw new UnsupportedPatternError();
    case '0':
      if (/[0-9]/.test(pattern[at + 2] ?? '')) throw new UnsupportedPatternError();
      return ['\\x{0}', 2];
    case 'x': {
      const hex = pattern.slice(at + 2, at + 4);
      return HEX2.test(hex) ? [`\\x{${hex}}`, 4] : ['x', 2];
    }
    case 'u':
      return unicodeEscape(pattern, at, unicode);
    case 'c': {
      const letter = pattern[at + 2] ?? '';
      // `\c` without a letter is a backslash and a `c` in JavaScript.
      return /^[a-zA-Z]$/.test(letter) ? [codePoint(letter.charCodeAt(0) % 32), 3] : ['\\\\', 1];
    }
    case 'p':
    case 'P':
      return unicode ? propertyEscape(pattern, at) : [ch, 2];
    default: {
      if (/[1-9]/.test(ch)) throw new UnsupportedPatternError();
      const point = pattern.codePointAt(at + 1) ?? 0;
      const length = point > 0xffff ? 3 : 2;
      return [/[a-zA-Z]/.test(ch) ? ch : codePoint(point), length];
    }
  }
}

function unicodeEscape(pattern: string, at: number, unicode: boolean): [string, number] {
  if (unicode && pattern[at + 2] === '{') {
    const end = pattern.indexOf('}', at);
    return [`\\x{${pattern.slice(at + 3, end)}}`, end - at + 1];
  }
  const hex = pattern.slice(at + 2, at + 6);
  if (!HEX4.test(hex)) return ['u', 2];
  const unit = Number.parseInt(hex, 16);
  const low = pattern.slice(at + 8, at + 12);
  // A surrogate pair written as two escapes is one character to RE2.
  if (unit >= 0xd800 && unit <= 0xdbff && pattern.startsWith('\\u', at + 6) && HEX4.test(low)) {
    const second = Number.parseInt(low, 16);
    if (second >= 0xdc00 && second <= 0xdfff) return [codePoint((unit - 0xd800) * 0x400 + (second - 0xdc00) + 0x10000), 12];
  }
  return [codePoint(unit), 6];
}

/** `\p{…}` with the `u` flag; RE2 names scripts and categories without JavaScript's `Script=`/`gc=`. */
function propertyEscape(pattern: string, at: number): [string, number] {
  const end = pattern.indexOf('}', at);
  const name = pattern.slice(at + 3, end).replace(/^(?:Script|sc|General_Category|gc)=/, '');
  return [`\\${pattern[at + 1]}{${name}}`, end - at + 1];
}

function codePoint(point: number): string {
  return `\\x{${point.toString(16)}}`;
}
