import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { FOREACH_CHUNK_SIZE } from '../../workflows/interpreter/foreach-step.js';
import { eventually, http, type PlaybookStack, startPlaybookStack, type TestStack, type TestTenant } from '../support/stack.js';

/** One playbook per step kind, each chosen by its own ATT&CK technique. */
const PLAYBOOKS: Record<string, string> = {
  'parallel-all': `
id: parallel-all
name: Parallel, all branches
version: "1"
priority: 10
triggers: [{ techniques: [T1001] }]
steps:
  - id: fan
    kind: parallel
    branches:
      - - { id: a_lookup, kind: action, action: abuseipdb.check_ip, with: { ip: "{{lookup observables.ip 0}}" } }
      - - { id: b_lookup, kind: action, action: virustotal.get_ip_report, with: { ip: "{{lookup observables.ip 0}}" } }
        - { id: b_pause, kind: wait, duration: 300ms }
  - id: both
    kind: set
    vars: { both: "exists(steps.a_lookup.output) && exists(steps.b_lookup.output) && steps.b_pause.status == 'completed'" }
  - id: done
    kind: end
    status: triaged
    summary: "both={{vars.both}}"
`,
  'parallel-any': `
id: parallel-any
name: Parallel, first branch wins
version: "1"
priority: 10
triggers: [{ techniques: [T1002] }]
steps:
  - id: race
    kind: parallel
    join: any
    branches:
      - - { id: slow_pause, kind: wait, duration: 20s }
        - { id: slow_lookup, kind: action, action: greynoise.ip_context, with: { ip: "{{lookup observables.ip 0}}" } }
      - - { id: fast_lookup, kind: action, action: abuseipdb.check_ip, with: { ip: "{{lookup observables.ip 0}}" } }
  - id: done
    kind: end
    status: triaged
    summary: "winner={{steps.race.output.winner}} slow={{#if steps.slow_pause}}ran{{else}}none{{/if}}"
`,
  'loop-bound': `
id: loop-bound
name: Loop bound
version: "1"
priority: 10
triggers: [{ techniques: [T1003] }]
steps:
  - id: start
    kind: set
    vars: { n: "0" }
  - id: spin
    kind: loop
    while: "vars.n >= 0"
    maxIterations: 7
    steps:
      - { id: inc, kind: set, vars: { n: "vars.n + 1" } }
  - id: until_three
    kind: loop
    while: "vars.n < 10"
    maxIterations: 100
    steps:
      - { id: inc_more, kind: set, vars: { n: "vars.n + 1" } }
  - id: done
    kind: end
    summary: "n={{vars.n}} spin={{steps.spin.output.iterations}}/{{steps.spin.output.stoppedBy}} more={{steps.until_three.output.iterations}}/{{steps.until_three.output.stoppedBy}}"
`,
  'foreach-small': `
id: foreach-small
name: Foreach, a few items
version: "1"
priority: 10
triggers: [{ techniques: [T1004] }]
steps:
  - id: each_ip
    kind: foreach
    items: observables.ip
    as: ip
    concurrency: 2
    steps:
      - { id: check, kind: action, action: abuseipdb.check_ip, with: { ip: "{{ip}}" } }
      - { id: mark, kind: set, vars: { seen: "ip" } }
  - id: tally
    kind: set
    vars: { checked: "map(steps.each_ip.output.items, 'item')" }
  - id: done
    kind: end
    summary: "count={{steps.each_ip.output.count}} checked={{join vars.checked ','}}"
`,
  'observable-kinds': `
id: observable-kinds
name: Foreach over the public addresses, by Vigil's kind and is_private
version: "1"
priority: 10
triggers: [{ techniques: [T1009] }]
steps:
  - id: each_public
    kind: foreach
    items: filterBy(filterBy(alert.observables, 'kind', 'ip'), 'is_private', false)
    as: address
    steps:
      - { id: check_public, kind: action, action: abuseipdb.check_ip, with: { ip: "{{address.value}}" } }
  - id: sorted
    kind: set
    vars:
      private: map(filterBy(filterBy(alert.observables, 'kind', 'ip'), 'is_private', true), 'value')
      kinds: map(alert.observables, 'kind')
      paths: map(filterBy(alert.observables, 'kind', 'ip'), 'name')
  - id: done
    kind: end
    summary: "public={{steps.each_public.output.count}} private={{join vars.private ','}} kinds={{join vars.kinds ','}} paths={{join vars.paths ','}}"
`,
  'foreach-large': `
id: foreach-large
name: Foreach, a thousand items
version: "1"
priority: 10
triggers: [{ techniques: [T1005] }]
steps:
  - id: each_ip
    kind: foreach
    items: observables.ip
    as: ip
    concurrency: 20
    steps:
      # One activity per item that calls no vendor: vendor rate limits (600/min by default) would
      # make this a test of the limiter, not of the engine.
      - { id: check, kind: status, status: in_progress }
  - id: done
    kind: end
    summary: "count={{steps.each_ip.output.count}} last={{steps.each_ip.output.items.[999].item}}"
`,
  notify: `
id: notify
name: Notify
version: "1"
priority: 10
triggers: [{ techniques: [T1006] }]
steps:
  - id: tell_soc
    kind: notify
    channel: slack
    template: "Vigil saw {{alert.finding_info.title}} from {{lookup observables.ip 0}}"
    with: { channel: "#ir-drill" }
  - id: page
    kind: notify
    channel: pagerduty
    template: "Page for {{alert.finding_info.title}}"
    with: { severity: critical }
  - id: done
    kind: end
`,
  'with-sub': `
id: with-sub
name: Calls a sub-playbook
version: "1"
priority: 10
triggers: [{ techniques: [T1007] }]
steps:
  - id: enrich
    kind: playbook
    playbook: enrich-ip
    inputs: { ip: "first(observables.ip)" }
  - id: done
    kind: end
    summary: "sub={{steps.enrich.output.vars.tag}} ip={{steps.enrich.output.vars.rep.ip}}"
`,
  'enrich-ip': `
id: enrich-ip
name: Enrich one IP (sub-playbook)
version: "1"
triggers: [{ techniques: [T1999] }]
inputs:
  - { name: ip, type: string }
  - { name: label, type: string, default: enriched }
steps:
  - id: rep
    kind: action
    action: abuseipdb.check_ip
    with: { ip: "{{inputs.ip}}" }
    output: rep
  - id: tag
    kind: set
    vars: { tag: "inputs.label + ':' + inputs.ip" }
`,
  guards: `
id: guards
name: when, timeout and onFailure
version: "1"
priority: 10
triggers: [{ techniques: [T1008] }]
steps:
  - id: skipped
    kind: action
    when: "len(observables.ip) > 100"
    action: greynoise.ip_context
    with: { ip: "{{lookup observables.ip 0}}" }
  - id: too_slow
    kind: parallel
    timeout: 300ms
    onFailure: continue
    branches:
      - - { id: long_wait, kind: wait, duration: 10s }
  - id: done
    kind: end
    summary: "skipped={{steps.skipped.status}} slow={{steps.too_slow.status}}: {{steps.too_slow.error}}"
`,
};

