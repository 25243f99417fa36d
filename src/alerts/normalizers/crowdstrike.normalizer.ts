/**
 * CrowdStrike Falcon detections, in three shapes:
 * - Event Streams events `{metadata: {eventType, eventCreationTime, offset…}, event: {...}}` of type
 *   `DetectionSummaryEvent` (severity 1–5, dedup key `DetectId`) or `EppDetectionSummaryEvent`
 *   (severity 0–100 like the Alerts API, dedup key `CompositeId`); one event, an array, or NDJSON
 *   text as read from the stream. Other event types (audit, incident summaries) are skipped.
 * - Alerts API entities (`PostEntitiesAlertsV2`): `{resources: [...]}`, an array, or one entity;
 *   severity 0–100, dedup key `composite_id`.
 * - Legacy Detects API entities with `detection_id` and `behaviors[]`.
 * The severity name sent beside every number wins over the number. Zero-filled hashes mean
 * "none" and are dropped. Falcon-native tactic/technique ids (`CSTA…`, `CST…`) are not ATT&CK:
 * they are kept as `crowdstrike:<id>` labels.
 */
import type { SeverityId } from '../../common/canonical-alert.js';
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import { AttackCollector, isTacticId, isTechniqueId, resolveTactic } from './attack.js';
import { invalidAlert, runNormalizer, unrecognizedItem, type BatchItem, type ItemOutcome, type Unwrapped } from './batch.js';
import { buildFinding, statusIdFromName } from './finding.js';
import { getArray, getId, getNumber, getPath, getRecord, getRecords, getString, getStrings, isRecord, type JsonRecord } from './field-access.js';
import { ipAddressOf, ObservableSet, userOfAccount } from './observables.js';
import { severityFromCrowdStrikeScore, severityFromCrowdStrikeStream, severityFromName } from './severity.js';
import { firstTimestamp } from './timestamps.js';

const PRODUCT = { name: 'Falcon', vendor_name: 'CrowdStrike' };
const DETECTION_EVENTS = new Set(['DetectionSummaryEvent', 'EppDetectionSummaryEvent']);
/** Detection summaries of the other Falcon products on Event Streams (Identity Protection, Mobile, XDR, Data Protection). */
const PRODUCT_DETECTION_EVENTS = new Set(['IdpDetectionSummaryEvent', 'MobileDetectionSummaryEvent', 'XdrDetectionSummaryEvent', 'DataProtectionDetectionSummaryEvent']);

function isStreamEvent(value: unknown): boolean {
  return isRecord(value) && getString(value, 'metadata.eventType') !== undefined && isRecord(getPath(value, 'event'));
}

function isAlertEntity(value: unknown): boolean {
  if (!isRecord(value)) return false;
  if (typeof getPath(value, 'composite_id') === 'string') return true;
  return (
    typeof getPath(value, 'id') === 'string' && getPath(value, 'severity_name') !== undefined && (isRecord(getPath(value, 'device')) || getPath(value, 'agent_id') !== undefined)
  );
}

function isDetectEntity(value: unknown): boolean {
  return isRecord(value) && typeof getPath(value, 'detection_id') === 'string' && Array.isArray(getPath(value, 'behaviors'));
}

function isCrowdStrike(value: unknown): boolean {
  return isStreamEvent(value) || isAlertEntity(value) || isDetectEntity(value);
}

function resourcesOf(value: unknown): unknown[] | undefined {
  return isRecord(value) && !isCrowdStrike(value) ? getArray(value, 'resources') : undefined;
}

function notCrowdStrike(value: unknown): BatchItem {
  return { value, error: unrecognizedItem('Not a CrowdStrike stream event, alert or detection').failure };
}

function unwrap(body: unknown): Unwrapped {
  if (Array.isArray(body)) {
    return {
      kind: 'items',
      items: body.flatMap((v) => {
        if (isCrowdStrike(v)) return [{ value: v }];
        const inner = resourcesOf(v);
        return inner === undefined ? [notCrowdStrike(v)] : inner.map((r) => (isCrowdStrike(r) ? { value: r } : notCrowdStrike(r)));
      }),
    };
  }
  const resources = resourcesOf(body);
  if (resources !== undefined) return { kind: 'items', items: resources.map((r) => (isCrowdStrike(r) ? { value: r } : notCrowdStrike(r))) };
  if (isCrowdStrike(body)) return { kind: 'items', items: [{ value: body }] };
  return { kind: 'unrecognized', message: 'Body is not a CrowdStrike Event Streams event, Alerts API entity or {resources: [...]}' };
}

