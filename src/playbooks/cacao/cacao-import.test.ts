import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureJson } from '../../../test/support/fixtures.js';
import { importCacao, type CacaoImportResult } from './cacao-import.js';
import type { Playbook, Step } from '../../../workflows/language/playbook.types.js';
import { b64, containHost, ref, type CacaoDoc as Doc } from '../../../test/support/cacao-test-documents.js';

function fixture(name: string): Doc {
  return structuredClone(readFixtureJson('cacao', name)) as Doc;
}

function imported(doc: unknown): { playbook: Playbook; warnings: string[] } {
  const result = importCacao(doc);
  if (!result.ok) assert.fail(`import refused: ${JSON.stringify(result.errors, null, 2)}`);
  return result;
}

function refused(result: CacaoImportResult): { path: string; code: string; message: string }[] {
  assert.equal(result.ok, false);
  return result.ok ? [] : result.errors.map(({ path, code, message }) => ({ path, code, message }));
}

const ANALYST_24H = [{ roles: ['analyst'], timeout: '24h' }];

describe('importCacao: the OASIS and SOARCA fixtures', () => {
  test('basic-example-1: an ssh command becomes a manual task for an analyst, with a warning', () => {
    const { playbook, warnings } = imported(fixture('basic-example-1.json'));
    assert.deepEqual(playbook, {
      id: 'bad-mac-address',
      name: 'Bad MAC Address',
      version: '2023-02-19T01:09:00.000Z',
      description: 'This playbook addresses a malicious MAC address, illustrating an action step, command, and agent/target.',
      steps: [
        {
          id: 'block_mac_address',
          name: 'Block MAC address',
          kind: 'approval',
          question:
            'This command blocks a MAC address on a switch.\nRun this ssh command by hand on Switch and confirm when done:\nSwitch(conf)#mac address-table static 3467.0933.341c vlan X drop',
          levels: ANALYST_24H,
          defaultOutcome: 'reject',
        },
        { id: 'end', kind: 'end' },
      ],
    });
    assert.deepEqual(warnings, [
      "step 'Block MAC address' (action--6398eb05-3eb8-43f5-87d3-f24e07492a41): Vigil does not run ssh commands; the step is imported as a manual task for an analyst",
    ]);
  });

  test('spec-3.1-example: playbook variables become a set step and references become {{vars.x}}', () => {
    const { playbook, warnings } = imported(fixture('spec-3.1-example.json'));
    assert.deepEqual(playbook, {
      id: 'find-malware-fuzzypanda',
      name: 'Find Malware FuzzyPanda',
      version: '2023-02-19T08:00:24.918Z',
      description: 'This playbook will look for FuzzyPanda on the network and in a SIEM',
      steps: [
        { id: 'set_variables', name: 'Set playbook variables', kind: 'set', vars: { data_exfil_site: "'1.2.3.4'" } },
        {
          id: 'ip_lookup',
          name: 'IP Lookup',
          kind: 'approval',
          question: 'Look up IP {{vars.data_exfil_site}} in SIEM',
          levels: ANALYST_24H,
          defaultOutcome: 'reject',
        },
        { id: 'end_playbook_example_1', name: 'End Playbook Example 1', kind: 'end' },
      ],
    });
    assert.deepEqual(warnings, []);
  });

  test('soarca-http-playbook: an http-api command on an http-api target becomes http.request', () => {
    const { playbook, warnings } = imported(fixture('soarca-http-playbook.json'));
    assert.equal(playbook.id, 'example-http');
    assert.equal(playbook.version, '2023-11-20T15:56:00.123456Z');
    assert.deepEqual(playbook.steps, [
      { id: 'get', name: 'get', kind: 'action', action: 'http.request', with: { method: 'GET', url: 'http://httpbin.org/get' } },
      { id: 'end_flow', name: 'End Flow', kind: 'end' },
    ]);
    assert.deepEqual(warnings, [
      "/agent_definitions/soarca--00020001-1000-1000-a000-000100010001/type: agent-target type 'soarca' is not in CACAO's vocabulary; Vigil does not use it to run commands",
    ]);
  });

  test('soarca-openc2-playbook: a deny on an ipv4_connection becomes the generic openc2.command', () => {
    const { playbook, warnings } = imported(fixture('soarca-openc2-playbook.json'));
    assert.deepEqual(playbook.steps, [
      {
        id: 'openc2',
        name: 'openc2',
        kind: 'action',
        action: 'openc2.command',
        with: {
          request: {
            action: 'deny',
            target: { ipv4_connection: { protocol: 'tcp', src_addr: '1.2.3.4', src_port: 10996, dst_addr: '198.2.3.4', dst_port: 80 } },
            args: { start_time: 1534775460000, duration: 500, response_requested: 'ack', slpf: { drop_process: 'none' } },
            profile: 'slpf',
          },
        },
      },
      { id: 'end_flow', name: 'End Flow', kind: 'end' },
    ]);
    assert.ok(warnings.includes("step 'openc2' (action--eb9372d4-d524-49fc-bf24-be26ea084779): command type 'openc2' is not CACAO's; it is read as openc2-http"));
  });

  test('every imported step id is unique lower snake_case', () => {
    for (const name of ['basic-example-1.json', 'spec-3.1-example.json', 'soarca-http-playbook.json', 'soarca-openc2-playbook.json']) {
      const ids = allSteps(imported(fixture(name)).playbook.steps).map((s) => s.id);
      assert.equal(new Set(ids).size, ids.length, name);
      for (const id of ids) assert.match(id, /^[a-z][a-z0-9_]*$/);
    }
  });
});

