import type { AxiosResponse } from 'axios';
import { z } from 'zod';
import { IntegrationError } from '../core/action.js';
import { defineAction } from '../core/define-action.js';
import { assertRedirectAllowed, assertUrlAllowed, guardedLookup, hostGuardSettingsFrom } from '../core/host-guard.js';
import { errorFromResponse } from '../core/http-errors.js';
import { isSecretHeaderName, redactDeep, redactHeaders, redactText, redactUrl } from '../core/redaction.js';

/**
 * A call to an arbitrary HTTP API the tenant allowed. Connection settings: `allowedHosts`
 * (required), `allowPrivateNetworks` (default false), `authHeader` (default Authorization) and
 * `authScheme` (default Bearer) for the optional `token` secret.
 */

const MAX_BODY_CHARS = 256 * 1024;
const MAX_REDIRECTS = 5;
/** Headers a playbook may not set: they are the transport's or the connection's business. */
const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'invalid header name');

export const httpRequestInput = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  url: z.url({ protocol: /^https?$/ }).max(8192),
  headers: z
    .record(
      headerName,
      z
        .string()
        .max(8192)
        .regex(/^[^\r\n]*$/, 'header values are single-line'),
    )
    .optional(),
  query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  body: z.unknown().optional().describe('JSON body (objects/arrays/values) or a string sent as-is'),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
  maxRedirects: z.number().int().min(0).max(MAX_REDIRECTS).default(3).describe('Same-host redirects to follow'),
  failOnHttpError: z.boolean().default(true).describe('Fail the step on 4xx/5xx instead of returning the response'),
});

export const httpRequestAction = defineAction({
  key: 'http.request',
  vendor: 'http',
  title: 'HTTP: request to an allowed host',
  docUrl: 'https://www.rfc-editor.org/rfc/rfc9110',
  kind: 'utility',
  input: httpRequestInput,
  output: z.object({
    status: z.number().int(),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.unknown(),
    truncated: z.boolean(),
  }),
  secrets: [],
  describeTarget: (input) => `${input.method} ${redactUrl(input.url)}`,
  async run(input, ctx) {
    const guard = hostGuardSettingsFrom(ctx.connection.settings);
    const headers: Record<string, string> = { Accept: 'application/json, text/plain;q=0.9, */*;q=0.5' };
    for (const [name, value] of Object.entries(input.headers ?? {})) {
      const lower = name.toLowerCase();
      if (FORBIDDEN_HEADERS.has(lower)) throw new IntegrationError(`http: header ${name} may not be set`, 'invalid_input', false);
      // Credentials belong in the connection (encrypted), not in playbook text or workflow history.
      if (isSecretHeaderName(lower)) throw new IntegrationError(`http: header ${name} carries credentials; use the connection's token secret`, 'invalid_input', false);
      headers[name] = value;
    }
    const token = ctx.connection.secrets['token'];
    if (token) {
      const authHeader = typeof ctx.connection.settings['authHeader'] === 'string' ? ctx.connection.settings['authHeader'] : 'Authorization';
      const scheme = typeof ctx.connection.settings['authScheme'] === 'string' ? ctx.connection.settings['authScheme'] : 'Bearer';
      headers[authHeader] = scheme === '' ? token : `${scheme} ${token}`;
    }
    if (input.method !== 'GET' && input.method !== 'HEAD' && !Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key')) {
      headers['Idempotency-Key'] = ctx.idempotencyKey;
    }

    let url = new URL(input.url);
    for (const [k, v] of Object.entries(input.query ?? {})) url.searchParams.set(k, String(v));
    let method: string = input.method;
    let data: unknown = input.body;
    let res: AxiosResponse<string> | undefined;
    for (let hop = 0; ; hop++) {
      await assertUrlAllowed(url, guard);
      res = await ctx.http.request<string>({
        url: url.toString(),
        method,
        headers,
        data,
        timeout: input.timeoutMs ?? ctx.http.defaults.timeout,
        // Redirects are followed here, one checked hop at a time, never by the client.
        maxRedirects: 0,
        validateStatus: () => true,
        responseType: 'text',
        transformResponse: [(d: unknown) => d],
        lookup: guardedLookup(guard),
        signal: ctx.signal,
      });
      const location = res.headers['location'];
      if (res.status < 300 || res.status >= 400 || typeof location !== 'string' || location === '') break;
      if (hop >= input.maxRedirects) throw new IntegrationError(`http: more than ${input.maxRedirects} redirects`, 'redirect_not_allowed', false, res.status);
      url = assertRedirectAllowed(url, location);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        data = undefined;
      }
    }

    const secrets = ctx.connection.secrets;
    const raw = typeof res.data === 'string' ? res.data : '';
    const truncated = raw.length > MAX_BODY_CHARS;
    const text = truncated ? raw.slice(0, MAX_BODY_CHARS) : raw;
    const contentType = String(res.headers['content-type'] ?? '');
    let body: unknown = text;
    if (!truncated && /json/i.test(contentType) && text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (input.failOnHttpError && res.status >= 400) {
      throw errorFromResponse(res.status, res.headers, body, { vendor: 'http', secrets });
    }
    const responseHeaders = redactHeaders(res.headers as Record<string, string | string[] | undefined>, secrets);
    // Whatever the remote echoes back (our own token included) must not reach workflow history.
    const safeBody = typeof body === 'string' ? redactText(body, secrets) : redactDeep(body, secrets);
    return { status: res.status, url: redactUrl(url.toString(), secrets), headers: responseHeaders, body: safeBody, truncated };
  },
});
