import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, isTruthy } from '../../../workflows/language/expression.js';
import { parseStixComparison } from '../../common/stix-pattern/index.js';
import { vigilExpressionToStix, vigilSwitchVariable } from './cacao-condition-export.js';
import { translateCacaoCondition } from './cacao-condition.js';

function stix(expression: string): string {
  const result = vigilExpressionToStix(expression);
  if (!result.ok) assert.fail(`${expression}: no STIX (${result.reason})`);
  assert.ok(parseStixComparison(result.condition, { variables: true }).ok, result.condition);
  return result.condition;
}

const nameOf = (key: string): string => key.slice(2, -2);

describe('Vigil expressions → CACAO conditions (STIX patterning with CACAO variables)', () => {
  test('comparisons, AND / OR, literals on either side', () => {
    assert.equal(stix("vars.verdict == 'malicious' && vars.score >= 70"), "__verdict__:value = 'malicious' AND __score__:value >= 70");
    assert.equal(stix('vars.a != 1 || (vars.b < -2.5 && inputs.c > vars.d)'), '__a__:value != 1 OR (__b__:value < -2.5 AND __c__:value > __d__:value)');
    assert.equal(stix('70 <= vars.score'), '__score__:value >= 70');
    assert.equal(stix("vars.note == 'it\\'s'"), "__note__:value = 'it\\'s'");
    assert.equal(stix('vars.flag == true'), '__flag__:value = true');
  });

  test('NOT is pushed down to the comparisons (STIX has no NOT before a group)', () => {
    assert.equal(stix('!(vars.a == 1)'), '__a__:value NOT = 1');
    assert.equal(stix("!(vars.a == 1 && vars.b != 'x')"), "__a__:value NOT = 1 OR __b__:value NOT != 'x'");
    assert.equal(stix('!(vars.a > 1 || !(vars.b <= 2))'), '__a__:value NOT > 1 AND __b__:value <= 2');
    assert.equal(stix('!!exists(vars.x)'), 'EXISTS __x__:value');
  });

  test('in, matches() with its flags, exists()', () => {
    assert.equal(stix("vars.kind in ['ip', 'domain', 3]"), "__kind__:value IN ('ip', 'domain', 3)");
    assert.equal(stix('!(vars.kind in vars.kinds)'), '__kind__:value NOT IN __kinds__:value');
    assert.equal(stix("matches(vars.host, '^ws-\\\\d+$')"), "__host__:value MATCHES '^ws-\\\\d+$'");
    assert.equal(stix("matches(vars.host, '^ws-', 'si')"), "__host__:value MATCHES '(?is)^ws-'");
    assert.equal(stix('exists(vars.x) || !exists(inputs.y)'), 'EXISTS __x__:value OR NOT EXISTS __y__:value');
  });

  test('expressions without an equivalent say why', () => {
    for (const expression of [
      'alert.severity_id >= 4',
      'len(steps.lookup.output.items) > 0',
      "contains(observables.ip, '1.2.3.4')",
      'vars.flag',
      'vars.x == null',
      'vars.a + 1 > 2',
      "matches(vars.host, '^ws-', 'm')",
      "vars.a ? vars.b == 1 : vars.c == 'x'",
    ]) {
      const result = vigilExpressionToStix(expression);
      assert.equal(result.ok, false, expression);
      assert.ok(!result.ok && result.reason.length > 0);
    }
  });

  test('read back by the import, each condition decides as the expression does', () => {
    const expressions = [
      "vars.verdict == 'malicious' && vars.score >= 70",
      "!(vars.score > 50 || vars.verdict != 'clean')",
      "vars.verdict in ['malicious', 'suspicious']",
      "!(vars.verdict in ['clean'])",
      'exists(vars.missing) || vars.score < 10',
      "matches(vars.host, '^WS-', 'i')",
      '3 < vars.score',
    ];
    const scopes = [
      { vars: { verdict: 'malicious', score: 80, host: 'ws-12' } },
      { vars: { verdict: 'clean', score: 5, host: 'db-1' } },
      { vars: { verdict: 'suspicious', score: 50, host: 'WS-2', missing: 'here' } },
      { vars: { verdict: 'clean', score: 3, host: '' } },
    ];
    for (const expression of expressions) {
      const back = translateCacaoCondition(stix(expression), nameOf);
      assert.ok(back.ok, expression);
      for (const scope of scopes) {
        assert.equal(isTruthy(evaluate(back.expression, scope)), isTruthy(evaluate(expression, scope)), `${expression} → ${back.expression} on ${JSON.stringify(scope)}`);
      }
    }
  });

  test('a switch reads a variable', () => {
    assert.equal(vigilSwitchVariable('vars.kind'), '__kind__:value');
    assert.equal(vigilSwitchVariable('inputs.kind'), '__kind__:value');
    assert.equal(vigilSwitchVariable('alert.severity_id'), undefined);
  });
});
