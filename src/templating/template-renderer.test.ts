import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { collectTemplatePaths, compileCheck, renderParams, renderTemplate, TemplateError } from './template-renderer.js';

const data = {
  alert: {
    title: 'Beacon {{7*7}} {{#each}} {{> evil}}',
    severity_id: 4,
    device: { hostname: 'WS-0142', ip: '10.0.0.7' },
    tags: ['malware', 'c2'],
    note: null,
  },
  observables: { ip: ['203.0.113.5', '198.51.100.9'] },
  vars: { hosts: ['WS-0142', 'WS-0150'], limit: 25, flag: false },
  steps: { enrich: { output: { score: 87 } } },
};

function templateError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TemplateError, `expected TemplateError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a TemplateError');
}

describe('renderTemplate', () => {
  test('renders variables, without HTML escaping by default', () => {
    assert.equal(renderTemplate('Isolate {{alert.device.hostname}} ({{alert.device.ip}})?', data), 'Isolate WS-0142 (10.0.0.7)?');
    assert.equal(renderTemplate('score {{steps.enrich.output.score}}', data), 'score 87');
    assert.equal(renderTemplate('{{observables.ip.[1]}}', data), '198.51.100.9');
    assert.equal(renderTemplate('a<b & "c"', data), 'a<b & "c"');
    assert.equal(renderTemplate('{{x}}', { x: '<b>&' }), '<b>&');
    assert.equal(renderTemplate('{{x}}', { x: '<b>&' }, { html: true }), '&lt;b&gt;&amp;');
  });

  test('text without mustaches is returned as it is', () => {
    assert.equal(renderTemplate('plain text', {}), 'plain text');
  });

  test('alert content is data, never template source', () => {
    assert.equal(renderTemplate('{{alert.title}}', data), 'Beacon {{7*7}} {{#each}} {{> evil}}');
    assert.deepEqual(renderParams({ title: '{{alert.title}}', text: 'Alert: {{alert.title}}' }, data), {
      title: 'Beacon {{7*7}} {{#each}} {{> evil}}',
      text: 'Alert: Beacon {{7*7}} {{#each}} {{> evil}}',
    });
  });

  test('strict: a missing variable is an error naming the whole path', () => {
    const error = templateError(() => renderTemplate('Host: {{alert.device.name}}', data));
    assert.equal(error.message, "'alert.device.name' is not defined (line 1, column 8)");
    assert.equal(error.line, 1);
    assert.equal(error.column, 8);
    assert.equal(templateError(() => renderTemplate('{{alert.nothing.deeper}}', data)).message, "'alert.nothing.deeper' is not defined (line 1, column 2)");
    assert.equal(templateError(() => renderTemplate('{{ vars.nope }}', data)).message, "'vars.nope' is not defined (line 1, column 3)");
    assert.equal(templateError(() => renderTemplate('{{alert.title.length}}', data)).message, "'length' is not defined: it was looked up on a value that is not an object");
  });

  test('conditions may test optional fields without failing', () => {
    assert.equal(renderTemplate('{{#if alert.missing}}yes{{else}}no{{/if}}', data), 'no');
    assert.equal(renderTemplate('{{#unless vars.flag}}off{{/unless}}', data), 'off');
    assert.equal(renderTemplate('{{default alert.missing "n/a"}}', data), 'n/a');
    assert.equal(renderTemplate('{{default alert.note "none"}}', data), 'none');
  });

  test('helpers', () => {
    assert.equal(renderTemplate('{{#if (eq alert.severity_id 4)}}high{{/if}}', data), 'high');
    assert.equal(renderTemplate('{{eq alert.severity_id "4"}}', data), 'false');
    assert.equal(renderTemplate('{{json alert.device}}', data), '{"hostname":"WS-0142","ip":"10.0.0.7"}');
    assert.equal(renderTemplate('{{json alert.tags 2}}', data), '[\n  "malware",\n  "c2"\n]');
    assert.equal(renderTemplate('{{join alert.tags}}', data), 'malware, c2');
    assert.equal(renderTemplate('{{join alert.tags " | "}}', data), 'malware | c2');
    assert.equal(renderTemplate('{{upper alert.device.hostname}} {{lower alert.device.hostname}}', data), 'WS-0142 ws-0142');
    assert.equal(renderTemplate('{{truncate alert.device.hostname 4}}', data), 'WS-…');
    assert.equal(renderTemplate('{{truncate alert.device.hostname 40}}', data), 'WS-0142');
    assert.equal(renderTemplate('{{#each alert.tags}}[{{@index}}:{{this}}]{{/each}}', data), '[0:malware][1:c2]');
    assert.equal(renderTemplate('{{#with alert.device}}{{hostname}}{{/with}}', data), 'WS-0142');
  });

  test('prototype access yields nothing or an error, never code', () => {
    assert.equal(templateError(() => renderTemplate('{{constructor.constructor}}', data)).message, "'constructor.constructor' is not defined (line 1, column 2)");
    assert.equal(renderTemplate('{{__proto__}}', data), '');
    assert.equal(renderTemplate("{{lookup this '__proto__'}}", data), '');
    assert.equal(renderTemplate("{{lookup alert 'constructor'}}", data), '');
    assert.equal(renderTemplate('{{#with alert}}{{lookup this "toString"}}{{/with}}', data), '');
    const inherited = { x: Object.create({ secret: 'inherited' }) as object };
    assert.equal(renderTemplate('{{x.secret}}', inherited), '');
    assert.throws(() => renderParams('{{constructor}}', data), /'constructor' is not defined/);
    assert.throws(() => renderParams('{{alert.__proto__}}', data), /'alert.__proto__' is not defined/);
  });

  test('unknown helpers, log, partials and decorators are refused', () => {
    assert.match(templateError(() => renderTemplate('{{shell "ls"}}', data)).message, /^unknown helper 'shell'/);
    assert.match(templateError(() => renderTemplate('{{log alert}}', data)).message, /^unknown helper 'log'/);
    assert.equal(templateError(() => renderTemplate('{{> header}}', data)).message, 'partials ({{> name}}) are not supported');
    assert.equal(templateError(() => renderTemplate('{{#> layout}}x{{/layout}}', data)).message, 'partials ({{> name}}) are not supported');
    assert.equal(templateError(() => renderTemplate('{{* decorate}}', data)).message, 'decorators ({{* name}}) are not supported');
  });

  test('templates are cached by source and stay correct', () => {
    for (let i = 0; i < 700; i += 1) assert.equal(renderTemplate(`n={{vars.limit}} #${i}`, data), `n=25 #${i}`);
    assert.equal(renderTemplate('n={{vars.limit}} #0', { vars: { limit: 1 } }), 'n=1 #0');
  });
});

