import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { PlaybookCatalog } from '../playbooks/playbook-catalog.service.js';
import { Orchestrator } from '../temporal/orchestrator.port.js';
import type { CaseAlertMessage } from '../../workflows/case-messages.js';
import type { AlertOutboxPayload } from '../alerts/alert-ingest.service.js';

interface OutboxRow {
  id: string;
  tenant_id: string;
  case_id: string;
  attempts: number;
  payload: AlertOutboxPayload;
}

/** At most this many signal-with-start calls in flight per drain. */
const PARALLEL_DELIVERIES = 32;

/**
 * Hands outbox rows to Temporal. Woken in process right after an ingest commits; polls only as a
 * fallback. Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of relays may run; rows of
 * one case are sent as one signal. A row is deleted only after Temporal accepted it; the workflow
 * ignores alert ids it has seen, so a re-delivery after a crash changes nothing.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private running = false;
  private wakeRequested = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(PlaybookCatalog) private readonly playbooks: PlaybookCatalog,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.outbox.enabled) return;
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Called after a transaction that wrote outbox rows has committed. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        more = await this.drain();
      } catch (error) {
        this.logger.warn(`outbox drain failed: ${(error as Error).message}`);
      }
      if (more || !this.running) continue;
      if (this.wakeRequested) {
        this.wakeRequested = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.outbox.pollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
      this.wakeRequested = false;
    }
  }

  /** Delivers one batch; true when a full batch was claimed (there may be more). */
  async drain(): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const rows: OutboxRow[] = await m.query(
        `SELECT id, tenant_id, case_id, attempts, payload FROM outbox WHERE available_at <= now()
         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.config.outbox.batch],
      );
      if (rows.length === 0) return false;
      const byCase = new Map<string, OutboxRow[]>();
      for (const row of rows) {
        const list = byCase.get(row.case_id);
        if (list) list.push(row);
        else byCase.set(row.case_id, [row]);
      }
      const delivered: string[] = [];
      const failed: Array<{ ids: string[]; error: string; attempts: number }> = [];
      const groups = [...byCase.values()];
      for (let i = 0; i < groups.length; i += PARALLEL_DELIVERIES) {
        await Promise.all(
          groups.slice(i, i + PARALLEL_DELIVERIES).map(async (group) => {
            const ids = group.map((r) => r.id);
            try {
              await this.deliver(group);
              delivered.push(...ids);
            } catch (error) {
              failed.push({ ids, error: (error as Error).message, attempts: Math.max(...group.map((r) => r.attempts)) + 1 });
            }
          }),
        );
      }
      if (delivered.length > 0) await m.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [delivered]);
      for (const f of failed) {
        // Exponential backoff capped at 30 s: Temporal being down must not turn into a busy loop.
        const delayMs = Math.min(30_000, 100 * 2 ** Math.min(f.attempts, 12));
        await m.query(
          `UPDATE outbox SET attempts = $2, last_error = $3, available_at = now() + make_interval(secs => $4) WHERE id = ANY($1::bigint[])`,
          [f.ids, f.attempts, f.error.slice(0, 1000), delayMs / 1000],
        );
      }
      if (failed.length > 0) this.logger.warn(`outbox: ${failed.length} case(s) not delivered, will retry: ${failed[0]!.error}`);
      return rows.length === this.config.outbox.batch && failed.length === 0;
    });
  }

  private async deliver(group: OutboxRow[]): Promise<void> {
    const first = group[0]!;
    const pinned = this.playbooks.byHash(first.payload.playbookHash) ?? this.playbooks.byId(first.payload.playbookId);
    if (!pinned) throw new Error(`playbook ${first.payload.playbookId} (${first.payload.playbookHash}) is not in the catalogue`);
    const alerts: CaseAlertMessage[] = group.map((r) => ({ alertId: r.payload.alertId, finding: r.payload.finding as unknown as Record<string, unknown> }));
    await this.orchestrator.deliverAlerts(
      {
        tenantId: first.tenant_id,
        caseId: first.case_id,
        playbook: pinned.playbook,
        playbookHash: pinned.hash,
        idleTimeout: this.config.caseIdleTimeout,
        regularActions: this.playbooks.regularActions(pinned.playbook),
        severityId: Math.max(...group.map((r) => r.payload.severityId)),
      },
      alerts,
    );
  }
}
