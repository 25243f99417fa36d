/**
 * Assembles a CanonicalAlert from what a normaliser extracted: fills the fixed OCSF class
 * fields, derives type_uid and the severity caption, adds device/actor observables, and leaves
 * out every empty field so stored alerts stay small and comparable.
 */
import { OCSF_VERSION, SEVERITY_NAMES, type AttackRef, type CanonicalAlert, type CanonicalObservable, type SeverityId } from '../../common/canonical-alert.js';
import { dedupeObservables, makeObservable } from './observables.js';

export interface FindingInput {
  uid: string;
  title: string;
  severity_id: SeverityId;
  time: number;
  activity_id?: 1 | 2 | 3;
  message?: string;
  desc?: string;
  status_id?: number;
  confidence_id?: number;
  product: { name: string; vendor_name: string; uid?: string };
  log_name?: string;
  original_event_uid?: string;
  labels?: string[];
  types?: string[];
  created_time?: number;
  first_seen_time?: number;
  last_seen_time?: number;
  src_url?: string;
  analytic?: { uid?: string; name?: string; type_id?: number; type?: string };
  attacks?: AttackRef[];
  device?: CanonicalAlert['device'];
  user?: NonNullable<CanonicalAlert['actor']>['user'];
  observables?: CanonicalObservable[];
  unmapped?: Record<string, unknown>;
}

/** Drops `undefined`, empty strings and empty arrays/objects one level deep. */
function compact<T extends Record<string, unknown>>(record: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return out as Partial<T>;
}

function isEmpty(record: object | undefined): boolean {
  return record === undefined || Object.keys(record).length === 0;
}

export function buildFinding(input: FindingInput): CanonicalAlert {
  const activity = input.activity_id ?? (input.status_id === STATUS.resolved ? 3 : 1);
  const device = input.device === undefined ? undefined : compact({ ...input.device, os: input.device.os === undefined ? undefined : compact(input.device.os) });
  const user = input.user === undefined ? undefined : compact(input.user);

  // Device and actor first, like OCSF producers list them; the source's own evidence follows.
  const derived: Array<CanonicalObservable | undefined> = [
    makeObservable('hostname', device?.hostname, 'device.hostname'),
    makeObservable('ip', device?.ip, 'device.ip'),
    makeObservable('user', user?.name, 'actor.user.name'),
    makeObservable('email', user?.email_addr, 'actor.user.email_addr'),
  ];
  const observables = dedupeObservables([...derived.filter((o): o is CanonicalObservable => o !== undefined), ...(input.observables ?? [])]);

  const labels = input.labels === undefined ? [] : [...new Set(input.labels)];
  const alert: CanonicalAlert = {
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2004,
    class_name: 'Detection Finding',
    activity_id: activity,
    type_uid: 2004 * 100 + activity,
    severity_id: input.severity_id,
    severity: SEVERITY_NAMES[input.severity_id],
    time: input.time,
    ...compact({ message: input.message, status_id: input.status_id, confidence_id: input.confidence_id }),
    metadata: {
      version: OCSF_VERSION,
      product: { name: input.product.name, vendor_name: input.product.vendor_name, ...compact({ uid: input.product.uid }) },
      ...compact({ log_name: input.log_name, original_event_uid: input.original_event_uid, labels }),
    },
    finding_info: {
      uid: input.uid,
      title: input.title,
      ...compact({
        desc: input.desc,
        types: input.types === undefined ? undefined : [...new Set(input.types)],
        created_time: input.created_time,
        first_seen_time: input.first_seen_time,
        last_seen_time: input.last_seen_time,
        src_url: input.src_url,
        // An analytic with neither uid nor name says nothing.
        analytic: input.analytic === undefined || (input.analytic.uid === undefined && input.analytic.name === undefined) ? undefined : compact(input.analytic),
        attacks: input.attacks,
      }),
    },
    observables,
  };
  if (!isEmpty(device)) alert.device = device;
  if (!isEmpty(user)) alert.actor = { user };
  const unmapped = input.unmapped === undefined ? undefined : compact(input.unmapped);
  if (!isEmpty(unmapped)) alert.unmapped = unmapped;
  return alert;
}

/** OCSF finding status_id values used by the normalisers. */
export const STATUS = { unknown: 0, new: 1, inProgress: 2, suppressed: 3, resolved: 4, archived: 5, other: 99 } as const;

const STATUS_WORDS: Readonly<Record<string, number>> = {
  new: STATUS.new,
  open: STATUS.new,
  reopened: STATUS.new,
  active: STATUS.inProgress,
  inprogress: STATUS.inProgress,
  acknowledged: STATUS.inProgress,
  investigating: STATUS.inProgress,
  resolved: STATUS.resolved,
  closed: STATUS.resolved,
  inactive: STATUS.resolved,
  archived: STATUS.archived,
  suppressed: STATUS.suppressed,
  muted: STATUS.suppressed,
};

/** A vendor status word (`inProgress`, `in_progress`, `Closed`, `ACTIVE`) as OCSF status_id; unknown words give `undefined`. */
export function statusIdFromName(name: unknown): number | undefined {
  if (typeof name !== 'string') return undefined;
  const key = name.toLowerCase().replace(/[^a-z]/g, '');
  return Object.prototype.hasOwnProperty.call(STATUS_WORDS, key) ? STATUS_WORDS[key] : undefined;
}

/** First line of a text, trimmed to `max` characters, for titles built from descriptions. */
export function firstLine(text: string, max = 200): string {
  const line = text.split(/\r?\n/)[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
