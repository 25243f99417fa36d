/**
 * Redaction of secrets from anything Vigil logs, records or returns.
 *
 * Two complementary rules: (1) values of known secret header/field names are replaced whatever
 * they contain; (2) the literal values of the connection's secrets are replaced wherever they
 * appear (inside URLs, messages, echoed bodies).
 */

export const REDACTED = '[REDACTED]';

/** Header names (lower case) whose values are always secret. */
export const SECRET_HEADER_NAMES: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'x-apikey',
  'x-api-key',
  'api-key',
  'apikey',
  'key',
  'cookie',
  'set-cookie',
  'x-auth-token',
  'x-pan-key',
  'x-access-token',
  'x-csrf-token',
  'x-slack-signature',
  'x-amz-security-token',
  'private-token',
]);

/** Body, query and settings field names (lower case, `-` and `_` ignored) whose values are always secret. */
const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set(
  [
    'password',
    'passwd',
    'secret',
    'client_secret',
    'clientsecret',
    'api_key',
    'apikey',
    'x_apikey',
    'x_api_key',
    'x_auth_token',
    'x_pan_key',
    'token',
    'access_token',
    'refresh_token',
    'id_token',
    'routing_key',
    'signing_secret',
    'authorization',
    'auth',
    'cookie',
    'private_key',
    'approval_token',
  ].map(normaliseName),
);

/** Secret values shorter than this are not searched for: redacting `ab` everywhere would shred output. */
const MIN_SECRET_LENGTH = 4;
const MAX_DEPTH = 20;

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

export function isSecretHeaderName(name: string): boolean {
  return SECRET_HEADER_NAMES.has(name.toLowerCase());
}

/** Body and settings field names. `key` alone is not one: too many APIs use it for identifiers (Jira project keys). */
export function isSecretFieldName(name: string): boolean {
  return SECRET_FIELD_NAMES.has(normaliseName(name));
}

/** Query parameter names; here a bare `key` is an API key (AbuseIPDB, PAN-OS XML API). */
export function isSecretQueryName(name: string): boolean {
  return isSecretFieldName(name) || name.toLowerCase() === 'key';
}

/** The secret strings worth searching for, longest first so a secret containing another is replaced whole. */
export function secretValues(secrets: Iterable<string> | Readonly<Record<string, string>> | undefined): string[] {
  if (!secrets) return [];
  const values = (isIterable(secrets) ? [...secrets] : Object.values(secrets)).filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH);
  const unique = new Set<string>();
  const addEncoded = (text: string): void => {
    unique.add(text);
    // Secrets also travel URL-encoded (query strings, form bodies) and base64-encoded (tokens, basic auth).
    unique.add(encodeURIComponent(text));
    const base64 = Buffer.from(text, 'utf8').toString('base64');
    unique.add(base64);
    unique.add(base64.replace(/=+$/, ''));
    unique.add(Buffer.from(text, 'utf8').toString('base64url'));
  };
  for (const value of values) addEncoded(value);
  // Basic auth sends `user:password` base64-encoded as one: a pair of secrets (or a name and a secret) in either order.
  for (const a of values) for (const b of values) if (a !== b) unique.add(Buffer.from(`${a}:${b}`, 'utf8').toString('base64'));
  return [...unique].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

function isIterable(value: unknown): value is Iterable<string> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

/** Replaces every occurrence of a secret value in `text`. */
export function redactText(text: string, secrets: Iterable<string> | Readonly<Record<string, string>> | undefined): string {
  return redactValues(text, secretValues(secrets));
}

/** Replaces every occurrence of already expanded secret values (secretValues) in `text`. */
function redactValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const secret of values) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

type HeaderValue = string | number | boolean | readonly string[] | null | undefined;

/** A copy of `headers` with secret header values replaced and secret values scrubbed from the rest. */
export function redactHeaders(headers: Readonly<Record<string, HeaderValue>> | undefined, secrets?: Iterable<string> | Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const values = secretValues(secrets);
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined || raw === null) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : String(raw);
    out[name.toLowerCase()] = isSecretHeaderName(name) ? REDACTED : redactValues(value, values);
  }
  return out;
}

/**
 * A deep copy of `value` (JSON-like) with secret-named fields replaced and secret values scrubbed
 * from every string. Non-JSON values (functions, symbols) are dropped; cycles are cut.
 */
export function redactDeep(value: unknown, secrets?: Iterable<string> | Readonly<Record<string, string>>): unknown {
  const values = secretValues(secrets);
  const seen = new WeakSet<object>();
  const walk = (node: unknown, depth: number): unknown => {
    if (typeof node === 'string') return redactValues(node, values);
    if (node === null || typeof node === 'number' || typeof node === 'boolean') return node;
    if (typeof node === 'bigint') return node.toString();
    if (typeof node !== 'object') return undefined;
    if (depth > MAX_DEPTH) return '[TRUNCATED]';
    if (seen.has(node)) return '[CIRCULAR]';
    seen.add(node);
    if (Array.isArray(node)) return node.map((item) => walk(item, depth + 1));
    if (node instanceof Date) return node.toISOString();
    if (Buffer.isBuffer(node)) return `[${node.length} bytes]`;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      out[key] = isSecretFieldName(key) && child !== null && child !== undefined && child !== '' ? REDACTED : walk(child, depth + 1);
    }
    return out;
  };
  return walk(value, 0);
}

/** Redacts a URL's secret-named query parameters and any embedded credentials or secret values. */
export function redactUrl(url: string, secrets?: Iterable<string> | Readonly<Record<string, string>>): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(url, secrets);
  }
  if (parsed.username) parsed.username = REDACTED;
  if (parsed.password) parsed.password = REDACTED;
  for (const name of [...parsed.searchParams.keys()]) {
    if (isSecretQueryName(name)) parsed.searchParams.set(name, REDACTED);
  }
  return redactText(parsed.toString(), secrets);
}
