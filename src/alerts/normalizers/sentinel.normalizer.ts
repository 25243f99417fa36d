/**
 * Microsoft Sentinel incidents: the ARM resource `{id, name, type: "Microsoft.SecurityInsights/incidents",
 * properties}`, a list `{value: [...]}` or array, or the automation-rule / Logic App trigger body
 * `{object: incident, workspaceInfo, workspaceId}` whose `properties.relatedEntities` carry the
 * entities. Tactics arrive as CamelCase names (`InitialAccess`, `CommandAndControl`) and are
 * mapped to TA ids. Dedup key: the incident `name` (its GUID), else the resource `id`.
 */
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import { AttackCollector } from './attack.js';
import { invalidAlert, runNormalizer, unrecognizedItem, type ItemOutcome, type Unwrapped } from './batch.js';
import { buildFinding, statusIdFromName } from './finding.js';
import { getArray, getId, getNumber, getPath, getRecord, getRecords, getString, getStrings, isRecord, type JsonRecord } from './field-access.js';
import { device, email, endpoint, EvidenceList, file, os, processOf, query, url, user } from './evidence.js';
import { severityFromVendorName } from './severity.js';
import { firstTimestamp } from './timestamps.js';

const PRODUCT = { name: 'Microsoft Sentinel', vendor_name: 'Microsoft' };

function isIncident(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const type = getString(value, 'type') ?? '';
  if (/^microsoft\.securityinsights\/incidents$/i.test(type)) return true;
  const props = getRecord(value, 'properties');
  return props !== undefined && (getPath(props, 'incidentNumber') !== undefined || getPath(props, 'incidentUrl') !== undefined);
}

function incidentOf(value: unknown): unknown {
  const inner = getRecord(value, 'object');
  return inner !== undefined && isIncident(inner) ? inner : value;
}

function unwrap(body: unknown): Unwrapped {
  const list = Array.isArray(body) ? body : isRecord(body) && !isIncident(incidentOf(body)) ? getArray(body, 'value') : undefined;
  if (list !== undefined) {
    return {
      kind: 'items',
      items: list.map((value) => (isIncident(incidentOf(value)) ? { value } : { value, error: unrecognizedItem('Not a Microsoft Sentinel incident').failure })),
    };
  }
  if (isIncident(incidentOf(body))) return { kind: 'items', items: [{ value: body }] };
  return { kind: 'unrecognized', message: 'Body is not a Microsoft Sentinel incident, incident list or automation trigger' };
}

function hostName(entity: JsonRecord): string | undefined {
  const host = getString(entity, 'properties.hostName');
  const domain = getString(entity, 'properties.dnsDomain');
  if (host === undefined) return getString(entity, 'properties.fqdn');
  return domain === undefined || host.includes('.') ? host : `${host}.${domain}`;
}

/** Each related entity in its OCSF evidence home, by `kind`; file hashes without a file name have none and stay as indicators. */
function addEntity(evidences: EvidenceList, iocs: unknown[], entity: JsonRecord): void {
  const kind = (getString(entity, 'kind') ?? '').toLowerCase();
  const p = (field: string): unknown => getPath(entity, `properties.${field}`);
  switch (kind) {
    case 'ip':
      evidences.add({ dst_endpoint: endpoint({ ip: p('address') }) });
      break;
    case 'host':
      evidences.add({
        device: device({ hostname: hostName(entity), name: p('hostName'), domain: p('dnsDomain'), uid: p('azureID') ?? p('omsAgentID'), os: os(p('osFamily'), p('osVersion')) }),
      });
      break;
    case 'account':
      evidences.add({ user: user({ name: p('accountName'), domain: p('ntDomain') ?? p('upnSuffix'), uid: p('sid') ?? p('aadUserId') }) });
      break;
    case 'url':
      evidences.add({ url: url(p('url')) });
      break;
    case 'filehash':
      iocs.push(p('hashValue'));
      break;
    case 'file': {
      const dir = getString(entity, 'properties.directory');
      const name = getString(entity, 'properties.fileName');
      evidences.add({ file: file({ path: dir !== undefined && name !== undefined ? `${dir.replace(/[\\/]$/, '')}\\${name}` : name, name }) });
      break;
    }
    case 'dnsresolution':
      evidences.add({ query: query(p('domainName')) });
      break;
    case 'mailbox':
      evidences.add({ user: user({ name: p('upn') ?? p('mailboxPrimaryAddress'), full_name: p('displayName'), email_addr: p('mailboxPrimaryAddress') }) });
      break;
    case 'mailmessage':
      evidences.add({
        src_endpoint: endpoint({ ip: p('senderIP') }),
        email: email({ from: p('p2Sender') ?? p('sender'), smtp_from: p('p1Sender'), to: p('recipient'), subject: p('subject'), uid: p('internetMessageId') }),
      });
      break;
    case 'process':
      evidences.add({ process: processOf({ pid: p('processId'), cmd_line: p('commandLine'), created_time: firstTimestamp(p('creationTimeUtc')) }) });
      break;
    default:
      break;
  }
}

