import type { MigrationInterface } from 'typeorm';
import { InitialSchema1764165600000 } from './1764165600000-initial-schema.js';
import { CasesTenantsAudit1764200000000 } from './1764200000000-cases-tenants-audit.js';
import { Approvals1764300000000 } from './1764300000000-approvals.js';
import { IntegrationsRuntime1764400000000 } from './1764400000000-integrations-runtime.js';
import { AlertChanges1764500000000 } from './1764500000000-alert-changes.js';
import { PlaybookVersions1764600000000 } from './1764600000000-playbook-versions.js';
import { OutboxTaskQueue1764700000000 } from './1764700000000-outbox-task-queue.js';
import { AlertObservables1764800000000 } from './1764800000000-alert-observables.js';
import { AlertReadIndexes1764900000000 } from './1764900000000-alert-read-indexes.js';
import { SlaOncall1765000000000 } from './1765000000000-sla-oncall.js';
import { CaseSlaClocks1765100000000 } from './1765100000000-case-sla-clocks.js';
import { SlaClockSignals1765100000001 } from './1765100000001-sla-clock-signals.js';
import { SlaClockElapsed1765200000000 } from './1765200000000-sla-clock-elapsed.js';

type MigrationClass = new () => MigrationInterface;

/** Every migration, oldest first. Migrations are additive: expand, migrate, contract. */
export const MIGRATIONS: MigrationClass[] = [
  InitialSchema1764165600000,
  CasesTenantsAudit1764200000000,
  Approvals1764300000000,
  IntegrationsRuntime1764400000000,
  AlertChanges1764500000000,
  PlaybookVersions1764600000000,
  OutboxTaskQueue1764700000000,
  AlertObservables1764800000000,
  AlertReadIndexes1764900000000,
  SlaOncall1765000000000,
  CaseSlaClocks1765100000000,
  SlaClockSignals1765100000001,
  SlaClockElapsed1765200000000,
];
