/**
 * OCSF Detection Findings (class_uid 2004) from producers that already speak OCSF: one finding
 * or an array. The finding is validated (class_uid, finding_info.uid/title, severity_id, time,
 * metadata.product) and then rebuilt through the same helpers as every other source, so its
 * attacks are split into technique/sub-technique and its observables are refanged, typed by
 * Vigil's kinds, deduplicated and completed from device, actor and evidences.
 * Dedup key: `finding_info.uid`.
 */
import { OCSF_VERSION, type CanonicalObservable } from '../../common/canonical-alert.js';
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import { AttackCollector } from './attack.js';
import { invalidAlert, runNormalizer, unrecognizedItem, type ItemOutcome, type Unwrapped } from './batch.js';
import { buildFinding } from './finding.js';
import { getNumber, getPath, getRecord, getRecords, getString, getStrings, isRecord, type JsonRecord } from './field-access.js';
import { makeObservable, normalizeDomain, ObservableSet } from './observables.js';
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

/** An OCSF observable (type_id + value) as a Vigil observable; types Vigil has no kind for are dropped. */
function fromOcsfObservable(o: JsonRecord): CanonicalObservable | undefined {
  const value = getPath(o, 'value');
  const name = getString(o, 'name');
  switch (getNumber(o, 'type_id')) {
    case 1: {
      // OCSF type 1 covers device hostnames and DNS names alike; the field it came from tells them apart.
      if (typeof value !== 'string') return undefined;
      const isDevice = name !== undefined && /^device\b/.test(name);
      return makeObservable(!isDevice && normalizeDomain(value) !== undefined ? 'domain' : 'hostname', value, name);
    }
    case 2:
      return makeObservable('ip', value, name);
    case 4:
      return makeObservable('user', value, name);
    case 5:
      return makeObservable('email', value, name);
    case 6:
      return makeObservable('url', value, name);
    case 7:
      return makeObservable('file_name', value, name);
    case 8:
      return makeObservable('sha256', value, name);
    case 13:
      return makeObservable('command_line', value, name);
    default:
      return undefined;
  }
}

function addFile(obs: ObservableSet, file: JsonRecord | undefined, base: string): void {
  if (file === undefined) return;
  obs.add('file_name', getPath(file, 'name'), `${base}.name`);
  getRecords(file, 'hashes').forEach((h, i) => obs.addHash(getPath(h, 'value'), `${base}.hashes[${i}].value`));
}

function addEndpoint(obs: ObservableSet, endpoint: JsonRecord | undefined, base: string): void {
  if (endpoint === undefined) return;
  obs.add('ip', getPath(endpoint, 'ip'), `${base}.ip`);
  obs.add('domain', getPath(endpoint, 'hostname'), `${base}.hostname`);
}

function addEvidence(obs: ObservableSet, e: JsonRecord, base: string): void {
  obs.add('user', getPath(e, 'actor.user.name'), `${base}.actor.user.name`);
  obs.add('command_line', getPath(e, 'process.cmd_line'), `${base}.process.cmd_line`);
  addFile(obs, getRecord(e, 'process.file'), `${base}.process.file`);
  obs.add('command_line', getPath(e, 'process.parent_process.cmd_line'), `${base}.process.parent_process.cmd_line`);
  addFile(obs, getRecord(e, 'file'), `${base}.file`);
  addEndpoint(obs, getRecord(e, 'src_endpoint'), `${base}.src_endpoint`);
  addEndpoint(obs, getRecord(e, 'dst_endpoint'), `${base}.dst_endpoint`);
  obs.addUrl(getPath(e, 'url.url_string'), `${base}.url.url_string`);
  obs.add('domain', getPath(e, 'query.hostname'), `${base}.query.hostname`);
  obs.add('email', getPath(e, 'email.from'), `${base}.email.from`);
  obs.add('email', getPath(e, 'email.to'), `${base}.email.to`);
}