/** Adds one tactic/technique pair, sending Falcon-native ids to labels. */
function addAttack(
  attacks: AttackCollector,
  labels: string[],
  tacticId: string | undefined,
  tacticName: string | undefined,
  techniqueId: string | undefined,
  techniqueName: string | undefined,
): void {
  let tactic: string | undefined;
  if (tacticId !== undefined && isTacticId(tacticId)) tactic = tacticId;
  else if (tacticId !== undefined) labels.push(`crowdstrike:${tacticId}`);
  else if (tacticName !== undefined && resolveTactic(tacticName) !== undefined) tactic = tacticName;
  let technique: string | undefined;
  if (techniqueId !== undefined && isTechniqueId(techniqueId)) technique = techniqueId;
  else if (techniqueId !== undefined) labels.push(`crowdstrike:${techniqueId}`);
  attacks.add({ tactic, technique, techniqueName: technique === undefined ? undefined : techniqueName });
}

function addIoc(obs: ObservableSet, type: string | undefined, value: unknown, name: string): void {
  const t = (type ?? '').toLowerCase();
  if (t.startsWith('hash')) obs.addHash(value, name);
  else if (t === 'domain') obs.add('domain', value, name);
  else if (t === 'ipv4' || t === 'ipv6') obs.add('ip', value, name);
  else if (t === 'filename') obs.add('file_name', value, name);
  else if (t === 'command_line') obs.add('command_line', value, name);
  else if (t === 'url') obs.addUrl(value, name);
}

function severityOf(name: string | undefined, value: number | undefined, scale: 'stream' | 'score'): SeverityId {
  const byName = severityFromName(name);
  if (byName !== undefined) return byName;
  if (value === undefined) return 0;
  return scale === 'stream' ? severityFromCrowdStrikeStream(value) : severityFromCrowdStrikeScore(value);
}

