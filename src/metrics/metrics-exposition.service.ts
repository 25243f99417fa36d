import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { vigilRegistry } from '../common/metrics/vigil-metrics.js';
import { queryRows } from '../persistence/query-rows.js';
import { COUNTER_SOURCES, type CounterSource, renderCounters } from './counter-sources.js';
import { temporalRuntimeMetrics } from './temporal-runtime-metrics.js';

/**
 * The text of `/metrics`: the process's own series (`vigilRegistry`), the counters other features keep
 * (`COUNTER_SOURCES`: the SLA clocks' breaches and escalation pages), the Temporal SDK's when this
 * process runs a worker with its exporter, and, on the API only (`withDatabaseGauges`), gauges read
 * from PostgreSQL at scrape time — the outbox's depth and oldest row, the SLA clocks still open. The
 * database figures are the deployment's, not the process's, so only the API reports them: a worker
 * scraped beside it would report them twice.
 */
@Injectable()
export class MetricsExposition {
  private readonly logger = new Logger('MetricsExposition');
  private readonly databaseRegistry = new Registry();
  private readonly collectors: Array<() => Promise<void>>;
  private warned = false;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Optional() @Inject(COUNTER_SOURCES) private readonly counterSources: CounterSource[] = [],
  ) {
    const outboxDepth = new Gauge({ name: 'vigil_outbox_depth', help: 'Outbox rows not yet handed to Temporal.', registers: [this.databaseRegistry] });
    const outboxAge = new Gauge({
      name: 'vigil_outbox_oldest_age_seconds',
      help: 'Age of the oldest outbox row not yet handed to Temporal (0 when empty).',
      registers: [this.databaseRegistry],
    });
    const clocksOpen = new Gauge({
      name: 'vigil_sla_clocks_open',
      help: 'SLA clocks still open (running or paused), by tenant, clock and status.',
      labelNames: ['tenant', 'clock', 'status'] as const,
      registers: [this.databaseRegistry],
    });
    this.collectors = [
      async () => {
        const [row] = await queryRows<{ depth: string; age: number | null }>(
          this.db,
          `SELECT count(*)::text AS depth, EXTRACT(EPOCH FROM (now() - min(created_at)))::float8 AS age FROM outbox`,
        );
        outboxDepth.set(Number(row?.depth ?? 0));
        outboxAge.set(Math.max(0, row?.age ?? 0));
      },
      async () => {
        const rows = await queryRows<{ tenant: string; clock: string; status: string; n: string }>(
          this.db,
          `SELECT t.slug AS tenant, c.clock, c.status, count(*)::text AS n
             FROM case_sla_clocks c JOIN tenants t ON t.id = c.tenant_id
            WHERE c.status IN ('running', 'paused')
            GROUP BY t.slug, c.clock, c.status`,
        );
        clocksOpen.reset();
        for (const r of rows) clocksOpen.set({ tenant: r.tenant, clock: r.clock, status: r.status }, Number(r.n));
      },
    ];
  }

  readonly contentType = vigilRegistry.contentType;

  async render(withDatabaseGauges: boolean): Promise<string> {
    const parts = [await vigilRegistry.metrics(), renderCounters(this.counterSources ?? [])];
    if (withDatabaseGauges) {
      const results = await Promise.allSettled(this.collectors.map((collect) => collect()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed && !this.warned) {
        this.warned = true;
        this.logger.warn(`a database gauge could not be read (later failures are not logged): ${String(failed.reason)}`);
      }
      parts.push(await this.databaseRegistry.metrics());
    }
    parts.push(await temporalRuntimeMetrics());
    return parts.filter((p) => p.trim() !== '').join('\n');
  }
}
