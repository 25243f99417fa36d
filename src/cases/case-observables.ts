import type { AttackView, ObservableView } from './case.schemas.js';

/** Kinds whose values compare case-insensitively. */
const CASELESS = new Set(['domain', 'hostname', 'email', 'md5', 'sha1', 'sha256']);
/** Worse verdicts first; any other word ranks below these. */
const VERDICT_RANK: Readonly<Record<string, number>> = { malicious: 4, suspicious: 3, clean: 2, unknown: 1 };

interface RawObservable {
  kind?: unknown;
  value?: unknown;
  type_id?: unknown;
}

interface RawAttack {
  tactic?: { uid?: unknown; name?: unknown };
  technique?: { uid?: unknown; name?: unknown };
  sub_technique?: { uid?: unknown; name?: unknown };
}

export interface AlertFacts {
  observables: unknown;
  attacks: unknown;
}

export interface TimelineFacts {
  at: unknown;
  kind: string;
  stepId: string | null;
  data: Record<string, unknown> | null;
}

function keyOf(kind: string, value: string): string {
  return `${kind}\u0000${CASELESS.has(kind) ? value.toLowerCase() : value}`;
}

/** Text values an enrichment step was called with (`{ip: '203.0.113.9'}`, `{hashes: ['…']}`). */
function inputValues(input: unknown): string[] {
  if (!input || typeof input !== 'object') return [];
  const out: string[] = [];
  for (const v of Object.values(input as Record<string, unknown>)) {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (const item of v) if (typeof item === 'string') out.push(item);
  }
  return out;
}

function at(value: unknown): string {
  const d = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(d.getTime()) ? String(value) : d.toISOString();
}

/**
 * The case's observables, deduplicated across its alerts, each with the verdicts enrichment gave it:
 * a `step_finished` line whose output has a `verdict` applies to every observable the step was
 * called with (matched on the values of the step's input).
 */
export function caseObservables(alerts: readonly AlertFacts[], timeline: readonly TimelineFacts[]): ObservableView[] {
  const byKey = new Map<string, ObservableView>();
  const byValue = new Map<string, ObservableView[]>();
  for (const alert of alerts) {
    if (!Array.isArray(alert.observables)) continue;
    const seenInAlert = new Set<string>();
    for (const o of alert.observables as RawObservable[]) {
      if (typeof o?.kind !== 'string' || typeof o.value !== 'string') continue;
      const key = keyOf(o.kind, o.value);
      let view = byKey.get(key);
      if (!view) {
        view = { kind: o.kind, value: o.value, ...(typeof o.type_id === 'number' ? { type_id: o.type_id } : {}), alertCount: 0, verdict: null, verdicts: [] };
        byKey.set(key, view);
        const v = o.value.toLowerCase();
        byValue.set(v, [...(byValue.get(v) ?? []), view]);
      }
      if (!seenInAlert.has(key)) view.alertCount += 1;
      seenInAlert.add(key);
    }
  }
  for (const e of timeline) {
    if (e.kind !== 'step_finished' || !e.data) continue;
    const output = e.data['output'] as { verdict?: unknown } | undefined;
    if (!output || typeof output !== 'object' || typeof output.verdict !== 'string') continue;
    const action = typeof e.data['action'] === 'string' ? e.data['action'] : null;
    const matched = new Set<ObservableView>();
    for (const value of inputValues(e.data['input'])) {
      for (const view of byValue.get(value.toLowerCase()) ?? []) {
        if (CASELESS.has(view.kind) || view.value === value) matched.add(view);
      }
    }
    for (const view of matched) view.verdicts.push({ verdict: output.verdict, action, stepId: e.stepId, at: at(e.at) });
  }
  for (const view of byKey.values()) {
    view.verdict = view.verdicts.reduce<string | null>((worst, v) => (worst === null || (VERDICT_RANK[v.verdict] ?? 0) > (VERDICT_RANK[worst] ?? 0) ? v.verdict : worst), null);
  }
  return [...byKey.values()];
}

function ref(x: { uid?: unknown; name?: unknown } | undefined): { uid: string; name?: string } | null {
  if (!x || typeof x.uid !== 'string') return null;
  return typeof x.name === 'string' ? { uid: x.uid, name: x.name } : { uid: x.uid };
}

/** ATT&CK tactics and techniques of the case's alerts, each combination once. */
export function caseAttacks(alerts: readonly AlertFacts[]): AttackView[] {
  const out = new Map<string, AttackView>();
  for (const alert of alerts) {
    if (!Array.isArray(alert.attacks)) continue;
    for (const a of alert.attacks as RawAttack[]) {
      const view: AttackView = { tactic: ref(a?.tactic), technique: ref(a?.technique), subTechnique: ref(a?.sub_technique) };
      if (!view.tactic && !view.technique && !view.subTechnique) continue;
      const key = [view.tactic?.uid, view.technique?.uid, view.subTechnique?.uid].join('/');
      if (!out.has(key)) out.set(key, view);
    }
  }
  return [...out.values()];
}
