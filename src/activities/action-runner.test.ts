import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { DEFAULT_SAFETY, type SafetySettings } from '../integration-runtime/connection-settings.js';
import { type ContainmentRecord, ContainmentLedgerRepository, type NewContainment } from '../integration-runtime/containment-ledger.repository.js';
import { EnrichmentCache } from '../integration-runtime/enrichment-cache.js';
import { type CacheKey, EnrichmentCacheRepository } from '../integration-runtime/enrichment-cache.repository.js';
import { ContainmentExpiryScheduler } from '../integration-runtime/expiry-scheduler.js';
import { IntegrationLimiter } from '../integration-runtime/integration-limiter.js';
import { IntegrationLimiterRepository } from '../integration-runtime/integration-limiter.repository.js';
import { type OverrideCheck, OverrideApprovals } from '../integration-runtime/override-approvals.js';
import type { ProtectedAssetRule } from '../integration-runtime/protected-asset-matching.js';
import { ProtectedAssetsService } from '../integration-runtime/protected-assets.service.js';
import type { ExpireContainmentInput } from '../../workflows/contracts/revert-messages.js';
import { ActionRunner } from './action-runner.js';
import { ConnectionResolver, NoConnectionError, type ResolvedConnection } from '../integration-runtime/connection-resolver.js';

// The action runner on its own: its repositories are in memory, vendors are the simulator on loopback.
// No PostgreSQL, no Temporal: what is checked is the runner's own decisions.

class MemoryLedger extends ContainmentLedgerRepository {
  readonly rows = new Map<string, ContainmentRecord>();
  readonly claims: NewContainment[] = [];

  constructor() {
    super(undefined as never);
  }

  override async claim(entry: NewContainment): Promise<ContainmentRecord> {
    this.claims.push(entry);
    const existing = [...this.rows.values()].find((r) => r.tenantId === entry.tenantId && r.idempotencyKey === entry.idempotencyKey);
    if (existing) return { ...existing };
    const row: ContainmentRecord = {
      id: randomUUID(),
      tenantId: entry.tenantId,
      caseId: entry.caseId,
      idempotencyKey: entry.idempotencyKey,
      workflowId: entry.workflowId,
      stepId: entry.stepId,
      action: entry.action,
      inverse: entry.inverse,
      input: entry.input as Record<string, unknown>,
      target: entry.target,
      status: 'pending',
      result: null,
      revertsId: entry.revertsId,
      expiresAt: null,
      revertedAt: null,
      revertReason: null,
      createdAt: new Date(),
    };
    this.rows.set(row.id, row);
    return { ...row };
  }

  override async succeeded(id: string, result: unknown, expiresInSeconds: number | null): Promise<ContainmentRecord> {
    const row = this.rows.get(id)!;
    Object.assign(row, { status: 'succeeded', result, expiresAt: expiresInSeconds === null ? null : new Date(Date.now() + expiresInSeconds * 1000) });
    return { ...row };
  }

  override async failed(id: string): Promise<void> {
    const row = this.rows.get(id)!;
    if (row.status !== 'succeeded') row.status = 'failed';
  }
}

class MemoryLimits extends IntegrationLimiterRepository {
  readonly leases = new Map<string, string>();
  /** Refuse every lease (as when the tenant's calls in flight are at the cap). */
  full = false;
  /** Tokens left in every bucket; undefined: no bucket yet. */
  tokens: number | undefined = undefined;

  constructor() {
    super(undefined as never);
  }

  override async takeLease(_tenantId: string, _vendor: string, holder: string): Promise<string | null> {
    if (this.full) return null;
    const id = randomUUID();
    this.leases.set(id, holder);
    return id;
  }

  override async releaseLease(leaseId: string): Promise<void> {
    this.leases.delete(leaseId);
  }

