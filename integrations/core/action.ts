import type { AxiosInstance } from 'axios';
import type { z } from 'zod';

/** What an action does; containment actions must name their inverse. */
export type ActionKind = 'enrichment' | 'containment' | 'notification' | 'ticketing' | 'utility';

/** A tenant's connection to one vendor, with secrets already decrypted (only ever inside an activity). */
export interface ConnectionContext {
  /** Vendor base URL, e.g. `https://www.virustotal.com` or the vendor simulator's `http://127.0.0.1:4010/virustotal`. */
  baseUrl: string;
  /** Decrypted secrets by name (`apiKey`, `clientId`, `clientSecret`, …). Never logged, never returned. */
  secrets: Readonly<Record<string, string>>;
  /** Non-secret settings (PAN-OS device group, Slack channel, allowed hosts for generic HTTP, …). */
  settings: Readonly<Record<string, unknown>>;
}

export interface ActionContext {
  tenantId: string;
  connection: ConnectionContext;
  /** An axios instance with Vigil's timeouts; adapters use it for every request and never retry. */
  http: AxiosInstance;
  /** Stable across retries and replays of the same step: workflow id + step id (+ item). */
  idempotencyKey: string;
  signal?: AbortSignal;
}

export interface ActionDefinition<I = unknown, O = unknown> {
  /** `vendor.action`, e.g. `virustotal.get_ip_report`. */
  readonly key: string;
  readonly vendor: string;
  readonly title: string;
  /** Link to the vendor's API reference for the endpoint this action calls. */
  readonly docUrl: string;
  readonly kind: ActionKind;
  readonly input: z.ZodType<I>;
  readonly output: z.ZodType<O>;
  /** Names of the connection secrets the action needs. */
  readonly secrets: readonly string[];
  /** Containment only: the key of the action that undoes this one (takes the same input). */
  readonly inverse?: string;
  /** A short human description of what the action targets, for timelines and approvals (`host WS-0142`). */
  describeTarget?(input: I): string;
  execute(input: I, ctx: ActionContext): Promise<O>;
}

/** Failure of a vendor call, classified so the activity can tell Temporal whether to retry. */
export class IntegrationError extends Error {
  override readonly name = 'IntegrationError';
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
    readonly httpStatus?: number,
    /** Milliseconds to wait before retrying, from the vendor's Retry-After. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
