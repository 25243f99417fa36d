import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureJson } from '../../../test/support/fixtures.js';
import { cacaoPlaybookId, exportCacao, exportCacaoWithWarnings } from './cacao-export.js';
import { importCacao } from './cacao-import.js';
import { validateCacao } from './cacao-validate.js';
import { IDENTIFIER_PATTERN, uuidV5, VIGIL_EXTENSION_ID } from './cacao-shared.js';
import { containHost } from '../../../test/support/cacao-test-documents.js';
import type { CacaoActionStep, CacaoIfConditionStep, CacaoPlaybook, CacaoWorkflowStep } from './cacao.types.js';
import type { Playbook, Step } from '../../../workflows/language/playbook.types.js';

const NOW = new Date('2024-05-01T10:00:00.000Z');

/** A small playbook with one step of most kinds, in the form Vigil's own import produces. */
function triage(): Playbook {
  return {
    id: 'phishing-triage',
    name: 'Phishing triage',
    version: '1.2',
    description: 'Triage reported phishing.',
    priority: 10,
    triggers: [{ sources: ['graph'], minSeverity: 3 }],
    inputs: [{ name: 'mailbox', type: 'string', default: 'soc@example.com' }],
    steps: [
      { id: 'init', kind: 'set', vars: { mailbox: 'inputs.mailbox', threshold: '70' } },
      {
        id: 'enrich',
        name: 'Enrich sender IP',
        kind: 'action',
        action: 'virustotal.get_ip_report',
        with: { ip: '{{alert.src_ip}}', box: '{{vars.mailbox}}' },
        output: 'report',
        retry: { maxAttempts: 2 },
      },
      { id: 'is_bad', kind: 'condition', if: "vars.report == 'malicious'", then: 'contain', else: 'close_fp' },
      {
        id: 'contain',
        kind: 'parallel',
        branches: [
          [{ id: 'block_ip', kind: 'action', action: 'openc2.deny_ipv4', with: { ipv4_net: '{{alert.src_ip}}/32' } }],
          [
            {
              id: 'ask_reset',
              kind: 'approval',
              question: 'Reset password of {{vars.mailbox}}?',
              levels: [{ roles: ['analyst'], timeout: '1h' }],
              defaultOutcome: 'reject',
              onReject: 'tell',
            },
            { id: 'reset', kind: 'action', action: 'entra.reset_password', with: { user: '{{vars.mailbox}}' }, onFailure: 'continue' },
            { id: 'tell', kind: 'notify', channel: 'slack', template: 'reset done' },
          ],
        ],
      },
      { id: 'by_sev', kind: 'switch', on: 'vars.report', cases: { high: 'page', low: 'wrap_up' }, default: 'wrap_up' },
      { id: 'page', kind: 'action', action: 'http.request', with: { method: 'POST', url: 'https://hooks.example.com/page?x=1', body: 'hi {{vars.report}}' }, timeout: '30s' },
      {
        id: 'poll',
        kind: 'loop',
        while: "vars.state != 'done'",
        maxIterations: 5,
        steps: [
          { id: 'pause', kind: 'wait', duration: '30s' },
          { id: 'check', kind: 'action', action: 'edr.get_status', output: 'state' },
        ],
      },
      { id: 'child', kind: 'playbook', playbook: 'notify-owner', inputs: { mailbox: 'vars.mailbox' } },
      { id: 'wrap_up', kind: 'status', status: 'contained' },
      { id: 'done', kind: 'end', status: 'resolved', resolution: 'true_positive' },
      { id: 'close_fp', kind: 'end', status: 'closed', resolution: 'false_positive' },
    ],
  };
}

function stepsOfType<T extends CacaoWorkflowStep['type']>(doc: CacaoPlaybook, type: T): Extract<CacaoWorkflowStep, { type: T }>[] {
  return Object.values(doc.workflow).filter((s): s is Extract<CacaoWorkflowStep, { type: T }> => s.type === type);
}

function named(doc: CacaoPlaybook, name: string): CacaoWorkflowStep {
  const step = Object.values(doc.workflow).find((s) => s.name === name);
  assert.ok(step, `no step named ${name}`);
  return step;
}

