import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { canonicalJson, formatPath, loadPlaybookDirectory, playbookHash, validatePlaybookText, type PlaybookActionCatalog, type PlaybookError } from './index.js';

const ACTIONS = new Map<string, { input: z.ZodType; kind: string }>([
  ['virustotal.get_ip_report', { input: z.object({ ip: z.string().min(7), includeResolutions: z.boolean().optional() }), kind: 'enrichment' }],
  ['crowdstrike.contain_host', { input: z.object({ deviceId: z.string().min(1), comment: z.string().default('') }), kind: 'containment' }],
  [
    'slack.post_message',
    {
      input: z
        .object({ channel: z.string(), text: z.string(), mentions: z.array(z.string()).max(3).optional() })
        .refine((value) => !value.channel.startsWith('@'), { error: 'post to a channel, not a person', path: ['channel'] }),
      kind: 'notification',
    },
  ],
]);

const catalog: PlaybookActionCatalog = { get: (key) => ACTIONS.get(key), keys: () => ACTIONS.keys() };
const catalogWithoutKeys: PlaybookActionCatalog = { get: (key) => ACTIONS.get(key) };

/** Lines 1-4; the first step starts on line 5. */
const HEAD = ['id: triage', 'name: Triage', 'version: "1.0"', 'steps:'];

function playbook(...stepLines: string[]): string {
  return [...HEAD, ...stepLines].join('\n') + '\n';
}

type Brief = Pick<PlaybookError, 'line' | 'column' | 'path' | 'code' | 'message'>;

function errorsOf(text: string, actions: PlaybookActionCatalog = catalog): Brief[] {
  const result = validatePlaybookText(text, 'triage.yaml', actions);
  assert.equal(result.ok, false, 'expected the playbook to be invalid');
  if (result.ok) return [];
  for (const error of result.errors) assert.equal(error.file, 'triage.yaml');
  return result.errors.map(({ line, column, path: at, code, message }) => ({ line, column, path: at, code, message }));
}

function valid(text: string): { hash: string } {
  const result = validatePlaybookText(text, 'triage.yaml', catalog);
  if (!result.ok) assert.fail(`expected a valid playbook, got ${JSON.stringify(result.errors, null, 2)}`);
  return { hash: result.hash };
}

const GOOD = playbook(
  '  - id: enrich',
  '    kind: action',
  '    action: virustotal.get_ip_report',
  '    with:',
  '      ip: "{{alert.device.ip}}"',
  '      includeResolutions: true',
  '    output: vt',
  '    retry: { maxAttempts: 5, initialInterval: 1s, maxInterval: 1m }',
  '  - id: decide',
  '    kind: condition',
  '    if: vars.vt.malicious > 2 && alert.severity_id >= 4',
  '    then: ask',
  '    else: close_benign',
  '  - id: ask',
  '    kind: approval',
  '    question: "Contain {{alert.device.hostname}}?"',
  '    context: { detections: steps.enrich.output.malicious }',
  '    guards: contain',
  '    levels:',
  '      - { roles: [analyst], timeout: 15m }',
  '      - { roles: [lead], timeout: 1h, notify: slack }',
  '    defaultOutcome: reject',
  '    onReject: close_benign',
  '  - id: contain',
  '    kind: action',
  '    action: crowdstrike.contain_host',
  '    with: { deviceId: "{{alert.device.uid}}" }',
  '    onFailure: { goto: tell }',
  '  - id: per_ip',
  '    kind: foreach',
  '    items: observables.ip',
  '    as: ip',
  '    steps:',
  '      - id: look_up',
  '        kind: action',
  '        action: virustotal.get_ip_report',
  '        with: { ip: "{{ip}}" }',
  '  - id: tell',
  '    kind: notify',
  '    channel: slack',
  '    template: |',
  '      Contained {{alert.device.hostname}}',
  '      {{#each observables.ip}}- {{this}}',
  '      {{/each}}',
  '  - id: done',
  '    kind: end',
  '    status: contained',
  '    summary: "Contained after {{vars.vt.malicious}} detections"',
  '  - id: close_benign',
  '    kind: end',
  '    status: resolved',
  '    resolution: benign_positive',
);

