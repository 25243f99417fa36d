import { isAxiosError } from 'axios';
import { IntegrationError } from './action.js';
import { redactText } from './redaction.js';

/** Codes of IntegrationError raised for vendor HTTP failures. */
export const VENDOR_ERROR_CODES = {
  badRequest: 'vendor_bad_request',
  unauthorized: 'vendor_unauthorized',
  forbidden: 'vendor_forbidden',
  notFound: 'vendor_not_found',
  conflict: 'vendor_conflict',
  rateLimited: 'vendor_rate_limited',
  unavailable: 'vendor_unavailable',
  notImplemented: 'vendor_not_implemented',
  timeout: 'vendor_timeout',
  unreachable: 'vendor_unreachable',
  badResponse: 'vendor_bad_response',
  cancelled: 'cancelled',
} as const;

export interface ErrorContext {
  /** Vendor name used as the message prefix (`virustotal`, `okta`, …). */
  vendor: string;
  /** Secret values to scrub from anything that ends up in the message. */
  secrets?: Iterable<string> | Readonly<Record<string, string>>;
  /** Clock for HTTP-date Retry-After values (tests). */
  now?: () => number;
}

const MAX_VENDOR_MESSAGE = 300;

/**
 * Parses Retry-After (delta seconds or HTTP-date) into milliseconds from now. Returns undefined
 * when absent or unparseable; never negative.
 */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
  const text = headerText(value);
  if (text === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Some vendors (Okta, GitHub-style APIs) announce the end of the rate-limit window as epoch
 * seconds instead of Retry-After.
 */
function parseRateLimitReset(value: unknown, now: number): number | undefined {
  const text = headerText(value);
  if (text === undefined || !/^\d{9,11}$/.test(text)) return undefined;
  return Math.max(0, Number(text) * 1000 - now);
}

function headerText(value: unknown): string | undefined {
  if (Array.isArray(value)) return headerText(value[0]);
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function lowerCaseHeaders(headers: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (headers === null || typeof headers !== 'object') return out;
  // AxiosHeaders exposes toJSON(); plain objects are used as they are.
  const source =
    typeof (headers as { toJSON?: unknown }).toJSON === 'function' ? (headers as { toJSON: () => Record<string, unknown> }).toJSON() : (headers as Record<string, unknown>);
  for (const [key, value] of Object.entries(source)) out[key.toLowerCase()] = value;
  return out;
}

/**
 * Pulls a short human message out of the many error body shapes vendors use
 * (`{error:{message}}`, `{errors:[{detail}]}`, `{errorSummary}`, `{errorMessages:[]}`, …).
 */
export function extractVendorMessage(data: unknown): string | undefined {
  if (typeof data === 'string') return data.trim() === '' ? undefined : data.trim();
  if (data === null || typeof data !== 'object') return undefined;
  const body = data as Record<string, unknown>;
  const candidates: unknown[] = [];
  const error = body['error'];
  if (error && typeof error === 'object') {
    const e = error as Record<string, unknown>;
    candidates.push(joinCode(e['code'], e['message']));
  } else if (typeof error === 'string' && typeof body['error_description'] === 'string') {
    // OAuth token endpoints: `{error: "invalid_client", error_description: "AADSTS…"}`.
    candidates.push(`${error}: ${body['error_description']}`);
  } else {
    candidates.push(error);
  }
  candidates.push(body['error_description'], body['errorSummary'], body['status_text'], body['message'], body['detail']);
  const primary = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '')?.trim();
  const details: string[] = [];
  for (const listKey of ['errors', 'errorMessages']) {
    const list = body[listKey];
    if (Array.isArray(list) && list.length > 0) {
      const first: unknown = list[0];
      if (typeof first === 'string') details.push(first);
      else if (first && typeof first === 'object') {
        const f = first as Record<string, unknown>;
        const text = [f['detail'], f['message'], f['title']].find((x): x is string => typeof x === 'string' && x.trim() !== '');
        if (text) details.push(text);
      }
    } else if (list && typeof list === 'object' && !Array.isArray(list)) {
      // Jira: {errors: {field: "message"}}
      const entries = Object.entries(list as Record<string, unknown>).filter(([, v]) => typeof v === 'string');
      if (entries.length > 0) details.push(entries.map(([k, v]) => `${k}: ${String(v)}`).join('; '));
    }
  }
  const detail = details[0]?.trim();
  // PagerDuty-style bodies carry a generic message plus the specific reason in a list: keep both.
  if (primary && detail && !primary.includes(detail)) return `${primary} (${detail})`;
  return primary ?? detail;
}

function joinCode(code: unknown, message: unknown): string | undefined {
  const parts = [code, message].filter((p): p is string | number => typeof p === 'string' || typeof p === 'number');
  return parts.length > 0 ? parts.join(': ') : undefined;
}

function truncate(text: string): string {
  const single = text.replace(/\s+/g, ' ');
  return single.length > MAX_VENDOR_MESSAGE ? `${single.slice(0, MAX_VENDOR_MESSAGE)}…` : single;
}

/** Classifies an HTTP status (with its headers and body) into an IntegrationError. */
export function errorFromResponse(status: number, headers: unknown, data: unknown, ctx: ErrorContext): IntegrationError {
  const now = (ctx.now ?? Date.now)();
  const vendorMessage = extractVendorMessage(data);
  const detail = vendorMessage ? ` — ${truncate(redactText(vendorMessage, ctx.secrets))}` : '';
  const message = `${ctx.vendor}: HTTP ${status}${detail}`;
  const h = lowerCaseHeaders(headers);

  if (status === 429) {
    const retryAfterMs = parseRetryAfter(h['retry-after'], now) ?? parseRateLimitReset(h['x-rate-limit-reset'] ?? h['x-ratelimit-reset'], now);
    return new IntegrationError(message, VENDOR_ERROR_CODES.rateLimited, true, status, retryAfterMs);
  }
  if (status === 401) return new IntegrationError(message, VENDOR_ERROR_CODES.unauthorized, false, status);
  if (status === 403) return new IntegrationError(message, VENDOR_ERROR_CODES.forbidden, false, status);
  if (status === 404) return new IntegrationError(message, VENDOR_ERROR_CODES.notFound, false, status);
  if (status === 409) return new IntegrationError(message, VENDOR_ERROR_CODES.conflict, false, status);
  if (status === 408) return new IntegrationError(message, VENDOR_ERROR_CODES.timeout, true, status);
  if (status === 501 || status === 505) return new IntegrationError(message, VENDOR_ERROR_CODES.notImplemented, false, status);
  if (status >= 500) {
    // 503 may carry Retry-After too; honour it when present.
    return new IntegrationError(message, VENDOR_ERROR_CODES.unavailable, true, status, parseRetryAfter(h['retry-after'], now));
  }
  if (status >= 400) return new IntegrationError(message, VENDOR_ERROR_CODES.badRequest, false, status);
  // A 1xx/2xx/3xx that the adapter still considers a failure (e.g. a body saying `ok: false`).
  return new IntegrationError(message, VENDOR_ERROR_CODES.badResponse, false, status);
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
]);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ERR_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const cause = (err as { cause?: unknown }).cause;
    if (cause && typeof cause === 'object') {
      const causeCode = (cause as { code?: unknown }).code;
      if (typeof causeCode === 'string') return causeCode;
    }
  }
  return undefined;
}