function mapStreamEvent(item: JsonRecord, now: number): ItemOutcome {
  const eventType = getString(item, 'metadata.eventType') ?? '';
  if (PRODUCT_DETECTION_EVENTS.has(eventType)) return mapProductStreamEvent(item, eventType, now);
  if (!DETECTION_EVENTS.has(eventType)) return { skip: `CrowdStrike ${eventType} is not a detection` };
  const ev = getRecord(item, 'event') ?? {};
  const epp = eventType === 'EppDetectionSummaryEvent';
  const uid = epp ? getString(ev, 'CompositeId', 'DetectId') : getString(ev, 'DetectId', 'CompositeId');
  if (uid === undefined) return invalidAlert(epp ? 'event.CompositeId' : 'event.DetectId', `CrowdStrike ${eventType} has no detection id`);

  const obs = new ObservableSet();
  const e = (field: string): string => `event.${field}`;
  obs.add('hostname', getPath(ev, 'ComputerName'), e('ComputerName'));
  obs.add('hostname', getPath(ev, 'Hostname'), e('Hostname'));
  obs.add('ip', getPath(ev, 'LocalIP'), e('LocalIP'));
  obs.add('ip', getPath(ev, 'LocalIPv6'), e('LocalIPv6'));
  obs.add('user', getPath(ev, 'UserName'), e('UserName'));
  for (const f of ['FileName', 'ParentImageFileName', 'GrandparentImageFileName']) obs.add('file_name', getPath(ev, f), e(f));
  for (const f of ['CommandLine', 'ParentCommandLine', 'GrandparentCommandLine']) obs.add('command_line', getPath(ev, f), e(f));
  for (const f of ['SHA256String', 'SHA1String', 'MD5String', 'ParentSHA256', 'ParentMD5']) obs.addHash(getPath(ev, f), e(f));
  getRecords(ev, 'NetworkAccesses').forEach((n, i) => {
    obs.add('ip', getPath(n, 'RemoteAddress'), e(`NetworkAccesses[${i}].RemoteAddress`));
    obs.add('ip', getPath(n, 'LocalAddress'), e(`NetworkAccesses[${i}].LocalAddress`));
  });
  getRecords(ev, 'DnsRequests').forEach((d, i) => obs.add('domain', getPath(d, 'DomainName'), e(`DnsRequests[${i}].DomainName`)));
  getRecords(ev, 'ExecutablesWritten').forEach((x, i) => {
    obs.add('file_name', getPath(x, 'FileName'), e(`ExecutablesWritten[${i}].FileName`));
    obs.addHash(getPath(x, 'SHA256HashData'), e(`ExecutablesWritten[${i}].SHA256HashData`));
  });
  getRecords(ev, 'QuarantineFiles').forEach((q, i) => obs.addHash(getPath(q, 'SHA256HashData'), e(`QuarantineFiles[${i}].SHA256HashData`)));
  addIoc(obs, getString(ev, 'IOCType'), getPath(ev, 'IOCValue'), e('IOCValue'));

  const attacks = new AttackCollector();
  const labels: string[] = [];
  addAttack(attacks, labels, getString(ev, 'TacticId'), getString(ev, 'Tactic'), getString(ev, 'TechniqueId'), getString(ev, 'Technique'));
  for (const m of getRecords(ev, 'MitreAttack')) {
    addAttack(attacks, labels, getString(m, 'TacticID', 'TacticId'), getString(m, 'Tactic'), getString(m, 'TechniqueID', 'TechniqueId'), getString(m, 'Technique'));
  }

  const alert = buildFinding({
    uid,
    title: (epp ? getString(ev, 'DisplayName', 'Name', 'DetectName') : getString(ev, 'DetectName', 'Name')) ?? 'CrowdStrike detection',
    desc: getString(ev, 'DetectDescription', 'Description'),
    severity_id: severityOf(getString(ev, 'SeverityName'), getNumber(ev, 'Severity'), epp ? 'score' : 'stream'),
    time: firstTimestamp(getPath(item, 'metadata.eventCreationTime'), getPath(ev, 'Timestamp')) ?? now,
    created_time: firstTimestamp(getPath(item, 'metadata.eventCreationTime')),
    first_seen_time: firstTimestamp(getPath(ev, 'ProcessStartTime'), getPath(ev, 'ContextTimeStamp')),
    product: PRODUCT,
    log_name: eventType,
    original_event_uid: getString(ev, 'DetectId'),
    src_url: getString(ev, 'FalconHostLink'),
    analytic: { uid: getId(ev, 'PatternId'), name: getString(ev, 'Name', 'DetectName'), type: 'Behavioral', type_id: 2 },
    attacks: attacks.toArray(),
    labels,
    device: { hostname: getString(ev, 'ComputerName', 'Hostname'), ip: getString(ev, 'LocalIP'), uid: getString(ev, 'SensorId', 'AgentId') },
    user: { name: getString(ev, 'UserName'), domain: getString(ev, 'MachineDomain', 'LogonDomain') },
    observables: obs.toArray(),
    unmapped: {
      offset: getNumber(item, 'metadata.offset'),
      customer_id: getString(item, 'metadata.customerIDString'),
      objective: getString(ev, 'Objective'),
      pattern_disposition: getString(ev, 'PatternDispositionDescription'),
      aggregate_id: getString(ev, 'AggregateId'),
    },
  });
  return { alert };
}

/** Fields shared by Alerts API entities and Detects API behaviors (snake_case). */
function addBehavior(rec: JsonRecord, base: string, obs: ObservableSet, attacks: AttackCollector, labels: string[]): void {
  const p = (field: string): string => (base === '' ? field : `${base}.${field}`);
  obs.addAccount(getPath(rec, 'user_name'), p('user_name'));
  obs.add('file_name', getPath(rec, 'filename'), p('filename'));
  obs.addFilePath(getPath(rec, 'filepath'), p('filepath'));
  obs.add('command_line', getPath(rec, 'cmdline'), p('cmdline'));
  for (const h of ['sha256', 'sha1', 'md5']) obs.addHash(getPath(rec, h), p(h));
  for (const parent of ['parent_details', 'grandparent_details']) {
    const d = getRecord(rec, parent);
    if (d === undefined) continue;
    obs.add('file_name', getPath(d, 'filename') ?? getPath(d, 'parent_filename'), p(`${parent}.filename`));
    obs.add('command_line', getPath(d, 'cmdline') ?? getPath(d, 'parent_cmdline'), p(`${parent}.cmdline`));
    obs.addHash(getPath(d, 'sha256') ?? getPath(d, 'parent_sha256'), p(`${parent}.sha256`));
    obs.addHash(getPath(d, 'md5') ?? getPath(d, 'parent_md5'), p(`${parent}.md5`));
  }
  getRecords(rec, 'network_accesses').forEach((n, i) => obs.add('ip', getPath(n, 'remote_address'), p(`network_accesses[${i}].remote_address`)));
  getRecords(rec, 'dns_requests').forEach((d, i) => obs.add('domain', getPath(d, 'domain_name'), p(`dns_requests[${i}].domain_name`)));
  addIoc(obs, getString(rec, 'ioc_type'), getPath(rec, 'ioc_value'), p('ioc_value'));
  addAttack(attacks, labels, getString(rec, 'tactic_id'), getString(rec, 'tactic'), getString(rec, 'technique_id'), getString(rec, 'technique'));
  for (const m of getRecords(rec, 'mitre_attack')) {
    addAttack(attacks, labels, getString(m, 'tactic_id'), getString(m, 'tactic'), getString(m, 'technique_id'), getString(m, 'technique'));
  }
}

