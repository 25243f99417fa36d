/**
 * Counters other features keep without prom-client (the SLA clocks' breaches and escalation pages,
 * `SlaMetrics` in `src/sla/sla-metrics.ts`): the composition provides them under `COUNTER_SOURCES`
 * and `/metrics` renders them at scrape time, so a feature needs no Prometheus dependency of its own.
 */
export interface CounterSample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

export interface ExternalCounter {
  readonly name: string;
  readonly help: string;
  samples(): CounterSample[];
}

export interface CounterSource {
  counters(): ExternalCounter[];
}

/** DI token: the counter sources of this process (may be absent). */
export const COUNTER_SOURCES = Symbol('CounterSources');

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Prometheus text of the sources' counters; a counter or label with an invalid name is skipped, never rendered broken. */
export function renderCounters(sources: readonly CounterSource[]): string {
  let text = '';
  for (const source of sources) {
    for (const counter of source.counters()) {
      if (!NAME.test(counter.name)) continue;
      text += `# HELP ${counter.name} ${escapeHelp(counter.help)}\n# TYPE ${counter.name} counter\n`;
      for (const s of counter.samples()) {
        const labels = Object.entries(s.labels).filter(([k]) => LABEL.test(k));
        const inside = labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
        text += `${counter.name}${inside ? `{${inside}}` : ''} ${Number.isFinite(s.value) ? s.value : 0}\n`;
      }
    }
  }
  return text;
}
