import axios, { type AxiosInstance } from 'axios';

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** Responses larger than this are refused rather than buffered: enrichment bodies are small. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export interface HttpClientOptions {
  /** Whole-request timeout in milliseconds (default 10 s). */
  timeoutMs?: number;
  /** Sent as `User-Agent` so vendors can identify Vigil's traffic. */
  userAgent?: string;
  maxResponseBytes?: number;
}

/**
 * The axios instance the activity hands to adapters: bounded timeout, no retries (Temporal owns
 * retries), no proxy taken from the environment (traffic goes where the connection says), and
 * the default `validateStatus` so any non-2xx throws and is classified by http-errors.
 */
export function createHttpClient(options: HttpClientOptions = {}): AxiosInstance {
  return axios.create({
    timeout: options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
    proxy: false,
    maxRedirects: 0,
    maxContentLength: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    maxBodyLength: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    headers: { 'User-Agent': options.userAgent ?? 'Vigil/0.1 (+incident-response)' },
    transitional: { clarifyTimeoutError: true },
  });
}
