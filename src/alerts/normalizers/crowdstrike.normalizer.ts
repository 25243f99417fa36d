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
import { buildFinding, confidenceIdFromScore, statusIdFromName } from './finding.js';
import { getArray, getId, getNumber, getPath, getRecord, getRecords, getString, getStrings, isRecord, type JsonRecord } from './field-access.js';
import type { OcsfEvidence, OcsfProcess } from '../../common/canonical-alert.js';
import { device, deviceTypeFromName, endpoint, EvidenceList, file, hashes, networkInterface, os, processOf, query, url, user } from './evidence.js';
import { severityFromCrowdStrikeScore, severityFromCrowdStrikeStream, severityFromName } from './severity.js';
import { firstTimestamp } from './timestamps.js';
import { accountEvidence, accountUser } from './accounts.js';

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

/** Falcon's IOC pair in its OCSF home when it has one (domain, IP, URL, file); else an indicator. */
function addIoc(evidences: EvidenceList, iocs: unknown[], type: string | undefined, value: unknown): void {
  const t = (type ?? '').toLowerCase();
  if (t === 'domain') evidences.add({ query: query(value) });
  else if (t === 'ipv4' || t === 'ipv6') evidences.add({ dst_endpoint: endpoint({ ip: value }) });
  else if (t === 'filename') evidences.add({ file: file({ path: value }) });
  else if (t === 'url') evidences.add({ url: url(value) });
  else if (value !== undefined) iocs.push(value);
}

