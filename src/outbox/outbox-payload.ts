import type { CanonicalAlert } from '../common/canonical-alert.js';

/** Outbox payload of one new alert: everything the relay needs to reach the case workflow without another query. */
export interface AlertOutboxPayload {
  alertId: string;
  severityId: number;
  playbookId: string;
  playbookHash: string;
  finding: CanonicalAlert;
}

/** The one kind of outbox row Vigil writes today. */
export const ALERT_ADDED = 'alert_added';
