/**
 * First line of defence for alert bodies: bounded size and nesting, and no keys that could
 * reach an object prototype once the payload is merged or spread somewhere downstream.
 * Errors are values ({ code, message, details.path }), never exceptions, so ingestion can
 * answer 400 with a precise path.
 */

export interface PayloadLimits {
  /** Deepest allowed nesting of objects/arrays; the root container is depth 1. Default 64. */
  maxDepth?: number;
  /** Longest accepted text, in UTF-16 code units. Default 10 MiB. */
  maxLength?: number;
}

export const DEFAULT_PAYLOAD_LIMITS: Required<PayloadLimits> = { maxDepth: 64, maxLength: 10 * 1024 * 1024 };

/** Keys rejected anywhere in a payload. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type PayloadErrorCode = 'invalid_json' | 'too_deep' | 'forbidden_key' | 'too_large';

export interface PayloadError {
  code: PayloadErrorCode;
  message: string;
  /** `path` is JSONPath-like, rooted at `$`: `$.alerts[0].__proto__`, `$["odd key"]`. `line` is set for NDJSON. */
  details: { path: string; line?: number };
}

export type PayloadResult<T> = { ok: true; value: T } | { ok: false; error: PayloadError };

function limitsOf(limits: PayloadLimits | undefined): Required<PayloadLimits> {
  return {
    maxDepth: limits?.maxDepth ?? DEFAULT_PAYLOAD_LIMITS.maxDepth,
    maxLength: limits?.maxLength ?? DEFAULT_PAYLOAD_LIMITS.maxLength,
  };
}

const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function appendPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return SIMPLE_KEY.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Walks a parsed value iteratively (no recursion, so hostile nesting cannot exhaust the stack)
 * and returns the first violation, or `undefined` when the value is acceptable.
 */
export function checkPayload(value: unknown, limits?: PayloadLimits): PayloadError | undefined {
  const { maxDepth } = limitsOf(limits);
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '$', depth: 0 }];
  while (stack.length > 0) {
    const top = stack.pop();
    if (top === undefined) break;
    const current = top.value;
    if (typeof current !== 'object' || current === null) continue;
    const depth = top.depth + 1;
    if (depth > maxDepth) {
      return { code: 'too_deep', message: `Payload nesting exceeds ${maxDepth} levels`, details: { path: top.path } };
    }
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) {
        stack.push({ value: current[i], path: appendPath(top.path, i), depth });
      }
      continue;
    }
    const keys = Object.keys(current);
    for (const key of keys) {
      if (FORBIDDEN_KEYS.has(key)) {
        return {
          code: 'forbidden_key',
          message: `Payload key "${key}" is not allowed`,
          details: { path: appendPath(top.path, key) },
        };
      }
    }
    const record = current as Record<string, unknown>;
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      stack.push({ value: record[key], path: appendPath(top.path, key), depth });
    }
  }
  return undefined;
}

/**
 * Finds the first place where the raw text nests deeper than `maxDepth`, before JSON.parse
 * builds it. Tracks keys and indices so the error names a path.
 */
function scanDepth(text: string, maxDepth: number): PayloadError | undefined {
  const frames: Array<{ kind: 'object' | 'array'; key?: string; index: number; expectKey: boolean }> = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      const top = frames[frames.length - 1];
      if (top !== undefined && top.kind === 'object' && top.expectKey) {
        try {
          const key: unknown = JSON.parse(text.slice(start, i + 1));
          top.key = typeof key === 'string' ? key : undefined;
        } catch {
          top.key = undefined;
        }
      }
      i++;
      continue;
    }
    if (ch === '{' || ch === '[') {
      frames.push({ kind: ch === '{' ? 'object' : 'array', index: 0, expectKey: ch === '{' });
      if (frames.length > maxDepth) {
        let path = '$';
        for (let f = 0; f < frames.length - 1; f++) {
          const frame = frames[f];
          path = frame.kind === 'array' ? appendPath(path, frame.index) : appendPath(path, frame.key ?? '?');
        }
        return { code: 'too_deep', message: `Payload nesting exceeds ${maxDepth} levels`, details: { path } };
      }
    } else if (ch === '}' || ch === ']') {
      frames.pop();
    } else if (ch === ':') {
      const top = frames[frames.length - 1];
      if (top !== undefined) top.expectKey = false;
    } else if (ch === ',') {
      const top = frames[frames.length - 1];
      if (top !== undefined) {
        if (top.kind === 'array') top.index++;
        else top.expectKey = true;
      }
    }
    i++;
  }
  return undefined;
}

/** Parses JSON text and applies `checkPayload`; never throws. */
export function parseJsonSafely(text: string, limits?: PayloadLimits): PayloadResult<unknown> {
  const resolved = limitsOf(limits);
  if (text.length > resolved.maxLength) {
    return {
      ok: false,
      error: { code: 'too_large', message: `Payload exceeds ${resolved.maxLength} characters`, details: { path: '$' } },
    };
  }
  const deep = scanDepth(text, resolved.maxDepth);
  if (deep !== undefined) return { ok: false, error: deep };
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'unparseable';
    return { ok: false, error: { code: 'invalid_json', message: `Payload is not valid JSON: ${reason}`, details: { path: '$' } } };
  }
  const problem = checkPayload(value, resolved);
  return problem === undefined ? { ok: true, value } : { ok: false, error: problem };
}

/** One line of an NDJSON body: its parsed value, or the reason it was rejected. */
export type NdjsonLine = { line: number; ok: true; value: unknown } | { line: number; ok: false; error: PayloadError };

/**
 * Splits newline-delimited JSON (Suricata EVE, Falcon Event Streams, Wazuh alerts.json) into
 * parsed lines. Blank lines are ignored; `line` is 1-based. A bad line does not stop the rest.
 */
export function parseNdjson(text: string, limits?: PayloadLimits): NdjsonLine[] {
  const resolved = limitsOf(limits);
  if (text.length > resolved.maxLength) {
    return [{ line: 1, ok: false, error: { code: 'too_large', message: `Payload exceeds ${resolved.maxLength} characters`, details: { path: '$', line: 1 } } }];
  }
  const out: NdjsonLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    const parsed = parseJsonSafely(raw, resolved);
    if (parsed.ok) out.push({ line: i + 1, ok: true, value: parsed.value });
    else out.push({ line: i + 1, ok: false, error: { ...parsed.error, details: { ...parsed.error.details, line: i + 1 } } });
  }
  return out;
}

/** True when the text holds more than one non-blank line, i.e. it should be read as NDJSON. */
export function looksLikeNdjson(text: string): boolean {
  let count = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() !== '') count++;
    if (count > 1) return true;
  }
  return false;
}