describe('importCacao: refusals', () => {
  test('a dangling reference', () => {
    const doc = fixture('spec-3.1-example.json');
    doc.workflow['action--7f40f9d7-de39-4027-ab97-15035beff2ff']!['on_completion'] = 'end--6b23c237-ade8-4d00-9aa1-000000000000';
    assert.deepEqual(refused(importCacao(doc)), [
      {
        path: '/workflow/action--7f40f9d7-de39-4027-ab97-15035beff2ff/on_completion',
        code: 'dangling-reference',
        message: "step 'end--6b23c237-ade8-4d00-9aa1-000000000000' is not in the workflow",
      },
    ]);
  });

  test('on_completion and on_success both set', () => {
    const doc = fixture('soarca-http-playbook.json');
    doc.workflow['action--eb9372d4-d524-49fc-bf24-be26ea084779']!['on_success'] = 'end--a6f0b81e-affb-4bca-b4f6-a2d5af908958';
    assert.deepEqual(refused(importCacao(doc)), [
      {
        path: '/workflow/action--eb9372d4-d524-49fc-bf24-be26ea084779/on_completion',
        code: 'exclusive-pointers',
        message: 'on_completion cannot be set together with on_success',
      },
    ]);
  });

  test('an unknown step type', () => {
    const doc = fixture('basic-example-1.json');
    doc.workflow['end--116cdac5-63f1-4d8f-b3a8-e5667936e9b6']!['type'] = 'finish';
    assert.deepEqual(refused(importCacao(doc)), [
      {
        path: '/workflow/end--116cdac5-63f1-4d8f-b3a8-e5667936e9b6/type',
        code: 'unknown-step-type',
        message: 'unknown step type "finish"; CACAO 2.0 steps are start, end, action, playbook-action, parallel, if-condition, while-condition, switch-condition',
      },
    ]);
  });

  test('warnings alone do not refuse', () => {
    assert.equal(importCacao(fixture('soarca-openc2-playbook.json')).ok, true);
  });
});

function allSteps(steps: Step[]): Step[] {
  return steps.flatMap((s) => [s, ...(s.kind === 'parallel' ? s.branches.flatMap(allSteps) : []), ...(s.kind === 'loop' || s.kind === 'foreach' ? allSteps(s.steps) : [])]);
}

