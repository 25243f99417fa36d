import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { VigilError } from '../common/errors/vigil-error.js';
import { type AppConfig, loadConfig } from '../config/config.schema.js';
import type { AlertOutboxPayload } from '../outbox/outbox-payload.js';
import type { OutboxRelay } from '../outbox/outbox-relay.service.js';
import type { CatalogEntry, PlaybookLibraryService } from '../playbooks/playbook-library.service.js';
import type { Principal } from '../common/auth/principal.js';
import type { TenantSettingsService } from '../tenants/tenant-settings.service.js';
import { caseWorkflowId } from '../../workflows/contracts/case-messages.js';
import { AlertIngestService } from './alert-ingest.service.js';
import type { AlertChange, AlertsRepository, AlertWrite, AlertWritten, IngestTransaction } from './alerts.repository.js';
import type { AlertSource, CanonicalAlert } from '../common/canonical-alert.js';
import { DEFAULT_CORRELATION, fingerprintOf } from './correlation.js';
import { NORMALIZERS } from './normalizers/index.js';
import type { NormalizeResult } from './normalizers/normalizer.js';
import { LOCAL_ALERT_FIXTURES_DIR } from '../../test/support/ocsf-conformance.js';
import { validateOcsfFinding } from '../../test/support/ocsf-validator.js';

const NOW = Date.parse('2026-03-02T10:15:30Z');
const TASK_QUEUE = 'unit-queue';

interface FakeCase {
  id: string;
  fingerprint: string;
  open: boolean;
  playbook: { id: string; hash: string } | null;
  alertCount: number;
  severityId: number;
}

interface FakeAlert {
  id: string;
  caseId: string;
  finding: CanonicalAlert;
  count: number;
  changes: AlertChange[];
}

interface FakeState {
  cases: Map<string, FakeCase>;
  alerts: Map<string, FakeAlert>;
  outbox: AlertOutboxPayload[];
}

/**
 * Ingest's repository in memory, answering as ALERT_SQL does: a uid seen before updates that alert,
 * else the alert joins the open case of its fingerprint, else it starts a case; an outbox row is
 * written when the case it lands in has a playbook. A transaction that throws leaves nothing behind.
 */
class FakeAlertsRepository {
  state: FakeState = { cases: new Map(), alerts: new Map(), outbox: [] };
  readonly writes: AlertWrite[] = [];
  readonly locks: string[][] = [];
  transactions = 0;
  /** Errors the next transactions throw at their first write (a lost deadlock, say). */
  readonly failures: Error[] = [];
  /** How many of the next writes find their open case changed under them and write nothing. */
  vanishing = 0;

  seedCase(c: Omit<FakeCase, 'id' | 'alertCount' | 'severityId'> & { id?: string }): FakeCase {
    const row: FakeCase = { id: c.id ?? randomUUID(), alertCount: 1, severityId: 1, ...c };
    this.state.cases.set(row.id, row);
    return row;
  }

  async transaction<T>(work: (tx: IngestTransaction) => Promise<T>): Promise<T> {
    this.transactions += 1;
    const before = structuredClone(this.state);
    const failure = this.failures.shift();
    const tx: IngestTransaction = {
      lock: async (names) => {
        this.locks.push([...names]);
      },
      writeAlert: async (w) => {
        if (failure) throw failure;
        return this.writeAlert(w);
      },
      recordChange: async (_tenantId, alertId, change) => {
        const alert = [...this.state.alerts.values()].find((a) => a.id === alertId);
        assert.ok(alert, `a change of alert ${alertId}, which the repository has`);
        alert.changes.unshift(change);
      },
    };
    try {
      return await work(tx);
    } catch (error) {
      this.state = before;
      throw error;
    }
  }