describe('valid playbooks', () => {
  test('a playbook using every common feature is valid, with a sha256 pin', () => {
    const { hash } = valid(GOOD);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(valid(GOOD).hash, hash);
  });

  test('the pin depends on content, not on formatting or key order', () => {
    const a = 'id: p\nname: P\nversion: "1"\nsteps:\n  - { id: done, kind: end, status: resolved }\n';
    const b = '# a comment\nversion: "1"\nsteps:\n  - kind: end\n    status: resolved\n    id: done\nname: P\nid: p\n';
    const c = 'id: p\nname: P\nversion: "1"\nsteps:\n  - { id: done, kind: end, status: closed }\n';
    assert.equal(valid(a).hash, valid(b).hash);
    assert.notEqual(valid(a).hash, valid(c).hash);
    const result = validatePlaybookText(a, 'p.yaml', catalog);
    assert.ok(result.ok);
    assert.equal(result.hash, playbookHash(result.playbook));
    assert.equal(canonicalJson(result.playbook), '{"id":"p","name":"P","steps":[{"id":"done","kind":"end","status":"resolved"}],"version":"1"}');
  });

  test('every step kind validates', () => {
    valid(
      playbook(
        '  - { id: s, kind: status, status: in_progress }',
        '  - { id: v, kind: set, vars: { count: "len(observables.ip)", label: "\'x\'" } }',
        '  - { id: w, kind: wait, duration: 30s, until: new_alert }',
        '  - id: sw',
        '    kind: switch',
        '    on: alert.severity_id',
        '    cases: { "5": par, "6": par }',
        '  - id: par',
        '    kind: parallel',
        '    join: all',
        '    branches:',
        '      - [ { id: b1, kind: action, action: virustotal.get_ip_report, with: { ip: "{{alert.device.ip}}" } } ]',
        '      - [ { id: b2, kind: wait, duration: 250ms } ]',
        '  - id: again',
        '    kind: loop',
        '    while: vars.count < 3',
        '    maxIterations: 3',
        '    steps:',
        '      - { id: inc, kind: set, vars: { count: "vars.count + 1" } }',
        '  - { id: child, kind: playbook, playbook: enrich-ip, inputs: { ip: "alert.device.ip" } }',
        '  - { id: bye, kind: end }',
      ),
    );
  });
});

describe('YAML syntax', () => {
  test('a syntax error names its line', () => {
    assert.deepEqual(errorsOf('id: p\nname: P\nsteps:\n  - id: a\n   kind: end\n'), [
      { line: 5, column: 1, path: '', code: 'yaml_syntax', message: 'Sequence item without - indicator' },
    ]);
  });

  test('duplicate keys are errors', () => {
    assert.deepEqual(errorsOf('id: p\nname: P\nid: q\n'), [{ line: 3, column: 1, path: '', code: 'yaml_syntax', message: 'Map keys must be unique' }]);
  });

  test('one document per file', () => {
    const errors = errorsOf('id: p\n---\nid: q\n');
    assert.equal(errors[0].code, 'yaml_syntax');
    assert.equal(errors[0].line, 2);
  });

  test('an empty file is not a playbook', () => {
    assert.deepEqual(errorsOf(''), [{ line: 1, column: 1, path: '', code: 'schema', message: 'a playbook is a YAML mapping with id, name, version and steps' }]);
  });
});