function addAttacks(info: JsonRecord, attacks: AttackCollector): void {
  for (const a of getRecords(info, 'attacks')) {
    const tactics = [getRecord(a, 'tactic'), ...getRecords(a, 'tactics')].filter((t): t is JsonRecord => t !== undefined);
    const tacticIds = tactics.map((t) => getString(t, 'uid') ?? getString(t, 'name')).filter((t): t is string => t !== undefined);
    const technique = getRecord(a, 'technique');
    const sub = getRecord(a, 'sub_technique');
    const id = getString(sub, 'uid') ?? getString(technique, 'uid');
    const techniqueName = sub !== undefined ? getString(sub, 'name') : getString(technique, 'name');
    const parentName = sub !== undefined ? getString(technique, 'name') : undefined;
    for (const tactic of tacticIds.length > 0 ? tacticIds : [undefined]) {
      attacks.add({ tactic, technique: id, techniqueName, parentTechniqueName: parentName });
    }
  }
}

/** No `now`: OCSF requires `time`, so a finding without one is rejected rather than stamped. */
function mapItem(item: unknown): ItemOutcome {
  if (!isRecord(item)) return invalidAlert('', 'OCSF finding must be an object');
  const classUid = getPath(item, 'class_uid');
  if (classUid !== 2004) return invalidAlert('class_uid', 'class_uid must be 2004 (Detection Finding)', { found: classUid ?? null });
  const info = getRecord(item, 'finding_info');
  if (info === undefined) return invalidAlert('finding_info', 'finding_info is required');
  const uid = getString(info, 'uid');
  if (uid === undefined) return invalidAlert('finding_info.uid', 'finding_info.uid must be a non-empty string');
  const title = getString(info, 'title');
  if (title === undefined) return invalidAlert('finding_info.title', 'finding_info.title must be a non-empty string');
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
  const activity = activityRaw === 2 || activityRaw === 3 ? activityRaw : 1;

  const obs = new ObservableSet();
  getRecords(item, 'observables').forEach((o) => obs.push(fromOcsfObservable(o)));
  getRecords(item, 'evidences').forEach((e, i) => addEvidence(obs, e, `evidences[${i}]`));

  const attacks = new AttackCollector(getString(getRecords(info, 'attacks')[0], 'version'));
  addAttacks(info, attacks);
  const version = getString(item, 'metadata.version');

  const alert = buildFinding({
    uid,
    title,
    desc: getString(info, 'desc'),
    message: getString(item, 'message'),
    severity_id: severity,
    time,
    activity_id: activity,
    status_id: getNumber(item, 'status_id'),
    confidence_id: getNumber(item, 'confidence_id'),
    product: { name: productName ?? vendorName ?? 'Unknown', vendor_name: vendorName ?? productName ?? 'Unknown', uid: getString(product, 'uid') },
    log_name: getString(item, 'metadata.log_name'),
    original_event_uid: getString(item, 'metadata.original_event_uid'),
    labels: getStrings(item, 'metadata.labels'),
    types: getStrings(info, 'types'),
    created_time: parseTimestamp(getPath(info, 'created_time')),
    first_seen_time: parseTimestamp(getPath(info, 'first_seen_time')),
    last_seen_time: parseTimestamp(getPath(info, 'last_seen_time')),
    src_url: getString(info, 'src_url'),
    analytic: {
      uid: getString(info, 'analytic.uid'),
      name: getString(info, 'analytic.name'),
      type_id: getNumber(info, 'analytic.type_id'),
      type: getString(info, 'analytic.type'),
    },
    attacks: attacks.toArray(),
    device: {
      hostname: getString(item, 'device.hostname'),
      ip: getString(item, 'device.ip'),
      uid: getString(item, 'device.uid'),
      name: getString(item, 'device.name'),
      instance_uid: getString(item, 'device.instance_uid'),
      os: { name: getString(item, 'device.os.name'), type: getString(item, 'device.os.type') },
    },
    user: {
      name: getString(item, 'actor.user.name'),
      uid: getString(item, 'actor.user.uid'),
      domain: getString(item, 'actor.user.domain'),
      email_addr: getString(item, 'actor.user.email_addr'),
    },
    observables: obs.toArray(),
    unmapped: {
      ...(getRecord(item, 'unmapped') ?? {}),
      ocsf_version: version !== undefined && version !== OCSF_VERSION ? version : undefined,
    },
  });
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
