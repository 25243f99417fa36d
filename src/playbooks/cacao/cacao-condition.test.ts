import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate } from '../../../workflows/language/expression.js';
import { translateCacaoCondition, translateCacaoSwitch } from './cacao-condition.js';

const nameOf = (key: string): string => key.slice(2, -2).replaceAll('-', '_');

function translated(condition: string): string {
  const result = translateCacaoCondition(condition, nameOf);
  if (!result.ok) assert.fail(`${condition}: refused (${result.construct}: ${result.message})`);
  return result.expression;
}

function refusedConstruct(condition: string): string {
  const result = translateCacaoCondition(condition, nameOf);
  assert.equal(result.ok, false, `${condition} was translated to ${result.ok ? result.expression : ''}`);
  return result.ok ? '' : result.construct;
}

describe('CACAO conditions → Vigil expressions', () => {
  test('comparisons of variables, with AND / OR, NOT before an operator, and every comparison operator', () => {
    assert.equal(translated("__verdict__:value = 'malicious'"), "vars.verdict == 'malicious'");
    assert.equal(translated("__verdict__:value == 'malicious' AND __score__:value >= 70"), "vars.verdict == 'malicious' && vars.score >= 70");
    assert.equal(translated('__a__:value != 1 OR __b__:value <> 2.5 AND __c__:value < -3'), 'vars.a != 1 || (vars.b != 2.5 && vars.c < -3)');
    assert.equal(translated('__flag__:value NOT = true'), '!(vars.flag == true)');
    assert.equal(translated('(__a__:value > 1 OR __a__:value < 0) AND __b__:value = false'), '(vars.a > 1 || vars.a < 0) && vars.b == false');
    assert.equal(translated('__a__:value = __b__:value'), 'vars.a == vars.b');
    assert.equal(translated("__when__:value > t'2024-01-15T12:30:45Z'"), "vars.when > '2024-01-15T12:30:45Z'");
  });

  test('IN, LIKE, MATCHES and EXISTS', () => {
    assert.equal(translated("__kind__:value IN ('ip', 'domain')"), "vars.kind in ['ip', 'domain']");
    assert.equal(translated("__kind__:value NOT IN ('ip')"), "!(vars.kind in ['ip'])");
    assert.equal(translated("__host__:value LIKE 'ws-%.corp_'"), "matches(vars.host, '^ws-.*\\\\.corp.$', 's')");
    assert.equal(translated("__email__:value MATCHES '.+\\\\@example\\\\.com$'"), "matches(vars.email, '.+\\\\@example\\\\.com$')");
    assert.equal(translated('EXISTS __x__:value AND NOT EXISTS __y__:value'), 'exists(vars.x) && !exists(vars.y)');
  });

  test('variables inside string literals', () => {
    assert.equal(translated("__ip__:value = '__bad_ip__:value'"), 'vars.ip == vars.bad_ip');
    assert.equal(translated("__url__:value = 'https://__host__:value/x'"), "vars.url == 'https://' + vars.host + '/x'");
  });

  test('observations: an observable of that kind with that value', () => {
    assert.equal(translated("[ipv4-addr:value = '__bad_ip__:value']"), 'contains(observables.ip, vars.bad_ip)');
    assert.equal(
      translated("[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']"),
      "contains(observables.sha256, 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f')",
    );
    assert.equal(translated("[domain-name:value IN ('a.example', 'b.example')]"), "contains(observables.domain, 'a.example') || contains(observables.domain, 'b.example')");
    assert.equal(
      translated("[url:value = 'http://x/'] AND ([email-addr:value = 'a@b.c'] OR [__verdict__:value = 'bad'])"),
      "contains(observables.url, 'http://x/') && (contains(observables.email, 'a@b.c') || vars.verdict == 'bad')",
    );
    assert.equal(translated('[EXISTS ipv6-addr:value]'), 'len(observables.ip) > 0');
  });

  test('the translations evaluate as the conditions mean', () => {
    const scope = { vars: { verdict: 'malicious', score: 80, host: 'ws-1.corpX', bad_ip: '203.0.113.9' }, observables: { ip: ['203.0.113.9'], domain: [] } };
    const run = (condition: string): unknown => evaluate(translated(condition), scope);
    assert.equal(run("__verdict__:value = 'malicious' AND __score__:value > 70"), true);
    assert.equal(run("__verdict__:value = 'benign' OR __score__:value < 70"), false);
    assert.equal(run("__host__:value LIKE 'ws-%.corp_'"), true);
    assert.equal(run("__host__:value LIKE 'ws-%.corp'"), false);
    assert.equal(run("[ipv4-addr:value = '__bad_ip__:value']"), true);
    assert.equal(run("[ipv4-addr:value = '198.51.100.1'] OR [domain-name:value = 'x']"), false);
  });

  test('refuses, naming the construct', () => {
    assert.equal(refusedConstruct("[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '1.2.3.5']"), 'FOLLOWEDBY');
    assert.equal(refusedConstruct("[ipv4-addr:value = '1.2.3.4'] WITHIN 5 SECONDS"), 'WITHIN');
    assert.equal(refusedConstruct("[ipv4-addr:value = '1.2.3.4'] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:30:00Z'"), 'START … STOP');
    assert.equal(refusedConstruct("__ip__:value ISSUPERSET '10.0.0.0/8'"), 'ISSUPERSET');
    assert.equal(refusedConstruct("__bin__:value = b'dGVzdA=='"), 'binary literal');
    assert.equal(refusedConstruct("__hex__:value = h'ff'"), 'hex literal');
    assert.equal(refusedConstruct("[ipv4-addr:value != '1.2.3.4']"), '!= on ipv4-addr:value');
    assert.equal(refusedConstruct("[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value = '1.2.3.5']"), 'AND inside an observation');
    assert.equal(refusedConstruct('[process:pid = 4]'), 'process:pid');
    assert.equal(refusedConstruct("ipv4-addr:value = '1.2.3.4'"), 'ipv4-addr:value');
    assert.equal(refusedConstruct('__x__:value.sub = 1'), '__x__:value.sub');
    assert.equal(refusedConstruct("__x__:value LIKE '__y__:value%'"), 'LIKE with a variable pattern');
    assert.equal(refusedConstruct("__x__:value MATCHES '(?=a)'"), 'expression');
    assert.equal(refusedConstruct('a = a'), 'STIX pattern syntax');
    assert.equal(refusedConstruct("__x__:value = 'y' AND"), 'STIX pattern syntax');
    assert.equal(refusedConstruct("[ipv4-addr:value = '1.2.3.4'"), 'STIX pattern syntax');
  });

  test('switch: a variable', () => {
    assert.deepEqual(translateCacaoSwitch('__verdict__:value', nameOf), { ok: true, expression: 'vars.verdict' });
    assert.equal(translateCacaoSwitch("__verdict__:value = 'x'", nameOf).ok, false);
  });
});
