import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { NORMALIZERS } from '../../src/alerts/normalizers/index.js';
import { validateCacao } from '../../src/playbooks/cacao/cacao-validate.js';
import { PlaybookLibraryService } from '../../src/playbooks/playbook-library.service.js';
import { BROKEN_PLAYBOOK, fixturePath } from '../support/fixtures.js';
import { eventually, http, type RunningWorker, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

interface PlaybookErrorBody {
  file: string;
  line: number;
  column: number;
  path: string;
  code: string;
  message: string;
}
interface ErrorBody {
  error: { code: string; message: string; details: { errors?: PlaybookErrorBody[] } & Record<string, unknown> };
}
interface Summary {
  id: string;
  name: string;
  version: string;
  hash: string;
  source: 'bundled' | 'tenant';
  triggers: unknown[];
  active: boolean;
}
interface Stored {
  playbook: Summary;
  created: boolean;
}
interface Detail extends Summary {
  yaml: string | null;
  bundled: { version: string; hash: string; overridden: boolean } | null;
  versions: Array<{ version: string; hash: string; active: boolean; createdBy: string }>;
}
interface IngestBody {
  alerts: Array<{ id: string; caseId: string; duplicate: boolean }>;
}
interface CaseBody {
  status: string;
  run: { status: string; playbookId: string | null; playbookHash: string | null; live: { playbookHash: string; runStatus: string } | null };
}

const YAML = 'text/yaml';

const VALID = `# yaml-language-server: $schema=./playbook.schema.json
id: vpn-triage
name: VPN triage
version: "1.0"
priority: 100
triggers:
  - sources: [generic]
    techniques: [T1133]
steps:
  - id: reputation
    kind: action
    action: abuseipdb.check_ip
    with:
      ip: "{{lookup observables.ip 0}}"
  - id: done
    kind: end
    status: triaged
`;

function pinPlaybook(version: string, extra: string, status: string): string {
  return `id: pin-test
name: Pin test
version: "${version}"
priority: 100
steps:
${extra}  - id: done
    kind: end
    status: ${status}
    summary: version ${version}
`;
}

const HOLD_STEP = `  - id: hold
    kind: wait
    duration: 30s
    until: new_alert
`;

describe('playbook API: per-tenant versions', () => {
  let stack: TestStack;
  let worker: RunningWorker;
  let tenant: TestTenant;
  let other: TestTenant;

  before(async () => {
    stack = await startTestStack();
    worker = await stack.startWorker();
    tenant = await stack.createTenant();
    other = await stack.createTenant();
  });
  after(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  async function storedCount(tenantId: string): Promise<number> {
    const rows: Array<{ n: string }> = await stack.db.query('SELECT count(*) AS n FROM playbook_versions WHERE tenant_id = $1', [tenantId]);
    return Number(rows[0]!.n);
  }

  async function caseOf(key: string, caseId: string, done: (c: CaseBody) => boolean, what: string): Promise<CaseBody> {
    return eventually(
      async () => {
        const res = await http<CaseBody>('GET', `${stack.url}/api/v1/cases/${caseId}`, { key });
        return res.status === 200 && done(res.body) ? res.body : undefined;
      },
      15_000,
      what,
    );
  }

  test('a valid playbook is stored and activated; GET lists it beside the bundled ones', async () => {
    const res = await http<Stored>('POST', `${stack.url}/api/v1/playbooks`, { key: tenant.key, raw: VALID, contentType: YAML });
    assert.equal(res.status, 201);
    assert.equal(res.body.created, true);
    assert.equal(res.body.playbook.id, 'vpn-triage');
    assert.equal(res.body.playbook.version, '1.0');
    assert.equal(res.body.playbook.source, 'tenant');
    assert.equal(res.body.playbook.active, true);
    assert.match(res.body.playbook.hash, /^[0-9a-f]{64}$/);

    const list = await http<{ playbooks: Summary[] }>('GET', `${stack.url}/api/v1/playbooks`, { key: tenant.key });
    assert.equal(list.status, 200);
    const mine = list.body.playbooks.find((p) => p.id === 'vpn-triage');
    assert.deepEqual(mine && { source: mine.source, active: mine.active, hash: mine.hash, triggers: mine.triggers }, {
      source: 'tenant',
      active: true,
      hash: res.body.playbook.hash,
      triggers: [{ sources: ['generic'], techniques: ['T1133'] }],
    });
    const bundledDefault = list.body.playbooks.find((p) => p.id === 'default');
    assert.equal(bundledDefault?.source, 'bundled');
    assert.equal(bundledDefault?.active, true);

    const detail = await http<Detail>('GET', `${stack.url}/api/v1/playbooks/vpn-triage`, { key: tenant.key });
    assert.equal(detail.status, 200);
    assert.equal(detail.body.yaml, VALID);
    assert.equal(detail.body.bundled, null);
    assert.deepEqual(
      detail.body.versions.map((v) => [v.version, v.active]),
      [['1.0', true]],
    );
    assert.match(detail.body.versions[0]!.createdBy, /^(api-key|user):/);

    // The same content again stores nothing new.
    const again = await http<Stored>('POST', `${stack.url}/api/v1/playbooks`, { key: tenant.key, body: { yaml: VALID } });
    assert.equal(again.status, 200);
    assert.equal(again.body.created, false);
    assert.equal(await storedCount(tenant.id), 1);
  });

  test('an invalid playbook answers 422 with every error and its line, and nothing is stored or activated', async () => {
    const before = await storedCount(tenant.id);
    const res = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks`, { key: tenant.key, raw: BROKEN_PLAYBOOK, contentType: YAML });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'invalid_playbook');
    const errors = res.body.error.details.errors!;
    assert.deepEqual(
      errors.map((e) => [e.file, e.line, e.path]),
      [
        ['playbook.yaml', 8, 'steps[0].action'],
        ['playbook.yaml', 14, 'steps[1].summary'],
      ],
    );
    assert.ok(errors.every((e) => e.column > 0 && e.message.length > 0));
    assert.match(errors[0]!.message, /virustotal\.get_ip_reportt/);
    assert.match(errors[0]!.message, /did you mean 'virustotal\.get_ip_report'/);
    assert.equal(await storedCount(tenant.id), before);
    const detail = await http<ErrorBody>('GET', `${stack.url}/api/v1/playbooks/broken`, { key: tenant.key });
    assert.equal(detail.status, 404);

    // As JSON, with the caller's file name in the errors.
    const json = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks`, { key: tenant.key, body: { yaml: BROKEN_PLAYBOOK, file: 'broken.yaml' } });
    assert.equal(json.status, 422);
    assert.deepEqual(
      json.body.error.details.errors!.map((e) => `${e.file}:${e.line}`),
      ['broken.yaml:8', 'broken.yaml:14'],
    );
  });

  test('validate never stores: 200 with valid and errors', async () => {
    const before = await storedCount(tenant.id);
    const bad = await http<{ valid: boolean; errors: PlaybookErrorBody[] }>('POST', `${stack.url}/api/v1/playbooks/validate`, {
      key: tenant.key,
      raw: BROKEN_PLAYBOOK,
      contentType: YAML,
    });
    assert.equal(bad.status, 200);
    assert.equal(bad.body.valid, false);
    assert.deepEqual(
      bad.body.errors.map((e) => e.line),
      [8, 14],
    );
    const good = await http<{ valid: boolean; errors: PlaybookErrorBody[]; playbook: { id: string; version: string } }>('POST', `${stack.url}/api/v1/playbooks/validate`, {
      key: tenant.key,
      raw: VALID.replace('version: "1.0"', 'version: "9.9"'),
      contentType: YAML,
    });
    assert.equal(good.status, 200);
    assert.deepEqual([good.body.valid, good.body.errors, good.body.playbook.version], [true, [], '9.9']);
    assert.equal(await storedCount(tenant.id), before);
  });

  test('bad requests answer 4xx with the error shape', async () => {
    const empty = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks`, { key: tenant.key, body: { yaml: '' } });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.code, 'invalid_body');
    const unknownField = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks`, { key: tenant.key, body: { yaml: VALID, extra: 1 } });
    assert.equal(unknownField.status, 400);
    const xml = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks`, { key: tenant.key, raw: '<x/>', contentType: 'application/xml' });
    assert.equal(xml.status, 415);
    const notYaml = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks`, { key: tenant.key, raw: 'id: [unclosed', contentType: YAML });
    assert.equal(notYaml.status, 422);
    assert.equal(notYaml.body.error.details.errors![0]!.code, 'yaml_syntax');
    const conflict = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks`, {
      key: tenant.key,
      raw: VALID.replace('status: triaged', 'status: in_progress'),
      contentType: YAML,
    });
    assert.equal(conflict.status, 409, 'same id and version with other content');
    assert.equal(conflict.body.error.code, 'conflict');
  });

  test('roles: analysts and viewers read, only authors and admins store', async () => {
    const analyst = await stack.createKey(tenant.id, 'analyst');
    const viewer = await stack.createKey(tenant.id, 'viewer');
    const author = await stack.createKey(tenant.id, 'author');
    assert.equal((await http('POST', `${stack.url}/api/v1/playbooks`, { key: analyst, raw: VALID, contentType: YAML })).status, 403);
    assert.equal((await http('GET', `${stack.url}/api/v1/playbooks`, { key: viewer })).status, 200);
    const byAuthor = await http<Stored>('POST', `${stack.url}/api/v1/playbooks`, {
      key: author,
      raw: VALID.replace('version: "1.0"', 'version: "1.1"'),
      contentType: YAML,
    });
    assert.equal(byAuthor.status, 201);
    const detail = await http<Detail>('GET', `${stack.url}/api/v1/playbooks/vpn-triage`, { key: viewer });
    assert.deepEqual(
      detail.body.versions.map((v) => [v.version, v.active]),
      [
        ['1.1', true],
        ['1.0', false],
      ],
    );
  });

  test("tenants are isolated: another tenant neither sees nor runs a tenant's playbook", async () => {
    const list = await http<{ playbooks: Summary[] }>('GET', `${stack.url}/api/v1/playbooks`, { key: other.key });
    assert.equal(list.status, 200);
    assert.equal(
      list.body.playbooks.some((p) => p.id === 'vpn-triage'),
      false,
    );
    assert.ok(list.body.playbooks.every((p) => p.source === 'bundled'));
    assert.equal((await http('GET', `${stack.url}/api/v1/playbooks/vpn-triage`, { key: other.key })).status, 404);
    assert.equal((await http('GET', `${stack.url}/api/v1/playbooks/vpn-triage/export/cacao`, { key: other.key })).status, 404);

    const alert = { title: 'VPN login from new country', severity: 'medium', techniques: ['T1133'], observables: [{ type: 'ip', value: '198.51.100.20' }] };
    const mine = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body: { ...alert, sourceId: `iso-a-${Date.now()}` } });
    const theirs = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, { key: other.key, body: { ...alert, sourceId: `iso-b-${Date.now()}` } });
    const a = await caseOf(tenant.key, mine.body.alerts[0]!.caseId, (c) => c.run.status === 'completed', "the tenant's case run");
    const b = await caseOf(other.key, theirs.body.alerts[0]!.caseId, (c) => c.run.status === 'completed', "the other tenant's case run");
    assert.equal(a.run.playbookId, 'vpn-triage');
    assert.equal(b.run.playbookId, 'default');
  });

  test("a tenant's playbook with a bundled id overrides the bundled one for that tenant only", async () => {
    const bundled = await http<Detail>('GET', `${stack.url}/api/v1/playbooks/default`, { key: tenant.key });
    const own = `id: default
name: Our default
version: "tenant-1"
steps:
  - id: own_triage
    kind: end
    status: on_hold
`;
    const res = await http<Stored>('POST', `${stack.url}/api/v1/playbooks`, { key: tenant.key, raw: own, contentType: YAML });
    assert.equal(res.status, 201);
    const detail = await http<Detail>('GET', `${stack.url}/api/v1/playbooks/default`, { key: tenant.key });
    assert.deepEqual([detail.body.source, detail.body.version, detail.body.bundled?.overridden, detail.body.bundled?.hash], ['tenant', 'tenant-1', true, bundled.body.hash]);
    const list = await http<{ playbooks: Summary[] }>('GET', `${stack.url}/api/v1/playbooks`, { key: tenant.key });
    assert.deepEqual(
      list.body.playbooks.filter((p) => p.id === 'default').map((p) => [p.source, p.active]),
      [
        ['bundled', false],
        ['tenant', true],
      ],
    );

    const alert = { title: 'Something odd', severity: 'low' };
    const mine = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body: { ...alert, sourceId: `ovr-a-${Date.now()}` } });
    const theirs = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, { key: other.key, body: { ...alert, sourceId: `ovr-b-${Date.now()}` } });
    const a = await caseOf(tenant.key, mine.body.alerts[0]!.caseId, (c) => c.run.status === 'completed', "the overriding tenant's run");
    const b = await caseOf(other.key, theirs.body.alerts[0]!.caseId, (c) => c.run.status === 'completed', "the other tenant's run");
    assert.deepEqual([a.run.playbookHash, a.status], [res.body.playbook.hash, 'on_hold']);
    assert.deepEqual([b.run.playbookHash, b.status], [bundled.body.hash, 'triaged']);
  });

  test('a running case keeps the version it pinned after a new version is activated', async () => {
    const pinTenant = await stack.createTenant();
    const v1 = await http<Stored>('POST', `${stack.url}/api/v1/playbooks`, { key: pinTenant.key, raw: pinPlaybook('1', HOLD_STEP, 'in_progress'), contentType: YAML });
    assert.equal(v1.status, 201);
    const hash1 = v1.body.playbook.hash;
    const first = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, {
      key: pinTenant.key,
      body: { title: 'Pinned', severity: 'high', host: 'pin-host-1', sourceId: `pin-1-${Date.now()}` },
    });
    const caseId = first.body.alerts[0]!.caseId;
    await caseOf(pinTenant.key, caseId, (c) => c.run.live?.runStatus === 'running', 'the v1 run to wait for a new alert');

    const v2 = await http<Stored>('POST', `${stack.url}/api/v1/playbooks`, { key: pinTenant.key, raw: pinPlaybook('2', '', 'triaged'), contentType: YAML });
    assert.equal(v2.status, 201);
    const hash2 = v2.body.playbook.hash;
    assert.notEqual(hash1, hash2);

    const running = await http<CaseBody>('GET', `${stack.url}/api/v1/cases/${caseId}`, { key: pinTenant.key });
    assert.equal(running.body.run.playbookHash, hash1);
    assert.equal(running.body.run.live?.playbookHash, hash1);

    // A new case runs version 2 …
    const fresh = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, {
      key: pinTenant.key,
      body: { title: 'Pinned', severity: 'high', host: 'pin-host-2', sourceId: `pin-2-${Date.now()}` },
    });
    const newCase = await caseOf(pinTenant.key, fresh.body.alerts[0]!.caseId, (c) => c.run.status === 'completed', 'the v2 run');
    assert.deepEqual([newCase.run.playbookHash, newCase.status], [hash2, 'triaged']);

    // … while an alert joining the old case reaches its v1 run, which the relay finds by the pinned (now inactive) hash.
    const joining = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, {
      key: pinTenant.key,
      body: { title: 'Pinned', severity: 'high', host: 'pin-host-1', sourceId: `pin-3-${Date.now()}` },
    });
    assert.equal(joining.body.alerts[0]!.caseId, caseId);
    const finished = await caseOf(pinTenant.key, caseId, (c) => c.run.status === 'completed', 'the v1 run to finish');
    assert.deepEqual([finished.run.playbookHash, finished.status], [hash1, 'in_progress']);

    // A catalogue that never saw version 1 (another process) reads it from the database by hash.
    const cold = new PlaybookLibraryService(stack.config, stack.db);
    const entry = await cold.byHash(hash1, pinTenant.id);
    assert.deepEqual([entry?.playbook.version, entry?.origin, entry?.tenantId], ['1', 'tenant', pinTenant.id]);
    assert.equal(await cold.byHash(hash1, other.id), undefined, 'not found for another tenant');
  });

  test('another process selects the new version as soon as it is activated (LISTEN/NOTIFY), without a query per alert', async () => {
    const elsewhere = new PlaybookLibraryService(stack.config, stack.db);
    await elsewhere.onModuleInit();
    await eventually(async () => (elsewhere.listening ? true : undefined), 5_000, 'the other catalogue to listen');
    try {
      const t = await stack.createTenant();
      const { alert, observables } = NORMALIZERS.get('generic')!.normalize({ title: 'Anything', severity: 'medium' }, Date.now()).alerts[0]!;
      assert.equal(elsewhere.select(alert, 'generic', t.slug, observables)?.playbook.id, 'default');
      const res = await http<Stored>('POST', `${stack.url}/api/v1/playbooks`, { key: t.key, raw: pinPlaybook('7', '', 'triaged'), contentType: YAML });
      assert.equal(res.status, 201);
      const picked = await eventually(
        async () => {
          const entry = elsewhere.select(alert, 'generic', t.slug, observables);
          return entry?.playbook.id === 'pin-test' ? entry : undefined;
        },
        5_000,
        'the other catalogue to hear of the new version',
      );
      assert.deepEqual([picked.hash, picked.origin, picked.tenantId], [res.body.playbook.hash, 'tenant', t.id]);
      assert.equal(elsewhere.select(alert, 'generic', other.slug, observables)?.playbook.id, 'default', 'other tenants are unaffected');
    } finally {
      await elsewhere.onModuleDestroy();
    }
  });

  test('CACAO import: converts, validates, stores only with ?activate=true; invalid CACAO is refused precisely', async () => {
    const cacaoTenant = await stack.createTenant();
    const doc = JSON.parse(readFileSync(fixturePath('cacao', 'basic-example-1.json'), 'utf8')) as Record<string, unknown>;
    const preview = await http<{ yaml: string; valid: boolean; errors: unknown[]; warnings: string[]; playbook: { id: string; hash: string } }>(
      'POST',
      `${stack.url}/api/v1/playbooks/import/cacao`,
      { key: cacaoTenant.key, body: doc },
    );
    assert.equal(preview.status, 200);
    assert.equal(preview.body.valid, true);
    assert.match(preview.body.yaml, /^# yaml-language-server: \$schema=\.\/playbook\.schema\.json\nid: /);
    assert.ok(preview.body.warnings.some((w) => w.includes('ssh')));
    assert.equal(await storedCount(cacaoTenant.id), 0);

    const stored = await http<{ stored: Stored }>('POST', `${stack.url}/api/v1/playbooks/import/cacao?activate=true`, { key: cacaoTenant.key, body: doc });
    assert.equal(stored.status, 201);
    assert.equal(stored.body.stored.playbook.hash, preview.body.playbook.hash);
    assert.equal(await storedCount(cacaoTenant.id), 1);

    const broken = { ...doc, spec_version: undefined, workflow_start: 'start--00000000-0000-4000-8000-000000000000' };
    const refused = await http<{ error: { code: string; details: { errors: Array<{ path: string; message: string }> } } }>(
      'POST',
      `${stack.url}/api/v1/playbooks/import/cacao?activate=true`,
      { key: cacaoTenant.key, body: broken },
    );
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'invalid_cacao');
    const paths = refused.body.error.details.errors.map((e) => e.path);
    assert.ok(paths.includes('/spec_version'), `errors name /spec_version: ${JSON.stringify(paths)}`);
    assert.ok(paths.includes('/workflow_start'), `errors name /workflow_start: ${JSON.stringify(paths)}`);

    // Valid CACAO whose commands map to no Vigil action: converted, but not activated.
    const openc2 = JSON.parse(readFileSync(fixturePath('cacao', 'soarca-openc2-playbook.json'), 'utf8')) as unknown;
    const unrunnable = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks/import/cacao?activate=true`, { key: cacaoTenant.key, body: openc2 });
    assert.equal(unrunnable.status, 422);
    assert.equal(unrunnable.body.error.code, 'invalid_playbook');
    assert.equal(unrunnable.body.error.details.errors![0]!.code, 'unknown_action');
    assert.equal(await storedCount(cacaoTenant.id), 1);
  });

  test('CACAO export is schema-valid and imports back to the same playbook', async () => {
    for (const id of ['vpn-triage', 'default']) {
      const res = await http<Record<string, unknown>>('GET', `${stack.url}/api/v1/playbooks/${id}/export/cacao`, { key: tenant.key });
      assert.equal(res.status, 200);
      assert.equal(res.body['spec_version'], 'cacao-2.0');
      assert.deepEqual(
        validateCacao(res.body).filter((i) => i.severity === 'error'),
        [],
      );
      const back = await http<{ valid: boolean; playbook: { id: string } }>('POST', `${stack.url}/api/v1/playbooks/import/cacao`, { key: tenant.key, body: res.body });
      assert.equal(back.status, 200);
      assert.deepEqual([back.body.valid, back.body.playbook.id], [true, id]);
    }
    assert.equal((await http('GET', `${stack.url}/api/v1/playbooks/nothing-here/export/cacao`, { key: tenant.key })).status, 404);
  });
});
