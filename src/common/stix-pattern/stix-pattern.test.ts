import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readProjectFixtureJson } from '../../../test/support/fixtures.js';
import { parseStixComparison, parseStixPattern, tokenizeStixPattern, MAX_STIX_PATTERN_DEPTH, type StixObservationExpression } from './index.js';

interface OfficialCases {
  source: { repository: string; commit: string };
  valid: Array<{ pattern: string; from: string }>;
  invalid: Array<{ pattern: string; expected: string; from: string }>;
}

const official = readProjectFixtureJson('stix-pattern', 'cti-pattern-validator-cases.json') as OfficialCases;

function parsed(text: string): StixObservationExpression {
  const result = parseStixPattern(text);
  if (!result.ok) assert.fail(`${text}: ${result.error.message}`);
  return result.value;
}

describe('STIX patterning: the official validator test data', () => {
  test('the fixture holds the official cases', () => {
    assert.equal(official.source.repository, 'https://github.com/oasis-open/cti-pattern-validator');
    assert.ok(official.valid.length >= 70, `${official.valid.length} valid patterns`);
    assert.ok(official.invalid.length >= 25, `${official.invalid.length} invalid patterns`);
  });

  test('accepts every valid pattern', () => {
    const refused = official.valid.flatMap(({ pattern }) => {
      const result = parseStixPattern(pattern);
      return result.ok ? [] : [`${pattern} → ${result.error.message}`];
    });
    assert.deepEqual(refused, []);
  });

  test('refuses every invalid pattern', () => {
    const accepted = official.invalid.filter(({ pattern }) => parseStixPattern(pattern).ok).map(({ pattern }) => pattern);
    assert.deepEqual(accepted, []);
  });

  test('refuses for the reason the official validator gives', () => {
    const reason = (pattern: string): string => {
      const result = parseStixPattern(pattern);
      return result.ok ? 'accepted' : result.error.message;
    };
    assert.match(reason("[file:hashes.'SHA-256' = 'f00']"), /'f00' is not a valid SHA-256 hash/);
    assert.match(reason('[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS'), /duplicate qualifier type WITHIN/);
    assert.match(reason('[file:size = ]'), /expected a literal at 13, found '\]'/);
    assert.match(reason('file:size = 1280'), /expected '\[' or '\(' at 0/);
    assert.match(reason('[foo:bar=1] within 2 seconds'), /expected the end of the pattern at 12, found 'within'/);
  });
});

describe('STIX patterning: lexer', () => {
  test('longest match, keywords before identifiers', () => {
    const kinds = (text: string): string[] => tokenizeStixPattern(text).map((t) => t.kind);
    assert.deepEqual(kinds('AND ANDROID true t'), ['AND', 'IdentNoHyphen', 'Bool', 'IdentNoHyphen', 'EOF']);
    assert.deepEqual(kinds("win-registry-key t'2016-06-01T01:30:00Z' h'ff' b'YQ=='"), ['IdentHyphen', 'Timestamp', 'Hex', 'Binary', 'EOF']);
    assert.deepEqual(kinds('-5 +5 .5 -.5 <= <> == /* c */ // line'), ['IntNeg', 'IntPos', 'FloatPos', 'FloatNeg', 'LE', 'NEQ', 'EQ', 'EOF']);
    assert.deepEqual(kinds("t'2016' ?"), ['IdentNoHyphen', 'String', 'Invalid', 'EOF']);
  });
});

