import { Inject, Injectable } from '@nestjs/common';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { AxiosInstance } from 'axios';
import { type ActionDefinition, IntegrationError } from '../../integrations/core/action.js';
import { findAction } from '../../integrations/index.js';
import { createHttpClient } from '../../integrations/core/create-http-client.js';
import { parseDuration } from '../../workflows/language/duration.js';
import { ContainmentLedgerRepository, type ContainmentRecord } from '../integration-runtime/index.js';
import { EnrichmentCache } from '../integration-runtime/index.js';
import { ContainmentExpiryScheduler } from '../integration-runtime/index.js';
import { IntegrationLimiter } from '../integration-runtime/index.js';
import { OverrideApprovals } from '../integration-runtime/index.js';
import { findProtected, targetsOf } from '../integration-runtime/index.js';
import { ProtectedAssetsService } from '../integration-runtime/index.js';
import { isContainingAction } from '../integration-runtime/index.js';
import { renderParams } from '../templating/index.js';
import { ConnectionResolver, NoConnectionError, type ResolvedConnection } from '../integration-runtime/index.js';

export interface ActionCall {
  tenantId: string;
  action: string;
  params: Record<string, unknown>;
  scope: Record<string, unknown>;
  /** Stable across retries and replays: workflow id + step id + visit. */
  idempotencyKey: string;
  dryRun?: boolean;
  /** The case and step the call belongs to: recorded with containment so the case can be reverted. */
  caseId?: string;
  workflowId?: string;
  stepId?: string;
  /** Containment only: undo it automatically this long after it succeeded (`30m`, `4h`, `2s`). */
  expiresIn?: string;
  /** An approval that allows containment of a protected asset (set by the workflow, checked here). */
  override?: { approvalId: string };
  /** `params` are already the validated input (a revert re-sends a recorded input): render nothing. */
  preRendered?: boolean;
  /** This call undoes the ledger row with this id (a revert); it is never refused for a protected asset. */
  revertsId?: string;
  /** The time one attempt has, for a call made outside an activity (inside one, its start-to-close timeout). */
  attemptMs?: number;
}

export interface ActionCallResult {
  output: unknown;
  target?: string;
  input: unknown;
  definition: ActionDefinition;
  dryRun: boolean;
  /** Set when no vendor call was made: the output came from the enrichment cache or the containment ledger. */
  reused?: 'cache' | 'ledger';
  /** Containment: the ledger row, and when it reverts itself. */
  containmentId?: string;
  expiresAt?: string;
  /** How long the tenant's rate limit or concurrency cap held the call back before it went out. */
  heldMs?: number;
}

/** A call held back by the tenant's limits waits inside its attempt while this much of the attempt is left for the call. */
const CALL_RESERVE_MS = 10_000;

function sleepFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Leases and lookup claims outlive the activity attempt by this much, then lapse if its worker died. */
const LEASE_MARGIN_MS = 5_000;
const DEFAULT_ATTEMPT_MS = 60_000;

function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw ApplicationFailure.nonRetryable(`expiresIn '${text}' is not a duration such as 30s, 15m or 4h`, 'InvalidActionInput');
  return ms;
}

/** The running activity's attempt timeout and cancellation signal, when called inside one. */
function activityContext(call?: Pick<ActionCall, 'attemptMs'>): { attemptMs: number; signal?: AbortSignal } {
  try {
    const ctx = Context.current();
    return { attemptMs: ctx.info.startToCloseTimeoutMs || DEFAULT_ATTEMPT_MS, signal: ctx.cancellationSignal };
  } catch {
    return { attemptMs: call?.attemptMs ?? DEFAULT_ATTEMPT_MS };
  }
}

function toFailure(error: unknown): unknown {
  if (error instanceof NoConnectionError) {
    return ApplicationFailure.create({ message: error.message, type: 'no_connection', nonRetryable: true, details: [{ code: 'no_connection', vendor: error.vendor }] });
  }
  if (error instanceof IntegrationError) {
    const details = { code: error.code, httpStatus: error.httpStatus };
    if (!error.retryable) return ApplicationFailure.create({ message: error.message, type: error.code, nonRetryable: true, details: [details] });
    return ApplicationFailure.create({
      message: error.message,
      type: error.code,
      nonRetryable: false,
      details: [details],
      nextRetryDelay: error.retryAfterMs !== undefined ? Math.max(error.retryAfterMs, 1) : undefined,
    });
  }
  return error;
}

/**
 * Runs one integration action by key: renders its templated parameters, checks them against the
 * action's input schema, resolves the tenant's connection and calls the adapter, with Vigil's
 * safety around the call (all shared through PostgreSQL, so every worker agrees):
 *
 * - containment goes through the ledger: a retried or replayed attempt returns the recorded result
 *   and never contains twice; protected assets are refused unless an override approval is given;
 *   `expiresIn` schedules the inverse;
 * - enrichment is cached per tenant, action and canonical input for the connection's TTL, one
 *   lookup per value at a time;
 * - every vendor call counts against the tenant's rate limit and concurrency cap for the vendor; a
 *   refused call fails retryably with the delay after which a slot is free (Temporal waits, not us).
 *
 * Vendor errors become Temporal failures that say whether a retry may help; adapters never retry.
 */