interface CaseView {
  status: string;
  run: { status: string; workflowId: string };
  timeline: Array<{ kind: string; stepId: string | null; message: string; data: Record<string, unknown> }>;
}

let stack: TestStack;
let tenant: TestTenant;
let client: Client;
let running: PlaybookStack | undefined;

before(async () => {
  running = await startPlaybookStack(PLAYBOOKS, { VIGIL_SIMULATOR_CONNECTIONS: 'true' });
  ({ stack, client } = running);
  tenant = await stack.createTenant();
});
after(async () => {
  await running?.stop();
});

async function runCase(technique: string, ips: string[], timeoutMs = 20_000): Promise<{ caseId: string; view: CaseView; ms: number }> {
  const t0 = Date.now();
  const res = await http<{ alerts: Array<{ caseId: string }> }>('POST', `${stack.url}/api/v1/alerts/generic`, {
    key: tenant.key,
    body: { title: `Drill ${technique} ${t0}`, severity: 'high', techniques: [technique], observables: ips.map((value) => ({ type: 'ip', value })) },
  });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const caseId = res.body.alerts[0]!.caseId;
  const view = await eventually(
    async () => {
      const c = await http<CaseView>('GET', `${stack.url}/api/v1/cases/${caseId}`, { key: tenant.key });
      return c.body.run.status === 'completed' || c.body.run.status === 'failed' ? c.body : undefined;
    },
    timeoutMs,
    `the run of ${technique} to finish`,
  );
  return { caseId, view, ms: Date.now() - t0 };
}

function finished(view: CaseView): CaseView['timeline'][number] {
  const line = view.timeline.find((e) => e.kind === 'run_finished');
  assert.ok(line, 'a run_finished line');
  return line;
}

async function simulatorCalls(vendor: string): Promise<Array<{ path: string; body: unknown; query: Record<string, unknown> }>> {
  const res = await http<Array<{ path: string; body: unknown; query: Record<string, unknown> }>>('GET', `${stack.simulatorUrl}/_simulator/calls?vendor=${vendor}`);
  return res.body;
}