describe('schema', () => {
  test('shape errors name line, column and path', () => {
    const text = [
      'id: triage',
      'name: Triage',
      'version: 1',
      'triggers:',
      '  - { tactics: [TA01], techniques: [T1059.1], sources: [splunk, qradar] }',
      'steps:',
      '  - id: enrich',
      '    kind: action',
      '    action: virustotal.get_ip_report',
      '    tiemout: 5s',
      '  - id: Bad-Id',
      '    kind: end',
      '  - id: pause',
      '    kind: wait',
      '    duration: 5 minutes',
      '  - id: check',
      '    kind: condition',
      '    if: "true"',
      '  - id: x',
      '    kind: bogus',
      '  - name: no kind',
      '    id: y',
      '  - id: z',
      '    kind: set',
      '    vars: { Bad-Name: "1" }',
      '    onFailure: retry',
    ].join('\n');
    assert.deepEqual(errorsOf(text), [
      { line: 3, column: 10, path: 'version', code: 'schema', message: 'version is text: quote it, e.g. version: "1.0"' },
      { line: 5, column: 17, path: 'triggers[0].tactics[0]', code: 'schema', message: 'an ATT&CK tactic id looks like TA0001' },
      { line: 5, column: 37, path: 'triggers[0].techniques[0]', code: 'schema', message: 'an ATT&CK technique id looks like T1059 or T1059.001' },
      {
        line: 5,
        column: 65,
        path: 'triggers[0].sources[1]',
        code: 'schema',
        message: 'unknown alert source; expected one of generic, ocsf, guardduty, splunk, elastic, graph, sentinel, defender, crowdstrike, wazuh, suricata, gcp-scc',
      },
      { line: 10, column: 5, path: 'steps[0].tiemout', code: 'schema', message: "unknown field 'tiemout'; did you mean 'timeout'?" },
      { line: 11, column: 9, path: 'steps[1].id', code: 'schema', message: 'a step id is lower snake_case: a letter, then letters, digits or _ (^[a-z][a-z0-9_]*$)' },
      { line: 15, column: 15, path: 'steps[2].duration', code: 'schema', message: 'a duration is a positive whole number and a unit: 250ms, 30s, 5m, 2h or 1d' },
      { line: 16, column: 5, path: 'steps[3].then', code: 'schema', message: "missing required field 'then'" },
      {
        line: 20,
        column: 11,
        path: 'steps[4].kind',
        code: 'schema',
        message: 'unknown step kind "bogus" (the kinds are action, condition, switch, parallel, foreach, loop, approval, wait, set, notify, playbook, end, status)',
      },
      {
        line: 21,
        column: 5,
        path: 'steps[5]',
        code: 'schema',
        message: 'a step needs a kind: one of action, condition, switch, parallel, foreach, loop, approval, wait, set, notify, playbook, end, status',
      },
      {
        line: 25,
        column: 13,
        path: 'steps[6].vars["Bad-Name"]',
        code: 'schema',
        message: "invalid name 'Bad-Name': a variable name starts with a lower-case letter, then letters, digits or _",
      },
      { line: 26, column: 16, path: 'steps[6].onFailure', code: 'schema', message: "onFailure is 'fail', 'continue' or { goto: <step id> }" },
    ]);
  });

  test('a misspelt kind gets a suggestion; nested lists are checked too', () => {
    assert.deepEqual(errorsOf(playbook('  - id: p', '    kind: parallel', '    branches:', '      - - { id: a, kind: acton }', '  - { id: e, kind: end, colour: red }')), [
      {
        line: 8,
        column: 26,
        path: 'steps[0].branches[0][0].kind',
        code: 'schema',
        message:
          'unknown step kind "acton" (the kinds are action, condition, switch, parallel, foreach, loop, approval, wait, set, notify, playbook, end, status); did you mean \'action\'?',
      },
      { line: 9, column: 25, path: 'steps[1].colour', code: 'schema', message: "unknown field 'colour'" },
    ]);
  });

  test('bounds: loop iterations, empty lists', () => {
    assert.deepEqual(errorsOf(playbook('  - { id: l, kind: loop, while: "true", maxIterations: 5000, steps: [] }')), [
      { line: 5, column: 56, path: 'steps[0].maxIterations', code: 'schema', message: 'Too big: expected number to be <=1000' },
      { line: 5, column: 69, path: 'steps[0].steps', code: 'schema', message: 'a step list needs at least one step' },
    ]);
  });
});

