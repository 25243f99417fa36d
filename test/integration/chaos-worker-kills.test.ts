import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { falconDetection, playbookDir, postFalconDetection, sensorId, simulatorCalls, simulatorConnectionBody } from '../support/integrations-fixtures.js';
import { eventually, http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';
import { startWorkerProcess } from '../support/worker-process.js';

// A burst of alerts runs a four-call playbook while the worker is killed with SIGKILL again and again.
// Every case must finish, every host must be contained exactly once, and Vigil's own rate limiter
// (the first lookup's connection allows 2 calls at once and a burst of 5) may delay calls but never fail a run.
const FOUR_CALLS = `
id: chaos_four_calls
name: Three lookups, then contain the host
version: "1.0.0"
priority: 10
triggers:
  - techniques: [T1486]
steps:
  - { id: reputation, kind: action, action: abuseipdb.check_ip, with: { ip: "{{alert.device.ip}}" } }
  - { id: report, kind: action, action: virustotal.get_ip_report, with: { ip: "{{alert.device.ip}}" } }
  - { id: context, kind: action, action: greynoise.ip_context, with: { ip: "{{alert.device.ip}}" } }
  - { id: contain, kind: action, action: crowdstrike.contain_host, with: { deviceIds: ["{{alert.device.uid}}"] } }
  - { id: done, kind: end, status: contained }
`;

const ALERTS = 40;
/** Milliseconds between kills: a fixed schedule, so a failure can be run again the same way. */
const KILL_SCHEDULE = [900, 1300, 700, 1600, 1100, 800, 1400, 1000];

interface CaseView {
  status: string;
  run: { status: string };
  timeline: Array<{ kind: string; stepId: string | null; message: string }>;
}
interface Device {
  device_id: string;
  history: Array<{ action: string }>;
}

let stack: TestStack;
let tenant: TestTenant;
let dir: string;
const workers: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const child = startWorkerProcess(stack, dir, ['ignore', 'ignore', 'ignore']);
  workers.push(child);
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

before(async () => {
  dir = playbookDir({ 'chaos.yaml': FOUR_CALLS });
  stack = await startTestStack({ VIGIL_PLAYBOOKS_DIR: dir });
  tenant = await stack.createTenant();
  // Tight limits on the first lookup, so the burst is held back by Vigil's own limiter for certain.
  const connection = await http('POST', `${stack.url}/api/v1/connections`, {
    key: tenant.key,
    body: simulatorConnectionBody(stack.simulatorUrl, 'abuseipdb', { settings: { maxConcurrent: 2, rateLimitBurst: 5, rateLimitPerMinute: 1200, cacheTtlSeconds: 0 } }),
  });
  assert.equal(connection.status, 201, JSON.stringify(connection.body));
});
after(async () => {
  for (const w of workers) await kill(w);
  await stack?.stop();
});

test(`chaos: ${ALERTS} alerts, the worker killed ${KILL_SCHEDULE.length} times; every case finishes and every host is contained once`, async () => {
  let worker = startWorker();
  const devices = Array.from({ length: ALERTS }, (_, i) => ({ sensor: sensorId(), ip: `198.51.100.${i + 10}` }));
  const posting = Promise.all(
    devices.map((d, i) =>
      postFalconDetection(stack, tenant.key, falconDetection({ sensorId: d.sensor, hostname: `CHAOS-${i}`, detectId: `${i}`, techniqueId: 'T1486', localIp: d.ip })),
    ),
  );
  let kills = 0;
  for (const pause of KILL_SCHEDULE) {
    await new Promise((resolve) => setTimeout(resolve, pause));
    await kill(worker);
    kills += 1;
    worker = startWorker();
  }
  const caseIds = await posting;
  assert.equal(new Set(caseIds).size, ALERTS, 'one case per host');

  const views = await eventually(
    async () => {
      const all = await Promise.all(caseIds.map(async (id) => (await http<CaseView>('GET', `${stack.url}/api/v1/cases/${id}`, { key: tenant.key })).body));
      return all.every((v) => v.run.status === 'completed' || v.run.status === 'failed') ? all : undefined;
    },
    180_000,
    'every run to finish',
  );
  const failed = views.filter((v) => v.run.status !== 'completed');
  const completed = views.length - failed.length;

  const state = (await http<{ crowdstrike: { devices: Device[] } }>('GET', `${stack.simulatorUrl}/_simulator/state`)).body;
  const contains = devices.map((d) => state.crowdstrike.devices.find((x) => x.device_id === d.sensor)?.history.filter((h) => h.action === 'contain').length ?? 0);
  const containCalls = (await simulatorCalls(stack.simulatorUrl, 'crowdstrike')).filter((c) => c.path.includes('devices-actions')).length;
  const lookupCalls = (await Promise.all(['abuseipdb', 'virustotal', 'greynoise'].map((v) => simulatorCalls(stack.simulatorUrl, v)))).reduce((n, calls) => n + calls.length, 0);
  const waited = views.filter((v) => v.timeline.some((l) => /waited \d+ ms for the tenant's rate limit/.test(l.message))).length;
  process.stdout.write(
    `# chaos figures: kills ${kills}, alerts ${ALERTS}, completed ${completed}, failed ${failed.length}, held back by the limiter ${waited}, ` +
      `containment calls ${containCalls} (re-sent ${containCalls - ALERTS}), lookups ${lookupCalls} (re-sent ${lookupCalls - 3 * ALERTS})\n`,
  );

  assert.deepEqual(
    failed.map((v) => v.timeline.filter((l) => l.kind === 'step_failed').map((l) => l.message)),
    [],
    'no run failed, not even through a rate limit hold',
  );
  assert.ok(views.every((v) => v.status === 'contained'));
  assert.deepEqual(
    contains,
    devices.map(() => 1),
    'every host contained exactly once',
  );
  for (const v of views) {
    const steps = v.timeline.filter((l) => l.kind === 'step_finished').map((l) => l.stepId);
    assert.deepEqual(steps, ['reputation', 'report', 'context', 'contain'], 'each step once on the timeline');
  }
});
