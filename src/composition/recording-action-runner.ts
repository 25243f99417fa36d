import { isDeepStrictEqual } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { type ActionCall, type ActionCallResult, prepareActionInput } from '../activities/action-runner.js';
import type { RecordedResponse } from '../playbooks/testing/playbook-test.schema.js';

/** One action a test run called, with its parameters as rendered and checked against the action's input schema. */
export interface RecordedCall {
  action: string;
  params: unknown;
  /** Workflow id + step id + visit: retries of one call share it. */
  key: string;
  /** Set when the test had no usable answer for the call. */
  problem?: string;
}

interface Script {
  responses: Record<string, RecordedResponse[]>;
  calls: RecordedCall[];
  used: Map<RecordedResponse, number>;
}

/** `actual` holds everything `expected` names (objects: the keys given; lists and scalars: equal). */
export function partialMatch(expected: unknown, actual: unknown): boolean {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([k, v]) => Object.hasOwn(actual, k) && partialMatch(v, (actual as Record<string, unknown>)[k]));
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((v, i) => partialMatch(v, actual[i]));
  }
  return isDeepStrictEqual(expected, actual);
}

/**
 * Stands in for the ActionRunner while playbook tests run: renders and checks parameters exactly as
 * the real runner does, then answers from the test's recorded responses instead of calling a vendor,
 * and records every call. A call without a recorded answer fails the step (not retryable), naming
 * the action and its parameters. Each test runs under its own tenant, which keys its script.
 */
export class RecordingActionRunner {
  private readonly scripts = new Map<string, Script>();

  /** Starts recording for a tenant with the test's responses; returns the list calls are appended to. */
  script(tenantId: string, responses: Record<string, RecordedResponse[]>): RecordedCall[] {
    const calls: RecordedCall[] = [];
    this.scripts.set(tenantId, { responses, calls, used: new Map() });
    return calls;
  }

  forget(tenantId: string): void {
    this.scripts.delete(tenantId);
  }

  async run(call: ActionCall): Promise<ActionCallResult> {
    const script = this.scripts.get(call.tenantId);
    if (!script) throw ApplicationFailure.nonRetryable(`no playbook test is running for tenant ${call.tenantId}`, 'NoTestScript');
    const { definition, input: params, target } = prepareActionInput(call);
    const record: RecordedCall = { action: call.action, params, key: call.idempotencyKey };
    script.calls.push(record);
    const response = (script.responses[call.action] ?? []).find(
      (r) => (r.times === undefined || (script.used.get(r) ?? 0) < r.times) && (r.params === undefined || partialMatch(r.params, params)),
    );
    if (!response) {
      record.problem = `no recorded response for ${call.action} with params ${JSON.stringify(params)}`;
      throw ApplicationFailure.nonRetryable(record.problem, 'NoRecordedResponse');
    }
    script.used.set(response, (script.used.get(response) ?? 0) + 1);
    if (response.error) {
      const message = response.error.message ?? `${call.action} failed: ${response.error.code}`;
      throw ApplicationFailure.create({ message, type: response.error.code, nonRetryable: !response.error.retryable, details: [{ code: response.error.code }] });
    }
    const output = definition.output.safeParse(response.output);
    if (!output.success) {
      const issues = output.error.issues.map((i) => `${i.path.join('.') || '(output)'}: ${i.message}`).join('; ');
      record.problem = `the recorded response for ${call.action} does not match the action's output schema: ${issues}`;
      throw ApplicationFailure.nonRetryable(record.problem, 'InvalidRecordedResponse');
    }
    return { output: output.data, target, input: params, definition, dryRun: false };
  }
}
