/**
 * Timestamps in every form Vigil's sources send, to epoch milliseconds:
 * ISO 8601 with `Z`, with offsets `+01:00`, `+0100` or `+01`, with any number of fractional
 * digits (Microsoft sends seven), with `T` or a space; epoch seconds, milliseconds,
 * microseconds or nanoseconds as numbers or numeric strings. A zone-less ISO string is read
 * as UTC, which is what Wazuh, Splunk and Suricata mean when they omit it.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;

/** Years outside this window are treated as garbage rather than as a real alert time. */
const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

function inRange(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= MIN_MS && ms < MAX_MS ? Math.trunc(ms) : undefined;
}

/** Epoch number of unknown unit: chosen by magnitude (s < 1e11 ≤ ms < 1e14 ≤ µs < 1e17 ≤ ns). */
export function epochToMs(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  if (value < 1e11) return inRange(value * 1000);
  if (value < 1e14) return inRange(value);
  if (value < 1e17) return inRange(value / 1e3);
  return inRange(value / 1e6);
}

function parseIso(text: string): number | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = ''] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = frac === '' ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  if (zone !== '' && !/^(z|utc|gmt)$/i.test(zone)) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms);
  // Reject dates JavaScript silently rolls over (Feb 30 → Mar 2).
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day) return undefined;
  return inRange(utc - offsetMinutes * 60_000);
}

/** Epoch milliseconds, or `undefined` when the value is absent, zero or not a timestamp. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return epochToMs(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return epochToMs(Number(text));
  // An ISO-shaped string is judged by the ISO parser alone: Date.parse would roll Feb 30 into March.
  if (ISO.test(text)) return parseIso(text);
  // RFC 2822 and similar textual dates (`Mon, 02 Mar 2026 10:15:30 GMT`); only when a year is visible.
  if (/[A-Za-z]/.test(text) && /\b\d{4}\b/.test(text)) {
    const parsed = Date.parse(text);
    return Number.isNaN(parsed) ? undefined : inRange(parsed);
  }
  return undefined;
}

/** The first of `values` that parses. */
export function firstTimestamp(...values: unknown[]): number | undefined {
  for (const value of values) {
    const ms = parseTimestamp(value);
    if (ms !== undefined) return ms;
  }
  return undefined;
}