/** What a CACAO tool that ignores Vigil's extension sees. */
function withoutVigilExtension(doc: CacaoPlaybook): CacaoPlaybook {
  const copy = structuredClone(doc);
  delete copy.playbook_extensions;
  delete copy.extension_definitions;
  for (const step of Object.values(copy.workflow)) delete step.step_extensions;
  return copy;
}

function reimport(doc: unknown): Playbook {
  const result = importCacao(doc);
  if (!result.ok) assert.fail(JSON.stringify(result.errors, null, 2));
  return result.playbook;
}

// ---------------------------------------------------------------------------------------------
// The step graph with ids replaced by the order steps are reached in. Runs that end (an `end`
// step without status, or falling off the list) are all `END`; kinds CACAO only knows as manual
// tasks compare as `manual`.

const MANUAL_KINDS = new Set(['approval', 'set', 'wait', 'notify', 'status']);

function stepGraph(steps: Step[], options: { plainCacao?: boolean } = {}): unknown {
  const index = new Map(steps.map((s, i) => [s.id, i]));
  const labels = new Map<string, string>();
  const order: Step[] = [];
  const following = (step: Step): string | undefined => steps[index.get(step.id)! + 1]?.id;
  const isEnd = (id: string | undefined): boolean => {
    if (id === undefined) return true;
    const step = steps[index.get(id)!]!;
    return step.kind === 'end' && (options.plainCacao === true || (step.status === undefined && step.resolution === undefined && step.summary === undefined));
  };
  const visit = (id: string | undefined): string => {
    if (isEnd(id)) return 'END';
    const known = labels.get(id!);
    if (known) return known;
    const step = steps[index.get(id!)!]!;
    const label = `#${labels.size + 1}`;
    labels.set(id!, label);
    order.push(step);
    for (const next of routes(step)) if (next !== null) visit(next);
    return label;
  };
  const successor = (step: Step): string | undefined => step.next ?? following(step);
  /** null: no failure route (the run fails). */
  const failure = (step: Step): string | undefined | null => (step.onFailure === 'continue' ? following(step) : typeof step.onFailure === 'object' ? step.onFailure.goto : null);
  function routes(step: Step): (string | undefined | null)[] {
    switch (step.kind) {
      case 'end':
        return [];
      case 'condition':
        return [step.then, step.else ?? following(step)];
      case 'switch':
        return [
          ...Object.keys(step.cases)
            .sort()
            .map((k) => step.cases[k]),
          step.default ?? following(step),
        ];
      case 'approval':
        return [step.onApprove ?? successor(step), step.onReject ?? successor(step), failure(step)];
      default:
        return [successor(step), successor(step), failure(step)];
    }
  }
  visit(steps[0]?.id);
  return order.map((step) => {
    const manual = options.plainCacao === true && MANUAL_KINDS.has(step.kind);
    const kind = manual ? 'manual' : options.plainCacao && step.kind === 'foreach' ? 'loop' : step.kind;
    const node: Record<string, unknown> = { kind };
    const out = routes(step).map((r) => (r === null ? null : visit(r)));
    if (step.kind === 'condition') Object.assign(node, { then: out[0], else: out[1] });
    else if (step.kind === 'switch')
      Object.assign(node, {
        cases: Object.fromEntries(
          Object.keys(step.cases)
            .sort()
            .map((k, i) => [k, out[i]]),
        ),
        default: out[out.length - 1],
      });
    else if (manual) {
      // A manual task has one other route in CACAO (on_failure): the rejection, or the failure.
      node['next'] = out[0];
      const other = out[1] !== out[0] ? out[1] : out[2];
      if (other !== null) node['other'] = other;
    } else if (step.kind !== 'end') {
      node['next'] = out[0];
      if (out[1] !== out[0]) node['reject'] = out[1];
      if (out[2] !== null) node['failure'] = out[2];
    }
    if (step.kind === 'parallel') node['branches'] = step.branches.map((b) => stepGraph(b, options));
    if (step.kind === 'loop' || step.kind === 'foreach') node['body'] = stepGraph(step.steps, options);
    return node;
  });
}