describe('renderParams', () => {
  test('walks objects and lists, renders strings, keeps other values', () => {
    const params = {
      ip: '{{alert.device.ip}}',
      comment: 'Seen on {{alert.device.hostname}}',
      count: 3,
      enabled: true,
      nothing: null,
      nested: { list: ['{{alert.tags.[0]}}', 7, { deep: '{{vars.limit}} max' }] },
      literal: 'no template here',
    };
    assert.deepEqual(renderParams(params, data), {
      ip: '10.0.0.7',
      comment: 'Seen on WS-0142',
      count: 3,
      enabled: true,
      nothing: null,
      nested: { list: ['malware', 7, { deep: '25 max' }] },
      literal: 'no template here',
    });
  });

  test('a string that is exactly one variable keeps the value type', () => {
    assert.deepEqual(renderParams({ hosts: '{{vars.hosts}}', limit: '{{ vars.limit }}', flag: '{{vars.flag}}' }, data), {
      hosts: ['WS-0142', 'WS-0150'],
      limit: 25,
      flag: false,
    });
    assert.equal(renderParams('{{upper alert.device.hostname}}', data), 'WS-0142');
    assert.equal(renderParams('{{vars.limit}}!', data), '25!');
    assert.throws(() => renderParams({ x: '{{vars.missing}}' }, data), /'vars.missing' is not defined/);
  });

  test('the input is not modified', () => {
    const params = { a: ['{{vars.limit}}'] };
    renderParams(params, data);
    assert.deepEqual(params, { a: ['{{vars.limit}}'] });
  });
});

describe('compileCheck', () => {
  test('valid templates', () => {
    assert.equal(compileCheck('Isolate {{alert.device.hostname}}?'), undefined);
    assert.equal(compileCheck('{{#each alert.tags}}{{upper this}}{{/each}}'), undefined);
    assert.equal(compileCheck('no mustaches'), undefined);
  });

  test('reports problems with their place', () => {
    assert.deepEqual(compileCheck('Hello {{alert.title'), { message: 'syntax error on line 1: invalid text inside {{ }}', line: 1 });
    assert.deepEqual(compileCheck('line one\n{{#if x}}open'), { message: 'syntax error on line 2: the template ends too early', line: 2 });
    assert.deepEqual(compileCheck('{{#each a}}{{/with}}'), { message: "each doesn't match with", line: 1, column: 3 });
    assert.deepEqual(compileCheck('x\n {{nope alert}}'), {
      message: "unknown helper 'nope'; the helpers are eq, json, join, default, upper, lower, truncate, if, unless, each, with, lookup",
      line: 2,
      column: 1,
    });
    assert.deepEqual(compileCheck('{{> partial}}'), { message: 'partials ({{> name}}) are not supported', line: 1, column: 0 });
  });
});

describe('collectTemplatePaths', () => {
  test('paths read from the top of the data', () => {
    const source =
      '{{alert.title}} {{#each alert.tags as |tag|}}{{tag}} {{this}} {{name}} {{../vars.x}} {{@index}} {{@root.steps.enrich.output}}{{/each}}' +
      ' {{#if (eq vars.y 1)}}{{upper case.id}}{{else}}{{inputs.z}}{{/if}} {{#with alert.device}}{{ip}}{{/with}} {{json item 2}}';
    assert.deepEqual(collectTemplatePaths(source), [
      ['alert', 'title'],
      ['alert', 'tags'],
      ['vars', 'x'],
      ['steps', 'enrich', 'output'],
      ['vars', 'y'],
      ['case', 'id'],
      ['inputs', 'z'],
      ['alert', 'device'],
      ['item'],
    ]);
  });

  test('plain text has none', () => {
    assert.deepEqual(collectTemplatePaths('nothing to see'), []);
  });
});
