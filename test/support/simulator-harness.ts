import assert from 'node:assert/strict';
import type { ActionContext, ActionDefinition, ConnectionContext } from '../../integrations/core/action.js';
import { IntegrationError } from '../../integrations/core/action.js';
import { createHttpClient } from '../../integrations/core/create-http-client.js';
import { clearTokenCache } from '../../integrations/core/oauth-token-cache.js';
import type { RecordedCall } from '../../integrations/simulator/call-log.js';
import { simulatorConnections } from '../../integrations/simulator/connections.js';
import type { FaultSpec } from '../../integrations/simulator/faults.js';
import { startSimulator, type RunningSimulator } from '../../integrations/simulator/simulator.js';

/**
 * Test support for adapters: a simulator on ephemeral ports, connections pointing at it, and
 * helpers to read back what it received. Used only by `*.test.ts`.
 */
export interface SimulatorHarness {
  sim: RunningSimulator;
  url: string;
  connections: Readonly<Record<string, ConnectionContext>>;
  context(vendor: string, overrides?: ContextOverrides): ActionContext;
  calls(vendor: string): Promise<RecordedCall[]>;
  state(): Promise<Record<string, Record<string, unknown>>>;
  fault(spec: FaultSpec): Promise<void>;
  /** Clears calls, faults, vendor state and the OAuth token cache. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface ContextOverrides {
  secrets?: Record<string, string>;
  settings?: Record<string, unknown>;
  baseUrl?: string;
  timeoutMs?: number;
  idempotencyKey?: string;
}

async function control(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  if (res.status >= 400) throw new Error(`simulator ${method} ${path} → ${res.status}: ${await res.text()}`);
  return res.status === 204 ? undefined : (res.json() as Promise<unknown>);
}

export async function startSimulatorHarness(): Promise<SimulatorHarness> {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, smtpPort: 0 });
  const connections = simulatorConnections(sim.url);
  return {
    sim,
    url: sim.url,
    connections,
    context(vendor, o = {}) {
      const base = connections[vendor];
      if (!base) throw new Error(`no simulator connection for ${vendor}`);
      return {
        tenantId: 'tenant-test',
        connection: {
          baseUrl: o.baseUrl ?? base.baseUrl,
          secrets: { ...base.secrets, ...(o.secrets ?? {}) },
          settings: { ...base.settings, ...(o.settings ?? {}) },
        },
        http: createHttpClient({ timeoutMs: o.timeoutMs ?? 5_000 }),
        idempotencyKey: o.idempotencyKey ?? 'wf-test/step-1',
      };
    },
    calls: async (vendor) => (await control(sim.url, 'GET', `/_simulator/calls?vendor=${encodeURIComponent(vendor)}`)) as RecordedCall[],
    state: async () => (await control(sim.url, 'GET', '/_simulator/state')) as Record<string, Record<string, unknown>>,
    fault: async (spec) => {
      await control(sim.url, 'POST', '/_simulator/faults', spec);
    },
    async reset() {
      await control(sim.url, 'DELETE', '/_simulator/calls');
      await control(sim.url, 'DELETE', '/_simulator/faults');
      await control(sim.url, 'DELETE', '/_simulator/state');
      clearTokenCache();
    },
    close: () => sim.close(),
  };
}

/** Runs an action through its public `execute`, as the activity does. */
export function run<I, O>(action: ActionDefinition<I, O>, input: unknown, ctx: ActionContext): Promise<O> {
  return action.execute(input as I, ctx);
}

export interface ExpectedError {
  code: string;
  retryable: boolean;
  httpStatus?: number;
}

/** Asserts the promise rejects with an IntegrationError of this classification; returns it. */
export async function expectIntegrationError(promise: Promise<unknown>, expected: ExpectedError): Promise<IntegrationError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof IntegrationError, `expected an IntegrationError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  assert.equal(caught.code, expected.code, `code (message: ${caught.message})`);
  assert.equal(caught.retryable, expected.retryable, `retryable (message: ${caught.message})`);
  if (expected.httpStatus !== undefined) assert.equal(caught.httpStatus, expected.httpStatus);
  return caught;
}

/** Asserts no secret value of the connection appears anywhere in `value` (serialised). */
export function assertNoSecrets(value: unknown, secrets: Readonly<Record<string, string>>): void {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  for (const [name, secret] of Object.entries(secrets)) {
    assert.ok(!text.includes(secret), `secret ${name} leaked`);
  }
}