describe('importCacao: branching, loops and routes', () => {
  test('converts every step type into a list whose fall-through matches the CACAO pointers', () => {
    const { playbook, warnings } = imported(containHost());
    assert.equal(playbook.id, 'contain-host');
    assert.deepEqual(playbook.inputs, [{ name: 'host', type: 'string', default: '192.0.2.7', description: 'Host to contain' }]);
    assert.deepEqual(playbook.steps, [
      { id: 'set_variables', name: 'Set playbook variables', kind: 'set', vars: { host: 'inputs.host', verdict: "'unknown'", tries: '0' } },
      {
        id: 'look_up_host',
        name: 'Look up host',
        kind: 'action',
        action: 'http.request',
        with: { method: 'GET', url: 'https://cmdb.example.org/api/hosts/{{vars.host}}', headers: { Authorization: 'Bearer x' } },
        output: 'verdict',
        onFailure: { goto: 'lookup_failed' },
      },
      { id: 'is_malicious', name: 'Is malicious?', kind: 'condition', if: "vars.verdict == 'malicious' && vars.tries < 3", then: 'contain', else: 'note_benign' },
      {
        id: 'contain',
        name: 'Contain',
        kind: 'parallel',
        branches: [
          [{ id: 'isolate', name: 'Isolate', kind: 'action', action: 'openc2.command', with: { request: { action: 'deny', target: { ipv4_net: '{{vars.host}}' } } } }],
          [
            {
              id: 'tell_owner',
              name: 'Tell owner (1/2)',
              kind: 'approval',
              question: 'Call the owner of {{vars.host}}',
              levels: [{ roles: ['analyst'], timeout: '1h' }],
              defaultOutcome: 'reject',
            },
            {
              id: 'tell_owner_2',
              name: 'Tell owner (2/2)',
              kind: 'approval',
              question: 'Run this bash command by hand and confirm when done:\nlogger contained',
              levels: [{ roles: ['analyst'], timeout: '1h' }],
              defaultOutcome: 'reject',
            },
          ],
        ],
        // The branch of the if-condition ends after the parallel step: back to the step after the condition.
        next: 'route_by_verdict',
      },
      // Falls through to the switch, which follows it.
      { id: 'note_benign', name: 'Note benign', kind: 'approval', question: 'Note that the host is benign', levels: ANALYST_24H, defaultOutcome: 'reject' },
      { id: 'route_by_verdict', name: 'Route by verdict', kind: 'switch', on: 'vars.verdict', cases: { malicious: 'retry_scan' }, default: 'no_more' },
      {
        id: 'retry_scan',
        name: 'Retry scan',
        kind: 'loop',
        while: 'vars.tries < 3',
        maxIterations: 100,
        steps: [
          { id: 'scan', name: 'Scan', kind: 'action', action: 'http.request', with: { method: 'POST', url: 'https://scanner.example.org/scan', body: '{"host":"{{vars.host}}"}' } },
        ],
      },
      { id: 'end', kind: 'end' },
      { id: 'no_more', name: 'No more', kind: 'end' },
      { id: 'lookup_failed', name: 'Lookup failed', kind: 'end' },
    ]);
    assert.deepEqual(warnings, [
      'workflow_exception is not applied to steps inside parallel branches or loops: Vigil routes only within a list',
      "step 'Tell owner' (action--00000000-0000-4000-8000-000000000004): Vigil does not run bash commands; the step is imported as a manual task for an analyst",
    ]);
  });

  test('routes failures of top-level steps without on_failure to workflow_exception', () => {
    const doc = containHost();
    delete doc.workflow[ref('action', 1)]!['on_failure'];
    const { playbook } = imported(doc);
    const lookUp = playbook.steps.find((s) => s.id === 'look_up_host');
    assert.deepEqual(lookUp?.onFailure, { goto: 'escalate' });
    assert.deepEqual(
      playbook.steps.slice(-2).map((s) => [s.id, s.kind]),
      [
        ['escalate', 'approval'],
        ['escalated', 'end'],
      ],
    );
  });

  test('parallel branches without end steps end where they meet, which follows the parallel step', () => {
    const doc = containHost();
    const w = doc.workflow;
    w[ref('start', 1)]!['on_completion'] = ref('parallel', 1);
    w[ref('parallel', 1)] = { type: 'parallel', name: 'Fan out', next_steps: [ref('action', 3), ref('action', 2)] };
    w[ref('action', 3)]!['on_completion'] = ref('action', 99);
    w[ref('action', 2)]!['on_completion'] = ref('action', 99);
    const { playbook, warnings } = imported(doc);
    assert.deepEqual(
      playbook.steps.map((s) => [s.id, s.kind, s.kind === 'parallel' ? s.branches.map((b) => b.map((x) => x.id)) : undefined]),
      [
        ['set_variables', 'set', undefined],
        ['fan_out', 'parallel', [['isolate'], ['note_benign']]],
        ['escalate', 'approval', undefined],
        ['escalated', 'end', undefined],
      ],
    );
    assert.ok(warnings.some((w) => w.includes(`the branches meet at ${ref('action', 99)} without on_completion`)));
  });

  test('an if-condition without on_false goes on with on_completion when false', () => {
    const doc = containHost();
    delete doc.workflow[ref('if-condition', 1)]!['on_false'];
    const { playbook } = imported(doc);
    const condition = playbook.steps.find((s) => s.id === 'is_malicious');
    assert.deepEqual(condition, {
      id: 'is_malicious',
      name: 'Is malicious?',
      kind: 'condition',
      if: "vars.verdict == 'malicious' && vars.tries < 3",
      then: 'contain',
      else: 'route_by_verdict',
    });
  });

  test('translates a STIX pattern condition over observed objects', () => {
    const doc = containHost();
    doc.workflow[ref('if-condition', 1)]!['condition'] = "[ipv4-addr:value = '198.51.100.1'] OR [domain-name:value = '__verdict__:value']";
    const { playbook } = imported(doc);
    const condition = playbook.steps.find((s) => s.id === 'is_malicious');
    assert.equal(condition?.kind === 'condition' ? condition.if : undefined, "contains(observables.ip, '198.51.100.1') || contains(observables.domain, vars.verdict)");
  });

  test('refuses a condition it cannot translate: 422 material naming the construct and its JSON Pointer', () => {
    const doc = containHost();
    doc.workflow[ref('if-condition', 1)]!['condition'] = "[ipv4-addr:value = '198.51.100.1'] REPEATS 3 TIMES";
    doc.workflow[ref('while-condition', 1)]!['condition'] = "__tries__:value ISSUBSET '10.0.0.0/8'";
    const result = importCacao(doc);
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? undefined : result.unsupported, [
      {
        pointer: `/workflow/${ref('if-condition', 1)}/condition`,
        construct: 'REPEATS',
        message: 'REPEATS qualifies a stream of observations in time; a Vigil condition is evaluated once, on the case as it is',
      },
      {
        pointer: `/workflow/${ref('while-condition', 1)}/condition`,
        construct: 'ISSUBSET',
        message: 'ISSUBSET compares address ranges; Vigil expressions have no address-range function',
      },
    ]);
  });

  test('refuses a condition that is not STIX patterning, and a switch that is not a variable', () => {
    const doc = containHost();
    doc.workflow[ref('if-condition', 1)]!['condition'] = 'NOT __verdict__:value = 1';
    doc.workflow[ref('switch-condition', 1)]!['switch'] = "lower('__verdict__:value')";
    const result = importCacao(doc);
    assert.deepEqual(result.ok ? undefined : result.unsupported?.map(({ pointer, construct }) => ({ pointer, construct })), [
      { pointer: `/workflow/${ref('if-condition', 1)}/condition`, construct: 'STIX pattern syntax' },
      { pointer: `/workflow/${ref('switch-condition', 1)}/switch`, construct: 'switch expression' },
    ]);
  });

  test('manual tasks take their timeout from the step, and on_failure becomes the rejection route', () => {
    // Inside the condition's false branch any end step ends the branch: the rejection returns to
    // the step after the condition, as the specification reads (and SOARCA runs it).
    const doc = containHost();
    const note = doc.workflow[ref('action', 2)]!;
    note['timeout'] = 7_200_000;
    delete note['on_completion'];
    note['on_success'] = ref('end', 5);
    note['on_failure'] = ref('end', 9);
    const { playbook } = imported(doc);
    assert.deepEqual(
      playbook.steps.find((s) => s.id === 'note_benign'),
      {
        id: 'note_benign',
        name: 'Note benign',
        kind: 'approval',
        question: 'Note that the host is benign',
        levels: [{ roles: ['analyst'], timeout: '2h' }],
        defaultOutcome: 'reject',
        onReject: 'route_by_verdict',
      },
    );
  });

  test('an openc2 allow on ipv4_net becomes openc2.command, sent to the OpenC2 connection of the tenant rather than a URL in the playbook', () => {
    const doc = containHost();
    const isolate = doc.workflow[ref('action', 3)]!;
    isolate['commands'] = [
      {
        type: 'openc2-http',
        command: 'POST https://fw.example.org/oc2 HTTP/1.1',
        content_b64: b64({ headers: {}, body: { openc2: { request: { action: 'allow', target: { ipv4_net: '198.51.100.0/24' }, args: { duration: 60 } } } } }),
      },
    ];
    delete isolate['targets'];
    const { playbook } = imported(doc);
    const steps = allSteps(playbook.steps);
    assert.deepEqual(
      steps.find((s) => s.id === 'isolate'),
      {
        id: 'isolate',
        name: 'Isolate',
        kind: 'action',
        action: 'openc2.command',
        with: { request: { action: 'allow', target: { ipv4_net: '198.51.100.0/24' }, args: { duration: 60 } } },
      },
    );
  });

  test('playbook-action becomes a playbook step; the id resolver maps CACAO ids to Vigil ids', () => {
    // A sub-playbook can fail: without on_failure it goes to workflow_exception, converted at the end.
    const doc = containHost();
    delete doc.workflow[ref('action', 2)];
    doc.workflow[ref('playbook-action', 2)] = {
      type: 'playbook-action',
      name: 'Run benign checks',
      playbook_id: ref('playbook', 7),
      in_args: ['__host__'],
      on_completion: ref('end', 5),
    };
    doc.workflow[ref('if-condition', 1)]!['on_false'] = ref('playbook-action', 2);
    const result = importCacao(doc, { resolvePlaybookId: (id) => (id === ref('playbook', 7) ? 'benign-checks' : undefined) });
    assert.ok(result.ok);
    assert.deepEqual(
      result.playbook.steps.find((s) => s.kind === 'playbook'),
      { id: 'run_benign_checks', name: 'Run benign checks', kind: 'playbook', playbook: 'benign-checks', inputs: { host: 'vars.host' }, onFailure: { goto: 'escalate' } },
    );
    const unresolved = imported(doc);
    const child = unresolved.playbook.steps.find((s) => s.kind === 'playbook');
    assert.equal(child?.kind === 'playbook' ? child.playbook : undefined, ref('playbook', 7));
    assert.ok(unresolved.warnings.some((w) => w.includes(`playbook ${ref('playbook', 7)} is kept as the sub-playbook id`)));
  });

  test('gives colliding names unique ids', () => {
    const doc = fixture('soarca-http-playbook.json');
    doc.workflow['end--a6f0b81e-affb-4bca-b4f6-a2d5af908958']!['name'] = 'get';
    const { playbook } = imported(doc);
    assert.deepEqual(
      playbook.steps.map((s) => s.id),
      ['get', 'get_2'],
    );
  });

  test('uses playbook_revision for the version when a producer adds it', () => {
    const doc = fixture('soarca-http-playbook.json');
    doc['playbook_revision'] = 3;
    assert.equal(imported(doc).playbook.version, '3');
  });
});