describe('STIX patterning: syntax tree', () => {
  test('precedence: FOLLOWEDBY over OR over AND; qualifiers bind to the observation or group before them', () => {
    const tree = parsed('[a:x = 1] AND [b:y = 2] OR [c:z = 3] FOLLOWEDBY [d:w = 4] WITHIN 5 SECONDS');
    assert.equal(tree.type, 'observation-operation');
    if (tree.type !== 'observation-operation') return;
    assert.equal(tree.operator, 'FOLLOWEDBY');
    assert.deepEqual(tree.right, {
      type: 'qualified',
      qualifier: { kind: 'WITHIN', seconds: 5 },
      expression: {
        type: 'observation',
        comparison: { type: 'comparison', path: { objectType: 'd', steps: [{ kind: 'key', name: 'w' }] }, operator: '=', negated: false, value: { type: 'integer', value: 4 } },
      },
    });
    assert.equal(tree.left.type === 'observation-operation' && tree.left.operator, 'OR');
  });

  test('object paths, literals, NOT, IN and EXISTS', () => {
    const tree = parsed("[file:extensions.'windows-pebinary-ext'.sections[*].entropy NOT > 7.0 AND file:x IN ('a', 2, true) OR NOT EXISTS file:y[-1]]");
    assert.equal(tree.type, 'observation');
    if (tree.type !== 'observation') return;
    assert.deepEqual(tree.comparison, {
      type: 'comparison-operation',
      operator: 'OR',
      left: {
        type: 'comparison-operation',
        operator: 'AND',
        left: {
          type: 'comparison',
          path: {
            objectType: 'file',
            steps: [
              { kind: 'key', name: 'extensions' },
              { kind: 'key', name: 'windows-pebinary-ext' },
              { kind: 'key', name: 'sections' },
              { kind: 'index', index: '*' },
              { kind: 'key', name: 'entropy' },
            ],
          },
          operator: '>',
          negated: true,
          value: { type: 'float', value: 7 },
        },
        right: {
          type: 'comparison',
          path: { objectType: 'file', steps: [{ kind: 'key', name: 'x' }] },
          operator: 'IN',
          negated: false,
          value: {
            type: 'set',
            items: [
              { type: 'string', value: 'a' },
              { type: 'integer', value: 2 },
              { type: 'boolean', value: true },
            ],
          },
        },
      },
      right: {
        type: 'exists',
        negated: true,
        path: {
          objectType: 'file',
          steps: [
            { kind: 'key', name: 'y' },
            { kind: 'index', index: -1 },
          ],
        },
      },
    });
  });

  test("string escapes: \\' and \\\\ are unescaped, other backslashes are not allowed", () => {
    const tree = parsed("[a:b = 'it\\'s C:\\\\x']");
    assert.deepEqual(tree.type === 'observation' && tree.comparison.type === 'comparison' && tree.comparison.value, { type: 'string', value: "it's C:\\x" });
    assert.equal(parseStixPattern("[a:b = 'a\\d']").ok, false);
  });

  test('booleans cannot be ordered; LIKE needs a string', () => {
    assert.equal(parseStixPattern('[a:b > true]').ok, false);
    assert.equal(parseStixPattern('[a:b LIKE 5]').ok, false);
    assert.equal(parseStixPattern('[a:b-c = 1]').ok, false);
  });

  test('nesting is bounded', () => {
    const deep = `${'('.repeat(MAX_STIX_PATTERN_DEPTH + 1)}[a:b = 1]${')'.repeat(MAX_STIX_PATTERN_DEPTH + 1)}`;
    const result = parseStixPattern(deep);
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error.message, /nests deeper/);
    assert.equal(parseStixPattern(`((([a:b = 1])))`).ok, true);
  });
});

describe('STIX patterning: CACAO variables (extension)', () => {
  test('a variable as an operand only with the option', () => {
    assert.equal(parseStixPattern('[ipv4-addr:value = __bad_ip__:value]').ok, false);
    const result = parseStixPattern('[ipv4-addr:value = __bad_ip__:value]', { variables: true });
    assert.ok(result.ok);
    assert.deepEqual(result.value.type === 'observation' && result.value.comparison.type === 'comparison' && result.value.comparison.value, {
      type: 'variable',
      name: '__bad_ip__',
    });
  });

  test('a bare comparison expression, as CACAO conditions are written', () => {
    const result = parseStixComparison("__reputation__:value = 'malicious' AND NOT EXISTS __x__:value", { variables: true });
    assert.ok(result.ok);
    assert.equal(result.value.type, 'comparison-operation');
    assert.equal(parseStixComparison("[__a__:value = 'b']").ok, false);
    assert.equal(parseStixComparison('a = a').ok, false);
  });
});
