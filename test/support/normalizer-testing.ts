/**
 * Test support for the normaliser tests: typed edits of fixture copies and short assertions on
 * results. Imported by `*.test.ts` only.
 */
import assert from 'node:assert/strict';
import type { CanonicalAlert, CanonicalObservable } from '../../src/common/canonical-alert.js';
import { vigilObservables } from '../../src/alerts/normalizers/finding-observables.js';
import type { NormalizeResult } from '../../src/alerts/normalizers/normalizer.js';
import { isRecord, type JsonRecord } from '../../src/alerts/normalizers/field-access.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readFixtureJson } from './fixtures.js';
import { validateOcsfFinding } from './ocsf-validator.js';

/** The project's own per-vendor shape fixtures (test/fixtures/alerts/<source>/<shape>.json). */
export const SHAPES_DIR = path.resolve(process.cwd(), 'test', 'fixtures', 'alerts');

/** One shape fixture of a source, parsed. */
export function shapeFixture(source: string, file: string): unknown {
  return JSON.parse(readFileSync(path.join(SHAPES_DIR, source, file), 'utf8')) as unknown;
}

/** An array fixture rejoined as NDJSON text, one record per line, as line-oriented senders post it. */
export function asNdjson(records: unknown): string {
  assert.ok(Array.isArray(records), 'an array of records');
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** A fixed "now", far from every fixture time, so a fallback to it is visible. */
export const NOW = Date.UTC(2030, 0, 1, 0, 0, 0);

export function fixture(name: string): JsonRecord {
  const value = readFixtureJson('alerts', name);
  assert.ok(isRecord(value), `${name} is an object`);
  return value;
}

/** Sets a nested key (creating objects on the way); `path` is dot-separated, numeric parts index arrays. */
export function setPath(target: unknown, path: string, value: unknown): void {
  const parts = path.split('.');
  let current: unknown = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i];
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isRecord(current)) {
      if (!isRecord(current[key]) && !Array.isArray(current[key])) current[key] = {};
      current = current[key];
    }
  }
  const last = parts[parts.length - 1];
  if (Array.isArray(current)) current[Number(last)] = value;
  else if (isRecord(current)) {
    if (value === undefined) delete current[last];
    else current[last] = value;
  }
}

export function withPath<T>(target: T, path: string, value: unknown): T {
  const copy = structuredClone(target);
  setPath(copy, path, value);
  return copy;
}

/** The single alert of a result that must hold exactly one and no failures. */
export function onlyAlert(result: NormalizeResult): CanonicalAlert {
  assert.deepEqual(result.failures, [], 'no failures');
  assert.equal(result.alerts.length, 1, 'exactly one alert');
  const alert = result.alerts[0].alert;
  // Every finding a normaliser test looks at, fixture or edited variant, must be valid OCSF 1.8.0.
  assert.deepEqual(validateOcsfFinding(alert), [], `valid OCSF: ${alert.finding_info.title}`);
  return alert;
}

/** Vigil's observables of a finding (derived from its paths, as ingest stores them). */
export function vigilOf(alert: CanonicalAlert): CanonicalObservable[] {
  return vigilObservables(alert);
}

/** Observables as `kind:value` strings, in order. */
export function observed(alert: CanonicalAlert): string[] {
  return vigilObservables(alert).map((o) => `${o.kind}:${o.value}`);
}

/** ATT&CK refs as `tactic|technique|sub` strings. */
export function attackKeys(alert: CanonicalAlert): string[] {
  return (alert.finding_info.attacks ?? []).map((a) => `${a.tactic?.uid ?? ''}|${a.technique?.uid ?? ''}|${a.sub_technique?.uid ?? ''}`);
}

/** What a shape fixture must normalise into; every field given is checked, observables as a subset. */
export interface ShapeExpectation {
  title: string;
  severity_id: number;
  /** ISO time of `time`. */
  time: string;
  /** `finding_info.analytic.uid ?? name`. */
  rule?: string;
  attacks?: string[];
  device?: Record<string, unknown>;
  user?: Record<string, unknown>;
  status_id?: number;
  /** `kind:value` strings that must be among the observables. */
  observables: string[];
  /** `kind:value` strings that must not be (a machine account as a user, a zone in an address…). */
  absent?: string[];
}

export function expectShape(alert: CanonicalAlert, want: ShapeExpectation): void {
  assert.equal(alert.finding_info.title, want.title);
  assert.equal(alert.severity_id, want.severity_id, 'severity_id');
  assert.equal(new Date(alert.time).toISOString(), want.time, 'time');
  if (want.rule !== undefined) assert.equal(alert.finding_info.analytic?.uid ?? alert.finding_info.analytic?.name, want.rule, 'rule');
  if (want.attacks !== undefined) assert.deepEqual(attackKeys(alert), want.attacks, 'attacks');
  // Device and user are compared on the keys given, so OCSF's captions (type_id, type) need not be repeated.
  for (const [key, value] of Object.entries(want.device ?? {})) assert.deepEqual((alert.device as Record<string, unknown> | undefined)?.[key], value, `device.${key}`);
  for (const [key, value] of Object.entries(want.user ?? {})) assert.deepEqual((alert.actor?.user as Record<string, unknown> | undefined)?.[key], value, `actor.user.${key}`);
  if (want.user !== undefined && Object.keys(want.user).length === 0) assert.equal(alert.actor?.user, undefined, 'no actor.user');
  if (want.status_id !== undefined) assert.equal(alert.status_id, want.status_id, 'status_id');
  const seen = observed(alert);
  for (const o of want.observables) assert.ok(seen.includes(o), `observable ${o} in ${JSON.stringify(seen)}`);
  for (const o of want.absent ?? []) assert.ok(!seen.includes(o), `observable ${o} absent`);
  assertNamesArePaths(alert);
}

/** The value at an observable's `name` inside the finding (`evidences[0].process.file.hashes[1].value`). */
export function atPath(alert: CanonicalAlert, path: string): unknown {
  let current: unknown = alert;
  for (const part of path.split(/\.|(?=\[)/)) {
    const index = /^\[(\d+)\]$/.exec(part);
    if (index !== null) current = Array.isArray(current) ? current[Number(index[1])] : undefined;
    else current = isRecord(current) ? current[part] : undefined;
  }
  return current;
}

/** Every observable's `name`, in Vigil's view and in the finding's OCSF list, is the path that holds its value. */
export function assertNamesArePaths(alert: CanonicalAlert): void {
  for (const o of [...vigilObservables(alert), ...(alert.observables ?? [])]) {
    assert.ok(o.name !== undefined, `${o.value} has a name`);
    assert.equal(atPath(alert, o.name), o.value, `${o.name} holds ${o.value}`);
  }
}
