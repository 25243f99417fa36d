import { createHash } from 'node:crypto';
import type { AxiosInstance } from 'axios';
import { IntegrationError } from './action.js';
import { errorFromResponse, toIntegrationError } from './http-errors.js';
import { responseStatus } from './define-action.js';

/**
 * OAuth 2.0 client-credentials tokens, cached in memory per connection (token URL + client id +
 * a hash of the secret + scope) until shortly before they expire. Concurrent callers share one
 * in-flight request. The cache is bounded: the oldest entries go first.
 */

export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** Extra form fields some vendors accept (`member_cid`, …). */
  extraForm?: Readonly<Record<string, string>>;
  /** Vendor name for error messages. */
  vendor: string;
  /** Whether to send `grant_type=client_credentials` (Entra requires it; CrowdStrike ignores it). */
  sendGrantType?: boolean;
}

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

const MAX_ENTRIES = 1_000;
/** Renew this long before expiry so a token never dies in flight. */
const EXPIRY_MARGIN_MS = 60_000;
const DEFAULT_LIFETIME_S = 300;

const cache = new Map<string, CachedToken>();
const inFlight = new Map<string, Promise<CachedToken>>();

function cacheKey(c: ClientCredentials): string {
  const secretHash = createHash('sha256').update(c.clientSecret).digest('hex').slice(0, 16);
  return `${c.tokenUrl}\u0000${c.clientId}\u0000${secretHash}\u0000${c.scope ?? ''}`;
}

function remember(key: string, token: CachedToken): void {
  cache.delete(key);
  cache.set(key, token);
  while (cache.size > MAX_ENTRIES) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
}

async function fetchToken(http: AxiosInstance, c: ClientCredentials, signal?: AbortSignal): Promise<CachedToken> {
  const form = new URLSearchParams({ client_id: c.clientId, client_secret: c.clientSecret });
  if (c.sendGrantType) form.set('grant_type', 'client_credentials');
  if (c.scope) form.set('scope', c.scope);
  for (const [k, v] of Object.entries(c.extraForm ?? {})) form.set(k, v);
  try {
    const res = await http.post<unknown>(c.tokenUrl, form.toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      signal,
    });
    const body = res.data as { access_token?: unknown; expires_in?: unknown } | null;
    if (!body || typeof body.access_token !== 'string' || body.access_token === '') {
      throw errorFromResponse(res.status, res.headers, { message: 'token response has no access_token' }, { vendor: c.vendor });
    }
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? DEFAULT_LIFETIME_S);
    const seconds = Number.isFinite(lifetime) && lifetime > 0 ? lifetime : DEFAULT_LIFETIME_S;
    return { accessToken: body.access_token, expiresAt: Date.now() + seconds * 1000 };
  } catch (err) {
    const classified = toIntegrationError(err, { vendor: c.vendor, secrets: [c.clientSecret, c.clientId] });
    // The token endpoint rejecting the client is a credentials problem, whatever status it used.
    if (classified.httpStatus === 400 || classified.httpStatus === 401 || classified.httpStatus === 403) {
      throw new IntegrationError(`${classified.message} (token request)`, 'vendor_unauthorized', false, classified.httpStatus);
    }
    throw classified;
  }
}

export interface BearerToken {
  accessToken: string;
  /** True when the token came from the cache (a 401 then means it went stale, not bad credentials). */
  fromCache: boolean;
  key: string;
}

export async function getClientCredentialsToken(http: AxiosInstance, credentials: ClientCredentials, signal?: AbortSignal): Promise<BearerToken> {
  const key = cacheKey(credentials);
  const cached = cache.get(key);
  if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
    return { accessToken: cached.accessToken, fromCache: true, key };
  }
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchToken(http, credentials, signal).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  const token = await pending;
  remember(key, token);
  return { accessToken: token.accessToken, fromCache: false, key };
}

export function invalidateToken(key: string): void {
  cache.delete(key);
}

/** Empties the cache (tests, credential rotation). */
export function clearTokenCache(): void {
  cache.clear();
  inFlight.clear();
}

/**
 * Runs `call` with a bearer token. If the vendor answers 401 to a cached token, the token is
 * dropped and the failure is reported as retryable (the next attempt fetches a fresh one);
 * Vigil never re-sends the request itself.
 */
export async function withBearerToken<R>(
  http: AxiosInstance,
  credentials: ClientCredentials,
  signal: AbortSignal | undefined,
  call: (accessToken: string) => Promise<R>,
): Promise<R> {
  const token = await getClientCredentialsToken(http, credentials, signal);
  try {
    return await call(token.accessToken);
  } catch (err) {
    if (responseStatus(err) === 401) {
      invalidateToken(token.key);
      if (token.fromCache) {
        const classified = toIntegrationError(err, { vendor: credentials.vendor, secrets: [token.accessToken, credentials.clientSecret] });
        throw new IntegrationError(`${classified.message} (cached token rejected; it has been dropped)`, 'vendor_token_expired', true, 401);
      }
    }
    throw err;
  }
}
