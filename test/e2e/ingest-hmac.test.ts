import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LoggerService } from '@nestjs/common';
import { signBody } from '../../src/alerts/hmac-signature.js';
import { readFixtureJson } from '../support/fixtures.js';
import { http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

interface IngestView {
  hmac: { required: boolean; secretSet: boolean; signatureHeader: string; timestampHeader: string; toleranceSeconds: number; perSource: Record<string, unknown> };
  limits: { maxBodyBytes: number; maxBatchAlerts: number };
}
interface CorrelationView {
  windowMinutes: number;
  fields: string[];
  defaults: { windowMinutes: number; fields: string[] };
}
interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}
interface IngestBody {
  alerts: Array<{ id: string; caseId: string; duplicate: boolean }>;
}

class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown): void {
    this.lines.push(String(message));
  }
  debug(message: unknown): void {
    this.lines.push(String(message));
  }
}

const SECRET = 'hmac-secret-7f3a9c1e5b2d8f4a6c0e';
const epoch = (offsetSeconds = 0) => String(Math.floor(Date.now() / 1000) + offsetSeconds);

describe('ingest settings and HMAC body signatures', () => {
  let stack: TestStack;
  const logs = new CapturingLogger();

  before(async () => {
    stack = await startTestStack();
    stack.api.useLogger(logs);
  });
  after(async () => {
    await stack?.stop();
  });

  const settings = <T>(tenant: TestTenant, method: 'GET' | 'PUT', what: 'ingest' | 'correlation', body?: unknown, key = tenant.key) =>
    http<T>(method, `${stack.url}/api/v1/settings/${what}`, { key, body });

  async function alertCount(tenantId: string): Promise<number> {
    const rows: Array<{ n: number }> = await stack.db.query('SELECT count(*)::int AS n FROM alerts WHERE tenant_id = $1', [tenantId]);
    return rows[0]!.n;
  }

  /** Posts `body` signed as a sender would: HMAC-SHA256 over `<timestamp>.<raw body>`. */
  function signedPost(
    tenant: TestTenant,
    path: string,
    raw: string,
    options: { secret?: string; timestamp?: string; signatureHeader?: string; timestampHeader?: string; signature?: string | null } = {},
  ) {
    const timestamp = options.timestamp ?? epoch();
    const headers: Record<string, string> = { [options.timestampHeader ?? 'X-Vigil-Timestamp']: timestamp };
    const signature = options.signature === undefined ? signBody(options.secret ?? SECRET, timestamp, raw) : options.signature;
    if (signature !== null) headers[options.signatureHeader ?? 'X-Vigil-Signature'] = signature;
    return http<IngestBody | ErrorBody>('POST', `${stack.url}/api/v1/alerts${path}`, { key: tenant.key, raw, headers });
  }

  test('defaults: no HMAC, the documented header names and tolerance, the deployment limits', async () => {
    const tenant = await stack.createTenant();
    const res = await settings<IngestView>(tenant, 'GET', 'ingest');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      hmac: { required: false, secretSet: false, signatureHeader: 'X-Vigil-Signature', timestampHeader: 'X-Vigil-Timestamp', toleranceSeconds: 300, perSource: {} },
      limits: { maxBodyBytes: stack.config.api.maxBodyBytes, maxBatchAlerts: stack.config.api.maxBatchAlerts },
    });
    const corr = await settings<CorrelationView>(tenant, 'GET', 'correlation');
    assert.equal(corr.status, 200);
    assert.deepEqual(corr.body, { windowMinutes: 60, fields: ['source', 'rule', 'host', 'user'], defaults: { windowMinutes: 60, fields: ['source', 'rule', 'host', 'user'] } });
  });

  test('only admins read or change settings', async () => {
    const tenant = await stack.createTenant();
    for (const role of ['analyst', 'author', 'viewer', 'ingest']) {
      const key = await stack.createKey(tenant.id, role);
      for (const what of ['ingest', 'correlation'] as const) {
        const get = await settings<ErrorBody>(tenant, 'GET', what, undefined, key);
        assert.equal(get.status, 403, `${role} GET ${what}`);
        const put = await settings<ErrorBody>(tenant, 'PUT', what, what === 'ingest' ? { hmac: { required: false } } : { windowMinutes: 5, fields: ['rule'] }, key);
        assert.equal(put.status, 403, `${role} PUT ${what}`);
        assert.equal(put.body.error.code, 'forbidden');
      }
    }
  });

  test('invalid settings are refused with 400 invalid_body and change nothing', async () => {
    const tenant = await stack.createTenant();
    const bad: Array<['ingest' | 'correlation', unknown]> = [
      ['ingest', { hmac: { required: true } }],
      ['ingest', { hmac: { required: false, secret: 'short' } }],
      ['ingest', { hmac: { required: false, signatureHeader: 'X Bad Header' } }],
      ['ingest', { hmac: { required: false, toleranceSeconds: 0 } }],
      ['ingest', { hmac: { required: false, perSource: { nosuchsource: { signatureHeader: 'X-Sig' } } } }],
      ['ingest', { hmac: { required: false }, extra: true }],
      ['ingest', { hmac: { required: 'yes' } }],
      ['correlation', { windowMinutes: 0, fields: ['rule'] }],
      ['correlation', { windowMinutes: 10, fields: [] }],
      ['correlation', { windowMinutes: 10, fields: ['rule', 'rule'] }],
      ['correlation', { windowMinutes: 10, fields: ['ip'] }],
      ['correlation', { windowMinutes: 1.5, fields: ['rule'] }],
    ];
    for (const [what, body] of bad) {
      const res = await settings<ErrorBody>(tenant, 'PUT', what, body);
      assert.equal(res.status, 400, `${what} ${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'invalid_body');
    }
    const rows: Array<{ settings: Record<string, unknown> }> = await stack.db.query('SELECT settings FROM tenants WHERE id = $1', [tenant.id]);
    assert.deepEqual(rows[0]!.settings, {});
  });

  test('the secret is write-only: never in a response, the audit log or the logs', async () => {
    const tenant = await stack.createTenant();
    const put = await settings<IngestView>(tenant, 'PUT', 'ingest', { hmac: { required: true, secret: SECRET, toleranceSeconds: 120 } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.hmac, {
      required: true,
      secretSet: true,
      signatureHeader: 'X-Vigil-Signature',
      timestampHeader: 'X-Vigil-Timestamp',
      toleranceSeconds: 120,
      perSource: {},
    });
    const get = await settings<IngestView>(tenant, 'GET', 'ingest');
    assert.deepEqual(get.body, put.body);
    // Changing other fields keeps the stored secret.
    const kept = await settings<IngestView>(tenant, 'PUT', 'ingest', { hmac: { required: true, toleranceSeconds: 60 } });
    assert.equal(kept.status, 200);
    assert.equal(kept.body.hmac.secretSet, true);
    const unsignedRefused = await http<ErrorBody>('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body: { title: 'x', severity: 'low' } });
    assert.equal(unsignedRefused.status, 401);
    for (const text of [JSON.stringify(put.body), JSON.stringify(get.body), JSON.stringify(kept.body), JSON.stringify(unsignedRefused.body)]) assert.ok(!text.includes(SECRET));

    const audit: Array<{ actor: string; action: string; target: string; details: Record<string, unknown> }> = await stack.db.query(
      `SELECT actor, action, target, details FROM audit_log WHERE tenant_id = $1 ORDER BY id`,
      [tenant.id],
    );
    assert.deepEqual(
      audit.map((a) => [a.action, a.target, a.details['secret']]),
      [
        ['settings.updated', 'settings:ingest', 'set'],
        ['settings.updated', 'settings:ingest', 'kept'],
      ],
    );
    assert.match(audit[0]!.actor, /^(api-key|user):/);
    assert.ok(!JSON.stringify(audit).includes(SECRET), 'the audit log never holds the secret');
    assert.ok(!logs.lines.some((l) => l.includes(SECRET)), 'the logs never hold the secret');
  });

  describe('when signatures are required', () => {
    let tenant: TestTenant;
    const body = (n: string) => JSON.stringify({ title: 'Signed alert', severity: 'high', sourceId: `signed-${n}`, host: 'ws-0001' });

    before(async () => {
      tenant = await stack.createTenant();
      const res = await settings<IngestView>(tenant, 'PUT', 'ingest', {
        hmac: { required: true, secret: SECRET, toleranceSeconds: 300, perSource: { splunk: { signatureHeader: 'X-Splunk-Signature', timestampHeader: 'X-Splunk-Timestamp' } } },
      });
      assert.equal(res.status, 200);
    });

    test('a good signature is accepted (202); the same delivery replayed within the tolerance is the same alert, not a new one', async () => {
      const raw = body('good');
      const timestamp = epoch();
      const first = await signedPost(tenant, '/generic', raw, { timestamp });
      assert.equal(first.status, 202, JSON.stringify(first.body));
      const replay = await signedPost(tenant, '/generic', raw, { timestamp });
      assert.equal(replay.status, 202);
      assert.equal((replay.body as IngestBody).alerts[0]!.duplicate, true);
      assert.equal((replay.body as IngestBody).alerts[0]!.id, (first.body as IngestBody).alerts[0]!.id);
      // Auto-detection uses the default header names too.
      const auto = await signedPost(tenant, '', body('auto'));
      assert.equal(auto.status, 202);
    });

    const refusals: Array<{ name: string; reason: string; send: (t: TestTenant) => ReturnType<typeof signedPost> }> = [
      { name: 'missing signature', reason: 'missing_signature', send: (t) => signedPost(t, '/generic', body('m'), { signature: null }) },
      { name: 'missing timestamp', reason: 'missing_timestamp', send: (t) => signedPost(t, '/generic', body('m'), { timestampHeader: 'X-Other' }) },
      { name: 'signed with another secret', reason: 'mismatch', send: (t) => signedPost(t, '/generic', body('w'), { secret: 'not-the-tenants-secret-1234' }) },
      {
        name: 'the body changed after signing',
        reason: 'mismatch',
        send: (t) => {
          const timestamp = epoch();
          return signedPost(t, '/generic', body('tampered'), { timestamp, signature: signBody(SECRET, timestamp, body('original')) });
        },
      },
      { name: 'a stale timestamp (a replay 10 minutes later)', reason: 'stale_timestamp', send: (t) => signedPost(t, '/generic', body('s'), { timestamp: epoch(-600) }) },
      { name: 'a timestamp from the future', reason: 'stale_timestamp', send: (t) => signedPost(t, '/generic', body('f'), { timestamp: epoch(+600) }) },
      { name: 'a malformed signature', reason: 'malformed_signature', send: (t) => signedPost(t, '/generic', body('x'), { signature: 'md5=abc' }) },
      {
        name: 'the default header on a source that has its own (splunk)',
        reason: 'missing_signature',
        send: (t) => signedPost(t, '/splunk', JSON.stringify(readFixtureJson('alerts', 'splunk_webhook.json'))),
      },
      {
        name: 'a bad signature on a body that is not even JSON',
        reason: 'mismatch',
        send: (t) => signedPost(t, '/generic', '{not json', { secret: 'not-the-tenants-secret-1234' }),
      },
    ];
    for (const r of refusals) {
      test(`${r.name} → 401 invalid_signature (${r.reason}), nothing written`, async () => {
        const before = await alertCount(tenant.id);
        const res = await r.send(tenant);
        assert.equal(res.status, 401, JSON.stringify(res.body));
        const err = res.body as ErrorBody;
        assert.equal(err.error.code, 'invalid_signature');
        assert.equal(err.error.details['reason'], r.reason);
        assert.equal(await alertCount(tenant.id), before);
      });
    }

    test('a source with its own header names: splunk signed in X-Splunk-Signature / X-Splunk-Timestamp', async () => {
      const raw = JSON.stringify(readFixtureJson('alerts', 'splunk_webhook.json'));
      const res = await signedPost(tenant, '/splunk', raw, { signatureHeader: 'X-Splunk-Signature', timestampHeader: 'X-Splunk-Timestamp' });
      assert.equal(res.status, 202, JSON.stringify(res.body));
    });

    test('the API key is still checked first: a good signature with a bad key is 401 unauthorized', async () => {
      const raw = body('nokey');
      const timestamp = epoch();
      const res = await http<ErrorBody>('POST', `${stack.url}/api/v1/alerts/generic`, {
        key: 'vgl_not-a-key',
        raw,
        headers: { 'X-Vigil-Timestamp': timestamp, 'X-Vigil-Signature': signBody(SECRET, timestamp, raw) },
      });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'unauthorized');
    });
  });

  test('with a secret but not required: unsigned deliveries pass, a present signature must be right; removing the secret turns it off', async () => {
    const tenant = await stack.createTenant();
    await settings<IngestView>(tenant, 'PUT', 'ingest', { hmac: { required: false, secret: SECRET } });
    const raw = JSON.stringify({ title: 'Optional signing', severity: 'low', sourceId: 'opt-1' });
    const unsigned = await http('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, raw });
    assert.equal(unsigned.status, 202);
    const good = await signedPost(tenant, '/generic', raw);
    assert.equal(good.status, 202);
    const bad = await signedPost(tenant, '/generic', raw, { secret: 'not-the-tenants-secret-1234' });
    assert.equal(bad.status, 401);
    const off = await settings<IngestView>(tenant, 'PUT', 'ingest', { hmac: { required: false, secret: null } });
    assert.equal(off.body.hmac.secretSet, false);
    const ignored = await signedPost(tenant, '/generic', raw, { secret: 'not-the-tenants-secret-1234' });
    assert.equal(ignored.status, 202);
  });

  test('correlation settings: PUT sets them, GET reads them, the change is audited', async () => {
    const tenant = await stack.createTenant();
    const put = await settings<CorrelationView>(tenant, 'PUT', 'correlation', { windowMinutes: 15, fields: ['source', 'rule'] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual([put.body.windowMinutes, put.body.fields], [15, ['source', 'rule']]);
    const get = await settings<CorrelationView>(tenant, 'GET', 'correlation');
    assert.deepEqual(get.body, put.body);
    const audit: Array<{ action: string; target: string; details: { before: unknown; after: unknown } }> = await stack.db.query(
      `SELECT action, target, details FROM audit_log WHERE tenant_id = $1`,
      [tenant.id],
    );
    assert.deepEqual(audit, [
      {
        action: 'settings.updated',
        target: 'settings:correlation',
        details: { before: { windowMinutes: 60, fields: ['source', 'rule', 'host', 'user'] }, after: { windowMinutes: 15, fields: ['source', 'rule'] } },
      },
    ]);
  });
});
