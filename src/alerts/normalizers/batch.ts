/**
 * The part every normaliser shares: turning a delivery into a list of items, guarding each
 * item, mapping it, and collecting alerts and failures so one bad item never sinks the batch.
 */
import type { CanonicalAlert } from '../../common/canonical-alert.js';
import { vigilObservables } from './finding-observables.js';
import { checkPayload, looksLikeNdjson, parseJsonSafely, parseNdjson, type PayloadError, type PayloadLimits } from '../../common/http/payload-guard.js';
import type { NormalizeFailure, NormalizeResult } from './normalizer.js';

/** Failure codes the normalisers emit. */
export const FAILURE_CODES = {
  /** An item of the right shape with a missing or mistyped field (details.path names it). */
  invalidAlert: 'invalid_alert',
  /** A body (or item) that matches none of the source's shapes. */
  unrecognizedPayload: 'unrecognized_payload',
} as const;

export type ItemFailure = Omit<NormalizeFailure, 'index'>;

export type ItemOutcome = { alert: CanonicalAlert } | { failure: ItemFailure } | { skip: string };

/** One item of a delivery, already unwrapped; `error` marks an item that failed to decode (a bad NDJSON line). */
export interface BatchItem {
  value: unknown;
  error?: ItemFailure;
}

export type Unwrapped =
  | { kind: 'items'; items: BatchItem[] }
  | { kind: 'ack'; acknowledgement: NonNullable<NormalizeResult['acknowledgement']> }
  | { kind: 'unrecognized'; message: string; details?: Record<string, unknown> };

export function invalidAlert(path: string, message: string, extra?: Record<string, unknown>): { failure: ItemFailure } {
  return { failure: { code: FAILURE_CODES.invalidAlert, message, details: { path, ...extra } } };
}

export function unrecognizedItem(message: string, details?: Record<string, unknown>): { failure: ItemFailure } {
  return { failure: details === undefined ? { code: FAILURE_CODES.unrecognizedPayload, message } : { code: FAILURE_CODES.unrecognizedPayload, message, details } };
}

/** `$.a[0].b` → `a[0].b`: item-relative field path, like every other failure path. */
export function fieldPathOf(guardPath: string): string {
  return guardPath.replace(/^\$\.?/, '');
}

export function guardFailure(error: PayloadError): ItemFailure {
  const details: Record<string, unknown> = { path: fieldPathOf(error.details.path), reason: error.code };
  if (error.details.line !== undefined) details.line = error.details.line;
  return { code: FAILURE_CODES.invalidAlert, message: error.message, details };
}

export function unrecognizedResult(message: string, details?: Record<string, unknown>): NormalizeResult {
  const failure: NormalizeFailure = { index: 0, code: FAILURE_CODES.unrecognizedPayload, message };
  if (details !== undefined) failure.details = details;
  return { alerts: [], failures: [failure] };
}

/**
 * Text bodies: one JSON document (pretty-printed ones span many lines too), or, when `ndjson` is
 * allowed and the text is not one document, newline-delimited JSON. Each NDJSON line goes
 * through `unwrap` on its own, so a line may itself be a wrapper; a bad line fails alone.
 */
function unwrapText(text: string, unwrap: (body: unknown) => Unwrapped, options: RunOptions): Unwrapped {
  const { limits, onText } = options;
  const parsed = parseJsonSafely(text, limits);
  if (parsed.ok) {
    onText?.(text, parsed.value);
    return unwrap(parsed.value);
  }
  const { code } = parsed.error;
  // Several documents fail as one (invalid JSON, or one deep line making the whole text deep).
  if (options.ndjson === true && (code === 'invalid_json' || code === 'too_deep') && looksLikeNdjson(text)) {
    const items: BatchItem[] = [];
    const lines = text.split(/\r?\n/);
    for (const line of parseNdjson(text, limits)) {
      if (!line.ok) {
        items.push({ value: undefined, error: guardFailure(line.error) });
        continue;
      }
      onText?.(lines[line.line - 1] ?? '', line.value);
      const inner = unwrap(line.value);
      if (inner.kind === 'items') items.push(...inner.items);
      else if (inner.kind === 'unrecognized')
        items.push({ value: line.value, error: { code: FAILURE_CODES.unrecognizedPayload, message: inner.message, details: { line: line.line } } });
    }
    return { kind: 'items', items };
  }
  if (code === 'invalid_json') return { kind: 'unrecognized', message: parsed.error.message, details: { path: fieldPathOf(parsed.error.details.path), reason: code } };
  // One document the guard refused (forbidden key, too deep, too large): that item fails with its path.
  return { kind: 'items', items: [{ value: undefined, error: guardFailure(parsed.error) }] };
}

export interface RunOptions {
  /** Accept newline-delimited JSON text bodies. */
  ndjson?: boolean;
  limits?: PayloadLimits;
  /**
   * Sees each JSON text with the value parsed from it, for sources whose ids outgrow a JS
   * number (Suricata's 64-bit flow_id) and must be read from the text.
   */
  onText?: (text: string, value: unknown) => void;
}

/**
 * Runs a normaliser: unwrap the body, guard and map each item. `map` may throw on a vendor
 * quirk nobody foresaw; that becomes an `invalid_alert` failure for that item rather than a
 * crashed delivery.
 */
export function runNormalizer(body: unknown, unwrap: (body: unknown) => Unwrapped, map: (item: unknown) => ItemOutcome, options: RunOptions = {}): NormalizeResult {
  let unwrapped: Unwrapped;
  try {
    unwrapped = typeof body === 'string' ? unwrapText(body, unwrap, options) : unwrap(body);
  } catch (err) {
    return unrecognizedResult(`Delivery could not be read: ${err instanceof Error ? err.message : 'unknown error'}`);
  }
  if (unwrapped.kind === 'ack') return { alerts: [], failures: [], acknowledgement: unwrapped.acknowledgement };
  if (unwrapped.kind === 'unrecognized') return unrecognizedResult(unwrapped.message, unwrapped.details);

  const result: NormalizeResult = { alerts: [], failures: [] };
  const skipped: string[] = [];
  unwrapped.items.forEach((item, index) => {
    if (item.error !== undefined) {
      result.failures.push({ index, ...item.error });
      return;
    }
    const problem = checkPayload(item.value, options.limits);
    if (problem !== undefined) {
      result.failures.push({ index, ...guardFailure(problem) });
      return;
    }
    let outcome: ItemOutcome;
    try {
      outcome = map(item.value);
    } catch (err) {
      outcome = invalidAlert('', `Item could not be normalised: ${err instanceof Error ? err.message : 'unknown error'}`);
    }
    if ('alert' in outcome) result.alerts.push({ index, alert: outcome.alert, observables: vigilObservables(outcome.alert), raw: item.value });
    else if ('failure' in outcome) result.failures.push({ index, ...outcome.failure });
    else skipped.push(outcome.skip);
  });
  if (unwrapped.items.length === 0) {
    // `{value: []}` from a poll or an empty Kibana summary is a legitimate, empty delivery.
    return { alerts: [], failures: [], acknowledgement: { kind: 'empty', message: 'The delivery holds no items' } };
  }
  if (result.alerts.length === 0 && result.failures.length === 0 && skipped.length > 0) {
    result.acknowledgement = {
      kind: 'nothing_to_ingest',
      message: `${skipped.length} record(s) received, none of them an alert`,
      details: { skipped: skipped.length, reasons: [...new Set(skipped)] },
    };
  }
  return result;
}
