/**
 * Test support for the normaliser tests: typed edits of fixture copies and short assertions on
 * results. Imported by `*.test.ts` only.
 */
import assert from 'node:assert/strict';
import type { CanonicalAlert, CanonicalObservable } from '../../src/common/canonical-alert.js';
import { vigilObservables } from '../../src/alerts/normalizers/finding-observables.js';
import type { NormalizeResult } from '../../src/alerts/normalizers/normalizer.js';
import { isRecord, type JsonRecord } from '../../src/alerts/normalizers/field-access.js';
import { readFixtureJson } from './fixtures.js';

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
  return result.alerts[0].alert;
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
