/**
 * Vigil's alert normalisers, one per source key of `POST /api/v1/alerts/{source}`, and the
 * auto-detection behind `POST /api/v1/alerts`.
 */
import type { AlertSource } from '../../common/canonical-alert.js';
import type { AlertNormalizer } from './normalizer.js';
import { parseJsonSafely } from '../../common/http/payload-guard.js';
import { crowdStrikeNormalizer } from './crowdstrike.normalizer.js';
import { defenderNormalizer } from './defender.normalizer.js';
import { elasticNormalizer } from './elastic.normalizer.js';
import { gcpSccNormalizer } from './gcp-scc.normalizer.js';
import { genericNormalizer } from './generic.normalizer.js';
import { graphNormalizer } from './graph.normalizer.js';
import { guardDutyNormalizer } from './guardduty.normalizer.js';
import { ocsfNormalizer } from './ocsf.normalizer.js';
import { sentinelNormalizer } from './sentinel.normalizer.js';
import { splunkNormalizer } from './splunk.normalizer.js';
import { suricataNormalizer } from './suricata.normalizer.js';
import { wazuhNormalizer } from './wazuh.normalizer.js';

export type { AlertNormalizer, NormalizeFailure, NormalizeResult, NormalizedItem } from './normalizer.js';

export const NORMALIZERS: ReadonlyMap<AlertSource, AlertNormalizer> = new Map<AlertSource, AlertNormalizer>([
  ['generic', genericNormalizer],
  ['ocsf', ocsfNormalizer],
  ['guardduty', guardDutyNormalizer],
  ['splunk', splunkNormalizer],
  ['elastic', elasticNormalizer],
  ['graph', graphNormalizer],
  ['sentinel', sentinelNormalizer],
  ['defender', defenderNormalizer],
  ['crowdstrike', crowdStrikeNormalizer],
  ['wazuh', wazuhNormalizer],
  ['suricata', suricataNormalizer],
  ['gcp-scc', gcpSccNormalizer],
]);

/**
 * Order in which `detectSource` asks each normaliser. Most distinctive markers first, so a body
 * that happens to carry a looser marker of a later source is still claimed by the right one:
 * 1. ocsf        — `class_uid: 2004`, an explicit schema marker.
 * 2. guardduty   — `source: "aws.guardduty"`, a GuardDuty ARN, or an SNS envelope (`Type` + `TopicArn`).
 * 3. gcp-scc     — `notificationConfigName` + `finding`, a finding `name` ending in `/findings/…`,
 *                  or a Pub/Sub push whose decoded data is one of these.
 * 4. crowdstrike — `{metadata.eventType, event}`, `composite_id`, or Detects `detection_id` + `behaviors`.
 * 5. sentinel    — `type: "Microsoft.SecurityInsights/incidents"` or `properties.incidentNumber`.
 * 6. graph       — `@odata.type: "#microsoft.graph.security.alert"` (or `createdDateTime` + `serviceSource`).
 * 7. defender    — MDE's `alertCreationTime` / `machineId` (checked after graph: both have `{value: [...]}`).
 * 8. elastic     — `kibana.alert.*` or `signal.rule.*`, alone or in a Kibana template's `alerts` list.
 * 9. splunk      — string `sid` + object `result`.
 * 10. wazuh      — `rule.level` with `agent`/`id`, or `all_fields` holding such an alert.
 * 11. suricata   — `event_type` (+ `timestamp`/`flow_id`), including NDJSON text.
 * 12. generic    — last: anything with a string `title` (also `{alerts: [...]}` and arrays).
 * Arrays and list wrappers are judged by their first element. Text is parsed first: one JSON
 * document is judged like any body; NDJSON is judged by its first line, among the sources that
 * accept NDJSON (suricata, crowdstrike, wazuh).
 */
export const DETECTION_ORDER: readonly AlertSource[] = [
  'ocsf',
  'guardduty',
  'gcp-scc',
  'crowdstrike',
  'sentinel',
  'graph',
  'defender',
  'elastic',
  'splunk',
  'wazuh',
  'suricata',
  'generic',
];

/** Sources whose normalisers read newline-delimited JSON text. */
export const NDJSON_SOURCES: readonly AlertSource[] = ['suricata', 'crowdstrike', 'wazuh'];

function detectIn(body: unknown, order: readonly AlertSource[]): AlertSource | undefined {
  for (const source of order) {
    const normalizer = NORMALIZERS.get(source);
    if (normalizer === undefined) continue;
    try {
      if (normalizer.detect(body)) return source;
    } catch {
      // A detector tripping on an odd body means "not mine"; the next one gets its turn.
    }
  }
  return undefined;
}

/** The source whose shape `body` has (parsed JSON, or JSON/NDJSON text), or `undefined`. Never throws. */
export function detectSource(body: unknown): AlertSource | undefined {
  if (typeof body !== 'string') return detectIn(body, DETECTION_ORDER);
  const whole = parseJsonSafely(body);
  if (whole.ok) return detectIn(whole.value, DETECTION_ORDER);
  const firstLine = body.split(/\r?\n/).find((line) => line.trim() !== '');
  if (firstLine === undefined) return undefined;
  const first = parseJsonSafely(firstLine);
  return first.ok ? detectIn(first.value, NDJSON_SOURCES) : undefined;
}

export function getNormalizer(source: AlertSource): AlertNormalizer {
  const normalizer = NORMALIZERS.get(source);
  if (normalizer === undefined) throw new Error(`No normaliser registered for source "${source}"`);
  return normalizer;
}
