/**
 * Every documented vendor shape of test/fixtures/alerts/<source>/ over HTTP: detections are stored
 * (on the source's route and through auto-detection), deliveries without a detection answer 200
 * with why, and unreadable ones a 400 that names the field.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { asNdjson, SHAPES_DIR, shapeFixture, withPath } from '../support/normalizer-testing.js';
import { http, startTestStack, type TestStack } from '../support/stack.js';

interface IngestBody {
  source: string;
  alerts: Array<{ index: number; id: string; caseId: string; duplicate: boolean }>;
  errors?: Array<{ index: number; code: string }>;
}
interface AckBody {
  acknowledged: string;
  message: string;
}
interface ErrorBody {
  error: { code: string; message: string; details: { errors: Array<{ index: number; code: string; details?: { path?: string } }> } };
}
interface CaseView {
  observables: Array<{ kind: string; value: string }>;
  alerts: Array<{ sourceUid: string }>;
}

/** Fixtures that carry detections, with the dedup key of their (first) alert. */
const DETECTIONS: Array<{ source: string; file: string; uid: string }> = [
  { source: 'crowdstrike', file: 'alerts-v2-idp.json', uid: '0123456789abcdef0123456789abcdef:ind:8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d:3FA1C2D3-0000-4B5C-9D8E-112233445566' },
  { source: 'crowdstrike', file: 'alerts-v2-dlp.json', uid: '0123456789abcdef0123456789abcdef:dlp:3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f:7700112233' },
  { source: 'crowdstrike', file: 'alerts-v2-xdr.json', uid: '0123456789abcdef0123456789abcdef:xdr:0123456789abcdef0123456789abcdef:55667788990011' },
  { source: 'crowdstrike', file: 'alerts-v2-mobile.json', uid: '0123456789abcdef0123456789abcdef:mobile:b1c2d3e4f5a60718293a4b5c6d7e8f90:99887766' },
  { source: 'crowdstrike', file: 'alerts-v2-overwatch.json', uid: '0123456789abcdef0123456789abcdef:ind:4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c:OW-20260303-0042' },
  { source: 'crowdstrike', file: 'alerts-v2-thirdparty-ngsiem.json', uid: '0123456789abcdef0123456789abcdef:ngsiem:0123456789abcdef0123456789abcdef:a1b2c3d4e5f6' },
  {
    source: 'crowdstrike',
    file: 'stream-idp-detection-summary.json',
    uid: '0123456789abcdef0123456789abcdef:ind:8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d:77AA0011-2233-4455-6677-8899AABBCCDD',
  },
  { source: 'defender', file: 'mde-alert-evidence-array.json', uid: 'da637951234567890123_1122334455' },
  { source: 'defender', file: 'mde-alert-evidence-object.json', uid: 'da637951234567890999_5566778899' },
  { source: 'defender', file: 'mde-alerts-list-network.json', uid: 'da637951234567891111_9988776655' },
  { source: 'elastic', file: 'kibana-alert-nested.json', uid: '0f5e3c2b1a0918273645546372819aab0f5e3c2b1a0918273645546372819aab' },
  { source: 'elastic', file: 'legacy-signal-7x.json', uid: 'signal:4b2c7e10-cc5e-11eb-9f25-3b4c5d6e7f80:p5W1DnoBxkT3yQ8nL2aa' },
  { source: 'splunk', file: 'es-notable-brute-force.json', uid: 'scheduler__admin_U0EtQWNjZXNzUHJvdGVjdGlvbg__RMD5b2c3d4e5f6a7b8c9d0_at_1772704800_5521:' },
  { source: 'splunk', file: 'es-notable-endpoint-process.json', uid: 'scheduler__admin_REEtRVNTLUVuZHBvaW50__RMD5c3d4e5f6a7b8c9d0e1_at_1772708400_6610:' },
  { source: 'sentinel', file: 'incident-trigger-entities.json', uid: '7e3b1c2a-4d5f-4a6b-9c8d-0e1f2a3b4c5d' },
  { source: 'sentinel', file: 'security-alert-trigger.json', uid: '2517520712345678901_4a3b2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0' },
  { source: 'guardduty', file: 'accesskey-iam-exfiltration.json', uid: 'b4c6e8f0a2c4e6f8b0d2f4a6c8e0a2c4' },
  { source: 'guardduty', file: 's3-bucket-malicious-caller.json', uid: 'c6e8f0a2c4e6f8b0d2f4a6c8e0a2c4e6' },
  { source: 'guardduty', file: 'eks-cluster-anonymous-access.json', uid: 'd8f0a2c4e6f8b0d2f4a6c8e0a2c4e6f8' },
  { source: 'guardduty', file: 'runtime-container-new-binary.json', uid: 'e0a2c4e6f8b0d2f4a6c8e0a2c4e6f8b0' },
  { source: 'guardduty', file: 'lambda-c2-activity.json', uid: 'f2c4e6f8b0d2f4a6c8e0a2c4e6f8b0d2' },
  { source: 'guardduty', file: 'rds-anomalous-login.json', uid: 'a4e6f8b0d2f4a6c8e0a2c4e6f8b0d2f4' },
  { source: 'guardduty', file: 'ecs-fargate-crypto.json', uid: 'b6f8b0d2f4a6c8e0a2c4e6f8b0d2f4a6' },
  { source: 'gcp-scc', file: 'etd-iam-anomalous-grant.json', uid: 'organizations/123456789012/sources/11223344556677889900/findings/1a2b3c4d5e6f70819a2b3c4d5e6f7081' },
  { source: 'gcp-scc', file: 'ctd-added-binary-executed.json', uid: 'organizations/123456789012/sources/22334455667788990011/findings/2b3c4d5e6f708192a3b4c5d6e7f80912' },
  { source: 'gcp-scc', file: 'sha-public-bucket-acl.json', uid: 'organizations/123456789012/sources/33445566778899001122/findings/3c4d5e6f708192a3b4c5d6e7f8091a2b' },
  { source: 'gcp-scc', file: 'vmtd-mining-hash-match-pubsub.json', uid: 'organizations/123456789012/sources/44556677889900112233/findings/4d5e6f708192a3b4c5d6e7f8091a2b3c' },
  { source: 'wazuh', file: 'syscheck-file-modified.json', uid: '1772955062.2231456' },
  { source: 'wazuh', file: 'sshd-authentication-failed.json', uid: '1772925164.998877' },
  { source: 'wazuh', file: 'windows-eventchannel-logon-failure.json', uid: '1772963110.5512001' },
  { source: 'wazuh', file: 'auditd-command-execution.json', uid: '1772972433.7001122' },
  { source: 'suricata', file: 'alert-http-ipv4.json', uid: '1911223344556677:2027865' },
  { source: 'suricata', file: 'alert-dns-ipv6.json', uid: '2044556677889900:2035466' },
  { source: 'suricata', file: 'alert-tls-sni.json', uid: '1122334455667788:2033966' },
];