/**
 * Turns anything thrown by an axios call (or a socket) into an IntegrationError. IntegrationErrors
 * pass through unchanged. The message never contains request headers, bodies or secret values.
 */
export function toIntegrationError(err: unknown, ctx: ErrorContext): IntegrationError {
  if (err instanceof IntegrationError) return err;
  // A guard that fails inside the socket's lookup reaches us wrapped by axios.
  const cause = err && typeof err === 'object' ? (err as { cause?: unknown }).cause : undefined;
  if (cause instanceof IntegrationError) return cause;
  if (isAxiosError(err) && err.response) {
    return errorFromResponse(err.response.status, err.response.headers, err.response.data, ctx);
  }
  const code = errorCode(err);
  const reason = redactText(err instanceof Error ? err.message : String(err), ctx.secrets);
  if (code === 'ERR_CANCELED' || (err instanceof Error && err.name === 'CanceledError') || (err instanceof Error && err.name === 'AbortError')) {
    return new IntegrationError(`${ctx.vendor}: request cancelled`, VENDOR_ERROR_CODES.cancelled, false);
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new IntegrationError(`${ctx.vendor}: request timed out (${truncate(reason)})`, VENDOR_ERROR_CODES.timeout, true);
  }
  if (code !== undefined && RETRYABLE_NETWORK_CODES.has(code)) {
    return new IntegrationError(`${ctx.vendor}: ${code} (${truncate(reason)})`, VENDOR_ERROR_CODES.unavailable, true);
  }
  if (code === 'ENOTFOUND') {
    // A name that does not resolve is almost always configuration, not a passing fault.
    return new IntegrationError(`${ctx.vendor}: host not found (${truncate(reason)})`, VENDOR_ERROR_CODES.unreachable, false);
  }
  if (code === 'ERR_FR_TOO_MANY_REDIRECTS' || code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED' || code === 'ERR_BAD_OPTION_VALUE' || code === 'ERR_INVALID_URL') {
    return new IntegrationError(`${ctx.vendor}: ${truncate(reason)}`, VENDOR_ERROR_CODES.badRequest, false);
  }
  if (err instanceof Error && err.name === 'ZodError') {
    // The vendor answered 2xx with a body that does not have the documented shape.
    return new IntegrationError(`${ctx.vendor}: response does not match the documented shape (${truncate(reason)})`, VENDOR_ERROR_CODES.badResponse, false);
  }
  if (isAxiosError(err)) {
    // A request that never got a response for a reason not listed above: treat as transient.
    return new IntegrationError(`${ctx.vendor}: ${code ?? 'network error'} (${truncate(reason)})`, VENDOR_ERROR_CODES.unavailable, true);
  }
  return new IntegrationError(`${ctx.vendor}: ${truncate(reason)}`, 'internal_error', false);
}
