import type { CanonicalAlert } from '../common/canonical-alert.js';

/** Outbox payload of one new alert: everything the relay needs to reach the case workflow without another query. */
export interface AlertOutboxPayload {
  alertId: string;
  severityId: number;
  playbookId: string;
  playbookHash: string;
  finding: CanonicalAlert;
  /**
   * Who posted the alert: the ingest key's actor (`user:<id>` when the key belongs to a user, else
   * `api-key:<id>`). The run counts them as a requester, so they never approve what it asks.
   * Absent in rows written before Vigil recorded it.
   */
  postedBy?: string;
}

export const ALERT_ADDED = 'alert_added';

/**
 * Outbox payload of an SLA clock signal: a fact that moves the case's clocks was written (the
 * triggers of migration 1765100000001 and the SLA writes insert these rows). The clock workflow
 * re-reads the facts itself, so the row carries only why.
 */
export interface SlaClocksOutboxPayload {
  reason: string;
}

export const SLA_CLOCKS = 'sla_clocks';