/** Fixtures that are valid for their vendor but carry no detection. */
const ACKNOWLEDGED: Array<{ source: string; file: string; kind: string; ndjson?: boolean }> = [
  { source: 'elastic', file: 'rule-run-no-alerts.json', kind: 'no_alerts' },
  { source: 'splunk', file: 'test-alert-no-result.json', kind: 'nothing_to_ingest' },
  { source: 'guardduty', file: 'sample-finding-archived.json', kind: 'nothing_to_ingest' },
  { source: 'suricata', file: 'flow-and-stats-only.json', kind: 'nothing_to_ingest', ndjson: true },
];

/** Readable JSON that breaks one documented field: the 400 names it. */
const REFUSED: Array<{ source: string; file: string; field: string; value: unknown; path: string }> = [
  { source: 'defender', file: 'mde-alert-evidence-object.json', field: 'evidence', value: 42, path: 'evidence' },
  { source: 'sentinel', file: 'security-alert-trigger.json', field: 'Entities', value: '{"no": "list"}', path: 'Entities' },
  { source: 'splunk', file: 'es-notable-brute-force.json', field: 'result', value: 'oops', path: 'result' },
  { source: 'guardduty', file: 'lambda-c2-activity.json', field: 'severity', value: 'high', path: 'severity' },
];

