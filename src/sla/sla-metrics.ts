import { Injectable } from '@nestjs/common';
import type { ClockKind } from './clocks.js';

/** One counter series: its labels and value. */
export interface CounterSample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** A counter with labels, kept in process (Prometheus' client is not a dependency of Vigil). */
export class LabelledCounter {
  private readonly values = new Map<string, CounterSample>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  inc(labels: Readonly<Record<string, string>>, by = 1): void {
    const key = this.labelNames.map((l) => labels[l] ?? '').join('\u0000');
    const sample = this.values.get(key);
    if (sample) sample.value += by;
    else this.values.set(key, { labels: Object.fromEntries(this.labelNames.map((l) => [l, labels[l] ?? ''])), value: by });
  }

  samples(): CounterSample[] {
    return [...this.values.values()].map((s) => ({ labels: { ...s.labels }, value: s.value }));
  }

  /** The value for exactly these labels (0 when never counted). */
  get(labels: Readonly<Record<string, string>>): number {
    return this.values.get(this.labelNames.map((l) => labels[l] ?? '').join('\u0000'))?.value ?? 0;
  }
}

/**
 * SLA counters of this process: breaches and escalation pages, per tenant, severity and clock. Each is
 * counted once, by the process whose activity recorded it first (the database makes that unique), so
 * the sum over Vigil's workers is the true count. An exporter (`/metrics`) reads `counters()`.
 */
@Injectable()
export class SlaMetrics {
  readonly breaches = new LabelledCounter('vigil_sla_breaches_total', 'SLA clocks that ran past their target', ['tenant', 'severity', 'clock']);
  readonly escalations = new LabelledCounter('vigil_sla_escalations_total', 'Escalation pages sent for SLA thresholds', ['tenant', 'severity', 'clock', 'level', 'threshold']);

  recordBreach(tenantId: string, severityId: number, clock: ClockKind): void {
    this.breaches.inc({ tenant: tenantId, severity: String(severityId), clock });
  }

  recordEscalation(tenantId: string, severityId: number, clock: ClockKind, level: number, threshold: number): void {
    this.escalations.inc({ tenant: tenantId, severity: String(severityId), clock, level: String(level), threshold: String(threshold) });
  }

  counters(): LabelledCounter[] {
    return [this.breaches, this.escalations];
  }
}
