/**
 * The lexer of STIX 2.1 patterning, rule for rule after the lexer rules of the official ANTLR grammar
 * (`STIXPattern.g4`, oasis-open/cti-stix2-json-schemas `pattern_grammar/`): at each position the
 * longest match of any rule wins, and of equally long matches the rule written first (so `AND` is a
 * keyword, `ANDROID` an identifier, `true` a boolean, `t'2016-…Z'` a timestamp but `t'2016'` the
 * identifier `t` followed by a string, which the parser then refuses).
 */

export type StixTokenKind =
  | 'IntNeg'
  | 'IntPos'
  | 'FloatNeg'
  | 'FloatPos'
  | 'Hex'
  | 'Binary'
  | 'String'
  | 'Bool'
  | 'Timestamp'
  | 'AND'
  | 'OR'
  | 'NOT'
  | 'FOLLOWEDBY'
  | 'LIKE'
  | 'MATCHES'
  | 'ISSUPERSET'
  | 'ISSUBSET'
  | 'EXISTS'
  | 'LAST'
  | 'IN'
  | 'START'
  | 'STOP'
  | 'SECONDS'
  | 'TRUE'
  | 'FALSE'
  | 'WITHIN'
  | 'REPEATS'
  | 'TIMES'
  | 'IdentNoHyphen'
  | 'IdentHyphen'
  | 'EQ'
  | 'NEQ'
  | 'LT'
  | 'LE'
  | 'GT'
  | 'GE'
  | 'QUOTE'
  | 'COLON'
  | 'DOT'
  | 'COMMA'
  | 'RPAREN'
  | 'LPAREN'
  | 'RBRACK'
  | 'LBRACK'
  | 'PLUS'
  | 'HYPHEN'
  | 'POWER'
  | 'DIVIDE'
  | 'ASTERISK'
  | 'Invalid'
  | 'EOF';

export interface StixToken {
  kind: StixTokenKind;
  text: string;
  offset: number;
}

const KEYWORDS = [
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'ISSUPERSET',
  'ISSUBSET',
  'EXISTS',
  'LAST',
  'IN',
  'START',
  'STOP',
  'SECONDS',
  'TRUE',
  'FALSE',
  'WITHIN',
  'REPEATS',
  'TIMES',
] as const;
const KEYWORD_TEXT: Record<(typeof KEYWORDS)[number], string> = { ...Object.fromEntries(KEYWORDS.map((k) => [k, k])), TRUE: 'true', FALSE: 'false' } as Record<
  (typeof KEYWORDS)[number],
  string
>;

const B64 = '[A-Za-z0-9+/]';
const TIMESTAMP = "t'[0-9]{4}-(?:0[1-9]|1[012])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\\.[0-9]+)?Z'";

/** The grammar's rules in its order; ties between equally long matches go to the earlier one. */
const RULES: Array<[StixTokenKind, RegExp]> = [
  ['IntNeg', /-(?:0|[1-9][0-9]*)/y],
  ['IntPos', /\+?(?:0|[1-9][0-9]*)/y],
  ['FloatNeg', /-[0-9]*\.[0-9]+/y],
  ['FloatPos', /\+?[0-9]*\.[0-9]+/y],
  ['Hex', /h'(?:[A-Fa-f0-9]{2})*'/y],
  ['Binary', new RegExp(`b'(?:${B64}{4})*(?:${B64}{4}|${B64}{3}=|${B64}{2}==)'`, 'y')],
  ['String', /'(?:[^'\\]|\\'|\\\\)*'/y],
  ['Bool', /true|false/y],
  ['Timestamp', new RegExp(TIMESTAMP, 'y')],
  ...KEYWORDS.map((k): [StixTokenKind, RegExp] => [k, new RegExp(KEYWORD_TEXT[k], 'y')]),
  ['IdentNoHyphen', /[a-zA-Z_][a-zA-Z0-9_]*/y],
  ['IdentHyphen', /[a-zA-Z_][a-zA-Z0-9_-]*/y],
  ['EQ', /==|=/y],
  ['NEQ', /!=|<>/y],
  ['LT', /</y],
  ['LE', /<=/y],
  ['GT', />/y],
  ['GE', />=/y],
  ['QUOTE', /'/y],
  ['COLON', /:/y],
  ['DOT', /\./y],
  ['COMMA', /,/y],
  ['RPAREN', /\)/y],
  ['LPAREN', /\(/y],
  ['RBRACK', /\]/y],
  ['LBRACK', /\[/y],
  ['PLUS', /\+/y],
  ['HYPHEN', /-/y],
  ['POWER', /\^/y],
  ['DIVIDE', /\//y],
  ['ASTERISK', /\*/y],
];

/** What the grammar skips: whitespace (its exact list), block and line comments. */
const SKIPPED = [/[ \t\r\n\u000B\u000C\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/y, /\/\*[\s\S]*?\*\//y, /\/\/[^\r\n]*/y];

function matchAt(pattern: RegExp, text: string, offset: number): number {
  pattern.lastIndex = offset;
  const m = pattern.exec(text);
  return m ? m[0].length : 0;
}

/** All tokens of `text`, ending with EOF. Characters no rule matches become `Invalid` tokens, as in ANTLR. */
export function tokenizeStixPattern(text: string): StixToken[] {
  const tokens: StixToken[] = [];
  let offset = 0;
  while (offset < text.length) {
    let best: StixTokenKind | undefined;
    let length = 0;
    for (const [kind, pattern] of RULES) {
      const n = matchAt(pattern, text, offset);
      if (n > length) {
        best = kind;
        length = n;
      }
    }
    // The skipped rules come last in the grammar: they win only when longer.
    const skip = Math.max(...SKIPPED.map((pattern) => matchAt(pattern, text, offset)));
    if (skip > length) {
      offset += skip;
      continue;
    }
    if (best === undefined) {
      const char = String.fromCodePoint(text.codePointAt(offset)!);
      tokens.push({ kind: 'Invalid', text: char, offset });
      offset += char.length;
      continue;
    }
    tokens.push({ kind: best, text: text.slice(offset, offset + length), offset });
    offset += length;
  }
  tokens.push({ kind: 'EOF', text: '', offset: text.length });
  return tokens;
}
