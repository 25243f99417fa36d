/**
 * Assembles a CanonicalAlert, a pure OCSF 1.8.0 Detection Finding, from what a normaliser extracted
 * and placed (device, actor, evidences, resources; see `evidence.ts`): fills the fixed OCSF class
 * fields, derives type_uid and the captions, declares the `host` profile, derives the observables
 * from the finding's paths, and leaves out every empty field so stored alerts stay small and comparable.
 */
import {
  OCSF_VERSION,
  SEVERITY_NAMES,
  type AttackRef,
  type CanonicalAlert,
  type OcsfCloud,
  type OcsfDevice,
  type OcsfEvidence,
  type OcsfResource,
  type OcsfUser,
  type SeverityId,
} from '../../common/canonical-alert.js';
import { EvidenceList, prune } from './evidence.js';
import { ocsfObservables, vigilObservables } from './finding-observables.js';
import { guessObservable } from './observables.js';

export interface FindingInput {
  uid: string;
  title: string;
  severity_id: SeverityId;
  time: number;
  /** The vendor's time as it sent it (`metadata.original_time`). */
  original_time?: unknown;
  activity_id?: 1 | 2 | 3;
  message?: string;
  desc?: string;
  status_id?: number;
  confidence_id?: number;
  /** The vendor's own confidence word or number (`confidence`), when `confidence_id` is 99 Other or to keep its spelling. */
  confidence?: string;
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
  cloud?: OcsfCloud;
  device?: OcsfDevice;
  user?: OcsfUser;
  evidences?: EvidenceList | OcsfEvidence[];
  resources?: Array<OcsfResource | undefined>;
  /** Indicators with no OCSF home (found in free text, vendor IOC lists): `unmapped.iocs`. */
  iocs?: unknown[];
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

const ACTIVITY_NAMES: Readonly<Record<1 | 2 | 3, string>> = { 1: 'Create', 2: 'Update', 3: 'Close' };
export const STATUS_NAMES: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'New',
  2: 'In Progress',
  3: 'Suppressed',
  4: 'Resolved',
  5: 'Archived',
  6: 'Deleted',
  99: 'Other',
};
export const CONFIDENCE_NAMES: Readonly<Record<number, string>> = { 0: 'Unknown', 1: 'Low', 2: 'Medium', 3: 'High', 99: 'Other' };

/** A 0–100 vendor confidence as OCSF confidence_id: < 40 Low, < 70 Medium, else High. */
export function confidenceIdFromScore(score: number | undefined): number | undefined {
  if (score === undefined || !Number.isFinite(score) || score < 0) return undefined;
  return score < 40 ? 1 : score < 70 ? 2 : 3;
}

function originalTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

const ANALYTIC_TYPES: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'Rule',
  2: 'Behavioral',
  3: 'Statistical',
  4: 'Learning (ML/DL)',
  5: 'Fingerprinting',
  6: 'Tagging',
  99: 'Other',
};

/** A vendor's analytic type word as OCSF analytic type_id: machine learning 4, threshold/anomaly 3, behavioral 2, anything else a rule (1). */
function analyticTypeId(type: string | undefined): number {
  const t = (type ?? '').toLowerCase();
  if (/machine.?learning|\bml\b/.test(t)) return 4;
  if (/threshold|anomal|statistic/.test(t)) return 3;
  if (/behavio/.test(t)) return 2;
  return 1;
}

/** OCSF analytic: type_id is required and `type` is its caption (the vendor's own word stays only when it is the caption). */
function analyticOf(a: NonNullable<FindingInput['analytic']>): CanonicalAlert['finding_info']['analytic'] {
  const typeId = a.type_id ?? analyticTypeId(a.type);
  return compact({ uid: a.uid, name: a.name, type_id: typeId, type: ANALYTIC_TYPES[typeId] ?? 'Other' });
}

export function buildFinding(input: FindingInput): CanonicalAlert {
  const activity = input.activity_id ?? (input.status_id === STATUS.resolved ? 3 : 1);
  const device = input.device === undefined ? undefined : prune(input.device);
  const user = input.user === undefined ? undefined : prune(input.user);
  const list = input.evidences instanceof EvidenceList ? input.evidences : undefined;
  const evidences = list?.evidences ?? (Array.isArray(input.evidences) ? input.evidences : []);
  const resources = (input.resources ?? []).filter((r): r is OcsfResource => r !== undefined && prune(r) !== undefined);
  // Kept in the spelling Vigil's observable gives them (refanged, hashes lower-case), so each observable's value is what its path holds.
  const iocs = (input.iocs ?? []).filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => guessObservable(v, 'unmapped.iocs')?.value ?? v);
  const unmapped = prune({ ...input.unmapped, processes: list?.unmappedProcesses, iocs: iocs.length === 0 ? undefined : [...new Set(iocs)] });

  const labels = input.labels === undefined ? [] : [...new Set(input.labels)];
  const hasHost = device !== undefined || user !== undefined;
  const cloud = input.cloud === undefined ? undefined : prune(input.cloud);
  const profiles = [...(cloud !== undefined ? ['cloud'] : []), ...(hasHost ? ['host'] : [])];
  const alert: CanonicalAlert = {
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2004,
    class_name: 'Detection Finding',
    activity_id: activity,
    activity_name: ACTIVITY_NAMES[activity],
    type_uid: 2004 * 100 + activity,
    type_name: `Detection Finding: ${ACTIVITY_NAMES[activity]}`,
    severity_id: input.severity_id,
    severity: SEVERITY_NAMES[input.severity_id],
    time: input.time,
    message: input.message ?? input.title,
    ...compact({
      status_id: input.status_id,
      status: input.status_id === undefined ? undefined : STATUS_NAMES[input.status_id],
      confidence_id: input.confidence_id,
      confidence: input.confidence ?? (input.confidence_id === undefined ? undefined : CONFIDENCE_NAMES[input.confidence_id]),
    }),
    // Vigil ingests detections: a Close is a vendor saying it is over, not an alertable signal.
    is_alert: activity !== 3,
    metadata: {
      version: OCSF_VERSION,
      product: { name: input.product.name, vendor_name: input.product.vendor_name, ...compact({ uid: input.product.uid }) },
      ...compact({
        profiles,
        uid: input.original_event_uid ?? input.uid,
        log_name: input.log_name,
        original_event_uid: input.original_event_uid,
        original_time: originalTime(input.original_time),
        labels,
      }),
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
        analytic: input.analytic === undefined || (input.analytic.uid === undefined && input.analytic.name === undefined) ? undefined : analyticOf(input.analytic),
        attacks: input.attacks,
      }),
    },
  };
  if (cloud !== undefined) alert.cloud = cloud;
  if (device !== undefined) alert.device = device;
  if (user !== undefined) alert.actor = { user };
  if (evidences.length > 0) alert.evidences = evidences;
  if (resources.length > 0) alert.resources = resources;
  if (unmapped !== undefined) alert.unmapped = unmapped;
  const observables = ocsfObservables(vigilObservables(alert));
  if (observables.length > 0) alert.observables = observables;
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