describe('step ids and routes', () => {
  test('step ids are unique across the whole playbook, nested lists included', () => {
    assert.deepEqual(
      errorsOf(
        playbook(
          '  - { id: a, kind: status, status: triaged }',
          '  - id: each',
          '    kind: foreach',
          '    items: observables.ip',
          '    steps:',
          '      - { id: a, kind: wait, duration: 1s }',
        ),
      ),
      [
        {
          line: 10,
          column: 15,
          path: 'steps[1].steps[0].id',
          code: 'duplicate_step_id',
          message: "step id 'a' is already used by steps[0] (line 5); step ids are unique across the playbook",
        },
      ],
    );
  });

  test('a route to a missing step, with a suggestion', () => {
    assert.deepEqual(
      errorsOf(playbook('  - { id: check, kind: condition, if: "true", then: contian, else: done }', '  - { id: contain, kind: end }', '  - { id: done, kind: end }')),
      [{ line: 5, column: 53, path: 'steps[0].then', code: 'unknown_route_target', message: "no step 'contian' in this list; did you mean 'contain'?" }],
    );
  });

  test('a route out of its list', () => {
    const text = playbook(
      '  - id: each',
      '    kind: foreach',
      '    items: observables.ip',
      '    steps:',
      '      - { id: look, kind: wait, duration: 1s, onFailure: { goto: done } }',
      '  - { id: done, kind: end }',
    );
    assert.deepEqual(errorsOf(text), [
      {
        line: 9,
        column: 66,
        path: 'steps[0].steps[0].onFailure.goto',
        code: 'route_out_of_scope',
        message: "'done' is in another list (steps[1]); a route may only target a step in the same list",
      },
    ]);
  });

  test('switch cases and approval outcomes are routes too', () => {
    assert.deepEqual(
      errorsOf(
        playbook(
          '  - { id: sw, kind: switch, on: alert.severity_id, cases: { "5": nope }, default: ok }',
          '  - { id: ok, kind: approval, question: Go?, levels: [{ roles: [a], timeout: 1m }], defaultOutcome: reject, onApprove: gone }',
        ),
      ),
      [
        { line: 5, column: 66, path: 'steps[0].cases["5"]', code: 'unknown_route_target', message: "no step 'nope' in this list" },
        { line: 6, column: 120, path: 'steps[1].onApprove', code: 'unknown_route_target', message: "no step 'gone' in this list" },
      ],
    );
  });

  test('unreachable steps: after a routing step, after next, after an end', () => {
    const text = playbook(
      '  - { id: start, kind: condition, if: "true", then: route, else: final }',
      '  - { id: orphan, kind: status, status: triaged }',
      '  - { id: route, kind: wait, duration: 1s, next: final }',
      '  - { id: skipped, kind: status, status: triaged }',
      '  - { id: final, kind: end }',
      '  - { id: after_end, kind: status, status: closed }',
      '  - { id: after_that, kind: status, status: closed }',
    );
    assert.deepEqual(errorsOf(text), [
      {
        line: 6,
        column: 11,
        path: 'steps[1].id',
        code: 'unreachable_step',
        message: "step 'orphan' can never run: 'start' before it does not fall through and no step routes to it",
      },
      {
        line: 8,
        column: 11,
        path: 'steps[3].id',
        code: 'unreachable_step',
        message: "step 'skipped' can never run: 'route' before it does not fall through and no step routes to it",
      },
      {
        line: 10,
        column: 11,
        path: 'steps[5].id',
        code: 'unreachable_step',
        message: "step 'after_end' can never run: 'final' before it does not fall through and no step routes to it",
      },
      { line: 11, column: 11, path: 'steps[6].id', code: 'unreachable_step', message: "step 'after_that' can never run: no step routes to it and the step before it never runs" },
    ]);
  });

  test('a step after a conditional end, a condition without else, or a failing step that continues is reachable', () => {
    valid(
      playbook(
        '  - { id: maybe_end, kind: end, when: "alert.severity_id < 2" }',
        '  - { id: check, kind: condition, if: "true", then: tail }',
        '  - { id: risky, kind: wait, duration: 1s, next: tail, onFailure: continue }',
        '  - { id: after_failure, kind: status, status: on_hold }',
        '  - { id: tail, kind: end }',
      ),
    );
  });

  test('route cycles are refused; only loop and foreach repeat', () => {
    const text = playbook(
      '  - { id: ask, kind: wait, duration: 1m }',
      '  - { id: check, kind: condition, if: "steps.ask.output.newAlert", then: done }',
      '  - { id: again, kind: status, status: on_hold, next: ask }',
      '  - { id: done, kind: end }',
    );
    assert.deepEqual(errorsOf(text), [
      { line: 7, column: 55, path: 'steps[2].next', code: 'route_cycle', message: 'this route makes a cycle (ask → check → again → ask); only loop and foreach steps repeat' },
    ]);
    assert.deepEqual(errorsOf(playbook('  - { id: self, kind: wait, duration: 1s, next: self }')), [
      { line: 5, column: 49, path: 'steps[0].next', code: 'route_cycle', message: 'this route makes a cycle (self → self); only loop and foreach steps repeat' },
    ]);
  });
});