describe('playbook step kinds on the real Temporal server', () => {
  test('parallel join all: both branches run, the step waits for both and writes one line', async () => {
    const { view } = await runCase('T1001', ['198.51.100.11']);
    assert.equal(view.run.status, 'completed', finished(view).message);
    assert.match(finished(view).message, /both=true/);
    const fan = view.timeline.find((e) => e.stepId === 'fan' && e.kind === 'step_finished');
    assert.ok(fan);
    assert.equal(fan.message, 'parallel: all 2 branch(es) finished');
    assert.ok(Date.parse(String(fan.data['startedAt'])) <= Date.now(), 'the start time is in the line');
    assert.ok(Number(fan.data['durationMs']) >= 300, 'the step lasted as long as its slowest branch');
    const steps = view.timeline.filter((e) => e.kind === 'step_finished').map((e) => e.stepId);
    assert.ok(steps.includes('a_lookup') && steps.includes('b_lookup'));
  });

  test('parallel join any: the first branch to finish wins and the other is cancelled', async () => {
    const ip = '198.51.100.12';
    const { view, ms } = await runCase('T1002', [ip]);
    assert.equal(view.run.status, 'completed');
    assert.match(finished(view).message, /winner=1 slow=none/);
    assert.ok(ms < 10_000, `finished in ${ms} ms, long before the slow branch's 20 s wait`);
    const race = view.timeline.find((e) => e.stepId === 'race' && e.kind === 'step_finished');
    assert.equal(race?.message, 'parallel: branch 2 of 2 finished first; 1 cancelled');
    const greynoise = await simulatorCalls('greynoise');
    assert.equal(greynoise.filter((c) => JSON.stringify(c).includes(ip)).length, 0, 'the cancelled branch never called its action');
  });

  test('loop: stops at maxIterations, or when its condition no longer holds', async () => {
    const { view } = await runCase('T1003', ['198.51.100.13']);
    assert.equal(view.run.status, 'completed');
    assert.match(finished(view).message, /n=10 spin=7\/max_iterations more=3\/condition/);
    const spin = view.timeline.find((e) => e.stepId === 'spin' && e.kind === 'step_finished');
    assert.equal(spin?.message, 'loop: 7 iteration(s), stopped at maxIterations 7');
  });

  test('foreach: every item runs, outputs per item under steps.<id>.output.items', async () => {
    const ips = ['198.51.100.21', '198.51.100.22', '198.51.100.23'];
    const { view } = await runCase('T1004', ips);
    assert.equal(view.run.status, 'completed', finished(view).message);
    assert.match(finished(view).message, new RegExp(`count=3 checked=${ips.join(',')}`));
    const checks = view.timeline.filter((e) => e.stepId === 'check' && e.kind === 'step_finished');
    assert.equal(checks.length, 3, 'one line per item');
    const abuse = await simulatorCalls('abuseipdb');
    for (const ip of ips) assert.equal(abuse.filter((c) => JSON.stringify(c.query).includes(ip)).length, 1, `${ip} checked once`);
  });

  test("alert.observables in the playbook scope carry Vigil's kind and is_private; the stored finding's observables stay pure OCSF", async () => {
    const ips = ['198.51.100.31', '10.9.8.7', '198.51.100.32', '192.168.4.4'];
    const { view, caseId } = await runCase('T1009', ips);
    assert.equal(view.run.status, 'completed', finished(view).message);
    assert.match(
      finished(view).message,
      /public=2 private=10\.9\.8\.7,192\.168\.4\.4 kinds=ip,ip,ip,ip paths=unmapped\.observables\[0\]\.value,unmapped\.observables\[1\]\.value,/,
    );
    const abuse = await simulatorCalls('abuseipdb');
    for (const ip of ['198.51.100.31', '198.51.100.32']) assert.equal(abuse.filter((c) => JSON.stringify(c.query).includes(ip)).length, 1, `${ip} checked once`);
    for (const ip of ['10.9.8.7', '192.168.4.4']) assert.equal(abuse.filter((c) => JSON.stringify(c.query).includes(ip)).length, 0, `private ${ip} not checked`);
    const rows: Array<{ finding: { observables?: Array<Record<string, unknown>> }; observables: Array<Record<string, unknown>> }> = await stack.db.query(
      'SELECT finding, observables FROM alerts WHERE tenant_id = $1 AND case_id = $2',
      [tenant.id, caseId],
    );
    assert.equal(rows[0]!.finding.observables?.length, 4);
    for (const o of rows[0]!.finding.observables ?? []) assert.deepEqual(Object.keys(o).sort(), ['name', 'type', 'type_id', 'value'], 'OCSF attributes only');
    assert.deepEqual(
      rows[0]!.observables.map((o) => [o['kind'], o['value'], o['is_private']]),
      ips.map((ip) => ['ip', ip, !ip.startsWith('198.')]),
    );
  });

  test('foreach over 1,000 items with concurrency 20 finishes, in child workflows, with a short parent history', async () => {
    const ips = Array.from({ length: 1000 }, (_, i) => `45.${60 + Math.floor(i / 250)}.${Math.floor((i % 250) / 10)}.${(i % 10) + 1}`);
    assert.equal(new Set(ips).size, 1000);
    const { view, ms, caseId } = await runCase('T1005', ips, 120_000);
    assert.equal(view.run.status, 'completed', finished(view).message);
    assert.match(finished(view).message, new RegExp(`count=1000 last=${ips[999]!.replaceAll('.', '\\.')}`));
    const each = view.timeline.find((e) => e.stepId === 'each_ip' && e.kind === 'step_finished');
    assert.equal(each?.data['chunks'], 1000 / FOREACH_CHUNK_SIZE);
    assert.equal(view.timeline.filter((e) => e.stepId === 'check' && e.kind === 'step_finished').length, 1000);
    const history = await client.workflow.getHandle(view.run.workflowId).fetchHistory();
    const length = history.events?.length ?? 0;
    // O(chunks): start, started and completed per child plus the run's own few tasks, not O(items).
    assert.ok(length < 150, `parent history has ${length} events`);
    const children = history.events?.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).length;
    assert.equal(children, 1000 / FOREACH_CHUNK_SIZE);
    process.stdout.write(`# foreach 1000 items, concurrency 20: ${ms} ms end to end, parent history ${length} events (case ${caseId})\n`);
  });

  test('notify: the template is rendered and sent through the channel action (Slack, PagerDuty)', async () => {
    const ip = '198.51.100.31';
    const { view } = await runCase('T1006', [ip]);
    assert.equal(view.run.status, 'completed', finished(view).message);
    const slack = await simulatorCalls('slack');
    const sent = slack.filter((c) => JSON.stringify(c.body).includes(ip));
    assert.equal(sent.length, 1, 'one Slack message');
    const body = sent[0]!.body as { channel: string; text: string };
    assert.equal(body.channel, '#ir-drill');
    assert.match(body.text, new RegExp(`^Vigil saw Drill T1006 \\d+ from ${ip.replaceAll('.', '\\.')}$`));
    const line = view.timeline.find((e) => e.stepId === 'tell_soc' && e.kind === 'step_finished');
    assert.equal(line?.data['action'], 'slack.post_message');
    assert.equal(line?.data['channel'], 'slack');
    const pd = await simulatorCalls('pagerduty');
    const page = pd.find((c) => JSON.stringify(c.body).includes('Page for Drill T1006'));
    assert.ok(page, 'a PagerDuty event');
    assert.equal((page.body as { payload: { severity: string } }).payload.severity, 'critical');
    // Regular activities keep their input in history: each gets only the scope its templates read.
    const history = await client.workflow.getHandle(view.run.workflowId).fetchHistory();
    const inputs = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data)
      .filter((d): d is Uint8Array => d instanceof Uint8Array)
      .map((d) => JSON.parse(Buffer.from(d).toString('utf8')) as { stepId: string; scope: Record<string, unknown> });
    assert.deepEqual(Object.keys(inputs.find((i) => i.stepId === 'tell_soc')!.scope).sort(), ['alert', 'observables']);
    assert.deepEqual(Object.keys(inputs.find((i) => i.stepId === 'page')!.scope), ['alert']);
  });

  test('playbook: a sub-playbook runs as a child workflow with its inputs, and its variables come back', async () => {
    const ip = '198.51.100.41';
    const { view } = await runCase('T1007', [ip]);
    assert.equal(view.run.status, 'completed', finished(view).message);
    assert.match(finished(view).message, new RegExp(`sub=enriched:${ip.replaceAll('.', '\\.')} ip=${ip.replaceAll('.', '\\.')}`));
    const line = view.timeline.find((e) => e.stepId === 'enrich' && e.kind === 'step_finished');
    assert.match(line?.message ?? '', /^playbook enrich-ip 1 finished after 2 step\(s\)$/);
    const rep = view.timeline.find((e) => e.stepId === 'rep' && e.kind === 'step_finished');
    assert.ok(rep, "the sub-playbook's step wrote its line on the same case");
    const children = await client.workflow.getHandle(`${view.run.workflowId}/enrich/1`).describe();
    assert.equal(children.type, 'subPlaybookWorkflow');
    assert.equal(children.status.name, 'COMPLETED');
  });

  test('when skips a step; a container timeout fails the step and onFailure: continue goes on', async () => {
    const { view, ms } = await runCase('T1008', ['198.51.100.51']);
    assert.equal(view.run.status, 'completed', finished(view).message);
    assert.match(finished(view).message, /skipped=skipped slow=failed: parallel step too_slow timed out after 300ms/);
    assert.ok(ms < 8_000, `the 10 s wait was cut short (${ms} ms)`);
    const failed = view.timeline.find((e) => e.stepId === 'too_slow' && e.kind === 'step_failed');
    assert.match(failed?.message ?? '', /timed out after 300ms/);
  });
});