describe('exportCacao', () => {
  test('name-based UUIDs follow RFC 4122 version 5', () => {
    assert.equal(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  test('writes a CACAO 2.0 document that passes validateCacao without a single issue', () => {
    const doc = exportCacao(triage(), { now: NOW, createdBy: 'Acme MDR' });
    assert.deepEqual(validateCacao(doc), []);
    assert.equal(doc.type, 'playbook');
    assert.equal(doc.spec_version, 'cacao-2.0');
    assert.equal(doc.id, cacaoPlaybookId('phishing-triage'));
    assert.equal(doc.name, 'Phishing triage');
    assert.equal(doc.created, '2024-05-01T10:00:00.000Z');
    assert.equal(doc.modified, '2024-05-01T10:00:00.000Z');
    assert.match(doc.created_by, /^identity--/);
    for (const id of [doc.id, doc.created_by, doc.workflow_start, ...Object.keys(doc.workflow)]) assert.match(id, IDENTIFIER_PATTERN);
    assert.equal(doc.workflow[doc.workflow_start]?.type, 'start');
    assert.deepEqual(doc.playbook_variables, {
      __mailbox__: { type: 'string', external: true, value: 'soc@example.com' },
      __threshold__: { type: 'integer', value: '70' },
      __report__: { type: 'string' },
      __state__: { type: 'string' },
    });
    assert.ok(doc.extension_definitions?.[VIGIL_EXTENSION_ID]);
  });

  test('is deterministic, and the id seed changes every identifier', () => {
    const a = exportCacao(triage(), { now: NOW });
    assert.deepEqual(exportCacao(triage(), { now: NOW }), a);
    const b = exportCacao(triage(), { now: NOW, idSeed: 'tenant-42' });
    assert.notEqual(b.id, a.id);
    const keysA = new Set(Object.keys(a.workflow));
    assert.ok(Object.keys(b.workflow).every((key) => !keysA.has(key)));
    assert.equal(b.id, cacaoPlaybookId('phishing-triage', 'tenant-42'));
  });

  test('maps each kind of step onto CACAO steps and commands', () => {
    const doc = exportCacao(triage(), { now: NOW });
    const start = doc.workflow[doc.workflow_start]!;
    const enrich = named(doc, 'Enrich sender IP') as CacaoActionStep;
    assert.equal(
      start.on_completion,
      Object.keys(doc.workflow).find((k) => doc.workflow[k] === enrich),
    );
    assert.deepEqual(enrich.commands, [
      {
        type: 'http-api',
        description: 'Vigil integration action virustotal.get_ip_report',
        command: 'POST /vigil/actions/virustotal.get_ip_report HTTP/1.1',
        headers: { 'Content-Type': ['application/json'] },
        content: '{"ip":"{{alert.src_ip}}","box":"__mailbox__:value"}',
      },
    ]);
    assert.deepEqual(enrich.out_args, ['__report__']);
    assert.equal(doc.agent_definitions?.[enrich.agent!]?.type, 'security-category');

    const isBad = named(doc, 'is_bad') as CacaoIfConditionStep;
    assert.equal(isBad.type, 'if-condition');
    assert.equal(isBad.condition, "__report__:value = 'malicious'");
    assert.equal(doc.workflow[isBad.on_true]?.type, 'parallel');
    assert.equal(doc.workflow[isBad.on_false!]?.name, 'close_fp');

    const page = named(doc, 'page') as CacaoActionStep;
    assert.deepEqual(page.commands, [{ type: 'http-api', description: 'HTTP request (http.request)', command: 'POST /page?x=1 HTTP/1.1', content: 'hi __report__:value' }]);
    assert.equal(page.timeout, 30_000);
    assert.deepEqual(doc.target_definitions?.[page.targets![0]!], { type: 'http-api', name: 'hooks.example.com', address: { dname: ['hooks.example.com'] }, port: '443' });

    const block = named(doc, 'block_ip') as CacaoActionStep;
    assert.equal(block.commands![0]!.type, 'openc2-http');
    assert.deepEqual(JSON.parse(Buffer.from(block.commands![0]!.content_b64!, 'base64').toString()), { action: 'deny', target: { ipv4_net: '{{alert.src_ip}}/32' } });

    const ask = named(doc, 'ask_reset') as CacaoActionStep;
    assert.deepEqual(ask.commands, [{ type: 'manual', command: 'Reset password of __mailbox__:value?' }]);
    assert.equal(ask.timeout, 3_600_000);
    assert.deepEqual(doc.agent_definitions?.[ask.agent!], { type: 'group', name: 'analyst', description: 'Analysts with the role analyst in Vigil.' });
    assert.equal(doc.workflow[ask.on_failure!]?.name, 'tell');

    assert.equal(named(doc, 'by_sev').type, 'switch-condition');
    assert.equal(named(doc, 'poll').type, 'while-condition');
    const child = named(doc, 'child');
    assert.equal(child.type === 'playbook-action' ? child.playbook_id : undefined, cacaoPlaybookId('notify-owner'));
    assert.equal(named(doc, 'done').type, 'end');
    assert.equal(named(doc, 'wrap_up').type, 'action');
  });

  test('ends every branch of conditions, parallel steps and loops in its own end step', () => {
    const doc = exportCacao(triage(), { now: NOW });
    const ends = new Map<string, number>();
    for (const step of Object.values(doc.workflow)) {
      const refs = [step.on_completion, step.on_success, step.on_failure];
      if (step.type === 'parallel') refs.push(...step.next_steps);
      if (step.type === 'if-condition') refs.push(step.on_true, step.on_false);
      if (step.type === 'while-condition') refs.push(step.on_true);
      if (step.type === 'switch-condition') refs.push(...Object.values(step.cases));
      for (const r of refs) if (r !== undefined && doc.workflow[r]?.type === 'end') ends.set(r, (ends.get(r) ?? 0) + 1);
    }
    assert.deepEqual(
      [...ends.values()].filter((n) => n > 1),
      [],
    );
    // The switch's cases meet at wrap_up: its on_completion, reached after each case's end step.
    const bySev = named(doc, 'by_sev');
    assert.equal(doc.workflow[bySev.on_completion!]?.name, 'wrap_up');
    assert.deepEqual(
      stepsOfType(doc, 'end')
        .map((s) => s.name)
        .filter((n) => n?.startsWith('End of'))
        .sort(),
      ['End of by_sev (case high)', 'End of by_sev (case low)', 'End of by_sev (default)', 'End of contain (branch 1)', 'End of contain (branch 2)', 'End of poll (loop body)'],
    );
  });

  test('round-trips: import(export(p)) gives p back', () => {
    const p = triage();
    const back = reimport(exportCacao(p, { now: NOW }));
    assert.deepEqual(back, p);
  });

  test('round-trips the step graph for CACAO tools that drop the Vigil extension', () => {
    const p = triage();
    const plain = withoutVigilExtension(exportCacao(p, { now: NOW }));
    assert.deepEqual(validateCacao(plain), []);
    const back = reimport(plain);
    assert.deepEqual(stepGraph(back.steps, { plainCacao: true }), stepGraph(p.steps, { plainCacao: true }));
    // Integration actions, HTTP requests and OpenC2 survive on their own.
    const actions = (steps: Step[]): string[] =>
      steps.flatMap((s) => (s.kind === 'action' ? [s.action] : s.kind === 'parallel' ? s.branches.flatMap(actions) : s.kind === 'loop' ? actions(s.steps) : []));
    // Without the extension an OpenC2 command comes back as the generic openc2.command it is.
    assert.deepEqual(
      actions(back.steps),
      actions(p.steps).map((key) => (key.startsWith('openc2.') ? 'openc2.command' : key)),
    );
  });

  for (const name of ['basic-example-1.json', 'spec-3.1-example.json', 'soarca-http-playbook.json', 'soarca-openc2-playbook.json']) {
    test(`round-trips the playbook imported from ${name}`, () => {
      const first = reimport(readFixtureJson('cacao', name));
      const doc = exportCacao(first, { now: NOW });
      assert.deepEqual(validateCacao(doc), []);
      assert.deepEqual(reimport(doc), first);
    });
  }

  test('round-trips a playbook imported from a CACAO workflow with every step type', () => {
    const first = reimport(containHost());
    const doc = exportCacao(first, { now: NOW });
    assert.deepEqual(validateCacao(doc), []);
    assert.deepEqual(reimport(doc), first);
    assert.deepEqual(stepGraph(reimport(withoutVigilExtension(doc)).steps, { plainCacao: true }), stepGraph(first.steps, { plainCacao: true }));
  });

  test('falling off the end of the list ends in an end step', () => {
    const p: Playbook = {
      id: 'one-step',
      name: 'One step',
      version: '1',
      steps: [{ id: 'look', kind: 'action', action: 'virustotal.get_ip_report', with: { ip: '198.51.100.1' } }],
    };
    const doc = exportCacao(p, { now: NOW });
    assert.deepEqual(validateCacao(doc), []);
    assert.deepEqual(
      Object.values(doc.workflow).map((s) => s.type),
      ['start', 'action', 'end'],
    );
    const back = reimport(doc);
    assert.deepEqual(back.steps, [...p.steps, { id: 'end', name: 'End', kind: 'end' }]);
    assert.deepEqual(stepGraph(back.steps), stepGraph(p.steps));
  });

  test('foreach becomes a while-condition that says so, and comes back as foreach', () => {
    const p: Playbook = {
      id: 'per-host',
      name: 'Per host',
      version: '1',
      steps: [
        {
          id: 'each_host',
          kind: 'foreach',
          items: 'vars.hosts',
          as: 'host',
          steps: [{ id: 'isolate', kind: 'action', action: 'crowdstrike.contain_host', with: { host: '{{vars.host}}' } }],
        },
        { id: 'done', kind: 'end' },
      ],
    };
    const { document, warnings } = exportCacaoWithWarnings(p, { now: NOW });
    assert.deepEqual(validateCacao(document), []);
    const loop = named(document, 'each_host');
    assert.equal(loop.type, 'while-condition');
    assert.equal(loop.type === 'while-condition' ? loop.condition : undefined, '__host__:value IN __hosts__:value');
    assert.match(loop.description ?? '', /once for each item of vars\.hosts, bound to host/);
    assert.deepEqual(warnings, ['step each_host: foreach is exported as a while-condition that describes the iteration']);
    assert.deepEqual(reimport(document), p);
  });

  test('a parallel step with one branch gets an empty second branch, which import drops', () => {
    const p: Playbook = {
      id: 'lonely',
      name: 'Lonely branch',
      version: '1',
      steps: [
        { id: 'fan', kind: 'parallel', branches: [[{ id: 'only', kind: 'action', action: 'slack.post_message', with: { text: 'hi' } }]] },
        { id: 'done', kind: 'end' },
      ],
    };
    const { document, warnings } = exportCacaoWithWarnings(p, { now: NOW });
    assert.deepEqual(validateCacao(document), []);
    const fan = named(document, 'fan');
    assert.equal(fan.type === 'parallel' ? fan.next_steps.length : 0, 2);
    assert.equal(warnings.length, 1);
    assert.deepEqual(reimport(document), p);
  });

  test('reports what CACAO tools will not see', () => {
    const p: Playbook = {
      id: 'guarded',
      name: 'Guarded',
      version: '1',
      steps: [
        { id: 'check', kind: 'condition', if: 'alert.severity_id >= 4', then: 'page', else: 'done' },
        { id: 'page', kind: 'action', action: 'pagerduty.trigger', when: 'vars.on_call' },
        { id: 'done', kind: 'end' },
      ],
    };
    const { document, warnings } = exportCacaoWithWarnings(p, { now: NOW });
    assert.deepEqual(validateCacao(document), []);
    assert.deepEqual(warnings, [
      "step check: condition 'alert.severity_id >= 4' has no STIX patterning equivalent (a comparison that does not compare a variable with a literal or variable); CACAO reads __vigil_check_condition__:value = true, a variable that stands for it",
      "step page: its 'when' guard is not expressed in CACAO",
    ]);
    assert.deepEqual(reimport(document), p);
  });
});
