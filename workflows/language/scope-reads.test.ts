import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collectTemplatePaths, renderTemplate } from '../../src/templating/template-renderer.js';
import { parseExpression } from './expression.js';
import { expressionNeeds, mergeNeeds, type ScopeNeeds, sliceScope, templateNeeds } from './scope-reads.js';

const ROOTS = ['alert', 'case', 'steps', 'vars', 'inputs', 'observables', 'ip'];

const CORPUS = [
  '{{lookup observables.ip 0}}',
  '{{alert.device.hostname}}',
  '{{alert.finding_info.title}} on {{alert.device.hostname}}',
  '*{{alert.finding_info.title}}* on {{alert.device.hostname}}\n{{#each observables.ip}}• {{this}}\n{{/each}}',
  'Closed: {{vars.vt.malicious}} detections.',
  'Contain {{alert.device.hostname}}? VirusTotal: {{vars.vt.malicious}} engines.',
  '{{steps.enrich.output.verdict}}',
  '{{#each steps.each_ip.output.items}}{{item}} {{../alert.title}} {{@root.vars.flag}}{{/each}}',
  '{{#with alert}}{{device.ip}}{{/with}}',
  '{{#if vars.hosts}}{{join vars.hosts ", "}}{{else}}none{{/if}}',
  '{{default steps.a.output.x "alert"}}',
  '{{truncate alert.finding_info.title 80}}',
  '{{json steps.b.output 2}}',
  '{{!-- a comment about {{vars.secret}} --}}{{ip}}',
  '{{#each observables.domain as |d|}}{{d}} {{upper (lower ../inputs.label)}}{{/each}}',
  '{{eq alert.severity_id 5}}',
  '{{~alert.title~}}',
  '{{{alert.title}}}',
  '{{#unless case.id}}none{{/unless}}',
  'plain text',
];

function covers(needs: ScopeNeeds, path: string[]): boolean {
  if (needs === 'all') return true;
  const [root, name] = path;
  return needs.has(root!) || (name !== undefined && needs.has(`${root}.${name}`));
}

describe('scope reads: what a step hands its activity', () => {
  test('covers every path the validator finds in a template (handlebars parser), never less', () => {
    for (const template of CORPUS) {
      const needs = templateNeeds(template, ROOTS);
      for (const path of collectTemplatePaths(template)) {
        if (!ROOTS.includes(path[0]!)) continue;
        assert.ok(covers(needs, path), `${JSON.stringify(template)} reads ${path.join('.')}, needs ${needs === 'all' ? 'all' : [...needs].join(',')}`);
      }
    }
  });

  test('names entries of steps and vars, whole roots for the rest', () => {
    const cases: Array<[string, ScopeNeeds]> = [
      ['{{lookup observables.ip 0}}', new Set(['observables'])],
      ['{{vars.vt.malicious}} {{steps.enrich.output.x}}', new Set(['vars.vt', 'steps.enrich'])],
      ['{{#each steps.each_ip.output.items}}{{this}}{{/each}}', new Set(['steps.each_ip'])],
      ['{{#with alert}}{{device.ip}}{{/with}}', new Set(['alert'])],
      ['{{default x "alert"}}', new Set()],
      ['{{#each observables.ip as |ip|}}{{ip}} {{../vars.n}}{{/each}}', new Set(['observables', 'vars.n', 'ip'])],
      ['{{@root.vars.x}}', new Set(['vars.x'])],
      ['{{lookup steps "a"}}', new Set(['steps'])],
      ['{{!-- {{alert}} --}}no reads', new Set()],
    ];
    for (const [template, expected] of cases) assert.deepEqual(templateNeeds(template, ROOTS), expected, template);
  });

  test('the whole scope when a template reads the top context itself', () => {
    assert.equal(templateNeeds('{{json this}}', ROOTS), 'all');
    assert.equal(templateNeeds('{{#each observables.ip}}{{../this}}{{/each}}', ROOTS), 'all');
    assert.equal(templateNeeds('{{@root}}', ROOTS), 'all');
    // Inside a block, `this` is the item: no need for the whole scope.
    assert.deepEqual(templateNeeds('{{#each observables.ip}}{{this}}{{/each}}', ROOTS), new Set(['observables']));
    // The else part of an each renders with the outer context.
    assert.equal(templateNeeds('{{#each observables.ip}}x{{else}}{{json this}}{{/each}}', ROOTS), 'all');
  });

  test('expressions: statically known entries, whole roots for computed ones', () => {
    assert.deepEqual(expressionNeeds(parseExpression("steps.a.output.x > 3 && 'c2' in alert.finding_info.types"), ROOTS), new Set(['steps.a', 'alert']));
    assert.deepEqual(expressionNeeds(parseExpression('vars[alert.key]'), ROOTS), new Set(['vars', 'alert']));
  });

  test('a sliced scope renders every template exactly as the whole scope does', () => {
    const scope = {
      alert: { title: 'Beacon {{7*7}}', device: { hostname: 'WS-1', ip: '10.0.0.7' }, finding_info: { title: 'C2' }, severity_id: 5 },
      case: { id: 'c1' },
      steps: {
        enrich: { output: { verdict: 'bad' } },
        each_ip: { output: { items: [{ item: '1.2.3.4' }] } },
        a: { output: { x: 1 } },
        b: { output: [1, 2] },
        big: { output: 'x'.repeat(10_000) },
      },
      vars: { vt: { malicious: 3 }, hosts: ['a', 'b'], flag: true, secret: 's', n: 1 },
      inputs: { label: 'Lab' },
      observables: { ip: ['1.2.3.4'], domain: ['evil.example'] },
      ip: '5.6.7.8',
    };
    for (const template of CORPUS) {
      const sliced = sliceScope(scope, templateNeeds(template, Object.keys(scope)));
      assert.equal(renderTemplate(template, sliced), renderTemplate(template, scope), template);
      assert.ok(!JSON.stringify(sliced).includes('x'.repeat(100)), `${template}: an unread step output stays out`);
    }
  });

  test('mergeNeeds: a whole root covers its entries; all wins', () => {
    assert.deepEqual(mergeNeeds([new Set(['steps.a', 'vars.x']), new Set(['steps'])]), new Set(['vars.x', 'steps']));
    assert.equal(mergeNeeds([new Set(['alert']), 'all']), 'all');
  });
});
