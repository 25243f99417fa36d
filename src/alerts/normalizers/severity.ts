/**
 * Vendor severity scales onto OCSF severity_id (0 Unknown, 1 Informational, 2 Low, 3 Medium,
 * 4 High, 5 Critical, 6 Fatal). The tables follow the fixtures README; where a vendor gives
 * both a name and a number, callers prefer the name because it is what the vendor's UI shows.
 */
import type { SeverityId } from '../../common/canonical-alert.js';

const NAMES: Readonly<Record<string, SeverityId>> = {
  unknown: 0,
  unspecified: 0,
  severityunspecified: 0,
  unknownfuturevalue: 0,
  none: 0,
  info: 1,
  informational: 1,
  information: 1,
  low: 2,
  minor: 2,
  medium: 3,
  moderate: 3,
  major: 4,
  high: 4,
  critical: 5,
  fatal: 6,
};

/** A severity word in any case or spelling (`SEVERITY_UNSPECIFIED`, `UnSpecified`, `High`). */
export function severityFromName(name: unknown): SeverityId | undefined {
  if (typeof name !== 'string') return undefined;
  const key = name.toLowerCase().replace(/[^a-z]/g, '');
  return Object.prototype.hasOwnProperty.call(NAMES, key) ? NAMES[key] : undefined;
}

/** OCSF severity_id given as a number 0–6 (or 99). */
export function severityFromOcsfId(value: unknown): SeverityId | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return undefined;
  if ((value >= 0 && value <= 6) || value === 99) return value as SeverityId;
  return undefined;
}

/** GuardDuty float 1.0–10.0: Low < 4, Medium < 7, High < 9, Critical ≥ 9. */
export function severityFromGuardDuty(value: number): SeverityId {
  if (!Number.isFinite(value)) return 0;
  if (value < 4) return 2;
  if (value < 7) return 3;
  if (value < 9) return 4;
  return 5;
}

/** Elastic risk_score 0–100, using Elastic's own default bands (21 / 47 / 73). */
export function severityFromElasticRisk(value: number): SeverityId {
  if (!Number.isFinite(value) || value < 0) return 0;
  if (value <= 21) return 2;
  if (value <= 47) return 3;
  if (value <= 73) return 4;
  return 5;
}

/** CrowdStrike Event Streams DetectionSummaryEvent 1–5. */
export function severityFromCrowdStrikeStream(value: number): SeverityId {
  if (!Number.isFinite(value) || value < 1) return 0;
  if (value < 2) return 1;
  if (value < 3) return 2;
  if (value < 4) return 3;
  if (value < 5) return 4;
  return 5;
}

/**
 * CrowdStrike Alerts API / EPP 0–100, used only when `severity_name` is missing or unknown.
 * Bands follow Falcon's console: Informational < 20, Low < 40, Medium < 60, High < 80, Critical ≥ 80.
 */
export function severityFromCrowdStrikeScore(value: number): SeverityId {
  if (!Number.isFinite(value) || value < 0) return 0;
  if (value < 20) return 1;
  if (value < 40) return 2;
  if (value < 60) return 3;
  if (value < 80) return 4;
  return 5;
}

/** Wazuh rule.level 0–15 (16 seen): 0–3 Informational, 4–6 Low, 7–11 Medium, 12–14 High, ≥ 15 Critical. */
export function severityFromWazuhLevel(value: number): SeverityId {
  if (!Number.isFinite(value) || value < 0) return 0;
  if (value <= 3) return 1;
  if (value <= 6) return 2;
  if (value <= 11) return 3;
  if (value <= 14) return 4;
  return 5;
}

/** Suricata alert.severity, 1 = most severe … 255: 1 High, 2 Medium, 3 Low, ≥ 4 Informational. */
export function severityFromSuricata(value: number): SeverityId {
  if (!Number.isFinite(value) || value < 1) return 0;
  if (value < 2) return 4;
  if (value < 3) return 3;
  if (value < 4) return 2;
  return 1;
}

/** Graph alerts_v2 `unknown`/`informational`/`low`/`medium`/`high`, MDE `UnSpecified`…`High`, Sentinel, SCC, Elastic names. */
export function severityFromVendorName(name: unknown): SeverityId {
  return severityFromName(name) ?? 0;
}
