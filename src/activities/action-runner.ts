import { Inject, Injectable } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import type { AxiosInstance } from 'axios';
import { type ActionDefinition, IntegrationError } from '../../integrations/core/action.js';
import { findAction } from '../../integrations/core/catalog.js';
import { createHttpClient } from '../../integrations/core/create-http-client.js';
import { renderParams } from '../templating/template-renderer.js';
import { ConnectionResolver } from './connection-resolver.js';

export interface ActionCall {
  tenantId: string;
  action: string;
  params: Record<string, unknown>;
  scope: Record<string, unknown>;
  idempotencyKey: string;
  dryRun?: boolean;
}

export interface ActionCallResult {
  output: unknown;
  target?: string;
  input: unknown;
  definition: ActionDefinition;
  dryRun: boolean;
}

/**
 * Runs one integration action by key: renders its templated parameters, checks them against the
 * action's input schema, resolves the tenant's connection and calls the adapter. Vendor errors
 * become Temporal failures that say whether a retry may help; adapters never retry themselves.
 */
@Injectable()
export class ActionRunner {
  private readonly http: AxiosInstance = createHttpClient();

  constructor(@Inject(ConnectionResolver) private readonly connections: ConnectionResolver) {}

  async run(call: ActionCall): Promise<ActionCallResult> {
    const definition = findAction(call.action);
    if (!definition) throw ApplicationFailure.nonRetryable(`unknown action ${call.action}`, 'UnknownAction');
    let rendered: unknown;
    try {
      rendered = renderParams(call.params, call.scope);
    } catch (error) {
      throw ApplicationFailure.nonRetryable(`parameters of ${call.action} could not be rendered: ${(error as Error).message}`, 'TemplateError');
    }
    const parsed = definition.input.safeParse(rendered);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
      throw ApplicationFailure.nonRetryable(`invalid input for ${call.action}: ${issues}`, 'InvalidActionInput');
    }
    const target = definition.describeTarget?.(parsed.data);
    if (call.dryRun && definition.kind !== 'enrichment') {
      return { output: { dryRun: true, wouldSend: { action: call.action, input: parsed.data } }, target, input: parsed.data, definition, dryRun: true };
    }
    const connection = await this.connections.resolve(call.tenantId, definition.vendor);
    try {
      const output = await definition.execute(parsed.data, { tenantId: call.tenantId, connection, http: this.http, idempotencyKey: call.idempotencyKey });
      return { output, target, input: parsed.data, definition, dryRun: false };
    } catch (error) {
      if (error instanceof IntegrationError) {
        const details = { code: error.code, httpStatus: error.httpStatus };
        if (!error.retryable) throw ApplicationFailure.create({ message: error.message, type: error.code, nonRetryable: true, details: [details] });
        throw ApplicationFailure.create({
          message: error.message,
          type: error.code,
          nonRetryable: false,
          details: [details],
          nextRetryDelay: error.retryAfterMs !== undefined ? Math.max(error.retryAfterMs, 1) : undefined,
        });
      }
      throw error;
    }
  }
}
