import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { PROJECT_ROOT } from '../../src/config/project-paths.js';
import { eventually, http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';
import { type CaseBody, playbookDir, simulatorCalls } from '../support/integrations-fixtures.js';

const PLAYBOOK = `
id: call_with_token
name: Call an API with the connection's token
version: "1.0.0"
steps:
  - id: echo
    kind: action
    action: http.request
    with: { url: "{{lookup observables.url 0}}" }
  - id: refused
    kind: action
    action: http.request
    with: { url: "{{lookup observables.url 1}}", method: POST, body: { note: "answered 401 with our request echoed" } }
    retry: { maxAttempts: 1 }
    onFailure: continue
  - { id: done, kind: end, status: triaged }
`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Every form the secret could take in a log or payload: as is, base64, URL-encoded, JSON-escaped. */
function forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
}

/** JSON of a Temporal history with every payload decoded to text, so a secret inside a payload is visible to a search. */
function historyText(history: unknown): string {
  return JSON.stringify(history, (key, value: unknown) => {
    if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
    // Payload bytes (`data`, and metadata values) come as base64 text.
    if (typeof value === 'string' && (key === 'data' || key === 'encoding' || key === 'type') && /^[A-Za-z0-9+/]+={0,2}$/.test(value))
      return Buffer.from(value, 'base64').toString('utf8');
    return value;
  });
}

let stack: TestStack;
let tenant: TestTenant;
let child: ChildProcess | undefined;
let connection: Connection;
let output = '';

before(async () => {
  stack = await startTestStack();
  tenant = await stack.createTenant();
  connection = await Connection.connect({ address: stack.config.temporal.address });
});
after(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await connection?.close();
  await stack?.stop();
});

test('a secret planted in a connection appears in no workflow history, log line or API response', async () => {
  const secret = `canary-${randomBytes(18).toString('hex')}`;
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const taskQueue = `vigil-leak-${randomUUID()}`;
  // API and worker in one process, logging everything it logs at debug level; we keep all of it.
  child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'dist', 'src', 'main.js'), 'all'], {
    env: {
      ...process.env,
      VIGIL_API_PORT: String(port),
      VIGIL_TASK_QUEUE: taskQueue,
      VIGIL_SIMULATOR_URL: stack.simulatorUrl,
      VIGIL_PLAYBOOKS_DIR: playbookDir({ 'call-with-token.yaml': PLAYBOOK }),
      VIGIL_LOG_LEVEL: 'debug',
      VIGIL_OUTBOX_POLL_MS: '200',
      VIGIL_STICKY_TIMEOUT_MS: '1000',
      VIGIL_CASE_IDLE_TIMEOUT: '1m',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  await eventually(
    async () =>
      (await fetch(`${api}/readyz`).then(
        (r) => r.ok,
        () => false,
      ))
        ? true
        : undefined,
    60_000,
    'the API and worker process to be ready',
  );

  const responses: Array<{ what: string; body: unknown }> = [];
  const call = async <T>(what: string, method: string, url: string, body?: unknown): Promise<T> => {
    const res = await http<T>(method, url, { key: tenant.key, ...(body !== undefined ? { body } : {}) });
    responses.push({ what, body: res.body });
    assert.ok(res.status < 300, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  const created = await call<{ id: string }>('create connection', 'POST', `${api}/api/v1/connections`, {
    vendor: 'http',
    baseUrl: `${stack.simulatorUrl}/http`,
    settings: { allowedHosts: ['127.0.0.1'], allowPrivateNetworks: true },
    secrets: { token: secret },
  });
  await call('change connection', 'PATCH', `${api}/api/v1/connections/${created.id}`, { name: 'echo API', secrets: { token: secret } });

  const echoUrl = `${stack.simulatorUrl}/http/echo/${randomUUID()}`;
  const ingest = await call<{ alerts: Array<{ caseId: string }> }>('ingest', 'POST', `${api}/api/v1/alerts/generic`, {
    title: 'Leak drill',
    severity: 'high',
    observables: [
      { type: 'url', value: echoUrl },
      { type: 'url', value: `${stack.simulatorUrl}/http/status/401` },
    ],
  });
  const caseId = ingest.alerts[0]!.caseId;
  const view = await eventually(
    async () => {
      const c = await http<CaseBody>('GET', `${api}/api/v1/cases/${caseId}`, { key: tenant.key });
      return c.status === 200 && c.body.run.status === 'completed' ? c.body : undefined;
    },
    60_000,
    'the run to complete',
  );
  responses.push({ what: 'case view', body: view });
  await call('connections list', 'GET', `${api}/api/v1/connections`);
  await call('connection', 'GET', `${api}/api/v1/connections/${created.id}`);
  await call('integrations', 'GET', `${api}/api/v1/integrations`);
  await call('rotate', 'POST', `${api}/api/v1/connections/rotate`);
  const audit = await http('GET', `${api}/api/v1/audit`, { key: tenant.key });
  if (audit.status === 200) responses.push({ what: 'audit log', body: audit.body });

  // The call went out with the token (the vendor answered 2xx, and its echo of our headers came back scrubbed).
  const echoed = view.timeline.find((l) => l.stepId === 'echo' && l.kind === 'step_finished')!;
  const echo = echoed.data['output'] as { status: number; body: { headers: Record<string, string> } };
  assert.equal(echo.status, 200);
  assert.equal(echo.body.headers['authorization'], '[REDACTED]');
  const received = (await simulatorCalls(stack.simulatorUrl, 'http')).filter((c) => echoUrl.endsWith(c.path));
  assert.equal(received.length, 1);
  assert.equal(received[0]!.status, 200);
  assert.equal(received[0]!.headers['authorization'], '[REDACTED]', 'the simulator saw an Authorization header');
  const refused = view.timeline.find((l) => l.stepId === 'refused' && l.kind === 'step_failed');
  assert.ok(refused, 'the failing call wrote its error to the timeline (an error path that must be scrubbed too)');

  // Workflow history of the case, with payloads decoded.
  const client = new Client({ connection, namespace: stack.config.temporal.namespace });
  const history = historyText(await client.workflow.getHandle(`case-${caseId}`).fetchHistory());
  assert.ok(history.includes(echoUrl), 'the decoded history holds the run data (the search can see payloads)');

  // Stop the process so every log line it had is flushed.
  child.kill('SIGTERM');
  await new Promise((resolve) => child!.once('exit', resolve));
  assert.ok(output.length > 1000, `captured ${output.length} characters of logs`);
  assert.ok(output.includes('API listening'), 'the capture holds the process logs');

  const places: Array<[string, string]> = [
    ['workflow history', history],
    ['process logs', output],
    ...responses.map((r): [string, string] => [`API response: ${r.what}`, JSON.stringify(r.body)]),
  ];
  for (const [where, text] of places) {
    for (const form of forms(secret)) assert.ok(!text.includes(form), `the secret appears in ${where}`);
  }
  // The database holds it only encrypted.
  const rows: Array<{ t: string }> = await stack.db.query(`SELECT row_to_json(c)::text AS t FROM integration_connections c WHERE tenant_id = $1`, [tenant.id]);
  assert.ok(!rows[0]!.t.includes(secret));
  const events: Array<{ t: string }> = await stack.db.query(`SELECT coalesce(string_agg(row_to_json(e)::text, ''), '') AS t FROM case_events e WHERE tenant_id = $1`, [tenant.id]);
  assert.ok(!events[0]!.t.includes(secret));
});
