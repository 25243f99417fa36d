import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CallLog } from './call-log.js';
import { simulatorConnections } from './connections.js';
import { SIMULATOR_CREDENTIALS, SIMULATOR_VENDORS, startSimulator } from './simulator.js';
import { BoundedMap } from './state.js';
import { startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { domainVerdict, hashVerdict, indicatorVerdict, ipVerdict, urlVerdict } from './verdicts.js';

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

const vtHeaders = { 'x-apikey': SIMULATOR_CREDENTIALS.virustotal.apiKey };

describe('verdict rules', () => {
  test('IPs, hashes, domains and URLs map to fixed verdicts', () => {
    assert.deepEqual(['203.0.113.1', '198.51.100.1', '192.0.2.1', '8.8.8.8'].map(ipVerdict), ['malicious', 'suspicious', 'unknown', 'clean']);
    assert.deepEqual(['bad1', '44d88612fea8a8f36de82e1278abb02f', 'dead1', '000000ff', 'abc1'].map(hashVerdict), ['malicious', 'malicious', 'suspicious', 'unknown', 'clean']);
    assert.deepEqual(['evil.example.com', 'malware-cdn.example.org', 'phish.example.net', 'unknown-host.example.com', 'example.com'].map(domainVerdict), [
      'malicious',
      'malicious',
      'suspicious',
      'unknown',
      'clean',
    ]);
    assert.equal(urlVerdict('http://203.0.113.4/payload'), 'malicious');
    assert.deepEqual(indicatorVerdict('bad.example.com'), { verdict: 'malicious', kind: 'domain' });
  });
});

describe('bounded memory', () => {
  test('the call log keeps only the newest calls', () => {
    const log = new CallLog(3);
    for (let i = 0; i < 5; i++) log.record({ vendor: 'x', method: 'GET', path: `/${i}`, query: {}, headers: {}, body: undefined }, 0);
    assert.deepEqual(
      log.list().map((c) => c.path),
      ['/2', '/3', '/4'],
    );
  });
  test('state maps drop their oldest entries', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    assert.deepEqual([...m.keys()], ['a', 'c']);
  });
});