describe('actions', () => {
  test('unknown action, with a suggestion when the catalogue lists its keys', () => {
    const text = playbook('  - { id: a, kind: action, action: virustotal.get_ip_rep }');
    assert.deepEqual(errorsOf(text), [
      {
        line: 5,
        column: 36,
        path: 'steps[0].action',
        code: 'unknown_action',
        message: "no action 'virustotal.get_ip_rep' in the integration catalogue; did you mean 'virustotal.get_ip_report'?",
      },
    ]);
    assert.equal(errorsOf(text, catalogWithoutKeys)[0].message, "no action 'virustotal.get_ip_rep' in the integration catalogue");
  });

  test('parameters: required present, no unknown keys, literal values type-checked, templates not', () => {
    const text = playbook(
      '  - id: a',
      '    kind: action',
      '    action: virustotal.get_ip_report',
      '    with:',
      '      address: "{{alert.device.ip}}"',
      '      includeResolutions: "yes"',
      '  - id: b',
      '    kind: action',
      '    action: virustotal.get_ip_report',
      '    with: { ip: "1.2", includeResolutions: "{{vars.flag}}" }',
      '  - { id: c, kind: action, action: crowdstrike.contain_host }',
      '  - { id: flags, kind: set, vars: { flag: "true" } }',
    );
    assert.deepEqual(errorsOf(text), [
      { line: 9, column: 7, path: 'steps[0].with', code: 'invalid_action_params', message: "missing parameter 'ip' for virustotal.get_ip_report" },
      {
        line: 9,
        column: 7,
        path: 'steps[0].with.address',
        code: 'invalid_action_params',
        message: "unknown parameter 'address' for virustotal.get_ip_report (its parameters are ip, includeResolutions)",
      },
      {
        line: 10,
        column: 27,
        path: 'steps[0].with.includeResolutions',
        code: 'invalid_action_params',
        message: 'invalid parameter for virustotal.get_ip_report: Invalid input: expected boolean, received string',
      },
      {
        line: 14,
        column: 17,
        path: 'steps[1].with.ip',
        code: 'invalid_action_params',
        message: 'invalid parameter for virustotal.get_ip_report: Too small: expected string to have >=7 characters',
      },
      { line: 15, column: 36, path: 'steps[2].action', code: 'invalid_action_params', message: "missing parameter 'deviceId' for crowdstrike.contain_host" },
    ]);
  });

  test('nested literal values and object-level rules are checked when nothing is templated', () => {
    const text = playbook(
      '  - { id: a, kind: action, action: slack.post_message, with: { channel: "#soc", text: hi, mentions: [a, b, c, d] } }',
      '  - { id: b, kind: action, action: slack.post_message, with: { channel: "@bob", text: hi } }',
      '  - { id: c, kind: action, action: slack.post_message, with: { channel: "{{vars.who}}", text: hi }, output: who }',
    );
    assert.deepEqual(errorsOf(text), [
      {
        line: 5,
        column: 101,
        path: 'steps[0].with.mentions',
        code: 'invalid_action_params',
        message: 'invalid parameter for slack.post_message: Too big: expected array to have <=3 items',
      },
      { line: 6, column: 73, path: 'steps[1].with.channel', code: 'invalid_action_params', message: 'invalid parameter for slack.post_message: post to a channel, not a person' },
    ]);
  });
});

