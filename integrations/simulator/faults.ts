import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export const faultSpec = z.strictObject({
  vendor: z.string().min(1).max(64),
  /** Vendor-relative path prefix (`/api/v3/files`); the whole vendor when omitted. */
  path: z.string().min(1).max(2048).optional(),
  method: z.string().min(1).max(16).optional(),
  kind: z.enum(['latency', 'status', 'hang']),
  status: z.number().int().min(100).max(599).optional(),
  /** Seconds (number or digits) or an HTTP-date, sent as Retry-After. */
  retryAfter: z.union([z.number().int().nonnegative(), z.string().min(1).max(64)]).optional(),
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  /** How many matching requests the fault applies to; unlimited when omitted. */
  times: z.number().int().positive().max(1_000_000).optional(),
});
export type FaultSpec = z.output<typeof faultSpec>;

export interface Fault extends FaultSpec {
  id: string;
  remaining: number | null;
}

const MAX_FAULTS = 1_000;

/** Injected faults, matched in the order they were added. */
export class FaultBook {
  private faults: Fault[] = [];

  add(spec: FaultSpec): Fault {
    if (spec.kind === 'status' && spec.status === undefined) throw new Error('a status fault needs `status`');
    const fault: Fault = { ...spec, id: randomUUID(), remaining: spec.times ?? null };
    this.faults.push(fault);
    if (this.faults.length > MAX_FAULTS) this.faults.shift();
    return fault;
  }

  /** Finds the first fault for this request and consumes one of its `times`. */
  take(vendor: string, method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.vendor === vendor &&
        (f.method === undefined || f.method.toUpperCase() === method.toUpperCase()) &&
        (f.path === undefined || path.startsWith(f.path) || `/${vendor}${path}`.startsWith(f.path)),
    );
    if (!fault) return undefined;
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    }
    return fault;
  }

  list(): Fault[] {
    return [...this.faults];
  }

  clear(): void {
    this.faults = [];
  }
}