describe('simulator control endpoints', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('health lists vendors and the SMTP port', async () => {
    const res = await call(`${h.url}/_simulator/health`);
    assert.equal(res.status, 200);
    const body = res.body as { status: string; vendors: string[]; smtpPort: number; url: string };
    assert.equal(body.status, 'ok');
    assert.equal(body.url, h.url);
    assert.equal(body.smtpPort, h.sim.smtpPort);
    assert.deepEqual(body.vendors, SIMULATOR_VENDORS);
  });

  test('calls are recorded with the documented fields, filtered by vendor, and cleared', async () => {
    await call(`${h.url}/virustotal/api/v3/domains/example.com?x=1`, { headers: vtHeaders });
    await call(`${h.url}/okta/api/v1/users/abc`);
    const res = await call(`${h.url}/_simulator/calls?vendor=virustotal`);
    const calls = res.body as Array<Record<string, unknown>>;
    assert.equal(calls.length, 1);
    const c = calls[0] ?? {};
    assert.deepEqual(Object.keys(c).sort(), ['body', 'fault', 'headers', 'id', 'method', 'path', 'query', 'status', 'time', 'vendor'].sort());
    assert.deepEqual(
      { vendor: c['vendor'], method: c['method'], path: c['path'], query: c['query'], status: c['status'], body: c['body'] },
      { vendor: 'virustotal', method: 'GET', path: '/api/v3/domains/example.com', query: { x: '1' }, status: 200, body: null },
    );
    assert.equal((c['headers'] as Record<string, string>)['x-apikey'], '[REDACTED]');
    assert.equal(((await call(`${h.url}/_simulator/calls`)).body as unknown[]).length, 2);
    assert.equal((await call(`${h.url}/_simulator/calls`, { method: 'DELETE' })).status, 204);
    assert.deepEqual((await call(`${h.url}/_simulator/calls`)).body, []);
  });

  test('a status fault applies `times` times, with Retry-After and the vendor’s own body', async () => {
    const added = await call(`${h.url}/_simulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'virustotal', path: '/api/v3/domains', kind: 'status', status: 429, retryAfter: 9, times: 2 }),
    });
    assert.equal(added.status, 201);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(`${h.url}/virustotal/api/v3/domains/example.com`, { headers: vtHeaders });
      statuses.push(res.status);
      if (res.status === 429) {
        assert.equal(res.headers.get('retry-after'), '9');
        assert.deepEqual(res.body, { error: { code: 'QuotaExceededError', message: 'Injected fault: HTTP 429' } });
      }
    }
    assert.deepEqual(statuses, [429, 429, 200]);
    const calls = (await call(`${h.url}/_simulator/calls?vendor=virustotal`)).body as Array<{ fault: string | null }>;
    assert.deepEqual(
      calls.map((c) => c.fault),
      ['status', 'status', null],
    );
  });

  test('a latency fault delays the answer; DELETE /_simulator/faults removes faults', async () => {
    await h.fault({ vendor: 'virustotal', kind: 'latency', latencyMs: 300 });
    const started = Date.now();
    assert.equal((await call(`${h.url}/virustotal/api/v3/domains/example.com`, { headers: vtHeaders })).status, 200);
    assert.ok(Date.now() - started >= 280, 'delayed');
    assert.equal((await call(`${h.url}/_simulator/faults`, { method: 'DELETE' })).status, 204);
    assert.deepEqual((await call(`${h.url}/_simulator/faults`)).body, []);
  });

  test('invalid fault specs are refused', async () => {
    const post = (body: unknown): Promise<{ status: number }> =>
      call(`${h.url}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post({ vendor: 'virustotal', kind: 'explode' })).status, 400);
    assert.equal((await post({ vendor: 'nobody', kind: 'hang' })).status, 400);
    assert.equal((await post({ vendor: 'virustotal', kind: 'status' })).status, 400);
  });

  test('state is queryable and resettable; the PAN-OS blocked group is seeded', async () => {
    const state = (await call(`${h.url}/_simulator/state`)).body as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(state).sort(), ['crowdstrike', 'defender', 'graph', 'jira', 'misp', 'okta', 'openc2', 'pagerduty', 'panos', 'slack', 'smtp']);
    assert.deepEqual(
      (state['panos']?.['groups'] as Array<{ name: string; members: string[] }>).map((g) => [g.name, g.members]),
      [['vigil-blocked', ['vigil-placeholder']]],
    );
    assert.equal((await call(`${h.url}/_simulator/state`, { method: 'DELETE' })).status, 204);
  });

  test('unknown prefixes and oversized bodies are refused', async () => {
    assert.equal((await call(`${h.url}/nosuchvendor/x`)).status, 404);
    const big = 'x'.repeat(1024 * 1024 + 10);
    const res = await fetch(`${h.url}/http/echo`, { method: 'POST', body: big, signal: AbortSignal.timeout(5_000) });
    assert.equal(res.status, 413);
    assert.equal(((await call(`${h.url}/_simulator/calls?vendor=http`)).body as unknown[]).length, 0);
  });

  test('malformed JSON gets the vendor’s 400', async () => {
    const res = await call(`${h.url}/pagerduty/v2/enqueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    assert.equal(res.status, 400);
  });
});

describe('simulator lifecycle', () => {
  test('close() ends hung requests and frees the ports', async () => {
    const sim = await startSimulator({ port: 0, smtpPort: 0 });
    const base = sim.url;
    await fetch(`${base}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vendor: 'http', kind: 'hang' }) });
    const hung = fetch(`${base}/http/anything`).then(
      () => 'answered',
      () => 'aborted',
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await sim.close();
    assert.ok(Date.now() - started < 3000, 'close does not wait for hung requests');
    assert.equal(await hung, 'aborted');
    await assert.rejects(fetch(`${base}/_simulator/health`, { signal: AbortSignal.timeout(2000) }));
  });

  test('simulatorConnections points the email connection at the in-process SMTP port', async () => {
    const sim = await startSimulator({ port: 0, smtpPort: 0 });
    try {
      const email = simulatorConnections(sim.url)['email'];
      assert.equal(email?.settings['port'], sim.smtpPort);
      assert.equal(email?.settings['host'], '127.0.0.1');
      assert.equal(simulatorConnections(sim.url, { smtpPort: 2525 })['email']?.settings['port'], 2525);
    } finally {
      await sim.close();
    }
    assert.equal(simulatorConnections(sim.url)['email']?.settings['port'], 4025, 'falls back to the default once the simulator is gone');
    const vt = simulatorConnections(`${sim.url}/`)['virustotal'];
    assert.equal(vt?.baseUrl, `${sim.url}/virustotal`);
  });
});
