// What the SLA feature offers the rest of Vigil; other features import from here only.
export { addWorkingTime, ALWAYS_OPEN, type BusinessCalendar, calendarIssues, isCounting, type Pause, workingTimeBetween } from './calendar.js';
export {
  type CaseFacts,
  clockState,
  type ClockState,
  CLOCK_KINDS,
  DEFAULT_THRESHOLDS,
  effectiveSeverity,
  holdPauses,
  planClocks,
  type PlannedClock,
  resolvePolicy,
  type SlaTargets,
  thresholdInstants,
} from './clocks.js';
export { ESCALATION_CHANNELS, type EscalationLevel, planEscalation } from './escalation.js';
export { type OnDuty, type Rota, whoIsOnDuty } from './rota.js';
export { SlaApiModule } from './sla-api.module.js';
export { SLA_ROUTE_DOCS } from './sla.openapi.js';
export { SlaService } from './sla.service.js';
export { atRiskPercent, type CasePlan, SLA_CASE_FILTERS, SlaClockRepository, type StoredClock, storedClockState, type StoredEscalation } from './sla-clock.repository.js';
export { type ClockView, type SlaNotification, type SlaNotifier, SlaClockService } from './sla-clock.service.js';
export { SlaClocksModule } from './sla-clocks.module.js';
export { SlaMetrics } from './sla-metrics.js';
