/** Paths are reported down to this many levels (`finding_info.analytic.name`); deeper changes name their ancestor at this depth. */
const MAX_DEPTH = 3;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Equal as JSON: same keys and values whatever the key order (jsonb does not keep it). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson(a[k], b[k]));
  }
  return false;
}

/**
 * The dotted paths at which a re-sent finding differs from the stored one (added, removed or changed),
 * sorted; objects are compared key by key, lists as a whole (`observables`).
 */
export function changedFields(before: unknown, after: unknown, prefix = '', depth = 1): string[] {
  if (!isPlainObject(before) || !isPlainObject(after) || depth > MAX_DEPTH) {
    return sameJson(before, after) ? [] : [prefix || '(root)'];
  }
  const out: string[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of [...keys].sort()) {
    const path = prefix ? `${prefix}.${key}` : key;
    const a = before[key];
    const b = after[key];
    if (isPlainObject(a) && isPlainObject(b) && depth < MAX_DEPTH) out.push(...changedFields(a, b, path, depth + 1));
    else if (!sameJson(a, b)) out.push(path);
  }
  return out;
}