function mapEntity(item: JsonRecord, now: number): ItemOutcome {
  const detects = isDetectEntity(item);
  const uid = detects ? getString(item, 'detection_id') : getString(item, 'composite_id', 'id');
  if (uid === undefined) return invalidAlert(detects ? 'detection_id' : 'composite_id', 'CrowdStrike alert has no composite_id or id');

  const obs = new ObservableSet();
  const attacks = new AttackCollector();
  const labels: string[] = [];
  const device = getRecord(item, 'device');
  obs.add('hostname', getPath(device, 'hostname'), 'device.hostname');
  obs.add('ip', getPath(device, 'local_ip'), 'device.local_ip');
  obs.add('ip', getPath(device, 'external_ip'), 'device.external_ip');
  const behaviors = detects ? getRecords(item, 'behaviors') : [];
  if (detects) behaviors.forEach((b, i) => addBehavior(b, `behaviors[${i}]`, obs, attacks, labels));
  else addBehavior(item, '', obs, attacks, labels);
  if (!detects) addProductEntityFields(item, obs);
  const first = detects ? behaviors[0] : item;
  const user = userOfAccount(getString(first, 'user_name'), getString(first, 'logon_domain')) ?? productEntityUser(item);

  const alert = buildFinding({
    uid,
    title: getString(first, 'display_name', 'name', 'scenario') ?? 'CrowdStrike detection',
    desc: getString(first, 'description'),
    severity_id: detects
      ? severityOf(getString(item, 'max_severity_displayname'), getNumber(item, 'max_severity'), 'score')
      : severityOf(getString(item, 'severity_name'), getNumber(item, 'severity'), 'score'),
    time: firstTimestamp(getPath(item, 'updated_timestamp'), getPath(item, 'last_behavior'), getPath(item, 'timestamp'), getPath(item, 'created_timestamp')) ?? now,
    created_time: firstTimestamp(getPath(item, 'created_timestamp')),
    first_seen_time: firstTimestamp(getPath(item, 'first_behavior'), getPath(item, 'timestamp')),
    last_seen_time: firstTimestamp(getPath(item, 'last_behavior')),
    status_id: statusIdFromName(getString(item, 'status')),
    product: PRODUCT,
    log_name: detects ? 'detects' : 'alerts',
    src_url: getString(item, 'falcon_host_link') ?? getString(first, 'falcon_host_link'),
    analytic: { uid: getId(first, 'pattern_id'), name: getString(first, 'name', 'scenario'), type: 'Behavioral', type_id: 2 },
    attacks: attacks.toArray(),
    labels,
    device: {
      hostname: getString(device, 'hostname') ?? getString(item, 'source_endpoint_host_name') ?? getStrings(item, 'source_hosts')[0],
      ip: ipAddressOf(getString(device, 'local_ip') ?? getString(item, 'source_endpoint_ip_address')),
      uid: getString(device, 'device_id') ?? getString(item, 'agent_id'),
      os: { name: getString(device, 'os_version', 'platform_name') },
    },
    user: { ...user, uid: getString(first, 'user_id') ?? getString(item, 'source_account_object_sid') },
    observables: obs.toArray(),
    unmapped: {
      aggregate_id: getString(item, 'aggregate_id'),
      customer_id: getString(item, 'cid'),
      product: getString(item, 'product'),
      type: getString(item, 'type'),
      confidence: getNumber(item, 'confidence'),
      objective: getString(first, 'objective'),
    },
  });
  return { alert };
}