describe('importCacao: lenient readings of harmless deviations', () => {
  const START = 'start--00000000-0000-4000-8000-000000000001';
  const SWITCH = 'switch-condition--00000000-0000-4000-8000-000000000002';
  const ONE = 'action--00000000-0000-4000-8000-000000000003';
  const OTHER = 'action--00000000-0000-4000-8000-000000000004';
  const AFTER = 'action--00000000-0000-4000-8000-000000000005';
  const END = 'end--00000000-0000-4000-8000-000000000006';

  function switchWithoutValue(): Doc {
    return {
      type: 'playbook',
      spec_version: 'cacao-2.0',
      id: 'playbook--00000000-0000-4000-8000-000000000000',
      name: 'Pick by hand',
      created_by: 'identity--00000000-0000-4000-8000-000000000000',
      created: '2024-01-01T00:00:00.000Z',
      modified: '2024-01-01T00:00:00.000Z',
      workflow_start: START,
      workflow: {
        [START]: { type: 'start', on_completion: SWITCH },
        [SWITCH]: { type: 'switch-condition', name: 'Which', cases: { '1': ONE, default: OTHER }, on_completion: AFTER },
        [ONE]: { type: 'action', name: 'Case one', on_completion: END },
        [OTHER]: { type: 'action', name: 'Other', description: 'Anything else', on_completion: END },
        [AFTER]: { type: 'action', name: 'After', on_completion: END },
        [END]: { type: 'end' },
      },
    } as unknown as Doc;
  }

  test('a switch without a value is an analyst decision, one approval per case; actions without commands are manual tasks', () => {
    const { playbook, warnings } = imported(switchWithoutValue());
    const [which, one, other] = playbook.steps;
    assert.equal(which?.kind, 'approval');
    assert.ok(which?.kind === 'approval' && /Take the case '1'\?/.test(which.question));
    assert.deepEqual(which?.kind === 'approval' ? [which.onApprove, which.onReject, which.defaultOutcome] : [], ['case_one', 'other', 'reject']);
    assert.ok(one?.kind === 'approval' && /has no command in the CACAO playbook/.test(one.question));
    assert.ok(other?.kind === 'approval' && other.question.startsWith('Other: Anything else\n'));
    assert.ok(warnings.some((w) => w.startsWith(`/workflow/${SWITCH}/switch: `)));
    assert.ok(warnings.some((w) => w.startsWith(`/workflow/${ONE}/commands: `)));
  });

  test('a workflow_start naming an action starts there; a workflow_exception naming no step is ignored', () => {
    const doc = switchWithoutValue();
    doc['workflow_start'] = AFTER;
    doc['workflow_exception'] = 'action--00000000-0000-4000-8000-0000000000ee';
    const { playbook, warnings } = imported(doc);
    assert.deepEqual(
      playbook.steps.map((s) => [s.id, s.kind, s.onFailure]),
      [
        ['after', 'approval', undefined],
        ['end', 'end', undefined],
      ],
    );
    assert.ok(warnings.some((w) => w.startsWith('/workflow_start: ')));
    assert.ok(warnings.some((w) => w.startsWith('/workflow_exception: ')));
  });
});
