import type { SimulatorState } from './state.js';

export type QueryValues = Record<string, string | string[]>;

export interface SimRequest {
  vendor: string;
  method: string;
  /** Path below the vendor prefix, e.g. `/api/v3/files/abc` for `/virustotal/api/v3/files/abc`. */
  path: string;
  query: QueryValues;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON, a form object, text, or undefined when empty. */
  body: unknown;
  rawBody: Buffer;
  /** `http://host:port` the client used, for absolute links in responses. */
  origin: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless it is a string (sent as-is) or undefined (no body). */
  body?: unknown;
}

export interface SimContext {
  state: SimulatorState;
  now(): number;
}

export interface VendorSimulator {
  /** Name used in the call record and fault matching. */
  readonly name: string;
  handle(req: SimRequest, ctx: SimContext): SimResponse | Promise<SimResponse>;
  /** The vendor's own error body for an injected status. */
  errorBody(status: number, message: string): unknown;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, body, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } };
}

export function noContent(headers: Record<string, string> = {}): SimResponse {
  return { status: 204, headers };
}

export function queryValue(query: QueryValues, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
}

export function queryValues(query: QueryValues, name: string): string[] {
  const v = query[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