describe('documented vendor shapes over HTTP (test/fixtures/alerts)', () => {
  let stack: TestStack;

  before(async () => {
    stack = await startTestStack();
  });
  after(async () => {
    await stack?.stop();
  });

  test('every fixture file of these vendors is in one of the tables here, once', () => {
    const listed = [...DETECTIONS, ...ACKNOWLEDGED].map((f) => `${f.source}/${f.file}`);
    // generic/ and ocsf/ hold Vigil's own formats, covered by their own tests.
    const sources = new Set(DETECTIONS.map((f) => f.source));
    const onDisk = [...sources].flatMap((source) => readdirSync(path.join(SHAPES_DIR, source)).map((file) => `${source}/${file}`));
    assert.deepEqual([...listed].sort(), [...onDisk].sort());
  });

  for (const f of DETECTIONS) {
    test(`${f.source}/${f.file}: stored on POST /api/v1/alerts/${f.source} and detected on POST /api/v1/alerts`, async () => {
      const tenant = await stack.createTenant();
      const body = shapeFixture(f.source, f.file);
      const res = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/${f.source}`, { key: tenant.key, body });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.equal(res.body.alerts.length, 1);
      assert.equal(res.body.errors, undefined);
      const view = await http<CaseView>('GET', `${stack.url}/api/v1/cases/${res.body.alerts[0]!.caseId}`, { key: tenant.key });
      assert.equal(view.status, 200);
      assert.ok(view.body.alerts[0]!.sourceUid.startsWith(f.uid), `${view.body.alerts[0]!.sourceUid} starts with ${f.uid}`);
      assert.ok(view.body.observables.length > 0, 'the case lists observables');

      const auto = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts`, { key: tenant.key, body });
      assert.equal(auto.status, 202, JSON.stringify(auto.body));
      assert.equal(auto.body.source, f.source);
      assert.equal(auto.body.alerts[0]!.duplicate, true);
    });
  }

  test('the case view lists what the shapes carry: machine accounts as hosts, principals, keys and ARNs', async () => {
    const tenant = await stack.createTenant();
    const observablesOf = async (source: string, file: string): Promise<string[]> => {
      const res = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/${source}`, { key: tenant.key, body: shapeFixture(source, file) });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const view = await http<CaseView>('GET', `${stack.url}/api/v1/cases/${res.body.alerts[0]!.caseId}`, { key: tenant.key });
      return view.body.observables.map((o) => `${o.kind}:${o.value}`);
    };
    const mde = await observablesOf('defender', 'mde-alert-evidence-array.json');
    assert.ok(mde.includes('hostname:WS-0142') && !mde.includes('user:WS-0142$'), mde.join(', '));
    const s3 = await observablesOf('guardduty', 's3-bucket-malicious-caller.json');
    assert.ok(s3.includes('credential_uid:AKIAIOSFODNN7EXAMPLE') && s3.includes('resource_uid:arn:aws:s3:::acme-prod-invoices'), s3.join(', '));
    const scc = await observablesOf('gcp-scc', 'etd-iam-anomalous-grant.json');
    assert.ok(scc.includes('email:ci-deployer@acme-prod-1234.iam.gserviceaccount.com') && scc.includes('ip:2600:1900:2000:3a::11'), scc.join(', '));
  });

  for (const f of ACKNOWLEDGED) {
    test(`${f.source}/${f.file}: 200, acknowledged as ${f.kind}, nothing stored`, async () => {
      const tenant = await stack.createTenant();
      const body = shapeFixture(f.source, f.file);
      const res = await http<AckBody>('POST', `${stack.url}/api/v1/alerts/${f.source}`, {
        key: tenant.key,
        ...(f.ndjson === true ? { raw: asNdjson(body), contentType: 'application/x-ndjson' } : { body }),
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.acknowledged, f.kind);
      assert.ok(res.body.message.length > 0);
      const rows: Array<{ n: number }> = await stack.db.query('SELECT count(*)::int AS n FROM alerts WHERE tenant_id = $1', [tenant.id]);
      assert.equal(rows[0]!.n, 0);
      if (f.ndjson !== true) {
        const auto = await http<AckBody>('POST', `${stack.url}/api/v1/alerts`, { key: tenant.key, body });
        assert.equal(auto.status, 200, `auto-detected too: ${JSON.stringify(auto.body)}`);
        assert.equal(auto.body.acknowledged, f.kind);
      }
    });
  }

  for (const f of REFUSED) {
    test(`${f.source}/${f.file} with a bad ${f.field}: 400 invalid_alert naming ${f.path}`, async () => {
      const tenant = await stack.createTenant();
      const fixture = shapeFixture(f.source, f.file);
      const body = withPath(fixture, f.field, f.value);
      const res = await http<ErrorBody>('POST', `${stack.url}/api/v1/alerts/${f.source}`, { key: tenant.key, body });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'invalid_alert');
      assert.deepEqual(
        res.body.error.details.errors.map((e) => [e.code, e.details?.path]),
        [['invalid_alert', f.path]],
      );
    });
  }
});
