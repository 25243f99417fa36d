import type { AlertSource, CanonicalAlert, CanonicalObservable } from '../../common/canonical-alert.js';

/** One item of a delivery that could not be normalised; `index` is its position in the delivery. */
export interface NormalizeFailure {
  index: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface NormalizedItem {
  index: number;
  /** The pure OCSF Detection Finding. */
  alert: CanonicalAlert;
  /** Vigil's view of the finding's observables (with `kind` and `is_private`), derived from its paths: stored beside it, never inside. */
  observables: CanonicalObservable[];
  /** The vendor's own item as received (one element of a batch, or the whole body). */
  raw: unknown;
}

export interface NormalizeResult {
  alerts: NormalizedItem[];
  failures: NormalizeFailure[];
  /**
   * A delivery that is acknowledged without creating alerts (an SNS SubscriptionConfirmation,
   * a Pub/Sub or webhook handshake). `message` is logged for the operator.
   */
  acknowledgement?: { kind: string; message: string; details?: Record<string, unknown> };
}

/**
 * Turns one source's delivery (already JSON-parsed, or NDJSON text for line-oriented sources)
 * into canonical alerts. Pure: no I/O, no clock except `now` (used only when the source gives no time).
 */
export interface AlertNormalizer {
  readonly source: AlertSource;
  /** True when the body looks like this source's delivery; used by `POST /api/v1/alerts` auto-detection. */
  detect(body: unknown): boolean;
  normalize(body: unknown, now: number): NormalizeResult;
}
