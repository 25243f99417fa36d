/**
 * Vigil's generic alert format, for tools Vigil has no dedicated normaliser for (scripts, cron
 * jobs, home-grown detections). `POST /api/v1/alerts/generic` with one alert, an array of alerts,
 * or `{"alerts": [...]}`:
 *
 * ```json
 * {
 *   "title": "Impossible travel for jdoe",           // required, non-empty string
 *   "severity": "high",                               // required: informational|low|medium|high|critical
 *                                                     //   (any case) or an OCSF severity_id 0–6
 *   "sourceId": "my-tool-4711",                       // optional; your id, used as the dedup key
 *   "description": "Logins from NL and BR 5 min apart",
 *   "time": "2026-03-02T10:15:30Z",                   // optional; ISO 8601 (Z, +01:00 or +0100),
 *                                                     //   or epoch s/ms as a number or numeric string
 *   "host": "ws-0142",                                // optional; a hostname or an IP address
 *   "user": "jdoe",
 *   "rule": "impossible_travel",                      // the detection's name
 *   "tactics": ["Initial Access", "TA0006"],          // ATT&CK tactic ids or names, any spelling
 *   "techniques": ["T1078", "T1110.003"],             // ATT&CK technique or sub-technique ids
 *   "product": "my-tool",                             // or {"name": "my-tool", "vendor": "ACME"}
 *   "observables": [                                  // optional; defanged values are accepted
 *     {"type": "ip", "value": "198.51.100.77"},       // type: ip, domain, url, email, md5, sha1,
 *     {"type": "url", "value": "hxxps://bad[.]example/x"} //   sha256, hostname, user, file_name, command_line
 *   ]
 * }
 * ```
 *
 * Dedup key: `sourceId`, or else the sha256 of the item's canonical JSON (sorted keys), so a
 * re-sent identical alert is recognised. `time` defaults to the time of receipt. Unknown extra
 * fields are ignored. A missing or mistyped field, an observable value that is not of its
 * type, an unknown tactic or a malformed technique id fails that item with `invalid_alert` and
 * `details.path` naming the field (`severity`, `observables[1].value`, `tactics[0]`).
 */
import { z } from 'zod';
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import type { SeverityId } from '../../common/canonical-alert.js';
import { AttackCollector, parseTechniqueId, resolveTactic } from './attack.js';
import { invalidAlert, runNormalizer, type ItemOutcome, type Unwrapped } from './batch.js';
import { device, EvidenceList, file, url, user } from './evidence.js';
import { buildFinding } from './finding.js';
import { contentHash } from './fingerprint.js';
import { getArray, getPath, isRecord } from './field-access.js';
import { classifyIp, makeObservable, OBSERVABLE_KINDS } from './observables.js';
import { severityFromName, severityFromOcsfId } from './severity.js';
import { parseTimestamp } from './timestamps.js';

const SEVERITY_WORDS = ['informational', 'low', 'medium', 'high', 'critical'] as const;

const optionalText = z.string().trim().min(1).optional();

export const genericAlertSchema = z.object({
  title: z.string().trim().min(1),
  severity: z.union([
    z.string().refine((s) => (SEVERITY_WORDS as readonly string[]).includes(s.toLowerCase()), {
      message: `severity must be one of ${SEVERITY_WORDS.join(', ')} or a number 0-6`,
    }),
    z.number().int().min(0).max(6),
  ]),
  sourceId: optionalText,
  description: z.string().optional(),
  time: z.union([z.string(), z.number()]).optional(),
  host: optionalText,
  user: optionalText,
  rule: optionalText,
  tactics: z.array(z.string()).optional(),
  techniques: z.array(z.string()).optional(),
  product: z.union([z.string().trim().min(1), z.object({ name: z.string().trim().min(1), vendor: optionalText })]).optional(),
  observables: z.array(z.object({ type: z.enum(OBSERVABLE_KINDS), value: z.string().trim().min(1) })).optional(),
});

export type GenericAlert = z.infer<typeof genericAlertSchema>;

function renderPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function looksGeneric(value: unknown): boolean {
  return isRecord(value) && getPath(value, 'title') !== undefined;
}

