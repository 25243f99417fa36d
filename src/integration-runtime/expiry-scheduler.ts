import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { EXPIRE_CONTAINMENT_WORKFLOW_TYPE, type ExpireContainmentInput, expiryWorkflowId } from '../../workflows/contracts/revert-messages.js';
import { LazyTemporalClient } from '../temporal/index.js';

/** Port: arranges for a containment to be undone once its `expiresIn` has passed. */
export abstract class ContainmentExpiryScheduler {
  /** Idempotent per containment: scheduling the same one again changes nothing. */
  abstract schedule(input: ExpireContainmentInput, delayMs: number): Promise<void>;
}

/**
 * Starts `expireContainmentWorkflow` with a start delay, so the timer lives in Temporal (it survives
 * the case workflow finishing and any worker restart). Called from activities; connects lazily.
 */
@Injectable()
export class TemporalExpiryScheduler extends ContainmentExpiryScheduler implements OnModuleDestroy {
  private readonly temporal: LazyTemporalClient;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    this.temporal = new LazyTemporalClient(config.temporal);
  }

  private getClient(): Promise<Client> {
    return this.temporal.get();
  }

  async schedule(input: ExpireContainmentInput, delayMs: number): Promise<void> {
    const client = await this.getClient();
    try {
      await client.workflow.start(EXPIRE_CONTAINMENT_WORKFLOW_TYPE, {
        workflowId: expiryWorkflowId(input.containmentId),
        taskQueue: this.config.temporal.taskQueue,
        args: [input],
        // Temporal refuses a zero delay; an already due expiry starts at once.
        ...(delayMs >= 1 ? { startDelay: Math.ceil(delayMs) } : {}),
        // A second start for the same containment (a retried activity) finds this one.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return;
      throw error;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.temporal.close();
  }
}
