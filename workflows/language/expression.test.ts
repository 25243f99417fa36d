import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import {
  checkExpression,
  collectIdentifiers,
  collectPaths,
  evaluate,
  ExpressionError,
  isTruthy,
  MAX_MATCHED_TEXT_LENGTH,
  MAX_PATTERN_LENGTH,
  parseExpression,
  valuesEqual,
} from './expression.js';

const scope = {
  alert: {
    severity_id: 4,
    title: 'Beacon to {{7*7}}',
    device: { hostname: 'WS-0142', ip: '10.0.0.7' },
    tags: ['malware', 'c2'],
    score: '7',
  },
  observables: [
    { kind: 'ip', value: '203.0.113.5' },
    { kind: 'domain', value: 'evil.example' },
    { kind: 'ip', value: '198.51.100.9' },
  ],
  steps: { enrich: { output: { malicious: 3, verdicts: ['bad', 'bad', 'unknown'] } } },
  vars: { threshold: 2, empty: [], nothing: null },
  inputs: {},
};

function run(text: string): unknown {
  return evaluate(text, scope);
}

function failure(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ExpressionError, `expected ExpressionError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an ExpressionError');
}

describe('literals and paths', () => {
  test('literals', () => {
    assert.equal(run('42'), 42);
    assert.equal(run('1.5e2'), 150);
    assert.equal(run("'single'"), 'single');
    assert.equal(run('"double"'), 'double');
    assert.equal(run('true'), true);
    assert.equal(run('null'), null);
    assert.deepEqual(run("[1, 'two', [3]]"), [1, 'two', [3]]);
  });

  test('member access by dot, by quoted name and by index', () => {
    assert.equal(run('alert.device.hostname'), 'WS-0142');
    assert.equal(run("alert['device']['ip']"), '10.0.0.7');
    assert.equal(run('observables[1].value'), 'evil.example');
    assert.equal(run('observables[vars.threshold].value'), '198.51.100.9');
    assert.equal(run('alert.tags.length'), 2);
    assert.equal(run('alert.title[0]'), 'B');
  });

  test('missing paths are undefined and never throw', () => {
    assert.equal(run('alert.nothing'), undefined);
    assert.equal(run('alert.nothing.deeper.still'), undefined);
    assert.equal(run('observables[99].value'), undefined);
    assert.equal(run('vars.nothing.x'), undefined);
    assert.equal(run('alert.severity_id.x'), undefined);
    assert.equal(run('unknown_root.a'), undefined);
    assert.equal(run('alert[true]'), undefined);
  });

  test('only own properties are visible', () => {
    assert.equal(run('alert.toString'), undefined);
    assert.equal(run('alert.hasOwnProperty'), undefined);
    assert.equal(run('observables.map'), undefined);
    assert.equal(evaluate('toString', {}), undefined);
    const inherited = Object.create({ secret: 'inherited' }) as Record<string, unknown>;
    assert.equal(evaluate('x.secret', { x: inherited }), undefined);
  });

  test('prototype access is refused, statically and at run time', () => {
    assert.deepEqual(checkExpression('alert.__proto__'), { message: "property '__proto__' cannot be read", position: 0 });
    assert.deepEqual(checkExpression("alert['constructor']"), { message: "property 'constructor' cannot be read", position: 0 });
    assert.deepEqual(checkExpression('vars.x.prototype'), { message: "property 'prototype' cannot be read", position: 0 });
    assert.deepEqual(checkExpression('constructor'), { message: "'constructor' cannot be used", position: 0 });
    const error = failure(() => evaluate('alert[key]', { alert: {}, key: '__proto__' }));
    assert.equal(error.message, "property '__proto__' cannot be read");
    assert.equal(failure(() => evaluate("map(list, 'constructor')", { list: [{}] })).message, "property 'constructor' cannot be read");
    assert.equal(evaluate("'__proto__' in x", { x: {} }), false);
  });
});

describe('operators', () => {
  test('precedence: * over +, comparison over &&, && over ||, ternary loosest', () => {
    assert.equal(run('1 + 2 * 3'), 7);
    assert.equal(run('(1 + 2) * 3'), 9);
    assert.equal(run('10 - 4 - 3'), 3);
    assert.equal(run('2 * 3 % 4'), 2);
    assert.equal(run('true || false && false'), true);
    assert.equal(run('(true || false) && false'), false);
    assert.equal(run('1 + 1 == 2 && 3 > 2'), true);
    assert.equal(run('!false && false'), false);
    assert.equal(run('-2 * -3'), 6);
    assert.equal(run("alert.severity_id >= 4 ? 'high' : 'low'"), 'high');
    assert.equal(run("false ? 'a' : true ? 'b' : 'c'"), 'b');
    assert.equal(run('1 in [1] == true'), true);
  });

  test('== is strict and structural', () => {
    assert.equal(run('alert.score == 7'), false);
    assert.equal(run("alert.score == '7'"), true);
    assert.equal(run('0 == false'), false);
    assert.equal(run('null == vars.missing'), false);
    assert.equal(run("alert.tags == ['malware', 'c2']"), true);
    assert.equal(run('alert.device == alert.device'), true);
    assert.equal(run("alert.tags != ['c2', 'malware']"), true);
    assert.equal(valuesEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), true);
    assert.equal(valuesEqual({ a: 1 }, { a: 1, b: undefined }), false);
  });

  test('ordering applies to two numbers or two texts, otherwise it is false', () => {
    assert.equal(run('2 < 10'), true);
    assert.equal(run("'b' > 'a'"), true);
    assert.equal(run("'10' < 9"), false);
    assert.equal(run('alert.missing >= 4'), false);
    assert.equal(run('alert.missing < 4'), false);
  });

  test('in: list membership, substring, object key', () => {
    assert.equal(run("'c2' in alert.tags"), true);
    assert.equal(run("'C2' in alert.tags"), false);
    assert.equal(run("'WS' in alert.device.hostname"), true);
    assert.equal(run("'hostname' in alert.device"), true);
    assert.equal(run("'toString' in alert.device"), false);
    assert.equal(run('[1, 2] in [[1, 2], [3]]'), true);
    assert.equal(run("'x' in alert.missing"), false);
    assert.equal(run('7 in alert.device.hostname'), false);
    assert.equal(failure(() => run('1 in 5')).message, "'in' needs a list, text or object on its right, got number");
    // `in` inside an identifier is not the operator
    assert.equal(evaluate('index + 1', { index: 1 }), 2);
  });

  test('&& and || give booleans and short-circuit', () => {
    assert.equal(run("alert.title && 'x'"), true);
    assert.equal(run('vars.nothing || 0'), false);
    assert.equal(run('false && (1 / 0)'), false);
    assert.equal(run('true || (1 / 0)'), true);
  });

  test('arithmetic needs numbers; + also joins text', () => {
    assert.equal(run("'sev ' + alert.severity_id"), 'sev 4');
    assert.equal(run("'a' + 'b'"), 'ab');
    assert.equal(run('7 % 4'), 3);
    assert.equal(failure(() => run("'a' - 1")).message, "'-' needs two numbers, got text and number");
    assert.equal(failure(() => run('alert.missing + 1')).message, "'+' needs two numbers or text, got undefined and number");
    assert.equal(failure(() => run('alert.tags + 1')).message, "'+' needs two numbers or text, got list and number");
    assert.equal(failure(() => run('1 / 0')).message, 'division by zero');
    assert.equal(failure(() => run('1 % 0')).message, 'division by zero');
    assert.equal(failure(() => run("-'a'")).message, "'-' needs a number, got text");
  });

  test('truthiness follows JavaScript', () => {
    assert.equal(isTruthy(0), false);
    assert.equal(isTruthy(''), false);
    assert.equal(isTruthy(null), false);
    assert.equal(isTruthy(undefined), false);
    assert.equal(isTruthy([]), true);
    assert.equal(isTruthy({}), true);
    assert.equal(run('!vars.empty'), false);
  });
});

describe('functions', () => {
  test('text functions', () => {
    assert.equal(run('len(alert.device.hostname)'), 7);
    assert.equal(run('lower(alert.device.hostname)'), 'ws-0142');
    assert.equal(run('upper("abc")'), 'ABC');
    assert.equal(run('lower(alert.missing)'), undefined);
    assert.equal(run("startsWith(alert.device.hostname, 'WS-')"), true);
    assert.equal(run("endsWith(alert.device.hostname, '42')"), true);
    assert.equal(run("startsWith(alert.missing, 'WS-')"), false);
    assert.equal(run("contains(alert.title, '{{7*7}}')"), true);
    assert.equal(failure(() => run('lower(1)')).message, 'lower() needs text, got number');
    assert.equal(failure(() => run('startsWith("a", 1)')).message, 'startsWith() needs a text prefix, got number');
  });

  test('matches: regex with limits', () => {
    assert.equal(run("matches(alert.device.ip, '^10\\\\.')"), true);
    assert.equal(run("matches(alert.device.hostname, '^ws-', 'i')"), true);
    assert.equal(run("matches(alert.device.hostname, '^ws-')"), false);
    assert.equal(run("matches(alert.missing, 'x')"), false);
    const long = 'a'.repeat(MAX_PATTERN_LENGTH + 1);
    assert.deepEqual(checkExpression(`matches(x, '${long}')`), { message: 'matches() patterns are limited to 200 characters', position: 11 });
    assert.equal(failure(() => evaluate('matches(x, p)', { x: 'a', p: long })).message, 'matches() patterns are limited to 200 characters');
    // Repeated groups holding a repetition used to be refused; the linear-time engine runs them.
    assert.equal(checkExpression("matches(x, '(a+)+$')"), undefined);
    assert.equal(evaluate("matches(x, '(a+)+$')", { x: `${'a'.repeat(50)}!` }), false);
    assert.equal(evaluate("matches(x, '^(\\\\w+\\\\s?)*$')", { x: `${'word '.repeat(10)}!` }), false);
    assert.match(checkExpression("matches(x, '[')")?.message ?? '', /^matches\(\): invalid pattern/);
    assert.equal(checkExpression("matches(x, '^(ab)+[0-9]{2}$')"), undefined);
    assert.equal(checkExpression("matches(x, 'a', 'g')")?.message, "matches() flags may only be 'i', 'm', 's' and 'u'");
  });

  test('matches: runs in linear time, so overlapping alternations cannot stall a worker', () => {
    // Texts are bounded: a 20,000-character text is refused rather than scanned.
    const huge = { x: 'a'.repeat(20_000), p: 'a' };
    assert.equal(MAX_MATCHED_TEXT_LENGTH, 10_000);
    assert.equal(failure(() => evaluate('matches(x, p)', huge)).message, 'matches() scans texts of at most 10000 characters, got 20000');
    assert.equal(evaluate('matches(x, p)', { x: 'a'.repeat(MAX_MATCHED_TEXT_LENGTH), p: '^(a|aa)*$' }), true);
    // RE2 semantics: what needs backtracking is refused when the playbook is validated.
    const unsupported = /^matches\(\) patterns cannot look ahead/;
    for (const pattern of ['a(?=b)', 'a(?!b)', '(a)\\\\1', '(?<n>a)\\\\k<n>']) {
      assert.match(checkExpression(`matches(x, '${pattern}')`)?.message ?? '', unsupported, pattern);
    }
    // Each of these backtracks for minutes or more on a 50-character text.
    const adversarial: [string, string, boolean][] = [
      ['^(a|aa)*$', `${'a'.repeat(49)}!`, false],
      ['^(a|aa)*$', 'a'.repeat(50), true],
      ['(a|a)*b', 'a'.repeat(50), false],
      ['(a|a)*b', `${'a'.repeat(49)}b`, true],
      ['(x+x+)+y', 'x'.repeat(50), false],
      ['(x+x+)+y', `${'x'.repeat(49)}y`, true],
      ['(\\\\w|\\\\d)+$', `${'1'.repeat(49)}!`, false],
      ['(\\\\w|\\\\d)+$', '1'.repeat(50), true],
    ];
    for (const [pattern, text, expected] of adversarial) {
      assert.equal(checkExpression(`matches(x, '${pattern}')`), undefined, pattern);
      assert.equal(evaluate('matches(x, p)', { x: text, p: pattern.replaceAll('\\\\', '\\') }), expected, pattern);
    }
  });

  test('matches: keeps JavaScript meaning where RE2 differs', () => {
    const cases: [string, string, string, boolean][] = [
      ['a\\\\sb', '', 'a\u00a0b', true],
      ['a\\\\sb', '', 'a\vb', true],
      ['a\\\\Sb', '', 'a b', false],
      ['[\\\\s\\\\S]', '', '\n', true],
      ['a.b', '', 'a\rb', false],
      ['a.b', 's', 'a\nb', true],
      ['^[]', '', 'x', false],
      ['^[^]$', '', '\u2028', true],
      ['\\\\u00e9', 'i', '\u00c9', true],
      ['^\\\\uD83D\\\\uDE00$', '', '\u{1F600}', true],
      ['^\\\\p{Script=Greek}+$', 'u', '\u03b1\u03b2', true],
      ['\\\\p{L}', '', 'p{L}', true],
      ['[[:alpha:]]', '', ':]', true],
      ['(?<=k)e', '', 'ke', true],
      ['(?<!k)e', '', 'ke', false],
      ['^b$', 'm', 'a\nb', true],
      ['^b$', '', 'a\nb', false],
    ];
    for (const [pattern, flags, text, expected] of cases) {
      const js = new RegExp(pattern.replaceAll('\\\\', '\\'), flags).test(text);
      assert.equal(js, expected, `JavaScript on ${pattern}`);
      assert.equal(evaluate(`matches(x, '${pattern}', '${flags}')`, { x: text }), expected, pattern);
    }
  });

  test('presence functions', () => {
    assert.equal(run('exists(alert.device)'), true);
    assert.equal(run('exists(vars.nothing)'), false);
    assert.equal(run("default(alert.missing, 'n/a')"), 'n/a');
    assert.equal(run('default(alert.severity_id, 0)'), 4);
    assert.equal(run('default(0, 5)'), 0);
  });

  test('list functions', () => {
    assert.equal(run('len(observables)'), 3);
    assert.equal(run('len(alert.device)'), 2);
    assert.equal(run('len(alert.missing)'), 0);
    assert.equal(run('count(observables)'), 3);
    assert.equal(run("count(observables, 'kind', 'ip')"), 2);
    assert.deepEqual(run("map(filterBy(observables, 'kind', 'ip'), 'value')"), ['203.0.113.5', '198.51.100.9']);
    assert.deepEqual(run("map([[1], 'text'], 'a')"), [undefined, undefined]);
    assert.deepEqual(run("filterBy(alert.missing, 'kind', 'ip')"), []);
    assert.equal(run('first(alert.tags)'), 'malware');
    assert.equal(run('last(alert.tags)'), 'c2');
    assert.equal(run('first(vars.empty)'), undefined);
    assert.deepEqual(run('unique(steps.enrich.output.verdicts)'), ['bad', 'unknown']);
    assert.deepEqual(run('flatten([[1, 2], [3], 4])'), [1, 2, 3, 4]);
    assert.equal(run("join(alert.tags, ' | ')"), 'malware | c2');
    assert.equal(run('join([1, true, null])'), '1, true, ');
    assert.equal(run('min(3, 1, 2)'), 1);
    assert.equal(run('max([4, 9, 2])'), 9);
    assert.equal(run('max(vars.empty)'), undefined);
    assert.equal(run("contains(alert.tags, 'c2')"), true);
    assert.equal(failure(() => run("join([[1]], ',')")).message, 'join() needs a list of texts or numbers, got an item of type list');
    assert.equal(failure(() => run('first("abc")')).message, 'first() needs a list, got text');
    assert.equal(failure(() => run('min(1, "2")')).message, 'min() needs numbers, got text');
  });

  test('filterBy and map read dotted paths', () => {
    const hosts = {
      hosts: [
        { device: { os: 'windows' }, name: 'a' },
        { device: { os: 'linux' }, name: 'b' },
      ],
    };
    assert.deepEqual(evaluate("map(filterBy(hosts, 'device.os', 'linux'), 'name')", hosts), ['b']);
  });

  test('conversions', () => {
    assert.equal(run('toNumber(alert.score) + 1'), 8);
    assert.equal(run("toNumber(' -2.5 ')"), -2.5);
    assert.equal(run("toNumber('12abc')"), undefined);
    assert.equal(run('toNumber(true)'), 1);
    assert.equal(run('toString(4)'), '4');
    assert.equal(run('toString(alert.missing)'), '');
    assert.equal(run("toString(['a', 1])"), '["a",1]');
  });
});

describe('refused syntax', () => {
  const cases: [string, string, number][] = [
    ['foo(1)', "unknown function 'foo'", 0],
    ['eval("1")', "unknown function 'eval'", 0],
    ['alert.title.toLowerCase()', 'method calls are not supported; use a function such as lower(x) or contains(list, x)', 0],
    ['vars.x = 1', 'Unexpected "="', 7],
    ['this.alert', "'this' is not part of the language; name a root such as alert or vars", 0],
    ['a === b', "operator '===' is not supported; use '==' (it is already strict)", 0],
    ['a ?? b', "operator '??' is not supported; use default(x, y)", 0],
    ['a | b', "operator '|' is not supported", 0],
    ['~a', "operator '~' is not supported", 0],
    ['a, b', 'one expression expected; join conditions with && or ||', 3],
    ['alert.x alert.y', 'one expression expected; join conditions with && or ||', 8],
    ['(a, b)', 'one expression expected inside parentheses', 0],
    ['', 'empty expression', 0],
    ['   ', 'empty expression', 0],
    ['1 +', 'Expected expression after +', 3],
    ["'open", 'Unclosed quote after "open"', 5],
    ['len(a, b)', 'len() takes 1 argument, got 2', 0],
    ['default(a)', 'default() takes 2 arguments, got 1', 0],
    ['join()', 'join() takes 1 to 2 arguments, got 0', 0],
    ['[1,,2]', 'empty list element', 0],
    ['x && toString.call(1)', 'method calls are not supported; use a function such as lower(x) or contains(list, x)', 5],
  ];
  for (const [text, message, position] of cases) {
    test(JSON.stringify(text), () => {
      assert.deepEqual(checkExpression(text), { message, position });
      const error = failure(() => parseExpression(text));
      assert.equal(error.message, message);
      assert.equal(error.position, position);
    });
  }

  test('the length is bounded', () => {
    assert.deepEqual(checkExpression('1+'.repeat(1000) + '1'), { message: 'expression is longer than 2000 characters', position: 2000 });
  });

  test('deep nesting is refused, not a stack overflow', () => {
    assert.equal(checkExpression('!'.repeat(500) + 'x')?.message, 'expression is nested too deeply');
    assert.equal(checkExpression('('.repeat(900) + '1' + ')'.repeat(900)), undefined);
  });

  test('evaluate reports parse errors too', () => {
    assert.equal(failure(() => evaluate('foo()', {})).message, "unknown function 'foo'");
  });
});

describe('static analysis', () => {
  test('collectIdentifiers lists roots once, in order', () => {
    const ast = parseExpression("len(observables) > vars.threshold && steps.enrich.output[vars.i] == item.kind && 'x' in alert.tags");
    assert.deepEqual(collectIdentifiers(ast), ['observables', 'vars', 'steps', 'item', 'alert']);
  });

  test('collectPaths stops at computed parts', () => {
    const ast = parseExpression("steps.enrich.output.malicious > 0 && vars['a'].b && steps[vars.id].x");
    assert.deepEqual(collectPaths(ast), [['steps', 'enrich', 'output', 'malicious'], ['vars', 'a', 'b'], ['steps'], ['vars', 'id']]);
  });

  test('an AST can be evaluated again and is plain data', () => {
    const ast = parseExpression('alert.severity_id * 2');
    assert.equal(evaluate(ast, scope), 8);
    assert.equal(evaluate(ast, { alert: { severity_id: 1 } }), 2);
    assert.deepEqual(JSON.parse(JSON.stringify(ast)), ast);
  });
});

describe('determinism', () => {
  test('the language uses no clock, randomness, eval or imports other than jsep, re2js and its own files', () => {
    // Compiled to dist/workflows/, so the sources are two folders up.
    const folder = new URL('../../../workflows/language/expression/', import.meta.url);
    const parts = readdirSync(folder).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    const files = new Map<string, string>([['expression.ts', readFileSync(new URL('../expression.ts', folder), 'utf8')]]);
    for (const name of parts) files.set(`expression/${name}`, readFileSync(new URL(name, folder), 'utf8'));
    assert.ok(parts.includes('parse.ts') && parts.includes('evaluate.ts'), `parts found: ${parts.join(', ')}`);
    const jsepImports: string[] = [];
    for (const [file, source] of files) {
      const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      const own = file === 'expression.ts' ? /^\.\/expression\/([a-z-]+)\.js$/ : /^\.\/([a-z-]+)\.js$/;
      for (const [, specifier] of code.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        if (specifier === 'jsep') {
          jsepImports.push(file);
          continue;
        }
        // The linear-time pattern engine, pure JavaScript, used by the pattern guard alone.
        if (specifier === 're2js' && file === 'expression/pattern-guard.ts') continue;
        const match = own.exec(specifier ?? '');
        assert.ok(match && parts.includes(`${match[1]}.ts`), `${file} imports '${specifier}'`);
      }
      for (const banned of [/\bDate\b/, /Math\.random/, /\beval\s*\(/, /new Function/, /\brequire\s*\(/, /\bprocess\./, /\bimport\s*\(/]) {
        assert.doesNotMatch(code, banned, file);
      }
      // No module-level state or caches: V8 contexts, and so these modules, are shared by the worker's runs.
      assert.doesNotMatch(code, /^(?:export )?(?:let|var)\b/m, file);
      assert.doesNotMatch(code, /\bnew (?:Weak)?Map\b/, file);
    }
    assert.deepEqual(jsepImports, ['expression/parse.ts']);
    assert.match(files.get('expression/parse.ts') ?? '', /^import jsep from 'jsep';$/m);
  });

  test('evaluation does not change the scope', () => {
    const before = JSON.stringify(scope);
    run("unique(flatten([alert.tags, alert.tags])) == alert.tags && len(map(observables, 'kind')) == 3");
    assert.equal(JSON.stringify(scope), before);
  });
});