describe('templates and expressions', () => {
  test('templates must compile', () => {
    const text = playbook(
      '  - { id: a, kind: action, action: virustotal.get_ip_report, with: { ip: "{{alert.device.ip" } }',
      '  - id: ask',
      '    kind: approval',
      '    question: "Contain {{shout alert.device.hostname}}?"',
      '    levels: [{ roles: [lead], timeout: 1h }]',
      '    defaultOutcome: reject',
      '  - { id: tell, kind: notify, channel: slack, template: "{{> footer}}" }',
      '  - { id: bye, kind: end, summary: "{{#if alert.x}}open" }',
    );
    assert.deepEqual(errorsOf(text), [
      { line: 5, column: 74, path: 'steps[0].with.ip', code: 'invalid_template', message: 'template: syntax error on line 1: invalid text inside {{ }}' },
      {
        line: 8,
        column: 15,
        path: 'steps[1].question',
        code: 'invalid_template',
        message: "template: unknown helper 'shout'; the helpers are eq, json, join, default, upper, lower, truncate, if, unless, each, with, lookup",
      },
      { line: 11, column: 57, path: 'steps[2].template', code: 'invalid_template', message: 'template: partials ({{> name}}) are not supported' },
      { line: 12, column: 36, path: 'steps[3].summary', code: 'invalid_template', message: 'template: syntax error on line 1: the template ends too early' },
    ]);
  });

  test('a notify template may name a template file', () => {
    valid(playbook('  - { id: tell, kind: notify, channel: email, template: containment.hbs }'));
  });

  test('expressions must parse; the error points at the character', () => {
    const text = playbook(
      '  - id: check',
      '    kind: condition',
      '    if: alert.severity_id >= 4 &&',
      '    then: done',
      '  - { id: v, kind: set, vars: { x: "lower(alert.title).trim()" } }',
      '  - id: w',
      '    kind: wait',
      '    duration: 1s',
      '    when: |',
      '      exists(alert.device)',
      '        && alert.__proto__',
      '  - { id: done, kind: end }',
    );
    assert.deepEqual(errorsOf(text), [
      { line: 7, column: 34, path: 'steps[0].if', code: 'invalid_expression', message: 'expression: Expected expression after && (at character 26)' },
      {
        line: 9,
        column: 37,
        path: 'steps[1].vars.x',
        code: 'invalid_expression',
        message: 'expression: method calls are not supported; use a function such as lower(x) or contains(list, x) (at character 1)',
      },
      { line: 15, column: 12, path: 'steps[2].when', code: 'invalid_expression', message: "expression: property '__proto__' cannot be read (at character 27)" },
    ]);
  });

  test('a matches() pattern the linear-time engine refuses is reported at validation', () => {
    const text = playbook('  - id: check', '    kind: condition', "    if: matches(alert.finding_info.title, 'beacon(?=ing)')", '    then: done', '  - { id: done, kind: end }');
    assert.deepEqual(errorsOf(text), [
      {
        line: 7,
        column: 43,
        path: 'steps[0].if',
        code: 'invalid_expression',
        message: 'expression: matches() patterns cannot look ahead ((?= and (?!) or refer back to a group (\\1, \\k<name>) (at character 35)',
      },
    ]);
  });

  test('names read by expressions and templates must exist', () => {
    const text = playbook(
      '  - id: enrich',
      '    kind: action',
      '    action: virustotal.get_ip_report',
      '    with: { ip: "{{alrt.device.ip}}" }',
      '    output: vt',
      '  - id: check',
      '    kind: condition',
      '    if: steps.enrch.output.x > 1 || vars.tv || inputs.limit || item == 1',
      '    then: done',
      '  - { id: tell, kind: notify, channel: slack, template: "{{steps.enrich.output}} {{case.id}} {{vars.vt}}" }',
      '  - { id: done, kind: end }',
    );
    assert.deepEqual(errorsOf(text), [
      {
        line: 8,
        column: 17,
        path: 'steps[0].with.ip',
        code: 'unknown_identifier',
        message: "template reads 'alrt', which is not defined (the names are alert, case, steps, vars, inputs, observables); did you mean 'alert'?",
      },
      { line: 12, column: 9, path: 'steps[1].if', code: 'unknown_step_reference', message: "expression reads steps.enrch, but there is no step 'enrch'; did you mean 'enrich'?" },
      { line: 12, column: 9, path: 'steps[1].if', code: 'unknown_variable', message: "expression reads vars.tv, but no set step or action output defines 'tv'" },
      { line: 12, column: 9, path: 'steps[1].if', code: 'unknown_input', message: "expression reads inputs.limit, but the playbook declares no input 'limit'" },
      { line: 12, column: 9, path: 'steps[1].if', code: 'unknown_identifier', message: "'item' is only defined inside a foreach body" },
    ]);
  });

  test('a foreach binds its item name in its body only', () => {
    valid(
      playbook(
        '  - id: each',
        '    kind: foreach',
        '    items: observables.ip',
        '    steps:',
        '      - { id: look, kind: action, action: virustotal.get_ip_report, with: { ip: "{{item}}" }, when: "len(item) > 6" }',
        '  - id: each_host',
        '    kind: foreach',
        '    items: observables.hostname',
        '    as: host',
        '    steps:',
        '      - { id: note, kind: set, vars: { last: host } }',
      ),
    );
    assert.deepEqual(
      errorsOf(playbook('  - id: each', '    kind: foreach', '    items: observables.ip', '    as: ip', '    steps:', '      - { id: note, kind: set, vars: { last: item } }')),
      [{ line: 10, column: 46, path: 'steps[0].steps[0].vars.last', code: 'unknown_identifier', message: "'item' is only defined inside a foreach body" }],
    );
  });

  test('declared inputs can be read', () => {
    valid(
      [
        'id: enrich-ip',
        'name: Enrich an IP',
        'version: "1"',
        'inputs:',
        '  - { name: ip, type: string }',
        '  - { name: limit, type: number, default: 3 }',
        'steps:',
        '  - { id: look, kind: action, action: virustotal.get_ip_report, with: { ip: "{{inputs.ip}}" }, when: "inputs.limit > 0" }',
      ].join('\n'),
    );
  });
});