function unwrap(body: unknown): Unwrapped {
  const list = Array.isArray(body) ? body : isRecord(body) && !looksGeneric(body) ? getArray(body, 'alerts') : undefined;
  if (list !== undefined) {
    return { kind: 'items', items: list.map((value) => (isRecord(value) ? { value } : { value, error: invalidAlert('', 'Each alert must be an object').failure })) };
  }
  // Any other object is one alert: a missing title is reported as invalid_alert at `title`.
  if (isRecord(body)) return { kind: 'items', items: [{ value: body }] };
  return { kind: 'unrecognized', message: 'Body is not a generic alert object, an array of them, or {alerts: [...]}' };
}

function mapItem(item: unknown, now: number): ItemOutcome {
  const parsed = genericAlertSchema.safeParse(item);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue === undefined ? '' : renderPath(issue.path);
    return invalidAlert(path, issue === undefined ? 'Invalid generic alert' : `${path === '' ? 'alert' : path}: ${issue.message}`);
  }
  const a = parsed.data;

  let time = now;
  if (a.time !== undefined) {
    const ms = parseTimestamp(a.time);
    if (ms === undefined) return invalidAlert('time', 'time is not a supported timestamp');
    time = ms;
  }

  // Values with an OCSF home go there; the rest stay in Vigil's own terms under `unmapped.observables`.
  const evidences = new EvidenceList();
  const typed: Array<{ type: string; value: string }> = [];
  for (const [i, o] of (a.observables ?? []).entries()) {
    const obs = makeObservable(o.type, o.value);
    if (obs === undefined) return invalidAlert(`observables[${i}].value`, `"${o.value}" is not a valid ${o.type}`);
    if (o.type === 'url') evidences.add({ url: url(o.value) });
    else if (o.type === 'user') evidences.add({ user: user({ name: o.value }) });
    else if (o.type === 'file_name') evidences.add({ file: file({ path: o.value }) });
    else typed.push({ type: obs.kind, value: obs.value });
  }

  const attacks = new AttackCollector();
  for (const [i, t] of (a.tactics ?? []).entries()) {
    if (/^pre-?attack$/i.test(t.replace(/\s+/g, ''))) continue;
    if (resolveTactic(t) === undefined) return invalidAlert(`tactics[${i}]`, `"${t}" is not an ATT&CK tactic id or name`);
  }
  for (const [i, t] of (a.techniques ?? []).entries()) {
    if (parseTechniqueId(t) === undefined) return invalidAlert(`techniques[${i}]`, `"${t}" is not an ATT&CK technique id (T1234 or T1234.001)`);
  }
  attacks.addUnpaired(a.tactics ?? [], a.techniques ?? []);

  const severity: SeverityId = (typeof a.severity === 'number' ? severityFromOcsfId(a.severity) : severityFromName(a.severity)) ?? 0;
  const hostIsIp = a.host !== undefined && classifyIp(a.host) !== undefined;
  const product =
    a.product === undefined
      ? { name: 'Generic', vendor_name: 'Unknown' }
      : typeof a.product === 'string'
        ? { name: a.product, vendor_name: a.product }
        : { name: a.product.name, vendor_name: a.product.vendor ?? a.product.name };

  const alert = buildFinding({
    uid: a.sourceId ?? contentHash(item),
    title: a.title,
    desc: a.description,
    severity_id: severity,
    time,
    product,
    log_name: 'generic',
    original_event_uid: a.sourceId,
    analytic: a.rule === undefined ? undefined : { name: a.rule, type: 'Rule', type_id: 1 },
    attacks: attacks.toArray(),
    original_time: a.time,
    device: a.host === undefined ? undefined : device(hostIsIp ? { ip: a.host } : { hostname: a.host }),
    user: a.user === undefined ? undefined : user({ name: a.user }),
    evidences,
    unmapped: { observables: typed },
  });
  return { alert };
}

export const genericNormalizer: AlertNormalizer = {
  source: 'generic',
  detect(body: unknown): boolean {
    const first = Array.isArray(body) ? body[0] : looksGeneric(body) ? body : getArray(body, 'alerts')?.[0];
    return isRecord(first) && typeof getPath(first, 'title') === 'string';
  },
  normalize(body: unknown, now: number): NormalizeResult {
    return runNormalizer(body, unwrap, (item) => mapItem(item, now));
  },
};