/**
 * Fields the Alerts API adds per product: Identity Protection (`source_account_*`, `source_endpoint_*`,
 * `target_*`), XDR and Next-Gen SIEM (`source_hosts`, `source_ips`, `destination_ips`, `user_names`),
 * Data Protection (`files_egressed`, `destination_url`), Mobile (`mobile_app_details`).
 */
function addProductEntityFields(item: JsonRecord, obs: ObservableSet): void {
  obs.add('user', getPath(item, 'source_account_upn'), 'source_account_upn');
  obs.add('email', getPath(item, 'source_account_upn'), 'source_account_upn');
  obs.addAccount(getPath(item, 'source_account_name'), 'source_account_name', getString(item, 'source_account_domain'));
  obs.add('hostname', getPath(item, 'source_endpoint_host_name'), 'source_endpoint_host_name');
  obs.add('ip', getPath(item, 'source_endpoint_ip_address'), 'source_endpoint_ip_address');
  obs.addAccount(getPath(item, 'target_account_name'), 'target_account_name', getString(item, 'target_account_domain'));
  obs.add('hostname', getPath(item, 'target_endpoint_host_name'), 'target_endpoint_host_name');
  obs.add('hostname', getStrings(item, 'source_hosts'), 'source_hosts');
  obs.add('ip', getStrings(item, 'source_ips'), 'source_ips');
  obs.add('ip', getStrings(item, 'destination_ips'), 'destination_ips');
  obs.addAccount(getStrings(item, 'user_names'), 'user_names');
  obs.add('email', getStrings(item, 'email_sender'), 'email_sender');
  obs.addUrl(getPath(item, 'destination_url'), 'destination_url');
  obs.add('domain', getPath(item, 'destination_domain'), 'destination_domain');
  getRecords(item, 'files_egressed').forEach((f, i) => {
    obs.add('file_name', getPath(f, 'file_path') ?? getPath(f, 'filename'), `files_egressed[${i}].file_path`);
    obs.addHash(getPath(f, 'sha256'), `files_egressed[${i}].sha256`);
  });
  obs.addHash(getPath(item, 'mobile_app_details.sha256'), 'mobile_app_details.sha256');
  const parent = getRecord(item, 'parent_details');
  obs.addFilePath(getPath(parent, 'filepath'), 'parent_details.filepath');
}

/** The person behind a product entity without `user_name`: the identity's UPN or account, else the first XDR user. */
function productEntityUser(item: JsonRecord): { name: string; domain?: string; email_addr?: string } | undefined {
  return (
    userOfAccount(getString(item, 'source_account_upn')) ??
    userOfAccount(getString(item, 'source_account_name'), getString(item, 'source_account_domain')) ??
    getStrings(item, 'user_names')
      .map((u) => userOfAccount(u))
      .find((u) => u !== undefined)
  );
}

/**
 * Event Streams detection summaries of Identity Protection, Mobile, XDR and Data Protection: the
 * dedup key is `CompositeId` (else `DetectId`), `Severity` is 1–5 or 0–100 (told apart by size),
 * identity fields are `SourceAccount*`, `SourceEndpoint*`, `TargetAccount*`, `TargetEndpoint*`.
 */
