import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';
import { ApplicationFailure } from '@temporalio/common';
import { ActionRunner } from '../../src/activities/action-runner.js';
import { finishedCase, playbookDir, postGenericAlert, simulatorCalls, simulatorConnectionBody } from '../support/integrations-fixtures.js';
import type { RunningWorker } from '../support/stack.js';
import { ACTION_CATALOG } from '../../integrations/index.js';

interface ConnectionBody {
  id: string;
  vendor: string;
  name: string;
  baseUrl: string;
  settings: Record<string, unknown>;
  enabledActions: string[] | null;
  secrets: { set: string[]; missing: string[]; keyId: string };
}
interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}
interface IntegrationItem {
  key: string;
  vendor: string;
  kind: string;
  inverse: string | null;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  connection: 'tenant' | 'simulator' | null;
  connected: boolean;
}

const SECRET = 'abuse-secret-value-that-must-stay-hidden-4711';

describe('connections API: per-tenant, encrypted, secrets write-only', () => {
  let stack: TestStack;
  let tenant: TestTenant;

  before(async () => {
    stack = await startTestStack();
    tenant = await stack.createTenant();
  });
  after(async () => {
    await stack?.stop();
  });

  test('create, read, change and delete a connection; secret values never come back', async () => {
    const created = await http<ConnectionBody>('POST', `${stack.url}/api/v1/connections`, {
      key: tenant.key,
      body: {
        vendor: 'abuseipdb',
        baseUrl: `${stack.simulatorUrl}/abuseipdb`,
        settings: { rateLimitPerMinute: 120, note: 'prod feed', allowPrivateNetworks: true },
        secrets: { apiKey: SECRET },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.vendor, 'abuseipdb');
    assert.equal(created.body.name, 'abuseipdb');
    assert.deepEqual(created.body.secrets.set, ['apiKey']);
    assert.deepEqual(created.body.secrets.missing, []);
    assert.equal(created.body.secrets.keyId, stack.config.secretsKeys[0]!.id);
    assert.deepEqual(created.body.settings, { rateLimitPerMinute: 120, note: 'prod feed', allowPrivateNetworks: true });
    assert.equal(created.body.enabledActions, null);
    assert.ok(!JSON.stringify(created.body).includes(SECRET));

    // At rest: ciphertext, IV and tag, never the value.
    const rows: Array<{ secrets_ciphertext: Buffer; secrets_iv: Buffer; secrets_auth_tag: Buffer; secret_names: string[] }> = await stack.db.query(
      'SELECT secrets_ciphertext, secrets_iv, secrets_auth_tag, secret_names FROM integration_connections WHERE id = $1',
      [created.body.id],
    );
    assert.equal(rows[0]!.secrets_iv.length, 12);
    assert.equal(rows[0]!.secrets_auth_tag.length, 16);
    assert.ok(!rows[0]!.secrets_ciphertext.toString('latin1').includes(SECRET));
    assert.deepEqual(rows[0]!.secret_names, ['apiKey']);

    const list = await http<{ items: ConnectionBody[] }>('GET', `${stack.url}/api/v1/connections`, { key: tenant.key });
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.map((c) => c.id),
      [created.body.id],
    );
    assert.ok(!JSON.stringify(list.body).includes(SECRET));

    const patched = await http<ConnectionBody>('PATCH', `${stack.url}/api/v1/connections/${created.body.id}`, {
      key: tenant.key,
      body: { name: 'AbuseIPDB EU', secrets: { extraToken: 'x-1' }, enabledActions: ['abuseipdb.check_ip'] },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.name, 'AbuseIPDB EU');
    assert.deepEqual(patched.body.secrets.set, ['apiKey', 'extraToken']);
    assert.deepEqual(patched.body.enabledActions, ['abuseipdb.check_ip']);
    // The kept secret still decrypts to its value (the resolver is what activities use).
    const { ConnectionResolver } = await import('../../src/integration-runtime/connection-resolver.js');
    const resolved = await stack.api.get(ConnectionResolver).resolve(tenant.id, 'abuseipdb');
    assert.equal(resolved.source, 'tenant');
    assert.equal(resolved.context.secrets['apiKey'], SECRET);
    assert.equal(resolved.context.secrets['extraToken'], 'x-1');
    assert.equal(resolved.safety.rateLimitPerMinute, 120);

    const removedSecret = await http<ConnectionBody>('PATCH', `${stack.url}/api/v1/connections/${created.body.id}`, { key: tenant.key, body: { secrets: { extraToken: null } } });
    assert.deepEqual(removedSecret.body.secrets.set, ['apiKey']);

    const one = await http<ConnectionBody>('GET', `${stack.url}/api/v1/connections/${created.body.id}`, { key: tenant.key });
    assert.equal(one.status, 200);
    assert.equal(one.body.name, 'AbuseIPDB EU');

    const audit: Array<{ action: string; details: Record<string, unknown> }> = await stack.db.query(
      `SELECT action, details FROM audit_log WHERE tenant_id = $1 AND target = $2 ORDER BY at`,
      [tenant.id, `connection:${created.body.id}`],
    );
    assert.deepEqual(
      audit.map((a) => a.action),
      ['connection.created', 'connection.updated', 'connection.updated'],
    );
    assert.ok(!JSON.stringify(audit).includes(SECRET));

    const deleted = await http('DELETE', `${stack.url}/api/v1/connections/${created.body.id}`, { key: tenant.key });
    assert.equal(deleted.status, 204);
    const gone = await http<ErrorBody>('GET', `${stack.url}/api/v1/connections/${created.body.id}`, { key: tenant.key });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'not_found');
  });

  test('a base URL passes the address guard: no metadata, loopback or private address in any spelling without the opt-in', async () => {
    const t = await stack.createTenant();
    for (const baseUrl of [
      'http://169.254.169.254/latest',
      'http://2852039166/',
      'http://0xa9.0xfe.0xa9.0xfe/',
      `${stack.simulatorUrl}/okta`,
      'http://10.1/',
      'http://[::ffff:169.254.169.254]/',
      'http://[2002:a9fe:a9fe::1]/',
    ]) {
      const res = await http<ErrorBody>('POST', `${stack.url}/api/v1/connections`, { key: t.key, body: { vendor: 'okta', baseUrl, secrets: { apiToken: 'okta-token-1' } } });
      assert.equal(res.status, 400, baseUrl);
      assert.equal(res.body.error.code, 'invalid_body');
      assert.match(res.body.error.message, /^baseUrl: /);
    }
    assert.equal((await stack.db.query('SELECT count(*)::int AS n FROM integration_connections WHERE tenant_id = $1', [t.id]))[0].n, 0, 'nothing written');
  });

  test('moving a connection to another host takes its secrets again unless an admin does it', async () => {
    const t = await stack.createTenant();
    const author = await stack.createKey(t.id, 'author');
    const made = await http<ConnectionBody>('POST', `${stack.url}/api/v1/connections`, { key: t.key, body: simulatorConnectionBody(stack.simulatorUrl, 'okta') });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const port = Number(new URL(stack.simulatorUrl).port);
    const moved = `http://127.0.0.1:${port + 1}/okta`;
    const refused = await http<ErrorBody>('PATCH', `${stack.url}/api/v1/connections/${made.body.id}`, { key: author, body: { baseUrl: moved } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'forbidden');
    assert.deepEqual(refused.body.error.details['missing'], ['apiToken']);
    const samePlace = await http<ConnectionBody>('PATCH', `${stack.url}/api/v1/connections/${made.body.id}`, { key: author, body: { baseUrl: `${stack.simulatorUrl}/okta/v2` } });
    assert.equal(samePlace.status, 200, 'another path on the same host and port keeps the secrets');
    const withSecrets = await http<ConnectionBody>('PATCH', `${stack.url}/api/v1/connections/${made.body.id}`, {
      key: author,
      body: { baseUrl: moved, secrets: { apiToken: 'typed-again-1' } },
    });
    assert.equal(withSecrets.status, 200, JSON.stringify(withSecrets.body));
    const byAdmin = await http<ConnectionBody>('PATCH', `${stack.url}/api/v1/connections/${made.body.id}`, { key: t.key, body: { baseUrl: `${stack.simulatorUrl}/okta` } });
    assert.equal(byAdmin.status, 200);
    const metadata = await http<ErrorBody>('PATCH', `${stack.url}/api/v1/connections/${made.body.id}`, {
      key: t.key,
      body: { baseUrl: 'http://169.254.169.254/', settings: { allowPrivateNetworks: false } },
    });
    assert.equal(metadata.status, 400);
  });

  test('one connection per vendor: a second answers 409 naming the first', async () => {
    const t = await stack.createTenant();
    const first = await http<ConnectionBody>('POST', `${stack.url}/api/v1/connections`, { key: t.key, body: simulatorConnectionBody(stack.simulatorUrl, 'greynoise') });
    assert.equal(first.status, 201);
    const second = await http<ErrorBody>('POST', `${stack.url}/api/v1/connections`, { key: t.key, body: simulatorConnectionBody(stack.simulatorUrl, 'greynoise') });
    assert.equal(second.status, 409);
    assert.equal(second.body.error.code, 'conflict');
    assert.equal(second.body.error.details['id'], first.body.id);
  });

  describe('bad input gets a 4xx with the error shape and writes nothing', () => {
    const cases: Array<{ name: string; body: unknown; raw?: string; status: number; code: string; path?: string }> = [
      { name: 'unknown vendor', body: { vendor: 'nosuchvendor', baseUrl: 'https://x.example', secrets: {} }, status: 400, code: 'invalid_body', path: 'vendor' },
      { name: 'baseUrl not http(s)', body: { vendor: 'okta', baseUrl: 'ftp://x.example', secrets: {} }, status: 400, code: 'invalid_body', path: 'baseUrl' },
      { name: 'empty secret', body: { vendor: 'okta', baseUrl: 'https://x.example', secrets: { apiToken: '' } }, status: 400, code: 'invalid_body', path: 'secrets.apiToken' },
      { name: 'unknown field', body: { vendor: 'okta', baseUrl: 'https://x.example', secrets: {}, password: 'x' }, status: 400, code: 'invalid_body' },
      {
        name: 'bad safety setting',
        body: { vendor: 'okta', baseUrl: 'https://x.example', settings: { maxConcurrent: 0 } },
        status: 400,
        code: 'invalid_body',
        path: 'settings.maxConcurrent',
      },
      {
        name: "another vendor's action enabled",
        body: { vendor: 'okta', baseUrl: 'https://x.example', enabledActions: ['crowdstrike.contain_host'] },
        status: 400,
        code: 'invalid_body',
        path: 'enabledActions.0',
      },
      { name: 'not JSON', body: undefined, raw: '{"vendor":', status: 400, code: 'invalid_json' },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        const t = await stack.createTenant();
        const res = await http<ErrorBody>('POST', `${stack.url}/api/v1/connections`, c.raw !== undefined ? { key: t.key, raw: c.raw } : { key: t.key, body: c.body });
        assert.equal(res.status, c.status, JSON.stringify(res.body));
        assert.equal(res.body.error.code, c.code);
        if (c.path) assert.ok(JSON.stringify(res.body.error.details).includes(`"${c.path}"`), JSON.stringify(res.body.error.details));
        const n: Array<{ n: number }> = await stack.db.query('SELECT count(*)::int AS n FROM integration_connections WHERE tenant_id = $1', [t.id]);
        assert.equal(n[0]!.n, 0);
      });
    }
  });

  test('roles: analysts and viewers may not see or change connections; only admins rotate', async () => {
    const analyst = await stack.createKey(tenant.id, 'analyst');
    const viewer = await stack.createKey(tenant.id, 'viewer');
    const author = await stack.createKey(tenant.id, 'author');
    for (const key of [analyst, viewer]) {
      assert.equal((await http('GET', `${stack.url}/api/v1/connections`, { key })).status, 403);
      assert.equal((await http('POST', `${stack.url}/api/v1/connections`, { key, body: simulatorConnectionBody(stack.simulatorUrl, 'okta') })).status, 403);
    }
    const byAuthor = await http<ConnectionBody>('POST', `${stack.url}/api/v1/connections`, { key: author, body: simulatorConnectionBody(stack.simulatorUrl, 'okta') });
    assert.equal(byAuthor.status, 201);
    assert.equal((await http('POST', `${stack.url}/api/v1/connections/rotate`, { key: author })).status, 403);
    assert.equal((await http('GET', `${stack.url}/api/v1/connections`)).status, 401);
  });

  test("tenant isolation: another tenant's connection answers 404 and is never listed", async () => {
    const owner = await stack.createTenant();
    const other = await stack.createTenant();
    const created = await http<ConnectionBody>('POST', `${stack.url}/api/v1/connections`, { key: owner.key, body: simulatorConnectionBody(stack.simulatorUrl, 'jira') });
    assert.equal(created.status, 201);
    const id = created.body.id;
    assert.equal((await http<ErrorBody>('GET', `${stack.url}/api/v1/connections/${id}`, { key: other.key })).status, 404);
    assert.equal((await http<ErrorBody>('PATCH', `${stack.url}/api/v1/connections/${id}`, { key: other.key, body: { name: 'mine now' } })).status, 404);
    assert.equal((await http<ErrorBody>('DELETE', `${stack.url}/api/v1/connections/${id}`, { key: other.key })).status, 404);
    const list = await http<{ items: ConnectionBody[] }>('GET', `${stack.url}/api/v1/connections`, { key: other.key });
    assert.deepEqual(list.body.items, []);
    // The other tenant's own connection to the same vendor is separate.
    assert.equal((await http('POST', `${stack.url}/api/v1/connections`, { key: other.key, body: simulatorConnectionBody(stack.simulatorUrl, 'jira') })).status, 201);
    const still = await http<ConnectionBody>('GET', `${stack.url}/api/v1/connections/${id}`, { key: owner.key });
    assert.equal(still.body.name, 'jira test');
  });

  test('GET /api/v1/integrations: the catalogue with schemas, marking what the tenant can run', async () => {
    const t = await stack.createTenant();
    const created = await http('POST', `${stack.url}/api/v1/connections`, {
      key: t.key,
      body: simulatorConnectionBody(stack.simulatorUrl, 'virustotal', { enabledActions: ['virustotal.get_ip_report'] }),
    });
    assert.equal(created.status, 201);
    const viewer = await stack.createKey(t.id, 'viewer');
    const res = await http<{ items: IntegrationItem[] }>('GET', `${stack.url}/api/v1/integrations`, { key: viewer });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items.map((i) => i.key).sort(), [...ACTION_CATALOG.keys()].sort());
    const byKey = new Map(res.body.items.map((i) => [i.key, i]));
    assert.deepEqual([byKey.get('virustotal.get_ip_report')!.connection, byKey.get('virustotal.get_ip_report')!.connected], ['tenant', true]);
    assert.deepEqual([byKey.get('virustotal.get_file_report')!.connection, byKey.get('virustotal.get_file_report')!.connected], ['tenant', false]);
    // No connection of its own: this test deployment falls back to the simulator.
    assert.deepEqual([byKey.get('crowdstrike.contain_host')!.connection, byKey.get('crowdstrike.contain_host')!.connected], ['simulator', true]);
    assert.equal(byKey.get('crowdstrike.contain_host')!.inverse, 'crowdstrike.lift_containment');
    const props = byKey.get('abuseipdb.check_ip')!.inputSchema['properties'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(props).sort(), ['ip', 'maxAgeInDays']);
    assert.equal(byKey.get('abuseipdb.check_ip')!.kind, 'enrichment');
    const ingest = await stack.createKey(t.id, 'ingest');
    assert.equal((await http('GET', `${stack.url}/api/v1/integrations`, { key: ingest })).status, 403);
  });
});