function mapItem(item: unknown, now: number): ItemOutcome {
  const wrapped = getRecord(item, 'object') !== undefined && isIncident(getRecord(item, 'object'));
  const incident = incidentOf(item);
  const prefix = wrapped ? 'object.' : '';
  if (!isRecord(incident)) return invalidAlert('', 'Sentinel incident must be an object');
  const uid = getString(incident, 'name') ?? getString(incident, 'id');
  if (uid === undefined) return invalidAlert(`${prefix}name`, 'Sentinel incident has no name or id');
  const props = getRecord(incident, 'properties');
  if (props === undefined) return invalidAlert(`${prefix}properties`, 'Sentinel incident properties are missing or not an object');

  const entities = getRecords(props, 'relatedEntities');
  const evidences = new EvidenceList();
  const iocs: unknown[] = [];
  entities.forEach((e) => addEntity(evidences, iocs, e));
  const host = entities.find((e) => (getString(e, 'kind') ?? '').toLowerCase() === 'host');
  const account = entities.find((e) => (getString(e, 'kind') ?? '').toLowerCase() === 'account');

  const attacks = new AttackCollector();
  attacks.addUnpaired(getStrings(props, 'additionalData.tactics', 'tactics'), getStrings(props, 'additionalData.techniques', 'techniques'));

  const labels = getRecords(props, 'labels')
    .map((l) => getString(l, 'labelName'))
    .filter((l): l is string => l !== undefined)
    .map((l) => `sentinel:${l}`);

  const alert = buildFinding({
    uid,
    title: getString(props, 'title') ?? 'Microsoft Sentinel incident',
    desc: getString(props, 'description'),
    severity_id: severityFromVendorName(getString(props, 'severity')),
    time: firstTimestamp(getPath(props, 'lastModifiedTimeUtc'), getPath(props, 'createdTimeUtc')) ?? now,
    created_time: firstTimestamp(getPath(props, 'createdTimeUtc')),
    first_seen_time: firstTimestamp(getPath(props, 'firstActivityTimeUtc')),
    last_seen_time: firstTimestamp(getPath(props, 'lastActivityTimeUtc')),
    status_id: statusIdFromName(getString(props, 'status')),
    product: PRODUCT,
    log_name: 'incidents',
    original_event_uid: getString(incident, 'id'),
    src_url: getString(props, 'incidentUrl'),
    analytic: { uid: getStrings(props, 'relatedAnalyticRuleIds')[0], type: 'Rule', type_id: 1 },
    attacks: attacks.toArray(),
    labels,
    original_time: getPath(props, 'lastModifiedTimeUtc') ?? getPath(props, 'createdTimeUtc'),
    device: host === undefined ? undefined : device({ hostname: hostName(host), name: getString(host, 'properties.hostName'), os: os(getString(host, 'properties.osFamily')) }),
    user:
      account === undefined
        ? undefined
        : user({
            name: getString(account, 'properties.accountName'),
            domain: getString(account, 'properties.ntDomain', 'properties.upnSuffix'),
            uid: getString(account, 'properties.sid', 'properties.aadUserId'),
          }),
    evidences,
    iocs,
    unmapped: {
      incident_number: getNumber(props, 'incidentNumber'),
      provider_name: getString(props, 'providerName'),
      provider_incident_id: getId(props, 'providerIncidentId'),
      provider_incident_url: getString(props, 'additionalData.providerIncidentUrl'),
      alerts_count: getNumber(props, 'additionalData.alertsCount'),
      alert_product_names: getStrings(props, 'additionalData.alertProductNames'),
      classification: getString(props, 'classification'),
      owner: getString(props, 'owner.assignedTo', 'owner.userPrincipalName'),
    },
  });
  return { alert };
}

export const sentinelNormalizer: AlertNormalizer = {
  source: 'sentinel',
  detect(body: unknown): boolean {
    if (Array.isArray(body)) return isIncident(incidentOf(body[0]));
    if (isIncident(incidentOf(body))) return true;
    const list = getArray(body, 'value');
    return list !== undefined && isIncident(incidentOf(list[0]));
  },
  normalize(body: unknown, now: number): NormalizeResult {
    return runNormalizer(body, unwrap, (item) => mapItem(item, now));
  },
};
