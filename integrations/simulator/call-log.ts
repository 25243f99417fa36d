import { isSecretQueryName, redactDeep, redactHeaders, redactText, REDACTED } from '../core/redaction.js';
import { allSimulatorSecretValues } from './credentials.js';
import type { QueryValues } from './sim-types.js';

export const CALL_LOG_CAP = 10_000;

export interface RecordedCall {
  id: number;
  vendor: string;
  method: string;
  path: string;
  query: QueryValues;
  headers: Record<string, string>;
  body: unknown;
  status: number | null;
  fault: string | null;
  time: string;
}

export interface CallInput {
  vendor: string;
  method: string;
  path: string;
  query: QueryValues;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * The record of every call the simulator received, newest last, capped at CALL_LOG_CAP. Headers,
 * query and body are redacted on the way in: the record never holds a credential, even a wrong one
 * sent in a secret-named header or field.
 */
export class CallLog {
  private readonly calls: RecordedCall[] = [];
  private nextId = 1;
  private readonly secrets = allSimulatorSecretValues();

  constructor(private readonly cap: number = CALL_LOG_CAP) {}

  record(input: CallInput, now: number): RecordedCall {
    const query: QueryValues = {};
    for (const [k, v] of Object.entries(input.query)) {
      query[k] = isSecretQueryName(k) ? REDACTED : Array.isArray(v) ? v.map((x) => redactText(x, this.secrets)) : redactText(v, this.secrets);
    }
    const call: RecordedCall = {
      id: this.nextId++,
      vendor: input.vendor,
      method: input.method,
      path: redactText(input.path, this.secrets),
      query,
      headers: redactHeaders(input.headers, this.secrets),
      body: input.body === undefined ? null : redactDeep(input.body, this.secrets),
      status: null,
      fault: null,
      time: new Date(now).toISOString(),
    };
    this.calls.push(call);
    if (this.calls.length > this.cap) this.calls.splice(0, this.calls.length - this.cap);
    return call;
  }

  list(vendor?: string): RecordedCall[] {
    return vendor ? this.calls.filter((c) => c.vendor === vendor) : [...this.calls];
  }

  clear(): void {
    this.calls.length = 0;
  }

  get size(): number {
    return this.calls.length;
  }
}