function mapProductStreamEvent(item: JsonRecord, eventType: string, now: number): ItemOutcome {
  const ev = getRecord(item, 'event') ?? {};
  const uid = getString(ev, 'CompositeId', 'DetectId', 'MobileDetectionId');
  if (uid === undefined) return invalidAlert('event.CompositeId', `CrowdStrike ${eventType} has no CompositeId or DetectId`);
  const obs = new ObservableSet();
  const e = (field: string): string => `event.${field}`;
  obs.add('user', getPath(ev, 'SourceAccountUpn'), e('SourceAccountUpn'));
  obs.add('email', getPath(ev, 'SourceAccountUpn'), e('SourceAccountUpn'));
  obs.addAccount(getPath(ev, 'SourceAccountName'), e('SourceAccountName'), getString(ev, 'SourceAccountDomain'));
  obs.add('hostname', getPath(ev, 'SourceEndpointHostName'), e('SourceEndpointHostName'));
  obs.add('ip', getPath(ev, 'SourceEndpointIpAddress'), e('SourceEndpointIpAddress'));
  obs.addAccount(getPath(ev, 'TargetAccountName'), e('TargetAccountName'), getString(ev, 'TargetAccountDomain'));
  obs.add('hostname', getPath(ev, 'TargetEndpointHostName'), e('TargetEndpointHostName'));
  obs.add('hostname', getPath(ev, 'ComputerName'), e('ComputerName'));
  obs.add('hostname', getPath(ev, 'Hostname'), e('Hostname'));
  obs.add('ip', getPath(ev, 'LocalIP'), e('LocalIP'));
  obs.addAccount(getPath(ev, 'UserName'), e('UserName'));
  obs.addFilePath(getPath(ev, 'FilePath'), e('FilePath'));
  obs.add('file_name', getPath(ev, 'FileName'), e('FileName'));
  obs.addHash(getPath(ev, 'SHA256String'), e('SHA256String'));
  addIoc(obs, getString(ev, 'IOCType'), getPath(ev, 'IOCValue'), e('IOCValue'));

  const attacks = new AttackCollector();
  const labels: string[] = [];
  const mitre = getRecords(ev, 'MitreAttack');
  for (const m of mitre) {
    addAttack(attacks, labels, getString(m, 'TacticID', 'TacticId'), getString(m, 'Tactic'), getString(m, 'TechniqueID', 'TechniqueId'), getString(m, 'Technique'));
  }
  if (mitre.length === 0) addAttack(attacks, labels, getString(ev, 'TacticId'), getString(ev, 'Tactic'), getString(ev, 'TechniqueId'), getString(ev, 'Technique'));
  const severity = getNumber(ev, 'Severity');
  const user =
    userOfAccount(getString(ev, 'SourceAccountUpn')) ??
    userOfAccount(getString(ev, 'SourceAccountName'), getString(ev, 'SourceAccountDomain')) ??
    userOfAccount(getString(ev, 'UserName'));

  const alert = buildFinding({
    uid,
    title: getString(ev, 'DetectName', 'DisplayName', 'Name') ?? 'CrowdStrike detection',
    desc: getString(ev, 'DetectDescription', 'Description'),
    severity_id: severityOf(getString(ev, 'SeverityName'), severity, severity !== undefined && severity <= 5 ? 'stream' : 'score'),
    time: firstTimestamp(getPath(item, 'metadata.eventCreationTime'), getPath(ev, 'ContextTimeStamp')) ?? now,
    created_time: firstTimestamp(getPath(item, 'metadata.eventCreationTime')),
    first_seen_time: firstTimestamp(getPath(ev, 'ContextTimeStamp'), getPath(ev, 'StartTime')),
    product: PRODUCT,
    log_name: eventType,
    original_event_uid: getString(ev, 'DetectId'),
    src_url: getString(ev, 'FalconHostLink'),
    analytic: { uid: getId(ev, 'PatternId'), name: getString(ev, 'DetectName', 'Name'), type: 'Behavioral', type_id: 2 },
    attacks: attacks.toArray(),
    labels,
    device: {
      hostname: getString(ev, 'SourceEndpointHostName', 'ComputerName', 'Hostname'),
      ip: ipAddressOf(getString(ev, 'SourceEndpointIpAddress', 'LocalIP')),
      uid: getString(ev, 'SourceEndpointSensorId', 'SensorId', 'AgentId'),
    },
    user,
    observables: obs.toArray(),
    unmapped: { offset: getNumber(item, 'metadata.offset'), customer_id: getString(item, 'metadata.customerIDString'), objective: getString(ev, 'Objective') },
  });
  return { alert };
}

function mapItem(item: unknown, now: number): ItemOutcome {
  if (isStreamEvent(item) && isRecord(item)) return mapStreamEvent(item, now);
  if ((isAlertEntity(item) || isDetectEntity(item)) && isRecord(item)) return mapEntity(item, now);
  return invalidAlert('', 'Not a CrowdStrike stream event, alert or detection');
}

export const crowdStrikeNormalizer: AlertNormalizer = {
  source: 'crowdstrike',
  detect(body: unknown): boolean {
    const first = Array.isArray(body) ? body[0] : body;
    if (isCrowdStrike(first)) return true;
    const resources = resourcesOf(first);
    return resources !== undefined && isCrowdStrike(resources[0]);
  },
  normalize(body: unknown, now: number): NormalizeResult {
    return runNormalizer(body, unwrap, (item) => mapItem(item, now), { ndjson: true });
  },
};
