import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { PlaybookLibraryService } from '../playbooks/index.js';
import { Orchestrator } from '../temporal/index.js';
import type { CaseAlertMessage } from '../../workflows/contracts/case-messages.js';
import { SLA_CLOCKS } from './outbox-payload.js';
import { type AlertOutboxRow, type OutboxRow, OutboxRepository } from './outbox.repository.js';

/** At most this many signal-with-start calls in flight at once. */
const PARALLEL_DELIVERIES = 32;
/** One signal carries at most this much alert JSON; Temporal refuses payloads over 2 MB and warns above 512 KB. */
const MAX_SIGNAL_BYTES = 256 * 1024;
/** Delivered rows are deleted in batches: at most this many ids per DELETE, at most this long after delivery. */
const DELETE_BATCH = 500;
const DELETE_DELAY_MS = 5;
/** A signal-with-start not answered by then counts as failed (and is retried). */
const DELIVERY_DEADLINE_MS = 10_000;
/** On shutdown, how long deliveries in flight may still take. */
const SHUTDOWN_GRACE_MS = 5_000;

function byId(a: OutboxRow, b: OutboxRow): number {
  const x = BigInt(a.id);
  const y = BigInt(b.id);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Splits one case's rows into signals of bounded size, keeping their order. */
export function signalChunks<T extends { payload: { finding: unknown } }>(rows: readonly T[], maxBytes = MAX_SIGNAL_BYTES): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = JSON.stringify(row.payload.finding).length + 64;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Hands outbox rows to Temporal. Woken in process right after an ingest commits; polls only as a
 * fallback. A claim leases rows (moves `available_at` past the lease) with FOR UPDATE SKIP LOCKED in
 * one short statement, so any number of relays may run and no transaction stays open while Temporal
 * is called. Deliveries run as a sliding window of signal-with-start calls; the rows of one case go
 * in order, one signal per case for all its rows waiting at that moment. A row is deleted only after
 * Temporal accepted it (deletes are batched); a relay that dies before deleting leaves its rows to be
 * delivered again when the lease ends, and the workflow ignores alert ids it has seen, so a
 * re-delivery changes nothing.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OutboxRelay');
  private running = false;
  private wakeRequested = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** Ids of rows claimed and not yet delivered or failed; a claim never takes more than the batch size minus these. */
  private readonly held = new Set<string>();
  private blockedOnCapacity = false;
  /** The last delivery of each case with one in flight; the next one of that case starts after it. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Rows of a case waiting for the case's delivery in flight; rows claimed meanwhile join them (one signal). */
  private readonly waiting = new Map<string, OutboxRow[]>();
  private activeCalls = 0;
  private readonly callQueue: Array<() => void> = [];
  private deleteBuffer: string[] = [];
  private deleteTimer: NodeJS.Timeout | undefined;
  private deleting: Promise<void> = Promise.resolve();
  /** Alert rows delivered (SLA clock signals are not counted: they are not alerts). */
  private deliveredCount = 0;
  /** Set on shutdown: no new Temporal call starts. */
  private stopped = false;
  /** Every Temporal call not yet ended, also those past their deadline. */
  private readonly calls = new Set<Promise<void>>();

  constructor(
    @Inject(OutboxRepository) private readonly outbox: OutboxRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(PlaybookLibraryService) private readonly playbooks: PlaybookLibraryService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.outbox.enabled) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops before the Temporal client closes (this module is destroyed before the core module). */
  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    // Deliveries queued behind others get a moment; rows still held are sent again when their lease ends.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)))]);
    clearTimeout(timer);
    this.stopped = true;
    // Calls already made must end before the Temporal client closes: the client retries a failed call on a
    // timer, and a retry on a closed channel throws where nobody can catch it. Its retries are bounded (~20 s).
    await Promise.all([...this.calls]);
    this.flushDeletes();
    await this.deleting;
  }

  /** Called after a transaction that wrote outbox rows has committed. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let full = false;
      const room = this.config.outbox.batch - this.held.size;
      if (room > 0) {
        this.wakeRequested = false;
        try {
          const rows = await this.claim(room);
          this.dispatch(rows);
          full = rows.length === room;
        } catch (error) {
          this.logger.warn(`outbox claim failed: ${(error as Error).message}`);
        }
      }
      if (!this.running) break;
      const hasRoom = this.held.size < this.config.outbox.batch;
      if (hasRoom && (full || this.wakeRequested)) continue;
      this.blockedOnCapacity = !hasRoom;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.outbox.pollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
      this.blockedOnCapacity = false;
    }
  }

  /**
   * Claims what is available (up to one batch), delivers it and waits until every delivery and
   * delete has finished; returns how many alert rows were delivered (SLA clock signals go too, uncounted). For tests and tools: the running
   * relay does the same continuously.
   */
  async drain(): Promise<number> {
    const before = this.deliveredCount;
    this.dispatch(await this.claim(this.config.outbox.batch));
    await this.settle();
    return this.deliveredCount - before;
  }

  /** Waits for every delivery in flight and every pending delete. */
  private async settle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
    this.flushDeletes();
    await this.deleting;
  }

  /** Leases up to `limit` available rows, oldest first. */
  private async claim(limit: number): Promise<OutboxRow[]> {
    const rows = await this.outbox.claim(this.config.temporal.taskQueue, limit, this.config.outbox.leaseMs / 1000);
    return rows.sort(byId);
  }

  private dispatch(rows: OutboxRow[]): void {
    const byCase = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      // Still waiting here from an earlier claim whose lease ran out meanwhile (Temporal slow): it is sent once, from there.
      if (this.held.has(row.id)) continue;
      this.held.add(row.id);
      // A case's SLA clock signals go their own way (to its clock workflow), in order among themselves.
      const key = row.kind === SLA_CLOCKS ? `sla:${row.case_id}` : row.case_id;
      const list = byCase.get(key);
      if (list) list.push(row);
      else byCase.set(key, [row]);
    }
    for (const [caseId, group] of byCase) this.enqueue(caseId, group);
  }

  private enqueue(caseId: string, rows: OutboxRow[]): void {
    const waiting = this.waiting.get(caseId);
    if (waiting) {
      waiting.push(...rows);
      return;
    }
    const list = [...rows];
    this.waiting.set(caseId, list);
    const previous = this.chains.get(caseId) ?? Promise.resolve();
    const link: Promise<void> = previous.then(async () => {
      if (this.waiting.get(caseId) === list) this.waiting.delete(caseId);
      try {
        // SLA rows carry no alert: all of a case's waiting rows are one signal.
        const chunks = list[0]?.kind === SLA_CLOCKS ? [list] : signalChunks(list as AlertOutboxRow[]);
        for (const chunk of chunks) await this.send(chunk);
      } catch (error) {
        // send() handles its own failures; this is a bug, and the rows' lease brings them back.
        this.logger.error(`outbox: delivering case ${caseId} failed unexpectedly: ${String(error)}`);
      }
    });
    this.chains.set(caseId, link);
    void link.finally(() => {
      if (this.chains.get(caseId) === link) this.chains.delete(caseId);
    });
  }

  /** One signal-with-start for rows of one case, within the window of parallel calls. */
  private async send(rows: OutboxRow[]): Promise<void> {
    if (this.activeCalls < PARALLEL_DELIVERIES) this.activeCalls += 1;
    // The call slot is handed over by the delivery that ends.
    else await new Promise<void>((resolve) => this.callQueue.push(resolve));
    const ids = rows.map((r) => r.id);
    try {
      // Shutting down: the rows stay leased and are sent again when the lease ends.
      if (this.stopped) return;
      await this.withDeadline(this.deliver(rows));
      this.deliveredCount += rows.filter((r) => r.kind !== SLA_CLOCKS).length;
      this.deleteBuffer.push(...ids);
      if (this.deleteBuffer.length >= DELETE_BATCH) this.flushDeletes();
      else this.deleteTimer ??= setTimeout(() => this.flushDeletes(), DELETE_DELAY_MS);
    } catch (error) {
      await this.markFailed(rows, error as Error);
    } finally {
      const next = this.callQueue.shift();
      if (next) next();
      else this.activeCalls -= 1;
      for (const id of ids) this.held.delete(id);
      // A full relay claims again once a useful number of rows can be taken, not one row at a time.
      if (this.blockedOnCapacity && this.held.size <= this.config.outbox.batch - Math.min(64, Math.ceil(this.config.outbox.batch / 4))) this.wakeUp?.();
    }
  }

  /**
   * A call to an unreachable Temporal can take long (the client retries on its own); past the deadline
   * the delivery counts as failed and is retried with backoff. Should the late call still succeed, the
   * retry is a repeat the workflow ignores.
   */
  private async withDeadline(call: Promise<void>): Promise<void> {
    const tracked = call.then(
      () => undefined,
      () => undefined,
    );
    this.calls.add(tracked);
    void tracked.then(() => this.calls.delete(tracked));
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        call,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Temporal did not answer within ${DELIVERY_DEADLINE_MS} ms`)), DELIVERY_DEADLINE_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private flushDeletes(): void {
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
    if (this.deleteBuffer.length === 0) return;
    const ids = this.deleteBuffer;
    this.deleteBuffer = [];
    this.deleting = this.deleting
      .then(() => this.outbox.delete(ids))
      .then(
        () => undefined,
        (error: unknown) => {
          // The rows stay leased and are delivered again when the lease ends; the workflow ignores the repeat.
          this.logger.warn(`outbox: could not delete ${ids.length} delivered row(s), they will be sent again: ${(error as Error).message}`);
        },
      );
  }

  private async markFailed(rows: OutboxRow[], error: Error): Promise<void> {
    const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
    // Exponential backoff capped at 30 s: Temporal being down must not turn into a busy loop.
    const delayMs = Math.min(30_000, 100 * 2 ** Math.min(attempts, 12));
    this.logger.warn(`outbox: ${rows.length} alert(s) of case ${rows[0]!.case_id} not delivered (attempt ${attempts}), retrying in ${delayMs} ms: ${error.message}`);
    try {
      await this.outbox.retryLater(
        rows.map((r) => r.id),
        attempts,
        error.message.slice(0, 1000),
        delayMs / 1000,
      );
    } catch (dbError) {
      this.logger.warn(`outbox: could not record the failed delivery (the lease will end it): ${(dbError as Error).message}`);
    }
  }

  private async deliver(rows: OutboxRow[]): Promise<void> {
    const head = rows[0]!;
    if (head.kind === SLA_CLOCKS) {
      await this.orchestrator.signalSlaClocks(head.tenant_id, head.case_id, [...new Set(rows.map((r) => (r.kind === SLA_CLOCKS ? r.payload.reason : 'alert')))]);
      return;
    }
    const group = rows as AlertOutboxRow[];
    const first = group[0]!;
    const pinned = (await this.playbooks.byHash(first.payload.playbookHash, first.tenant_id)) ?? this.playbooks.byId(first.payload.playbookId, first.tenant_id);
    if (!pinned) throw new Error(`playbook ${first.payload.playbookId} (${first.payload.playbookHash}) is not in the catalogue`);
    const alerts: CaseAlertMessage[] = group.map((r) => ({
      alertId: r.payload.alertId,
      finding: r.payload.finding as unknown as Record<string, unknown>,
      ...(r.payload.postedBy !== undefined ? { postedBy: r.payload.postedBy } : {}),
    }));
    const pins = await this.playbooks.pinRun(pinned.playbook, pinned.hash, this.playbooks.subPlaybooks(pinned.playbook, first.tenant_id));
    await this.orchestrator.deliverAlerts(
      {
        tenantId: first.tenant_id,
        caseId: first.case_id,
        ...pins,
        idleTimeout: this.config.caseIdleTimeout,
        severityId: Math.max(...group.map((r) => r.payload.severityId)),
      },
      alerts,
    );
  }
}
