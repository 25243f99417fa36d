import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { alertsAddedSignal, type CaseAlertMessage, type CaseRunState, type CaseWorkflowInput, caseWorkflowId, runStateQuery } from '../../workflows/case-messages.js';
import { Orchestrator } from './orchestrator.port.js';
import { SA_CASE_ID, SA_PLAYBOOK, SA_SEVERITY, SA_TENANT } from './search-attributes.js';

/**
 * The Temporal client adapter. Connects lazily, so the API starts (and keeps accepting alerts into
 * the outbox) while Temporal is down; every call reconnects as needed.
 */
@Injectable()
export class TemporalOrchestrator extends Orchestrator implements OnModuleDestroy {
  private readonly logger = new Logger('TemporalOrchestrator');
  private client: Promise<Client> | undefined;
  private connection: Connection | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  private getClient(): Promise<Client> {
    this.client ??= Connection.connect({ address: this.config.temporal.address, connectTimeout: '2s' }).then(
      (connection) => {
        this.connection = connection;
        return new Client({ connection, namespace: this.config.temporal.namespace });
      },
      (error: unknown) => {
        this.client = undefined;
        throw error;
      },
    );
    return this.client;
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

  async runState(caseId: string): Promise<CaseRunState | undefined> {
    const client = await this.getClient();
    try {
      return await client.workflow.getHandle(caseWorkflowId(caseId)).query(runStateQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
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

  async onModuleDestroy(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
  }
}