  private writeAlert(w: AlertWrite): AlertWritten | undefined {
    this.writes.push(w);
    const key = `${w.tenantId}:${w.source}:${w.alert.finding_info.uid}`;
    const prev = this.state.alerts.get(key);
    if (prev) {
      const previous = prev.finding;
      prev.finding = w.alert;
      prev.count += 1;
      return { id: prev.id, caseId: prev.caseId, duplicate: true, count: prev.count, previous, created: null, queued: false };
    }
    if (this.vanishing > 0) {
      this.vanishing -= 1;
      return undefined;
    }
    let target = [...this.state.cases.values()].find((c) => c.open && c.fingerprint === w.fingerprint);
    const created = !target;
    if (target) {
      target.alertCount += 1;
      target.severityId = Math.max(target.severityId, w.caseSeverityId);
    } else {
      target = { id: w.newCase.id, fingerprint: w.fingerprint, open: true, playbook: w.newCase.playbook, alertCount: 1, severityId: w.caseSeverityId };
      this.state.cases.set(target.id, target);
    }
    const alert: FakeAlert = { id: randomUUID(), caseId: target.id, finding: w.alert, count: 1, changes: [] };
    this.state.alerts.set(key, alert);
    const queued = target.playbook !== null;
    if (target.playbook) {
      this.state.outbox.push({
        alertId: alert.id,
        severityId: w.caseSeverityId,
        playbookId: target.playbook.id,
        playbookHash: target.playbook.hash,
        finding: w.alert,
        observables: w.observables,
        postedBy: w.postedBy,
      });
    }
    return { id: alert.id, caseId: target.id, duplicate: false, count: 1, previous: null, created, queued };
  }
}

/** Critical alerts get the playbook `contain`, others none. */
function fakeCatalog(): Pick<PlaybookLibraryService, 'select'> {
  return {
    select: (alert) =>
      alert.severity_id >= 5
        ? ({ playbook: { id: 'contain', version: '1.2.0' }, hash: 'sha256-contain', file: 'contain.yaml', origin: 'bundled' } as unknown as CatalogEntry)
        : undefined,
  };
}

interface Harness {
  service: AlertIngestService;
  repo: FakeAlertsRepository;
  relay: { wakes: number };
}

function harness(env: Record<string, string> = {}): Harness {
  const config: AppConfig = loadConfig({ NODE_ENV: 'test', VIGIL_TASK_QUEUE: TASK_QUEUE, VIGIL_LOG_LEVEL: 'error', ...env });
  const repo = new FakeAlertsRepository();
  const relay = {
    wakes: 0,
    wake() {
      this.wakes += 1;
    },
  };
  const tenants: Pick<TenantSettingsService, 'settings'> = { settings: async () => ({}) };
  const service = new AlertIngestService(
    repo as unknown as AlertsRepository,
    config,
    fakeCatalog() as PlaybookLibraryService,
    tenants as TenantSettingsService,
    relay as unknown as OutboxRelay,
  );
  return { service, repo, relay };
}

const principal: Principal = { tenantId: randomUUID(), tenantSlug: 'acme', role: 'admin', keyId: 'k1', actor: 'api-key:k1' };

function normalize(source: AlertSource, body: unknown): NormalizeResult {
  return NORMALIZERS.get(source)!.normalize(body, NOW);
}

function generic(sourceId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: 'Impossible travel for jdoe', severity: 'high', sourceId, host: 'ws-0142', rule: 'impossible_travel', ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<VigilError> {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof VigilError, `a VigilError, not ${String(error)}`);
  return error;
}