  override async takeToken(): Promise<boolean> {
    if (this.tokens === undefined || this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  override async availableTokens(): Promise<number | undefined> {
    return this.tokens;
  }

  override async createBucket(_tenantId: string, _vendor: string, tokens: number): Promise<boolean> {
    if (this.tokens !== undefined) return false;
    this.tokens = tokens;
    return true;
  }
}

class MemoryCache extends EnrichmentCacheRepository {
  readonly outputs = new Map<string, unknown>();

  constructor() {
    super(undefined as never);
  }

  override async fresh<T>(key: CacheKey): Promise<{ output: T } | undefined> {
    const k = JSON.stringify(key);
    return this.outputs.has(k) ? { output: this.outputs.get(k) as T } : undefined;
  }

  override async claim(): Promise<boolean> {
    return true;
  }

  override async releaseClaim(): Promise<void> {}

  override async store(key: CacheKey, output: unknown): Promise<void> {
    this.outputs.set(JSON.stringify(key), output);
  }

  override async sweep(): Promise<void> {}
}

class FixedProtectedAssets extends ProtectedAssetsService {
  current: ProtectedAssetRule[] = [];

  constructor() {
    super(undefined as never);
  }

  override async rules(): Promise<ProtectedAssetRule[]> {
    return this.current;
  }
}

class FixedOverrides extends OverrideApprovals {
  readonly approved = new Set<string>();
  readonly checked: OverrideCheck[] = [];

  constructor() {
    super(undefined as never);
  }

  override async isValid(check: OverrideCheck): Promise<boolean> {
    this.checked.push(check);
    return this.approved.has(check.approvalId);
  }
}

class RecordedExpiry extends ContainmentExpiryScheduler {
  readonly scheduled: Array<{ input: ExpireContainmentInput; delayMs: number }> = [];

  async schedule(input: ExpireContainmentInput, delayMs: number): Promise<void> {
    this.scheduled.push({ input, delayMs });
  }
}

class SimulatorConnections extends ConnectionResolver {
  safety: SafetySettings = { ...DEFAULT_SAFETY };

  constructor(private readonly sim: SimulatorHarness) {
    super();
  }

  async resolve(_tenantId: string, vendor: string): Promise<ResolvedConnection> {
    const context = this.sim.connections[vendor];
    if (!context) throw new NoConnectionError(vendor);
    return { context, source: 'simulator', connectionId: null, enabledActions: null, safety: this.safety };
  }

  invalidate(): void {}
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
  return error;
}

function deviceId(): string {
  return `a${randomUUID().replaceAll('-', '').slice(1)}`;
}

describe('ActionRunner (in-memory repositories, vendor simulator)', () => {
  let sim: SimulatorHarness;
  let ledger: MemoryLedger;
  let limits: MemoryLimits;
  let cache: MemoryCache;
  let assets: FixedProtectedAssets;
  let overrides: FixedOverrides;
  let expiry: RecordedExpiry;
  let connections: SimulatorConnections;
  let runner: ActionRunner;
  const tenantId = randomUUID();

  before(async () => {
    sim = await startSimulatorHarness();
  });
  after(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    await sim.reset();
    ledger = new MemoryLedger();
    limits = new MemoryLimits();
    cache = new MemoryCache();
    assets = new FixedProtectedAssets();
    overrides = new FixedOverrides();
    expiry = new RecordedExpiry();
    connections = new SimulatorConnections(sim);
    runner = new ActionRunner(connections, new IntegrationLimiter(limits), new EnrichmentCache(cache), ledger, assets, overrides, expiry);
  });

  test('renders templated parameters from the scope, and a second lookup of the same value is answered by the cache', async () => {
    const call = { tenantId, action: 'virustotal.get_ip_report', params: { ip: '{{alert.src_ip}}' }, scope: { alert: { src_ip: '203.0.113.9' } }, idempotencyKey: 'wf:lookup:1' };
    const first = await runner.run(call);
    assert.deepEqual(first.input, { ip: '203.0.113.9' });
    assert.equal(first.dryRun, false);
    assert.equal(first.reused, undefined);
    const second = await runner.run({ ...call, idempotencyKey: 'wf:lookup:2' });
    assert.equal(second.reused, 'cache');
    assert.deepEqual(second.output, first.output);
    assert.equal((await sim.calls('virustotal')).length, 1, 'one vendor call');
    assert.equal(limits.leases.size, 0, 'the lease is released after the call');
  });

  test('a parameter that does not render, or an unknown action, fails without a retry and calls nobody', async () => {
    const bad = await failureOf(runner.run({ tenantId, action: 'virustotal.get_ip_report', params: { ip: '{{#if}}' }, scope: {}, idempotencyKey: 'wf:bad:1' }));
    assert.equal(bad.type, 'TemplateError');
    assert.equal(bad.nonRetryable, true);
    const unknown = await failureOf(runner.run({ tenantId, action: 'nobody.nothing', params: {}, scope: {}, idempotencyKey: 'wf:unknown:1' }));
    assert.equal(unknown.type, 'UnknownAction');
    assert.equal((await sim.calls('virustotal')).length, 0);
  });

  test('containment claims the ledger row by its idempotency key: the same key contains once, another key is another containment', async () => {
    const device = deviceId();
    const call = {
      tenantId,
      action: 'crowdstrike.contain_host',
      params: { deviceIds: [device] },
      scope: {},
      idempotencyKey: 'case-1:contain:1',
      caseId: randomUUID(),
      workflowId: 'case-1',
      stepId: 'contain',
    };
    const first = await runner.run(call);
    const again = await runner.run(call);
    assert.equal(first.reused, undefined);
    assert.equal(again.reused, 'ledger');
    assert.equal(again.containmentId, first.containmentId);
    assert.deepEqual(again.output, first.output);
    assert.equal((await sim.calls('crowdstrike')).filter((c) => c.path.includes('devices-actions')).length, 1, 'the host was contained once');
    assert.deepEqual(
      ledger.claims.map((c) => [c.tenantId, c.idempotencyKey, c.action, c.inverse, c.target]),
      [
        [tenantId, 'case-1:contain:1', 'crowdstrike.contain_host', 'crowdstrike.lift_containment', `host ${device}`],
        [tenantId, 'case-1:contain:1', 'crowdstrike.contain_host', 'crowdstrike.lift_containment', `host ${device}`],
      ],
    );
    const other = await runner.run({ ...call, idempotencyKey: 'case-1:contain:2' });
    assert.notEqual(other.containmentId, first.containmentId);
    assert.equal([...ledger.rows.values()].filter((r) => r.status === 'succeeded').length, 2);
  });

  test('containment with expiresIn schedules its own revert that long after it succeeded', async () => {
    const result = await runner.run({
      tenantId,
      action: 'crowdstrike.contain_host',
      params: { deviceIds: [deviceId()] },
      scope: {},
      idempotencyKey: 'case-2:contain:1',
      caseId: randomUUID(),
      expiresIn: '30m',
    });
    assert.ok(result.expiresAt);
    assert.equal(expiry.scheduled.length, 1);
    assert.equal(expiry.scheduled[0]!.input.containmentId, result.containmentId);
    assert.equal(expiry.scheduled[0]!.input.expiresIn, '30m');
    assert.ok(Math.abs(expiry.scheduled[0]!.delayMs - 30 * 60_000) < 5_000);
  });

  test('a protected host is refused without a retry unless the call carries an approved override', async () => {
    assets.current = [{ id: randomUUID(), kind: 'host', pattern: 'dc-*', reason: 'domain controllers' }];
    const device = deviceId();
    const caseId = randomUUID();
    const call = {
      tenantId,
      action: 'crowdstrike.contain_host',
      params: { deviceIds: ['{{alert.device.uid}}'] },
      scope: { alert: { device: { uid: device, hostname: 'DC-PARIS-01' } } },
      idempotencyKey: 'case-3:contain:1',
      caseId,
    };
    const refused = await failureOf(runner.run(call));
    assert.equal(refused.type, 'protected_asset');
    assert.equal(refused.nonRetryable, true);
    assert.match(refused.message, /host DC-PARIS-01 is protected \(domain controllers\)/);
    assert.equal([...ledger.rows.values()][0]!.status, 'failed', 'the ledger row records the refusal');

    const approvalId = randomUUID();
    const notApproved = await failureOf(runner.run({ ...call, idempotencyKey: 'case-3:contain:2', override: { approvalId } }));
    assert.equal(notApproved.type, 'protected_asset');
    assert.equal((await sim.calls('crowdstrike')).length, 0, 'nobody was called');

    overrides.approved.add(approvalId);
    const allowed = await runner.run({ ...call, idempotencyKey: 'case-3:contain:3', override: { approvalId } });
    assert.deepEqual((allowed.output as { accepted: string[] }).accepted, [device]);
    assert.deepEqual(overrides.checked.at(-1), { tenantId, caseId, action: 'crowdstrike.contain_host', approvalId });
  });

  test('a call the limiter holds back waits for its slot inside the attempt; a hold longer than the attempt fails retryably with the delay', async () => {
    limits.full = true;
    const held = await failureOf(
      runner.run({ tenantId, action: 'virustotal.get_ip_report', params: { ip: '203.0.113.10' }, scope: {}, idempotencyKey: 'wf:held:1', attemptMs: 1_000 }),
    );
    assert.equal(held.type, 'concurrency_limited');
    assert.equal(held.nonRetryable, false);
    assert.ok(typeof held.nextRetryDelay === 'number' && held.nextRetryDelay >= 500);

    limits.full = false;
    limits.tokens = 0.5;
    connections.safety = { ...DEFAULT_SAFETY, rateLimitPerMinute: 60, rateLimitBurst: 1 };
    const limited = await failureOf(
      runner.run({ tenantId, action: 'virustotal.get_ip_report', params: { ip: '203.0.113.11' }, scope: {}, idempotencyKey: 'wf:held:2', attemptMs: 400 }),
    );
    assert.equal(limited.type, 'rate_limited');
    assert.equal(limited.nonRetryable, false);
    assert.equal(limited.nextRetryDelay, 500, 'half a token missing at one a second');
    assert.match(limited.message, /limit of 60\/min \(burst 1\) is reached/);
    assert.equal(limits.leases.size, 0, 'the lease taken before the token is given back');
    assert.equal((await sim.calls('virustotal')).length, 0);

    limits.tokens = 0.5;
    // The bucket refills as the real one would, half a second later.
    setTimeout(() => {
      limits.tokens = 1;
    }, 450);
    const t0 = Date.now();
    const waited = await runner.run({ tenantId, action: 'virustotal.get_ip_report', params: { ip: '203.0.113.12' }, scope: {}, idempotencyKey: 'wf:held:3', attemptMs: 30_000 });
    assert.ok(Date.now() - t0 >= 450, 'it waited for the token');
    assert.ok((waited.heldMs ?? 0) >= 450, `held ${waited.heldMs} ms`);
    assert.equal((await sim.calls('virustotal')).length, 1, 'then the call went out, once');
  });

  test('a dry run records the command containment would send, and calls nobody; enrichment still runs', async () => {
    const device = deviceId();
    const dry = await runner.run({ tenantId, action: 'crowdstrike.contain_host', params: { deviceIds: [device] }, scope: {}, idempotencyKey: 'dry:contain:1', dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.deepEqual(dry.output, { dryRun: true, wouldSend: { action: 'crowdstrike.contain_host', input: { deviceIds: [device] } } });
    assert.equal(dry.target, `host ${device}`);
    assert.equal(ledger.claims.length, 0, 'nothing in the ledger');
    assert.equal((await sim.calls('crowdstrike')).length, 0);

    const lookup = await runner.run({ tenantId, action: 'virustotal.get_ip_report', params: { ip: '203.0.113.12' }, scope: {}, idempotencyKey: 'dry:lookup:1', dryRun: true });
    assert.equal(lookup.dryRun, false);
    assert.equal((await sim.calls('virustotal')).length, 1);
  });
});
