import { Context } from '@temporalio/activity';
import { IntegrationError } from '../../integrations/core/action.js';
import { NoConnectionError } from '../integration-runtime/index.js';
import type { SlaClockService, SlaNotifier } from '../sla/index.js';
import type { SlaActivities } from '../../workflows/contracts/sla-clocks.js';
import type { ActionRunner } from './action-runner.js';

/** The workflow's heartbeat timeout is 3 s. */
const HEARTBEAT_EVERY_MS = 1_000;

export interface SlaActivityDeps {
  clocks: SlaClockService;
  actions: ActionRunner;
}

/** The vendor's reference for a sent notification: Slack's `ts`, PagerDuty's dedup key, the message id. */
function reference(output: unknown): string | null {
  if (typeof output !== 'object' || output === null) return null;
  const o = output as Record<string, unknown>;
  for (const k of ['ts', 'dedupKey', 'dedup_key', 'messageId']) if (typeof o[k] === 'string') return o[k];
  return null;
}

/**
 * The SLA clock workflow's activity. Pages go through the integration runtime like a playbook's
 * notify step (the tenant's connections, or the simulator); a channel that fails is recorded on the
 * page and does not hold back the others, nor the next evaluation.
 */
export function createSlaActivities(deps: SlaActivityDeps): SlaActivities {
  const notify: SlaNotifier = async (n) => {
    try {
      const result = await deps.actions.run({
        tenantId: n.tenantId,
        action: n.action,
        params: n.params,
        scope: {},
        idempotencyKey: n.idempotencyKey,
        caseId: n.caseId,
        preRendered: true,
      });
      return { ok: true, detail: reference(result.output) };
    } catch (error) {
      if (error instanceof IntegrationError) return { ok: false, detail: error.code };
      if (error instanceof NoConnectionError) return { ok: false, detail: 'no_connection' };
      // The runner's failures are Temporal ApplicationFailures whose type is the vendor error's code.
      const type = (error as { type?: unknown }).type;
      return { ok: false, detail: typeof type === 'string' ? type : (error as Error).message.slice(0, 200) };
    }
  };
  return {
    async evaluateSlaClocks(input) {
      // A live worker heartbeats while it evaluates, however slow a vendor is; a dead one stops, and Temporal
      // retries the evaluation elsewhere after the heartbeat timeout (seconds) instead of the start-to-close one.
      let ctx: Context | undefined;
      try {
        ctx = Context.current();
      } catch {
        ctx = undefined;
      }
      ctx?.heartbeat();
      const beat = ctx ? setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS) : undefined;
      try {
        return await deps.clocks.evaluate(input, notify);
      } finally {
        clearInterval(beat);
      }
    },
  };
}
