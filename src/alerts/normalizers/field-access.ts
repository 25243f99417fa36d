/**
 * Safe, typed reads from untrusted JSON. Vendors nest the same field in different ways
 * (Elastic sends `kibana.alert.uuid` as one dotted key or as nested objects, sometimes mixed),
 * so a path lookup tries every split of the dotted path. Only own properties are read, so a
 * `__proto__` or `constructor` key can never lead into a prototype.
 */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: JsonRecord, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function lookup(value: unknown, segments: readonly string[]): unknown {
  if (segments.length === 0) return value;
  if (!isRecord(value)) return undefined;
  // Longest dotted key first: `{"kibana.alert.uuid": …}` wins over `{kibana: {alert: …}}` only when present.
  for (let take = segments.length; take >= 1; take--) {
    const key = segments.slice(0, take).join('.');
    const next = own(value, key);
    if (next === undefined) continue;
    const found = lookup(next, segments.slice(take));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The value at a dotted path, nested or dotted keys alike; `undefined` when absent. `null` is returned as-is. */
export function getPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  return lookup(value, path.split('.'));
}

/** The first path that yields a value other than `undefined`/`null`. */
export function firstPath(value: unknown, paths: readonly string[]): unknown {
  for (const path of paths) {
    const found = getPath(value, path);
    if (found !== undefined && found !== null) return found;
  }
  return undefined;
}

/** A non-empty trimmed string at the first matching path; numbers are not coerced. */
export function getString(value: unknown, ...paths: string[]): string | undefined {
  for (const path of paths) {
    const found = getPath(value, path);
    if (typeof found === 'string' && found.trim() !== '') return found.trim();
  }
  return undefined;
}

/** A string, or a finite number rendered as a string (vendors send ids both ways). */
export function getId(value: unknown, ...paths: string[]): string | undefined {
  for (const path of paths) {
    const found = getPath(value, path);
    if (typeof found === 'string' && found.trim() !== '') return found.trim();
    if (typeof found === 'number' && Number.isFinite(found)) return String(found);
  }
  return undefined;
}

/** A finite number; numeric strings (Splunk, Wazuh `data.*`) are accepted. */
export function getNumber(value: unknown, ...paths: string[]): number | undefined {
  for (const path of paths) {
    const found = getPath(value, path);
    const n = toNumber(found);
    if (n !== undefined) return n;
  }
  return undefined;
}

export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

export function getRecord(value: unknown, ...paths: string[]): JsonRecord | undefined {
  for (const path of paths) {
    const found = getPath(value, path);
    if (isRecord(found)) return found;
  }
  return undefined;
}

/** An array at the first matching path (a single non-array value is not wrapped). */
export function getArray(value: unknown, ...paths: string[]): unknown[] | undefined {
  for (const path of paths) {
    const found = getPath(value, path);
    if (Array.isArray(found)) return found;
  }
  return undefined;
}

/** Records of an array at the first matching path; other elements are dropped. */
export function getRecords(value: unknown, ...paths: string[]): JsonRecord[] {
  return (getArray(value, ...paths) ?? []).filter(isRecord);
}

/**
 * Every non-empty string found at the given paths, whether the vendor sent one string or an
 * array of them (ECS fields such as `host.ip` are either).
 */
export function getStrings(value: unknown, ...paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    const found = getPath(value, path);
    for (const item of Array.isArray(found) ? found : [found]) {
      if (typeof item === 'string' && item.trim() !== '') out.push(item.trim());
    }
  }
  return out;
}

/** Renders a field path for failure details: `observables[0].type`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}
