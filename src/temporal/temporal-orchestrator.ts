import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { APPROVAL_REFUSALS, type ApprovalRefusal, type DecideApprovalInput, type DecideApprovalResult, decideApprovalUpdate } from '../../workflows/contracts/approval-messages.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import {
  alertsAddedSignal,
  caseClosedSignal,
  caseMergedSignal,
  type CaseAlertMessage,
  type CaseRunState,
  type CaseWorkflowInput,
  caseWorkflowId,
  runStateQuery,
} from '../../workflows/contracts/case-messages.js';
import { slaClocksWorkflowId, slaFactsChangedSignal } from '../../workflows/contracts/sla-clocks.js';
import { LazyTemporalClient } from './lazy-temporal-client.js';
import { ApprovalRefusedError, Orchestrator, RevertAlreadyRunningError } from './orchestrator.port.js';
import { SA_CASE_ID, SA_PLAYBOOK, SA_SEVERITY, SA_TENANT } from './search-attributes.js';

/** The live state of a run is worth waiting for this long at most. */
const RUN_STATE_DEADLINE_MS = 2_000;

/**
 * The Temporal client adapter. Connects lazily, so the API starts (and keeps accepting alerts into
 * the outbox) while Temporal is down; every call reconnects as needed.
 */
@Injectable()
export class TemporalOrchestrator extends Orchestrator implements OnModuleDestroy {
  private readonly logger = new Logger('TemporalOrchestrator');
  private readonly temporal: LazyTemporalClient;
  /**
   * Live-state queries get a connection without the client's automatic retries (no interceptors): the
   * case view gives up on them after a moment, and a retry still waiting when the process stops would
   * fire on a closed channel (an uncaught error). The view polls again anyway.
   */
  private readonly queries: LazyTemporalClient;
  private readonly closing = new AbortController();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    this.temporal = new LazyTemporalClient(config.temporal);
    this.queries = new LazyTemporalClient(config.temporal, { interceptors: [] });
  }

  private getClient(): Promise<Client> {
    return this.temporal.get();
  }

  private getQueryClient(): Promise<Client> {
    return this.queries.get();
  }

  async deliverAlerts(input: CaseWorkflowInput & { severityId: number }, alerts: CaseAlertMessage[]): Promise<void> {
    const client = await this.getClient();
    const { severityId, ...args } = input;
    await client.workflow.signalWithStart('caseWorkflow', {
      workflowId: caseWorkflowId(input.caseId),
      taskQueue: this.config.temporal.taskQueue,
      args: [args],
      signal: alertsAddedSignal,
      signalArgs: [alerts],
      typedSearchAttributes: [
        { key: SA_TENANT, value: input.tenantId },
        { key: SA_CASE_ID, value: input.caseId },
        { key: SA_SEVERITY, value: severityId },
        { key: SA_PLAYBOOK, value: input.playbook.id },
      ],
    });
  }

  async signalSlaClocks(tenantId: string, caseId: string, reasons: string[]): Promise<void> {
    const client = await this.getClient();
    await client.workflow.signalWithStart('slaClocksWorkflow', {
      workflowId: slaClocksWorkflowId(caseId),
      taskQueue: this.config.temporal.taskQueue,
      args: [{ tenantId, caseId }],
      signal: slaFactsChangedSignal,
      signalArgs: [reasons],
      typedSearchAttributes: [
        { key: SA_TENANT, value: tenantId },
        { key: SA_CASE_ID, value: caseId },
      ],
    });
  }

  async runState(caseId: string): Promise<CaseRunState | undefined> {
    const client = await this.getQueryClient();
    try {
      // A query waits for a worker; callers give up after a moment, so the call must not outlive them.
      return await client.withAbortSignal(this.closing.signal, () =>
        client.withDeadline(Date.now() + RUN_STATE_DEADLINE_MS, () => client.workflow.getHandle(caseWorkflowId(caseId)).query(runStateQuery)),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  async decideApproval(workflowId: string, input: DecideApprovalInput): Promise<DecideApprovalResult> {
    const client = await this.getClient();
    try {
      return await client.withAbortSignal(this.closing.signal, () => client.workflow.getHandle(workflowId).executeUpdate(decideApprovalUpdate, { args: [input] }));
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        const cause = error.cause;
        if (cause instanceof ApplicationFailure && (APPROVAL_REFUSALS as readonly string[]).includes(cause.type ?? '')) {
          throw new ApprovalRefusedError(cause.type as ApprovalRefusal, cause.message);
        }
      }
      if (error instanceof WorkflowNotFoundError) throw new ApprovalRefusedError('too_late', 'the run that asked for this approval has ended');
      throw error;
    }
  }

  async isReachable(): Promise<boolean> {
    try {
      const client = await this.getClient();
      await client.connection.workflowService.getSystemInfo({});
      return true;
    } catch (error) {
      this.logger.debug(`Temporal not reachable: ${String(error)}`);
      return false;
    }
  }

  async signalCaseMerged(caseId: string, intoCaseId: string): Promise<boolean> {
    const client = await this.getClient();
    try {
      await client.workflow.getHandle(caseWorkflowId(caseId)).signal(caseMergedSignal, { intoCaseId });
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  async signalCaseClosed(caseId: string): Promise<boolean> {
    const client = await this.getClient();
    try {
      await client.workflow.getHandle(caseWorkflowId(caseId)).signal(caseClosedSignal);
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  async requestRevert(tenantId: string, caseId: string, requestedBy: string): Promise<{ workflowId: string }> {
    const client = await this.getClient();
    const workflowId = `revert-${caseId}`;
    try {
      await client.workflow.start('revertCaseWorkflow', {
        workflowId,
        taskQueue: this.config.temporal.taskQueue,
        args: [{ tenantId, caseId, requestedBy }],
        typedSearchAttributes: [
          { key: SA_TENANT, value: tenantId },
          { key: SA_CASE_ID, value: caseId },
        ],
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new RevertAlreadyRunningError(workflowId);
      throw error;
    }
    return { workflowId };
  }

  async onModuleDestroy(): Promise<void> {
    this.closing.abort();
    await Promise.all([this.temporal.close(), this.queries.close()]);
  }
}