describe('other step rules', () => {
  test('wait needs something to wait for; guards names an action step; item names do not shadow; retry intervals', () => {
    const text = playbook(
      '  - { id: idle, kind: wait }',
      '  - { id: ask, kind: approval, question: Go?, guards: idle, levels: [{ roles: [a], timeout: 1m }], defaultOutcome: approve }',
      '  - { id: ask2, kind: approval, question: Go?, guards: nothing, levels: [{ roles: [a], timeout: 1m }], defaultOutcome: approve }',
      '  - { id: each, kind: foreach, items: observables.ip, as: alert, steps: [{ id: x, kind: wait, duration: 1s }] }',
      '  - { id: slow, kind: wait, duration: 1s, retry: { initialInterval: 1m, maxInterval: 10s } }',
      '  - { id: me, kind: playbook, playbook: triage }',
    );
    assert.deepEqual(errorsOf(text), [
      { line: 5, column: 23, path: 'steps[0].kind', code: 'invalid_step', message: 'a wait step needs duration, until, or both' },
      { line: 6, column: 55, path: 'steps[1].guards', code: 'invalid_step', message: "guards must name an action step; 'idle' is a wait step" },
      { line: 7, column: 56, path: 'steps[2].guards', code: 'invalid_step', message: "guards names no step 'nothing'" },
      { line: 8, column: 59, path: 'steps[3].as', code: 'invalid_step', message: "'alert' is already a name in scope; choose another name for the item" },
      { line: 9, column: 86, path: 'steps[4].retry.maxInterval', code: 'invalid_step', message: 'retry maxInterval is shorter than initialInterval' },
      { line: 10, column: 41, path: 'steps[5].playbook', code: 'playbook_cycle', message: 'a playbook cannot run itself' },
    ]);
  });

  test('input declarations', () => {
    const text = [
      'id: p',
      'name: P',
      'version: "1"',
      'inputs:',
      '  - { name: ip, type: string, default: 5 }',
      '  - { name: ip, type: list }',
      'steps:',
      '  - { id: done, kind: end }',
    ].join('\n');
    assert.deepEqual(errorsOf(text), [
      { line: 5, column: 40, path: 'inputs[0].default', code: 'invalid_input', message: "the default of input 'ip' is not a string" },
      { line: 6, column: 13, path: 'inputs[1].name', code: 'invalid_input', message: "input 'ip' is declared twice" },
    ]);
  });
});