/**
 * Finds the action, renders its templated parameters (unless the call carries input already rendered,
 * as a revert does) and checks them against the action's input schema. Shared by every runner.
 */
export function prepareActionInput(call: Pick<ActionCall, 'action' | 'params' | 'scope' | 'preRendered'>): {
  definition: ActionDefinition;
  input: unknown;
  target: string | undefined;
} {
  const definition = findAction(call.action);
  if (!definition) throw ApplicationFailure.nonRetryable(`unknown action ${call.action}`, 'UnknownAction');
  let rendered: unknown = call.params;
  if (!call.preRendered) {
    try {
      rendered = renderParams(call.params, call.scope);
    } catch (error) {
      throw ApplicationFailure.nonRetryable(`parameters of ${call.action} could not be rendered: ${(error as Error).message}`, 'TemplateError');
    }
  }
  const parsed = definition.input.safeParse(rendered);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(`invalid input for ${call.action}: ${issues}`, 'InvalidActionInput');
  }
  return { definition, input: parsed.data, target: definition.describeTarget?.(parsed.data) };
}

@Injectable()
export class ActionRunner {
  private readonly http: AxiosInstance = createHttpClient();

  constructor(
    @Inject(ConnectionResolver) private readonly connections: ConnectionResolver,
    @Inject(IntegrationLimiter) private readonly limiter: IntegrationLimiter,
    @Inject(EnrichmentCache) private readonly cache: EnrichmentCache,
    @Inject(ContainmentLedgerRepository) private readonly ledger: ContainmentLedgerRepository,
    @Inject(ProtectedAssetsService) private readonly protectedAssets: ProtectedAssetsService,
    @Inject(OverrideApprovals) private readonly overrides: OverrideApprovals,
    @Inject(ContainmentExpiryScheduler) private readonly expiry: ContainmentExpiryScheduler,
  ) {}

  async run(call: ActionCall): Promise<ActionCallResult> {
    const { definition, input, target } = prepareActionInput(call);
    if (call.dryRun && definition.kind !== 'enrichment') {
      return { output: { dryRun: true, wouldSend: { action: call.action, input } }, target, input, definition, dryRun: true };
    }
    if (definition.kind === 'containment') return this.runContainment(definition, input, target, call);

    const connection = await this.resolve(call.tenantId, definition);
    const held = { ms: 0 };
    const heldBack = (): { heldMs?: number } => (held.ms > 0 ? { heldMs: held.ms } : {});
    if (definition.kind === 'enrichment') {
      const { attemptMs } = activityContext(call);
      const { output, cached } = await this.cache.getOrCompute(call.tenantId, definition.key, input, connection.safety.cacheTtlSeconds, attemptMs + LEASE_MARGIN_MS, () =>
        this.callVendor(definition, input, call, connection, held),
      );
      return { output, target, input, definition, dryRun: false, ...(cached ? { reused: 'cache' as const } : {}), ...heldBack() };
    }
    const output = await this.callVendor(definition, input, call, connection, held);
    return { output, target, input, definition, dryRun: false, ...heldBack() };
  }

  private async runContainment(definition: ActionDefinition, input: unknown, target: string | undefined, call: ActionCall): Promise<ActionCallResult> {
    const containing = isContainingAction(definition) && call.revertsId === undefined;
    const expiresInSeconds = containing && call.expiresIn !== undefined ? durationMs(call.expiresIn) / 1000 : null;
    const record = await this.ledger.claim({
      tenantId: call.tenantId,
      caseId: call.caseId ?? null,
      idempotencyKey: call.idempotencyKey,
      workflowId: call.workflowId ?? null,
      stepId: call.stepId ?? null,
      action: definition.key,
      inverse: definition.inverse ?? null,
      input,
      target: target ?? null,
      revertsId: call.revertsId ?? null,
      overrideApprovalId: call.override?.approvalId ?? null,
      expiresInSeconds,
    });
    const result = (r: ContainmentRecord, reused: boolean): ActionCallResult => ({
      output: r.result,
      target,
      input,
      definition,
      dryRun: false,
      ...(reused ? { reused: 'ledger' as const } : {}),
      containmentId: r.id,
      ...(r.expiresAt ? { expiresAt: new Date(r.expiresAt).toISOString() } : {}),
    });
    if (record.status === 'succeeded') {
      // An earlier attempt (or a replay) already did it: report what it did, call nobody.
      await this.scheduleExpiry(record, call.expiresIn);
      return result(record, true);
    }
    try {
      if (containing) await this.checkProtected(definition, input, call);
      const connection = await this.resolve(call.tenantId, definition);
      const output = await this.callVendor(definition, input, call, connection);
      const done = await this.ledger.succeeded(record.id, output, expiresInSeconds);
      await this.scheduleExpiry(done, call.expiresIn);
      return result(done, false);
    } catch (error) {
      await this.ledger.failed(record.id, error instanceof Error ? error.message : String(error)).catch(() => undefined);
      throw error;
    }
  }

