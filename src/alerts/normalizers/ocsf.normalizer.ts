/**
 * OCSF Detection Findings (class_uid 2004) from producers that already speak OCSF: one finding
 * or an array. The finding is checked (class_uid, finding_info.uid/title, severity_id, time,
 * metadata.product) and then stored whole: every attribute it had stays as it was. Vigil only adds
 * what OCSF requires and the producer left out (captions, type_uid, the `host` profile beside an
 * `actor`, observables derived from its paths when it lists none), turns a textual `time` into
 * epoch ms, and stores other OCSF versions as 1.8.0 with the producer's in `unmapped.ocsf_version`.
 * Vigil's observable view comes from the finding's paths and the observables the producer listed.
 * Dedup key: `finding_info.uid`.
 */
import { OCSF_VERSION, SEVERITY_NAMES, type CanonicalAlert } from '../../common/canonical-alert.js';
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import { invalidAlert, runNormalizer, unrecognizedItem, type ItemOutcome, type Unwrapped } from './batch.js';
import { getPath, getRecord, getString, getStrings, isRecord } from './field-access.js';
import { ocsfObservables, vigilObservables } from './finding-observables.js';
import { severityFromOcsfId } from './severity.js';
import { parseTimestamp } from './timestamps.js';

function looksOcsf(value: unknown): boolean {
  return isRecord(value) && (getPath(value, 'class_uid') !== undefined || (isRecord(getPath(value, 'finding_info')) && isRecord(getPath(value, 'metadata'))));
}

function unwrap(body: unknown): Unwrapped {
  if (Array.isArray(body)) {
    return { kind: 'items', items: body.map((value) => (looksOcsf(value) ? { value } : { value, error: unrecognizedItem('Not an OCSF finding').failure })) };
  }
  if (looksOcsf(body)) return { kind: 'items', items: [{ value: body }] };
  return { kind: 'unrecognized', message: 'Body is not an OCSF Detection Finding (class_uid 2004) or an array of them' };
}

/** No `now`: OCSF requires `time`, so a finding without one is rejected rather than stamped. */
function mapItem(item: unknown): ItemOutcome {
  if (!isRecord(item)) return invalidAlert('', 'OCSF finding must be an object');
  const classUid = getPath(item, 'class_uid');
  if (classUid !== 2004) return invalidAlert('class_uid', 'class_uid must be 2004 (Detection Finding)', { found: classUid ?? null });
  const info = getRecord(item, 'finding_info');
  if (info === undefined) return invalidAlert('finding_info', 'finding_info is required');
  if (getString(info, 'uid') === undefined) return invalidAlert('finding_info.uid', 'finding_info.uid must be a non-empty string');
  if (getString(info, 'title') === undefined) return invalidAlert('finding_info.title', 'finding_info.title must be a non-empty string');
  const severity = severityFromOcsfId(getPath(item, 'severity_id'));
  if (severity === undefined) return invalidAlert('severity_id', 'severity_id must be an OCSF severity (0-6 or 99)');
  const time = parseTimestamp(getPath(item, 'time'));
  if (time === undefined) return invalidAlert('time', 'time must be epoch milliseconds or a timestamp');
  const product = getRecord(item, 'metadata.product');
  const productName = getString(product, 'name');
  const vendorName = getString(product, 'vendor_name');
  if (productName === undefined && vendorName === undefined) return invalidAlert('metadata.product', 'metadata.product needs a name or vendor_name');
  const activityRaw = getPath(item, 'activity_id');
  if (activityRaw !== undefined && typeof activityRaw !== 'number') return invalidAlert('activity_id', 'activity_id must be a number');

  // The producer's finding is kept whole: Vigil only adds what OCSF requires and it left out.
  const finding = structuredClone(item) as Record<string, unknown> & { metadata: Record<string, unknown> & { product: Record<string, unknown> } };
  const activity = activityRaw ?? 1;
  finding['category_uid'] ??= 2;
  finding['category_name'] ??= 'Findings';
  finding['class_name'] ??= 'Detection Finding';
  finding['activity_id'] = activity;
  finding['type_uid'] ??= 2004 * 100 + activity;
  finding['severity'] ??= SEVERITY_NAMES[severity];
  if (typeof finding['time'] !== 'number') finding['time'] = time;
  finding.metadata.product['name'] ??= vendorName;
  finding.metadata.product['vendor_name'] ??= productName;
  const version = getString(item, 'metadata.version');
  if (version !== OCSF_VERSION) {
    // Vigil stores 1.8.0 findings; a producer's other version is kept beside it.
    finding.metadata['version'] = OCSF_VERSION;
    if (version !== undefined) finding['unmapped'] = { ...(getRecord(item, 'unmapped') ?? {}), ocsf_version: version };
  }
  const profiles = getStrings(item, 'metadata.profiles');
  if (finding['actor'] !== undefined && !profiles.includes('host')) finding.metadata['profiles'] = [...profiles, 'host'];
  const alert = finding as unknown as CanonicalAlert;
  if (!Array.isArray(finding['observables'])) {
    const derived = ocsfObservables(vigilObservables(alert));
    if (derived.length > 0) alert.observables = derived;
  }
  return { alert };
}

export const ocsfNormalizer: AlertNormalizer = {
  source: 'ocsf',
  detect(body: unknown): boolean {
    const first = Array.isArray(body) ? body[0] : body;
    return isRecord(first) && getPath(first, 'class_uid') === 2004;
  },
  normalize(body: unknown): NormalizeResult {
    return runNormalizer(body, unwrap, mapItem);
  },
};