describe('loadPlaybookDirectory', () => {
  async function withFolder(files: Record<string, string>, run: (dir: string) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(path.join(tmpdir(), 'vigil-playbooks-'));
    try {
      for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text, 'utf8');
      await run(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const simple = (id: string, ...steps: string[]): string => [`id: ${id}`, `name: ${id}`, 'version: "1"', 'steps:', ...steps].join('\n') + '\n';
  const brief = (errors: PlaybookError[], dir: string): string[] =>
    errors.map((error) => `${path.relative(dir, error.file)}:${error.line}:${error.column} ${error.path} ${error.code}: ${error.message}`);

  test('loads valid playbooks, skips tests and other files, reports the rest', async () => {
    await withFolder(
      {
        'b-main.yaml': simple('main', '  - { id: child, kind: playbook, playbook: enrich-ip, inputs: { ip: alert.device.ip } }'),
        'a-enrich.yaml': [
          'id: enrich-ip',
          'name: Enrich',
          'version: "1"',
          'inputs: [{ name: ip, type: string }]',
          'steps:',
          '  - { id: look, kind: action, action: virustotal.get_ip_report, with: { ip: "{{inputs.ip}}" } }',
        ].join('\n'),
        'main.test.yaml': 'not: a playbook',
        'notes.txt': 'ignored',
        'c-broken.yaml': 'id: broken\nname: [\n',
      },
      async (dir) => {
        const loaded = await loadPlaybookDirectory(dir, catalog);
        assert.deepEqual(
          loaded.playbooks.map((p) => [path.basename(p.file), p.playbook.id, p.hash.length]),
          [
            ['a-enrich.yaml', 'enrich-ip', 64],
            ['b-main.yaml', 'main', 64],
          ],
        );
        assert.deepEqual(brief(loaded.errors, dir), ['c-broken.yaml:3:1  yaml_syntax: Flow sequence in block collection must be sufficiently indented and end with a ]']);
      },
    );
  });

  test('duplicate ids, unknown sub-playbooks, inputs and cycles; a caller of an invalid playbook is left out too', async () => {
    await withFolder(
      {
        '1-a.yaml': simple('alpha', '  - { id: call_beta, kind: playbook, playbook: beta }'),
        '2-b.yaml': simple('beta', '  - { id: call_alpha, kind: playbook, playbook: alpha }'),
        '3-c.yaml': simple('alpha', '  - { id: done, kind: end }'),
        '4-d.yaml': simple('delta', '  - { id: call, kind: playbook, playbook: gamma }'),
        '5-e.yaml': simple('epsilon', '  - { id: call, kind: playbook, playbook: needs-input, inputs: { host: "1", ipp: "2" } }'),
        '6-f.yaml': [
          'id: needs-input',
          'name: N',
          'version: "1"',
          'inputs: [{ name: ip, type: string }, { name: host, type: string }]',
          'steps:',
          '  - { id: done, kind: end }',
        ].join('\n'),
        '7-g.yaml': simple('zeta', '  - { id: call, kind: playbook, playbook: epsilon }'),
      },
      async (dir) => {
        const loaded = await loadPlaybookDirectory(dir, catalog);
        assert.deepEqual(
          loaded.playbooks.map((p) => p.playbook.id),
          ['needs-input'],
        );
        assert.deepEqual(brief(loaded.errors, dir), [
          `3-c.yaml:1:5 id duplicate_playbook_id: playbook id 'alpha' is already used by ${path.join(dir, '1-a.yaml')}`,
          '1-a.yaml:5:48 steps[0].playbook playbook_cycle: sub-playbooks make a cycle (alpha → beta → alpha)',
          "2-b.yaml:5:49 steps[0].playbook unknown_playbook: playbook 'alpha' is not valid, so this one cannot run it",
          "4-d.yaml:5:43 steps[0].playbook unknown_playbook: no playbook 'gamma' in this folder",
          "5-e.yaml:5:77 steps[0].inputs.ipp unknown_input: playbook 'needs-input' has no input 'ipp'; did you mean 'ip'?",
          "5-e.yaml:5:64 steps[0].inputs missing_input: playbook 'needs-input' needs input 'ip'",
          "7-g.yaml:5:43 steps[0].playbook unknown_playbook: playbook 'epsilon' is not valid, so this one cannot run it",
        ]);
      },
    );
  });

  test('a missing folder is reported, not thrown', async () => {
    const loaded = await loadPlaybookDirectory(path.join(tmpdir(), 'vigil-no-such-folder-7d1c'), catalog);
    assert.equal(loaded.playbooks.length, 0);
    assert.equal(loaded.errors.length, 1);
    assert.equal(loaded.errors[0].code, 'io_error');
    assert.match(loaded.errors[0].message, /^cannot read the playbook folder: ENOENT/);
  });
});

describe('helpers', () => {
  test('formatPath', () => {
    assert.equal(formatPath(['steps', 2, 'with', 'ip']), 'steps[2].with.ip');
    assert.equal(formatPath(['steps', 0, 'cases', '5']), 'steps[0].cases["5"]');
    assert.equal(formatPath([]), '');
  });

  test('canonicalJson sorts keys at every level and drops undefined', () => {
    assert.equal(canonicalJson({ b: [{ z: 1, a: undefined, y: null }], a: 'x' }), '{"a":"x","b":[{"y":null,"z":1}]}');
  });
});
