import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureJson } from '../../../test/support/fixtures.js';
import { hasErrors, jsonPointer, validateCacao } from './cacao-validate.js';
import type { CacaoIssue } from './cacao.types.js';

const FIXTURES = ['basic-example-1.json', 'spec-3.1-example.json', 'soarca-http-playbook.json', 'soarca-openc2-playbook.json'];

type Doc = Record<string, unknown> & { workflow: Record<string, Record<string, unknown>> };

function fixture(name: string): Doc {
  return structuredClone(readFixtureJson('cacao', name)) as Doc;
}

function errors(issues: CacaoIssue[]): CacaoIssue[] {
  return issues.filter((issue) => issue.severity === 'error');
}

const BASIC_ACTION = 'action--6398eb05-3eb8-43f5-87d3-f24e07492a41';
const BASIC_START = 'start--fa16a4e9-e6b9-4658-b464-ca1632ff57f4';
const BASIC_END = 'end--116cdac5-63f1-4d8f-b3a8-e5667936e9b6';

describe('validateCacao', () => {
  for (const name of FIXTURES) {
    test(`accepts the ${name} fixture`, () => {
      assert.deepEqual(errors(validateCacao(fixture(name))), []);
    });
  }

  test('warns, without rejecting, about SOARCA agent types and its openc2 command type', () => {
    const issues = validateCacao(fixture('soarca-openc2-playbook.json'));
    assert.equal(hasErrors(issues), false);
    assert.deepEqual(
      issues.map((i) => [i.severity, i.code, i.path]),
      [
        ['warning', 'unknown-agent-type', '/agent_definitions/soarca--00020001-1000-1000-a000-000100010001/type'],
        ['warning', 'unknown-command-type', '/workflow/action--eb9372d4-d524-49fc-bf24-be26ea084779/commands/0/type'],
      ],
    );
  });

  test('reports a dangling on_completion with its path', () => {
    const doc = fixture('basic-example-1.json');
    doc.workflow[BASIC_ACTION]!['on_completion'] = 'end--00000000-0000-4000-8000-000000000000';
    const issues = errors(validateCacao(doc));
    assert.deepEqual(issues, [
      {
        path: `/workflow/${BASIC_ACTION}/on_completion`,
        code: 'dangling-reference',
        message: "step 'end--00000000-0000-4000-8000-000000000000' is not in the workflow",
        severity: 'error',
      },
    ]);
  });

  test('reports dangling references in next_steps, cases, on_true and workflow_start', () => {
    const doc = fixture('basic-example-1.json');
    const missing = 'action--00000000-0000-4000-8000-00000000dead';
    doc.workflow['parallel--00000000-0000-4000-8000-000000000001'] = { type: 'parallel', next_steps: [BASIC_ACTION, missing], on_completion: BASIC_END };
    doc.workflow['switch-condition--00000000-0000-4000-8000-000000000002'] = { type: 'switch-condition', switch: 'x', cases: { a: missing }, on_completion: BASIC_END };
    doc.workflow['while-condition--00000000-0000-4000-8000-000000000003'] = { type: 'while-condition', condition: 'true', on_true: missing, on_completion: BASIC_END };
    doc['workflow_start'] = 'start--00000000-0000-4000-8000-000000000004';
    const dangling = errors(validateCacao(doc))
      .filter((i) => i.code === 'dangling-reference')
      .map((i) => i.path);
    assert.deepEqual(dangling, [
      '/workflow/parallel--00000000-0000-4000-8000-000000000001/next_steps/1',
      '/workflow/switch-condition--00000000-0000-4000-8000-000000000002/cases/a',
      '/workflow/while-condition--00000000-0000-4000-8000-000000000003/on_true',
      '/workflow_start',
    ]);
  });

  test('refuses on_completion together with on_success', () => {
    const doc = fixture('basic-example-1.json');
    doc.workflow[BASIC_ACTION]!['on_success'] = BASIC_END;
    assert.deepEqual(errors(validateCacao(doc)), [
      {
        path: `/workflow/${BASIC_ACTION}/on_completion`,
        code: 'exclusive-pointers',
        message: 'on_completion cannot be set together with on_success',
        severity: 'error',
      },
    ]);
  });

  test('refuses on_completion together with on_failure, and pointers on end and start steps', () => {
    const doc = fixture('basic-example-1.json');
    doc.workflow[BASIC_ACTION]!['on_failure'] = BASIC_END;
    doc.workflow[BASIC_END]!['on_completion'] = BASIC_ACTION;
    doc.workflow[BASIC_START]!['on_failure'] = BASIC_END;
    assert.deepEqual(
      errors(validateCacao(doc)).map((i) => [i.code, i.path]),
      [
        ['exclusive-pointers', `/workflow/${BASIC_START}/on_completion`],
        ['forbidden-pointer', `/workflow/${BASIC_START}/on_failure`],
        ['exclusive-pointers', `/workflow/${BASIC_ACTION}/on_completion`],
        ['forbidden-pointer', `/workflow/${BASIC_END}/on_completion`],
      ],
    );
  });

  test('refuses unknown step types', () => {
    const doc = fixture('basic-example-1.json');
    doc.workflow[BASIC_ACTION]!['type'] = 'single';
    const issues = errors(validateCacao(doc));
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.code, 'unknown-step-type');
    assert.equal(issues[0]!.path, `/workflow/${BASIC_ACTION}/type`);
    assert.match(issues[0]!.message, /unknown step type "single"/);
  });

  test('keeps step keys that do not match their type or are not identifiers, with warnings', () => {
    const doc = fixture('basic-example-1.json');
    const step = doc.workflow[BASIC_END]!;
    delete doc.workflow[BASIC_END];
    doc.workflow['action--116cdac5-63f1-4d8f-b3a8-e5667936e9b6'] = step;
    doc.workflow[BASIC_ACTION]!['on_completion'] = 'action--116cdac5-63f1-4d8f-b3a8-e5667936e9b6';
    doc.workflow['end-1'] = { type: 'end' };
    const issues = validateCacao(doc);
    assert.deepEqual(errors(issues), []);
    assert.deepEqual(
      issues.map((i) => [i.severity, i.code, i.path]),
      [
        ['warning', 'key-type-mismatch', '/workflow/action--116cdac5-63f1-4d8f-b3a8-e5667936e9b6'],
        ['warning', 'invalid-identifier', '/workflow/end-1'],
        ['warning', 'unreachable-step', '/workflow/end-1'],
      ],
    );
  });

  test('checks required playbook properties and timestamp formats; identifiers in other forms are kept with a warning', () => {
    const doc = fixture('basic-example-1.json');
    delete doc['created_by'];
    doc['id'] = 'playbook--not-a-uuid';
    doc['spec_version'] = 'cacao-1.1';
    doc['modified'] = '2023-02-19 01:09';
    const issues = validateCacao(doc);
    assert.deepEqual(
      errors(issues).map((i) => [i.code, i.path]),
      [
        ['invalid-value', '/spec_version'],
        ['missing-property', '/created_by'],
        ['invalid-timestamp', '/modified'],
      ],
    );
    assert.ok(issues.some((i) => i.severity === 'warning' && i.code === 'invalid-identifier' && i.path === '/id'));
  });

  test('warns about modified earlier than created, a workflow_start that is not a start step and a workflow_exception naming no step', () => {
    const doc = fixture('basic-example-1.json');
    doc['created'] = '2030-01-01T00:00:00.000Z';
    doc['workflow_start'] = BASIC_ACTION;
    doc['workflow_exception'] = 'end--00000000-0000-4000-8000-00000000000e';
    const issues = validateCacao(doc);
    assert.deepEqual(errors(issues), []);
    const codes = issues.map((i) => [i.code, i.path]);
    for (const expected of [
      ['invalid-value', '/modified'],
      ['not-a-start-step', '/workflow_start'],
      ['dangling-reference', '/workflow_exception'],
    ])
      assert.ok(
        codes.some((c) => c[0] === expected[0] && c[1] === expected[1]),
        JSON.stringify(expected),
      );
  });

  test('refuses an agent keyed as one CACAO type whose type says another, as the official schemas do', () => {
    const doc = fixture('basic-example-1.json');
    doc['agent_definitions'] = { 'http-api--00000000-0000-4000-8000-000000000001': { type: 'invalid', name: 'Firewall' } };
    assert.deepEqual(
      errors(validateCacao(doc)).map((i) => [i.code, i.path]),
      [['key-type-mismatch', '/agent_definitions/http-api--00000000-0000-4000-8000-000000000001/type']],
    );
    // A producer's own key prefix is only a naming habit.
    doc['agent_definitions'] = { 'soarca--00000000-0000-4000-8000-000000000001': { type: 'http-api', name: 'Firewall' } };
    assert.deepEqual(errors(validateCacao(doc)), []);
  });

  test('refuses a workflow from which no path reaches an end, not a loop through a while-condition', () => {
    const doc = fixture('basic-example-1.json');
    doc.workflow[BASIC_ACTION]!['on_completion'] = BASIC_ACTION;
    assert.deepEqual(
      errors(validateCacao(doc)).map((i) => [i.code, i.path]),
      [['endless-loop', `/workflow/${BASIC_ACTION}`]],
    );
    const loop = 'while-condition--00000000-0000-4000-8000-000000000001';
    doc.workflow[BASIC_START]!['on_completion'] = loop;
    doc.workflow[loop] = { type: 'while-condition', condition: "'a' = 'a'", on_true: BASIC_ACTION, on_completion: BASIC_END };
    doc.workflow[BASIC_ACTION]!['on_completion'] = loop;
    assert.deepEqual(errors(validateCacao(doc)), []);
  });

  test('refuses a workflow written as a list of steps (a CACAO 2.0 draft), naming what else stops it', () => {
    const doc = fixture('basic-example-1.json') as Record<string, unknown>;
    doc['workflow'] = [
      { step_uuid: 'step--00000000-0000-4000-8000-000000000001', type: 'action', on_completion: 'end--00000000-0000-4000-8000-000000000009' },
      { step_uuid: 'step--00000000-0000-4000-8000-000000000001', type: 'end' },
    ];
    const issues = errors(validateCacao(doc));
    assert.deepEqual(
      issues.map((i) => [i.code, i.path]),
      [['draft-workflow-list', '/workflow']],
    );
    assert.match(issues[0]!.message, /\/workflow\/0 and \/workflow\/1 share the step_uuid/);
    assert.match(issues[0]!.message, /\/workflow\/0\/on_completion names 'end--00000000-0000-4000-8000-000000000009'/);
  });

  test('warns about malformed agent contact addresses, which Vigil does not use', () => {
    const doc = fixture('basic-example-1.json');
    doc['agent_definitions'] = { 'individual--00000000-0000-4000-8000-000000000001': { type: 'individual', name: 'A', contact: { email: { work: 'a@b.com;`sh`' } } } };
    const issues = validateCacao(doc);
    assert.deepEqual(errors(issues), []);
    assert.ok(issues.some((i) => i.path === '/agent_definitions/individual--00000000-0000-4000-8000-000000000001/contact/email/work'));
  });

  test('refuses variables used in commands without a declaration', () => {
    const doc = fixture('spec-3.1-example.json');
    delete doc['playbook_variables'];
    const issues = errors(validateCacao(doc));
    assert.deepEqual(issues, [
      {
        path: '/workflow/action--7f40f9d7-de39-4027-ab97-15035beff2ff/commands/0/command',
        code: 'undeclared-variable',
        message: 'variable __data_exfil_site__ is used but declared neither in playbook_variables nor in any step_variables',
        severity: 'error',
      },
    ]);
  });

  test('finds undeclared variables inside base64 content and in conditions', () => {
    const doc = fixture('basic-example-1.json');
    const command = (doc.workflow[BASIC_ACTION]!['commands'] as Record<string, unknown>[])[0]!;
    command['command_b64'] = Buffer.from('block __mac__:value').toString('base64');
    doc.workflow['if-condition--00000000-0000-4000-8000-000000000001'] = {
      type: 'if-condition',
      condition: "__verdict__:value = 'bad'",
      on_true: BASIC_END,
      on_completion: BASIC_END,
    };
    doc.workflow[BASIC_START]!['on_completion'] = 'if-condition--00000000-0000-4000-8000-000000000001';
    const issues = errors(validateCacao(doc)).map((i) => [i.code, i.path, i.message.split(' ')[1]]);
    assert.deepEqual(issues, [
      ['undeclared-variable', `/workflow/${BASIC_ACTION}/commands/0/command_b64`, '__mac__'],
      ['undeclared-variable', '/workflow/if-condition--00000000-0000-4000-8000-000000000001/condition', '__verdict__'],
    ]);
  });

  test('accepts variables declared on any step', () => {
    const doc = fixture('spec-3.1-example.json');
    const variables = doc['playbook_variables'];
    delete doc['playbook_variables'];
    doc.workflow['end--6b23c237-ade8-4d00-9aa1-75999738d557']!['step_variables'] = variables;
    assert.equal(hasErrors(validateCacao(doc)), false);
  });

  test('refuses a parallel step with fewer than two next_steps; an action without commands is a warning', () => {
    const doc = fixture('basic-example-1.json');
    doc.workflow['parallel--00000000-0000-4000-8000-000000000001'] = { type: 'parallel', next_steps: [BASIC_ACTION], on_completion: BASIC_END };
    doc.workflow[BASIC_START]!['on_completion'] = 'parallel--00000000-0000-4000-8000-000000000001';
    doc.workflow[BASIC_ACTION]!['commands'] = [];
    const issues = validateCacao(doc);
    assert.deepEqual(
      errors(issues).map((i) => [i.code, i.path]),
      [['invalid-value', '/workflow/parallel--00000000-0000-4000-8000-000000000001/next_steps']],
    );
    assert.ok(issues.some((i) => i.severity === 'warning' && i.path === `/workflow/${BASIC_ACTION}/commands`));
  });

  test('warns about unreachable steps and undefined agents', () => {
    const doc = fixture('basic-example-1.json');
    doc.workflow['end--00000000-0000-4000-8000-000000000009'] = { type: 'end' };
    doc.workflow[BASIC_ACTION]!['agent'] = 'individual--00000000-0000-4000-8000-000000000009';
    const issues = validateCacao(doc);
    assert.equal(hasErrors(issues), false);
    assert.deepEqual(
      issues.map((i) => [i.code, i.path]),
      [
        ['undefined-agent', `/workflow/${BASIC_ACTION}/agent`],
        ['unreachable-step', '/workflow/end--00000000-0000-4000-8000-000000000009'],
      ],
    );
  });

  test('rejects what is not an object', () => {
    assert.deepEqual(validateCacao([]), [{ path: '', code: 'not-an-object', message: 'a CACAO playbook is a JSON object', severity: 'error' }]);
    assert.equal(errors(validateCacao({})).length, 8);
  });

  test('escapes JSON Pointer segments', () => {
    assert.equal(jsonPointer('cases', 'a/b~c'), '/cases/a~1b~0c');
  });
});