function connection(n: JsonRecord, remote: string, remotePort: string, local: string, localPort: string, direction: string): OcsfEvidence {
  const there = endpoint({ ip: getPath(n, remote), port: getPath(n, remotePort) });
  const here = endpoint({ ip: getPath(n, local), port: getPath(n, localPort) });
  // Falcon: ConnectionDirection 0 outbound, 1 inbound.
  const inbound = getPath(n, direction) === 1 || getPath(n, direction) === '1';
  return { src_endpoint: inbound ? there : here, dst_endpoint: inbound ? here : there };
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

  const evidences = new EvidenceList();
  const iocs: unknown[] = [];
  const image = (name: string, path: string, ...hashFields: string[]) =>
    file({ path: getPath(ev, path) ?? getPath(ev, name), name: getPath(ev, name), hashes: hashes(...hashFields.map((h) => getPath(ev, h))), type_id: 8 });
  const grandparent = processOf({
    pid: getPath(ev, 'GrandparentProcessId'),
    file: image('GrandparentImageFileName', 'GrandparentImageFilePath'),
    cmd_line: getPath(ev, 'GrandparentCommandLine'),
  });
  const parent = processOf({
    pid: getPath(ev, 'ParentProcessId'),
    file: image('ParentImageFileName', 'ParentImageFilePath', 'ParentSHA256', 'ParentMD5'),
    cmd_line: getPath(ev, 'ParentCommandLine'),
    parent_process: grandparent,
  });
  evidences.add({
    process: processOf({
      pid: getPath(ev, 'ProcessId'),
      uid: getPath(ev, 'TargetProcessId'),
      file: image('FileName', 'FilePath', 'SHA256String', 'SHA1String', 'MD5String'),
      cmd_line: getPath(ev, 'CommandLine'),
      user: user({ name: getPath(ev, 'UserName'), domain: getPath(ev, 'LogonDomain') }),
      parent_process: parent,
      created_time: firstTimestamp(getPath(ev, 'ProcessStartTime')),
    }),
  });
  for (const n of getRecords(ev, 'NetworkAccesses')) evidences.add(connection(n, 'RemoteAddress', 'RemotePort', 'LocalAddress', 'LocalPort', 'ConnectionDirection'));
  for (const d of getRecords(ev, 'DnsRequests')) evidences.add({ query: query(getPath(d, 'DomainName')) });
  for (const x of getRecords(ev, 'ExecutablesWritten'))
    evidences.add({ file: file({ path: getPath(x, 'FilePath'), name: getPath(x, 'FileName'), hashes: hashes(getPath(x, 'SHA256HashData')) }) });
  for (const q of getRecords(ev, 'QuarantineFiles')) {
    const quarantined = file({ path: getPath(q, 'ImageFileName'), hashes: hashes(getPath(q, 'SHA256HashData')) });
    if (quarantined !== undefined) evidences.add({ file: quarantined });
    else iocs.push(getPath(q, 'SHA256HashData'));
  }
  addIoc(evidences, iocs, getString(ev, 'IOCType'), getPath(ev, 'IOCValue'));

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
    original_time: getPath(item, 'metadata.eventCreationTime') ?? getPath(ev, 'Timestamp'),
    device: device({
      hostname: getString(ev, 'ComputerName', 'Hostname'),
      ip: getString(ev, 'LocalIP'),
      uid: getString(ev, 'SensorId', 'AgentId'),
      domain: getString(ev, 'MachineDomain'),
      os: os(getString(ev, 'Platform', 'OSVersion')),
      network_interfaces: [networkInterface({ ip: getString(ev, 'LocalIPv6') })],
    }),
    user: user({ name: getString(ev, 'UserName'), domain: getString(ev, 'MachineDomain', 'LogonDomain') }),
    evidences,
    iocs,
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
/** Fields shared by Alerts API entities and Detects API behaviors (snake_case). */
function addBehavior(rec: JsonRecord, evidences: EvidenceList, iocs: unknown[], attacks: AttackCollector, labels: string[]): void {
  const proc = (d: JsonRecord | undefined, prefix: string, parent?: OcsfProcess): OcsfProcess | undefined =>
    d === undefined
      ? undefined
      : processOf({
          pid: getPath(d, 'process_id') ?? getPath(d, 'local_process_id') ?? getPath(d, `${prefix}process_id`),
          uid: getPath(d, 'process_graph_id') ?? getPath(d, `${prefix}process_graph_id`),
          cmd_line: getPath(d, 'cmdline') ?? getPath(d, `${prefix}cmdline`),
          file: file({
            path: getPath(d, 'filepath') ?? getPath(d, 'filename') ?? getPath(d, `${prefix}filename`),
            name: getPath(d, 'filename') ?? getPath(d, `${prefix}filename`),
            hashes: hashes(getPath(d, 'sha256') ?? getPath(d, `${prefix}sha256`), getPath(d, 'sha1'), getPath(d, 'md5') ?? getPath(d, `${prefix}md5`)),
            type_id: 8,
          }),
          parent_process: parent,
        });
  const grandparent = proc(getRecord(rec, 'grandparent_details'), 'grandparent_');
  const parent = proc(getRecord(rec, 'parent_details'), 'parent_', grandparent);
  const main = proc(rec, '', parent);
  if (main !== undefined) main.user = accountUser(getPath(rec, 'user_name'), getPath(rec, 'logon_domain'), { uid: getPath(rec, 'user_id') });
  evidences.add({ process: main });
  for (const n of getRecords(rec, 'network_accesses')) evidences.add(connection(n, 'remote_address', 'remote_port', 'local_address', 'local_port', 'connection_direction'));
  for (const d of getRecords(rec, 'dns_requests')) evidences.add({ query: query(getPath(d, 'domain_name')) });
  addIoc(evidences, iocs, getString(rec, 'ioc_type'), getPath(rec, 'ioc_value'));
  addAttack(attacks, labels, getString(rec, 'tactic_id'), getString(rec, 'tactic'), getString(rec, 'technique_id'), getString(rec, 'technique'));
  for (const m of getRecords(rec, 'mitre_attack')) {
    addAttack(attacks, labels, getString(m, 'tactic_id'), getString(m, 'tactic'), getString(m, 'technique_id'), getString(m, 'technique'));
  }
}

function mapEntity(item: JsonRecord, now: number): ItemOutcome {
  const detects = isDetectEntity(item);
  const uid = detects ? getString(item, 'detection_id') : getString(item, 'composite_id', 'id');
  if (uid === undefined) return invalidAlert(detects ? 'detection_id' : 'composite_id', 'CrowdStrike alert has no composite_id or id');

  const evidences = new EvidenceList();
  const iocs: unknown[] = [];
  const attacks = new AttackCollector();
  const labels: string[] = [];
  const host = getRecord(item, 'device');
  const behaviors = detects ? getRecords(item, 'behaviors') : [];
  if (detects) behaviors.forEach((b) => addBehavior(b, evidences, iocs, attacks, labels));
  else addBehavior(item, evidences, iocs, attacks, labels);
  if (!detects) addProductEntityFields(item, evidences);
  const first = detects ? behaviors[0] : item;

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
    original_time: getPath(item, 'updated_timestamp') ?? getPath(item, 'last_behavior') ?? getPath(item, 'timestamp') ?? getPath(item, 'created_timestamp'),
    confidence_id: confidenceIdFromScore(getNumber(item, 'confidence')),
    device: device({
      hostname: getString(host, 'hostname') ?? getString(item, 'source_endpoint_host_name') ?? getStrings(item, 'source_hosts')[0],
      ip: getString(host, 'local_ip') ?? getString(item, 'source_endpoint_ip_address'),
      uid: getString(host, 'device_id') ?? getString(item, 'agent_id'),
      domain: getString(host, 'machine_domain'),
      os: os(getString(host, 'os_version', 'platform_name')),
      type_id: deviceTypeFromName(getString(host, 'product_type_desc')),
      network_interfaces: [networkInterface({ ip: getString(host, 'external_ip') })],
    }),
    user:
      accountUser(getString(first, 'user_name'), getString(first, 'logon_domain'), { uid: getString(first, 'user_id') }) ??
      accountUser(getString(item, 'source_account_upn') ?? getString(item, 'source_account_name'), getString(item, 'source_account_domain'), {
        uid: getString(item, 'source_account_object_sid'),
      }) ??
      getStrings(item, 'user_names')
        .map((u) => accountUser(u))
        .find((u) => u !== undefined),
    evidences,
    iocs,
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
function addProductEntityFields(item: JsonRecord, evidences: EvidenceList): void {
  evidences.add({
    src_endpoint: endpoint({ hostname: getPath(item, 'source_endpoint_host_name'), ip: getPath(item, 'source_endpoint_ip_address') }),
    dst_endpoint: endpoint({ hostname: getPath(item, 'target_endpoint_host_name') }),
    user: accountUser(getPath(item, 'source_account_upn') ?? getPath(item, 'source_account_name'), getPath(item, 'source_account_domain')),
  });
  const target = accountEvidence(getPath(item, 'target_account_name'), getPath(item, 'target_account_domain'));
  if (target !== undefined) evidences.add(target);
  for (const h of getStrings(item, 'source_hosts')) evidences.add({ src_endpoint: endpoint({ hostname: h }) });
  for (const ip of getStrings(item, 'source_ips')) evidences.add({ src_endpoint: endpoint({ ip }) });
  for (const ip of getStrings(item, 'destination_ips')) evidences.add({ dst_endpoint: endpoint({ ip }) });
  for (const u of getStrings(item, 'user_names')) {
    const e = accountEvidence(u);
    if (e !== undefined) evidences.add(e);
  }
  evidences.add({ url: url(getPath(item, 'destination_url')), dst_endpoint: endpoint({ hostname: getPath(item, 'destination_domain') }) });
  for (const f of getRecords(item, 'files_egressed')) {
    evidences.add({ file: file({ path: getPath(f, 'file_path'), name: getPath(f, 'filename'), hashes: hashes(getPath(f, 'sha256')), type_id: 1 }) });
  }
  const app = getRecord(item, 'mobile_app_details');
  if (app !== undefined) evidences.add({ file: file({ name: getPath(app, 'app_identifier'), hashes: hashes(getPath(app, 'sha256')) }) });
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
  const evidences = new EvidenceList();
  const iocs: unknown[] = [];
  const source = accountUser(getPath(ev, 'SourceAccountUpn') ?? getPath(ev, 'SourceAccountName'), getPath(ev, 'SourceAccountDomain'), {
    uid: getPath(ev, 'SourceAccountObjectSid'),
  });
  evidences.add({
    src_endpoint: endpoint({ hostname: getPath(ev, 'SourceEndpointHostName'), ip: getPath(ev, 'SourceEndpointIpAddress') }),
    dst_endpoint: endpoint({ hostname: getPath(ev, 'TargetEndpointHostName') }),
    user: source,
  });
  const target = accountEvidence(getPath(ev, 'TargetAccountName'), getPath(ev, 'TargetAccountDomain'));
  if (target !== undefined) evidences.add(target);
  evidences.add({ file: file({ path: getPath(ev, 'FilePath'), name: getPath(ev, 'FileName'), hashes: hashes(getPath(ev, 'SHA256String')) }) });
  addIoc(evidences, iocs, getString(ev, 'IOCType'), getPath(ev, 'IOCValue'));

  const attacks = new AttackCollector();
  const labels: string[] = [];
  const mitre = getRecords(ev, 'MitreAttack');
  for (const m of mitre) {
    addAttack(attacks, labels, getString(m, 'TacticID', 'TacticId'), getString(m, 'Tactic'), getString(m, 'TechniqueID', 'TechniqueId'), getString(m, 'Technique'));
  }
  if (mitre.length === 0) addAttack(attacks, labels, getString(ev, 'TacticId'), getString(ev, 'Tactic'), getString(ev, 'TechniqueId'), getString(ev, 'Technique'));
  const severity = getNumber(ev, 'Severity');

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
    original_time: getPath(item, 'metadata.eventCreationTime'),
    src_url: getString(ev, 'FalconHostLink'),
    analytic: { uid: getId(ev, 'PatternId'), name: getString(ev, 'DetectName', 'Name'), type: 'Behavioral', type_id: 2 },
    attacks: attacks.toArray(),
    labels,
    device: device({
      hostname: getString(ev, 'SourceEndpointHostName', 'ComputerName', 'Hostname'),
      ip: getString(ev, 'SourceEndpointIpAddress', 'LocalIP'),
      uid: getString(ev, 'SourceEndpointSensorId', 'SensorId', 'AgentId'),
    }),
    user: source ?? accountUser(getString(ev, 'UserName')),
    evidences,
    iocs,
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
