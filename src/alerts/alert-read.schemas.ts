import { z } from 'zod';
import { ALERT_SOURCES } from '../common/canonical-alert.js';
import { listParam, singleParam } from '../common/http/query-params.js';

/** Alert severity words by OCSF severity_id (0–6; 99 is `other`). */
export const ALERT_SEVERITY_WORDS = ['unknown', 'informational', 'low', 'medium', 'high', 'critical', 'fatal'] as const;

export function alertSeverityWord(id: number): string {
  return id === 99 ? 'other' : (ALERT_SEVERITY_WORDS[id] ?? 'unknown');
}

/** `High`, `high` or `4`: an OCSF severity name (any case) or severity_id 0–6. */
const minSeverity = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (/^[0-6]$/.test(v)) return Number(v);
    const index = (ALERT_SEVERITY_WORDS as readonly string[]).indexOf(v.toLowerCase());
    if (index < 0) {
      ctx.addIssue({ code: 'custom', message: `a severity name (${ALERT_SEVERITY_WORDS.join(', ')}) or severity_id 0–6` });
      return z.NEVER;
    }
    return index;
  });

/** ATT&CK ids: a tactic `TA0011`, a technique `T1059` (its sub-techniques match too) or a sub-technique `T1059.001`. */
const attackId = z
  .string()
  .trim()
  .regex(/^(TA\d{4}|T\d{4}(\.\d{3})?)$/i, 'an ATT&CK tactic (TA0011), technique (T1059) or sub-technique (T1059.001) id')
  .transform((v) => v.toUpperCase());

export const alertIdParams = z.strictObject({ id: z.uuid().meta({ description: 'Alert id' }) });

export const listAlertsQuery = z.strictObject({
  source: listParam(z.enum(ALERT_SOURCES)).optional().meta({ description: 'One or more sources (comma-separated or repeated).', example: 'crowdstrike,suricata' }),
  from: singleParam(z.iso.datetime({ offset: true }))
    .optional()
    .meta({ description: "Event time at or after (ISO 8601). The event time is the finding's `time`: the source's latest time for it.", example: '2026-03-01T00:00:00Z' }),
  to: singleParam(z.iso.datetime({ offset: true }))
    .optional()
    .meta({ description: 'Event time before (ISO 8601, exclusive).', example: '2026-03-02T00:00:00Z' }),
  minSeverity: singleParam(minSeverity)
    .optional()
    .meta({ description: 'Lowest severity: an OCSF name (`High`, any case) or severity_id (`4`). `other` (99) is not ranked and matches only `0`.', example: 'high' }),
  rule: singleParam(z.string().trim().min(1).max(500))
    .optional()
    .meta({ description: 'The detection rule: `finding_info.analytic.uid` or `.name`, exactly.', example: 'impossible_travel' }),
  observable: singleParam(z.string().trim().min(1).max(2048))
    .optional()
    .meta({ description: 'An observable value the alert carries, exactly; case-insensitive for hostnames/domains, e-mail addresses and hashes.', example: 'evil.example' }),
  attack: singleParam(attackId).optional().meta({ description: 'An ATT&CK tactic, technique or sub-technique id; a technique also matches its sub-techniques.', example: 'T1059' }),
  case: singleParam(z.uuid()).optional().meta({ description: 'Alerts of this case.' }),
  cursor: singleParam(z.string().max(500)).optional().meta({ description: '`nextCursor` of the previous page (same filters).' }),
  limit: singleParam(z.coerce.number().int().min(1).max(200)).default(50),
});
export type ListAlertsQuery = z.output<typeof listAlertsQuery>;

const links = z.object({ self: z.string(), case: z.string() });

export const alertSummary = z.object({
  id: z.uuid(),
  source: z.string(),
  sourceUid: z.string().meta({ description: "The source's own id of the detection (`finding_info.uid`)." }),
  title: z.string(),
  severity: z.string().meta({ description: '`unknown`, `informational`, `low`, `medium`, `high`, `critical`, `fatal` or `other`.' }),
  severityId: z.number().int(),
  eventTime: z.iso.datetime().meta({ description: "The finding's `time`: the source's latest time for the detection; list order and `from`/`to` use it." }),
  firstSeenAt: z.iso.datetime().meta({ description: 'When Vigil first received it.' }),
  lastSeenAt: z.iso.datetime().meta({ description: 'When Vigil last received it (a re-send).' }),
  count: z.number().int().meta({ description: 'How many times the source sent it.' }),
  caseId: z.uuid(),
  rule: z.object({ uid: z.string().nullable(), name: z.string().nullable() }).nullable().meta({ description: '`finding_info.analytic`, when the source names the rule.' }),
  fingerprint: z.string().meta({ description: 'The correlation fingerprint that chose its case.' }),
  links,
});
export type AlertSummary = z.output<typeof alertSummary>;
export const alertPage = z.object({ items: z.array(alertSummary), nextCursor: z.string().nullable() });

export const alertChange = z.object({ at: z.string(), count: z.number().int(), fields: z.array(z.string()) });

export const alertDetail = alertSummary.extend({
  finding: z.record(z.string(), z.unknown()).meta({ description: 'The OCSF Detection Finding (class_uid 2004) as Vigil stores it.' }),
  observables: z
    .array(
      z.object({
        kind: z.string(),
        value: z.string(),
        type_id: z.number().int(),
        type: z.string().optional(),
        name: z.string().optional(),
        is_private: z.boolean().optional(),
      }),
    )
    .meta({
      description:
        "Vigil's view of the finding's observables (`alerts.observables`): each with its precise `kind` (ip, domain, hostname, md5, sha256, …), `is_private` for IPs, and `name`, the path in `finding` that holds the value.",
    }),
  raw: z.unknown().meta({ description: "The vendor's item as received (of the latest send)." }),
  joinReason: z
    .record(z.string(), z.unknown())
    .meta({ description: 'Why it joined its case: `rule` (`new_case` or `fingerprint`), the fingerprint, its fields and values, the window.' }),
  changes: z.array(alertChange).meta({ description: 'Re-sends that changed it, newest first (the last 20): when, the count after it, the finding fields it changed.' }),
});
export type AlertDetail = z.output<typeof alertDetail>;