describe('protected assets API', () => {
  let stack: TestStack;

  before(async () => {
    stack = await startTestStack();
  });
  after(async () => {
    await stack?.stop();
  });

  test('add, list and remove; duplicates conflict; bad kinds refused; another tenant sees nothing', async () => {
    const t = await stack.createTenant();
    const other = await stack.createTenant();
    const added = await http<{ id: string; kind: string; pattern: string; reason: string; createdBy: string }>('POST', `${stack.url}/api/v1/protected-assets`, {
      key: t.key,
      body: { kind: 'host', pattern: 'DC-*', reason: 'domain controllers' },
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.pattern, 'DC-*');
    assert.match(added.body.createdBy, /^(api-key|user):/);
    const dup = await http<ErrorBody>('POST', `${stack.url}/api/v1/protected-assets`, { key: t.key, body: { kind: 'host', pattern: 'DC-*', reason: 'again' } });
    assert.equal(dup.status, 409);
    const bad = await http<ErrorBody>('POST', `${stack.url}/api/v1/protected-assets`, { key: t.key, body: { kind: 'printer', pattern: 'x', reason: 'y' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_body');
    const noReason = await http<ErrorBody>('POST', `${stack.url}/api/v1/protected-assets`, { key: t.key, body: { kind: 'ip', pattern: '10.0.0.0/8' } });
    assert.equal(noReason.status, 400);

    const viewer = await stack.createKey(t.id, 'viewer');
    const list = await http<{ items: Array<{ id: string }> }>('GET', `${stack.url}/api/v1/protected-assets`, { key: viewer });
    assert.deepEqual(
      list.body.items.map((i) => i.id),
      [added.body.id],
    );
    assert.equal((await http('POST', `${stack.url}/api/v1/protected-assets`, { key: viewer, body: { kind: 'user', pattern: 'ceo', reason: 'ceo' } })).status, 403);

    assert.deepEqual((await http<{ items: unknown[] }>('GET', `${stack.url}/api/v1/protected-assets`, { key: other.key })).body.items, []);
    assert.equal((await http('DELETE', `${stack.url}/api/v1/protected-assets/${added.body.id}`, { key: other.key })).status, 404);
    assert.equal((await http('DELETE', `${stack.url}/api/v1/protected-assets/${added.body.id}`, { key: t.key })).status, 204);
    assert.deepEqual((await http<{ items: unknown[] }>('GET', `${stack.url}/api/v1/protected-assets`, { key: t.key })).body.items, []);
  });
});

describe('a tenant without a connection (no development fallback)', () => {
  let stack: TestStack;
  let worker: RunningWorker;

  before(async () => {
    const reputation = `
id: reputation_without_connection
name: Reputation of the first address
version: "1.0.0"
steps:
  - { id: reputation, kind: action, action: abuseipdb.check_ip, with: { ip: "{{lookup observables.ip 0}}" } }
  - { id: done, kind: end, status: triaged }
`;
    stack = await startTestStack({ VIGIL_SIMULATOR_CONNECTIONS: 'false', VIGIL_PLAYBOOKS_DIR: playbookDir({ 'reputation.yaml': reputation }) });
    worker = await stack.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  test('the action fails once, non-retryably, with no_connection naming the vendor; with a connection it runs', async () => {
    const t = await stack.createTenant();
    const runner = stack.api.get(ActionRunner);
    const error = await runner.run({ tenantId: t.id, action: 'abuseipdb.check_ip', params: { ip: '192.0.2.44' }, scope: {}, idempotencyKey: `nc-${t.id}` }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof ApplicationFailure);
    assert.equal(error.type, 'no_connection');
    assert.equal(error.nonRetryable, true);
    assert.match(error.message, /^no connection for abuseipdb: add one with POST \/api\/v1\/connections/);

    const catalogue = await http<{ items: IntegrationItem[] }>('GET', `${stack.url}/api/v1/integrations`, { key: t.key });
    const item = catalogue.body.items.find((i) => i.key === 'abuseipdb.check_ip')!;
    assert.deepEqual([item.connection, item.connected], [null, false]);

    const caseId = await postGenericAlert(stack, t.key, { title: 'no connection', severity: 'high', observables: [{ type: 'ip', value: '192.0.2.44' }] });
    const view = await finishedCase(stack, t.key, caseId);
    assert.equal(view.run.status, 'failed');
    const failures = view.timeline.filter((l) => l.kind === 'step_failed');
    assert.equal(failures.length, 1, 'not retried');
    assert.match(failures[0]!.message, /no connection for abuseipdb/);
    assert.equal((await simulatorCalls(stack.simulatorUrl, 'abuseipdb')).length, 0);

    const created = await http('POST', `${stack.url}/api/v1/connections`, { key: t.key, body: simulatorConnectionBody(stack.simulatorUrl, 'abuseipdb') });
    assert.equal(created.status, 201);
    const second = await postGenericAlert(stack, t.key, { title: 'with a connection', severity: 'high', observables: [{ type: 'ip', value: '192.0.2.45' }] });
    assert.equal((await finishedCase(stack, t.key, second)).run.status, 'completed');
    assert.equal((await simulatorCalls(stack.simulatorUrl, 'abuseipdb')).length, 1);
  });
});