  private async scheduleExpiry(record: ContainmentRecord, expiresIn: string | undefined): Promise<void> {
    if (!record.expiresAt || record.revertedAt) return;
    await this.expiry.schedule(
      { tenantId: record.tenantId, caseId: record.caseId, containmentId: record.id, expiresIn: expiresIn ?? 'its expiry' },
      new Date(record.expiresAt).getTime() - Date.now(),
    );
  }

  /** Refuses containment of a protected asset unless the call carries a real override approval. */
  private async checkProtected(definition: ActionDefinition, input: unknown, call: ActionCall): Promise<void> {
    const rules = await this.protectedAssets.rules(call.tenantId);
    if (rules.length === 0) return;
    const hit = findProtected(rules, targetsOf(input, call.scope));
    if (!hit) return;
    if (call.override && (await this.overrides.isValid({ tenantId: call.tenantId, caseId: call.caseId, action: definition.key, approvalId: call.override.approvalId }))) return;
    const what = `${hit.target.kind} ${hit.target.value}`;
    throw ApplicationFailure.create({
      type: 'protected_asset',
      nonRetryable: true,
      message:
        `${definition.key} refused: ${what} is protected (${hit.rule.reason})` +
        (call.override
          ? `; approval ${call.override.approvalId} is not an approved override of this action in this case`
          : '; only an approved override approval guarding this step allows it'),
      details: [{ code: 'protected_asset', kind: hit.target.kind, value: hit.target.value, pattern: hit.rule.pattern, assetId: hit.rule.id }],
    });
  }

  private async resolve(tenantId: string, definition: ActionDefinition): Promise<ResolvedConnection> {
    let connection: ResolvedConnection;
    try {
      connection = await this.connections.resolve(tenantId, definition.vendor);
    } catch (error) {
      throw toFailure(error);
    }
    if (connection.enabledActions && !connection.enabledActions.includes(definition.key)) {
      throw ApplicationFailure.create({
        type: 'action_not_enabled',
        nonRetryable: true,
        message: `the ${definition.vendor} connection does not enable ${definition.key} (enabled: ${connection.enabledActions.join(', ') || 'none'})`,
        details: [{ code: 'action_not_enabled', action: definition.key }],
      });
    }
    return connection;
  }

  /**
   * One vendor call under the tenant's rate limit and concurrency cap for the vendor. A call the limit
   * holds back waits for its turn inside the attempt (a delay, not a failed attempt) as long as the
   * attempt's time leaves room for the call itself; only a hold longer than that fails the attempt,
   * retryable after the hold.
   */
  private async callVendor(definition: ActionDefinition, input: unknown, call: ActionCall, connection: ResolvedConnection, held?: { ms: number }): Promise<unknown> {
    const { attemptMs, signal } = activityContext(call);
    const startedAt = Date.now();
    const reserveMs = Math.min(CALL_RESERVE_MS, attemptMs / 2);
    let decision = await this.limiter.acquire(call.tenantId, definition.vendor, call.idempotencyKey, connection.safety, attemptMs + LEASE_MARGIN_MS);
    let waited = false;
    while (!decision.ok && Date.now() - startedAt + decision.retryAfterMs <= attemptMs - reserveMs && !signal?.aborted) {
      waited = true;
      await sleepFor(decision.retryAfterMs, signal);
      decision = await this.limiter.acquire(call.tenantId, definition.vendor, call.idempotencyKey, connection.safety, attemptMs + LEASE_MARGIN_MS);
    }
    if (held && waited && decision.ok) held.ms = Date.now() - startedAt;
    if (!decision.ok) {
      const limit =
        decision.reason === 'rate_limited'
          ? `${connection.safety.rateLimitPerMinute}/min (burst ${connection.safety.rateLimitBurst})`
          : `${connection.safety.maxConcurrent} call(s) at once`;
      throw ApplicationFailure.create({
        type: decision.reason,
        nonRetryable: false,
        message: `${definition.key} held back: this tenant's ${definition.vendor} limit of ${limit} is reached; retrying in ${decision.retryAfterMs} ms`,
        nextRetryDelay: decision.retryAfterMs,
        details: [{ code: decision.reason, retryAfterMs: decision.retryAfterMs }],
      });
    }
    try {
      return await definition.execute(input, { tenantId: call.tenantId, connection: connection.context, http: this.http, idempotencyKey: call.idempotencyKey, signal });
    } catch (error) {
      throw toFailure(error);
    } finally {
      await this.limiter.release(decision.leaseId).catch(() => undefined);
    }
  }
}