describe('AlertIngestService (repository in memory, real normalisers)', () => {
  test('a batch with bad items stores the good ones and reports the bad ones by their index', async () => {
    const { service, repo } = harness();
    const result = normalize('generic', [generic('a-1'), { severity: 'high', sourceId: 'no-title' }, generic('a-3', { host: 'ws-0999' })]);
    assert.equal(result.failures.length, 1);

    const response = await service.store(principal, 'generic', result);

    assert.deepEqual(
      response.alerts.map((a) => [a.index, a.duplicate]),
      [
        [0, false],
        [2, false],
      ],
    );
    assert.deepEqual(
      response.errors?.map((e) => [e.index, e.code]),
      [[1, 'invalid_alert']],
    );
    assert.notEqual(response.alerts[0]!.caseId, response.alerts[1]!.caseId, 'two hosts, two fingerprints, two cases');
    assert.equal(repo.transactions, 1, 'one transaction for the whole delivery');
    // Every uid and fingerprint of the batch is locked once, before the first write.
    const settings = DEFAULT_CORRELATION;
    const expected = result.alerts.flatMap((item) => [
      `uid:${principal.tenantId}:generic:${item.alert.finding_info.uid}`,
      `fp:${principal.tenantId}:${fingerprintOf(item.alert, 'generic', settings).value}`,
    ]);
    assert.deepEqual(repo.locks, [expected]);
  });

  test('a delivery with no valid alert, or too many, is refused before anything is written', async () => {
    const { service, repo } = harness({ VIGIL_MAX_BATCH_ALERTS: '2' });
    const invalid = await rejection(service.store(principal, 'generic', normalize('generic', [{ severity: 'high' }])));
    assert.equal(invalid.code, 'invalid_alert');
    assert.equal((invalid.details as { errors: unknown[] }).errors.length, 1);

    const unrecognized = await rejection(service.store(principal, 'generic', { alerts: [], failures: [{ index: 0, code: 'unrecognized_payload', message: 'no shape' }] }));
    assert.equal(unrecognized.code, 'unrecognized_payload');

    const tooMany = await rejection(service.store(principal, 'generic', normalize('generic', [generic('m-1'), generic('m-2'), generic('m-3')])));
    assert.equal(tooMany.code, 'too_many_alerts');
    assert.deepEqual(tooMany.details, { count: 3, limit: 2 });
    assert.equal(repo.transactions, 0);
  });

  test('a re-sent alert is a duplicate of the first; only a re-send that changed something records a change', async () => {
    const { service, repo } = harness();
    const first = await service.store(principal, 'generic', normalize('generic', generic('dup-1')));
    const same = await service.store(principal, 'generic', normalize('generic', generic('dup-1')));
    const changed = await service.store(principal, 'generic', normalize('generic', generic('dup-1', { severity: 'critical', description: 'seen again' })));

    const [a, b, c] = [first.alerts[0]!, same.alerts[0]!, changed.alerts[0]!];
    assert.equal(a.duplicate, false);
    assert.equal(a.changed, undefined);
    assert.deepEqual([b.duplicate, b.id, b.caseId, b.changed], [true, a.id, a.caseId, []]);
    assert.equal(c.duplicate, true);
    assert.ok(c.changed && c.changed.length > 0, 'the changed fields are named');
    assert.ok(c.changed.includes('severity_id'), `severity_id among ${c.changed.join(', ')}`);
    const stored = [...repo.state.alerts.values()][0]!;
    assert.equal(stored.changes.length, 1, 'the identical re-send recorded no change');
    assert.deepEqual({ count: stored.changes[0]!.count, fields: stored.changes[0]!.fields }, { count: 3, fields: c.changed });
  });

  test('a correlated alert joins the open case the repository finds; its outbox payload carries that case playbook', async () => {
    const { service, repo, relay } = harness();
    const result = normalize('generic', generic('join-1', { severity: 'critical' }));
    const fingerprint = fingerprintOf(result.alerts[0]!.alert, 'generic', DEFAULT_CORRELATION).value;
    const open = repo.seedCase({ fingerprint, open: true, playbook: { id: 'triage', hash: 'sha256-triage' } });
    repo.seedCase({ fingerprint: 'another', open: true, playbook: null });

    const response = await service.store(principal, 'generic', result);

    const ingested = response.alerts[0]!;
    assert.equal(ingested.caseId, open.id);
    assert.equal(ingested.duplicate, false);
    assert.equal(repo.state.cases.get(open.id)!.alertCount, 2);
    assert.deepEqual(repo.state.outbox, [
      {
        alertId: ingested.id,
        severityId: 5,
        playbookId: 'triage',
        playbookHash: 'sha256-triage',
        // The stored finding is the normaliser's, with Vigil's tenant in OCSF's metadata.tenant_uid; Vigil's observables travel beside it.
        finding: { ...result.alerts[0]!.alert, metadata: { ...result.alerts[0]!.alert.metadata, tenant_uid: principal.tenantId } },
        observables: result.alerts[0]!.observables,
        postedBy: 'api-key:k1',
      },
    ]);
    assert.ok(
      repo.state.outbox[0]!.observables!.some((o) => o.kind === 'hostname' && o.name === 'device.hostname'),
      'the outbox payload carries Vigil observables with their kind',
    );
    assert.equal(relay.wakes, 1, 'the relay is woken once the transaction committed');
    // What a new case would have been given had there been no open case: the playbook the catalogue chose for it.
    const write = repo.writes[0]!;
    assert.deepEqual(write.newCase.playbook, { id: 'contain', version: '1.2.0', hash: 'sha256-contain' });
    assert.equal(write.newCase.runStatus, 'pending');
    assert.equal(write.newCase.workflowId, caseWorkflowId(write.newCase.id));
    assert.equal(write.taskQueue, TASK_QUEUE);
    assert.deepEqual(write.joinReason, {
      fingerprint,
      fields: ['source', 'rule', 'host'],
      values: { source: 'generic', rule: 'impossible_travel', host: 'ws-0142' },
      windowMinutes: 60,
    });
  });

  test('an alert no playbook matches starts a case without a run, queues nothing and does not wake the relay', async () => {
    const { service, repo, relay } = harness();
    const response = await service.store(principal, 'generic', normalize('generic', generic('quiet-1', { severity: 'low' })));
    const write = repo.writes[0]!;
    assert.equal(response.alerts[0]!.caseId, write.newCase.id);
    assert.equal(write.newCase.runStatus, 'none');
    assert.equal(write.newCase.playbook, null);
    assert.deepEqual(repo.state.outbox, []);
    assert.equal(relay.wakes, 0);
  });

  test("the outbox row names the poster by the ingest key's actor (its user when it has one), for the run's four-eyes check", async () => {
    const { service, repo } = harness();
    const userKey: Principal = { ...principal, keyId: 'k2', userId: 'u-7', actor: 'user:u-7' };
    await service.store(userKey, 'generic', normalize('generic', generic('poster-1', { severity: 'critical' })));
    await service.store(principal, 'generic', normalize('generic', generic('poster-2', { severity: 'critical', host: 'ws-0777' })));
    assert.deepEqual(
      repo.state.outbox.map((o) => o.postedBy),
      ['user:u-7', 'api-key:k1'],
    );
    assert.deepEqual(
      repo.writes.map((w) => w.postedBy),
      ['user:u-7', 'api-key:k1'],
    );
  });

  test("a producer's valid OCSF finding is written whole, with Vigil's tenant in metadata.tenant_uid and Vigil's observables beside it", async () => {
    const { service, repo } = harness();
    const body = JSON.parse(readFileSync(path.join(LOCAL_ALERT_FIXTURES_DIR, 'ocsf', 'rich-detection-finding.json'), 'utf8')) as CanonicalAlert;
    const result = normalize('ocsf', body);
    await service.store(principal, 'ocsf', result);
    const write = repo.writes[0]!;
    assert.deepEqual(write.alert, { ...body, metadata: { ...body.metadata, tenant_uid: principal.tenantId } });
    assert.deepEqual(validateOcsfFinding(write.alert), [], 'still valid OCSF');
    assert.deepEqual(write.observables, result.alerts[0]!.observables);
    assert.ok(write.observables.some((o) => o.kind === 'domain' && o.name === 'evidences[2].query.hostname'));
  });

  test('severity 99 (other) counts as 0 for the case and the outbox payload; the alert keeps its own', async () => {
    const { service, repo } = harness();
    const result = normalize('generic', generic('other-1'));
    result.alerts[0]!.alert.severity_id = 99;
    const fingerprint = fingerprintOf(result.alerts[0]!.alert, 'generic', DEFAULT_CORRELATION).value;
    repo.seedCase({ fingerprint, open: true, playbook: { id: 'triage', hash: 'sha256-triage' } });
    await service.store(principal, 'generic', result);
    assert.equal(repo.writes[0]!.caseSeverityId, 0);
    assert.equal(repo.writes[0]!.alert.severity_id, 99);
    assert.equal(repo.state.outbox[0]!.severityId, 0);
  });

  test('an open case that changed under the statement is looked up again, at most three times', async () => {
    const { service, repo } = harness();
    repo.vanishing = 2;
    const ok = await service.store(principal, 'generic', normalize('generic', generic('race-1')));
    assert.equal(repo.writes.length, 3);
    assert.equal(ok.alerts[0]!.duplicate, false);

    repo.vanishing = 3;
    const refused = await rejection(service.store(principal, 'generic', normalize('generic', generic('race-2'))));
    assert.equal(refused.code, 'conflict');
    assert.deepEqual(refused.details, { uid: 'race-2' });
  });

  test('a transaction that lost a deadlock is run again from the start; other errors are not retried', async () => {
    const { service, repo } = harness();
    repo.failures.push(Object.assign(new Error('deadlock detected'), { code: '40P01' }));
    const response = await service.store(principal, 'generic', normalize('generic', [generic('dl-1'), generic('dl-2')]));
    assert.equal(repo.transactions, 2);
    assert.deepEqual(
      response.alerts.map((a) => a.duplicate),
      [false, false],
      'the rolled-back attempt left no alert behind',
    );
    assert.equal(repo.state.alerts.size, 2);

    repo.failures.push(Object.assign(new Error('disk full'), { code: '53100' }));
    await assert.rejects(service.store(principal, 'generic', normalize('generic', generic('dl-3'))), /disk full/);
    assert.equal(repo.transactions, 3);
  });
});
