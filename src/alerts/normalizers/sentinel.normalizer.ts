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
import type { OcsfEvidence } from '../../common/canonical-alert.js';
import { parseJsonSafely } from '../../common/http/payload-guard.js';
import { accountEvidence, accountUser } from './accounts.js';
import { parseAccount } from './observables.js';

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

function isSentinelItem(value: unknown): boolean {
  return isIncident(incidentOf(value)) || isSecurityAlert(value);
}

function unwrap(body: unknown): Unwrapped {
  const list = Array.isArray(body) ? body : isRecord(body) && !isSentinelItem(body) ? getArray(body, 'value') : undefined;
  if (list !== undefined) {
    return {
      kind: 'items',
      items: list.map((value) => (isSentinelItem(value) ? { value } : { value, error: unrecognizedItem('Not a Microsoft Sentinel incident or alert').failure })),
    };
  }
  if (isSentinelItem(body)) return { kind: 'items', items: [{ value: body }] };
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
    case 'account': {
      // A UPN suffix makes the account a UPN (also the e-mail); a machine account (`EXCH01$`) is a host.
      const e = accountEntityEvidence(p('accountName'), p('upnSuffix'), p('ntDomain'), p('sid') ?? p('aadUserId'));
      if (e !== undefined) evidences.add(e);
      break;
    }
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

/** An account entity as evidence: a person (as a UPN when a suffix is given) or, for `NAME$`, the machine. */
function accountEntityEvidence(name: unknown, upnSuffix: unknown, ntDomain: unknown, uid: unknown): OcsfEvidence | undefined {
  const account = parseAccount(name, ntDomain);
  if (account === undefined) return undefined;
  if (account.machine) return accountEvidence(name, ntDomain);
  const suffix = typeof upnSuffix === 'string' && upnSuffix.trim() !== '' ? upnSuffix.trim() : undefined;
  const person = accountUser(suffix !== undefined && account.upn === undefined ? `${account.name}@${suffix}` : name, ntDomain, { uid });
  return person === undefined ? undefined : { user: person };
}

/** A SecurityAlert row as the alert trigger and the SecurityAlert table give it (`SystemAlertId`, `AlertDisplayName`). */
export function isSecurityAlert(value: unknown): boolean {
  return isRecord(value) && typeof getPath(value, 'SystemAlertId') === 'string' && getPath(value, 'AlertDisplayName') !== undefined;
}

/** A field Sentinel sends as JSON text (`Entities`, `ExtendedProperties`, `Techniques`) or already parsed. */
function jsonField(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const parsed = parseJsonSafely(value);
  return parsed.ok ? parsed.value : undefined;
}

/** SecurityAlert entities (`Type` + PascalCase properties) in their OCSF evidence homes. */
function addAlertEntity(evidences: EvidenceList, iocs: unknown[], entity: JsonRecord): void {
  const p = (field: string): unknown => getPath(entity, field);
  switch ((getString(entity, 'Type') ?? '').toLowerCase()) {
    case 'host':
      evidences.add({
        device: device({
          hostname: p('DnsDomain') === undefined ? p('HostName') : `${String(p('HostName'))}.${String(p('DnsDomain'))}`,
          name: p('HostName'),
          os: os(p('OSFamily')),
        }),
      });
      break;
    case 'account': {
      const e = accountEntityEvidence(p('Name'), p('UPNSuffix'), p('NTDomain'), p('Sid') ?? p('AadUserId'));
      if (e !== undefined) evidences.add(e);
      break;
    }
    case 'ip':
      evidences.add({ dst_endpoint: endpoint({ ip: p('Address') }) });
      break;
    case 'process': {
      const dir = getString(entity, 'ImageFile.Directory');
      const name = getString(entity, 'ImageFile.Name');
      const image = file({ path: dir !== undefined && name !== undefined ? `${dir.replace(/[\\/]$/, '')}\\${name}` : name, name, type_id: 8 });
      evidences.add({ process: processOf({ pid: p('ProcessId'), cmd_line: p('CommandLine'), file: image }) });
      break;
    }
    case 'file': {
      const dir = getString(entity, 'Directory');
      const name = getString(entity, 'Name');
      evidences.add({ file: file({ path: dir !== undefined && name !== undefined ? `${dir.replace(/[\\/]$/, '')}\\${name}` : name, name }) });
      break;
    }
    case 'filehash':
      iocs.push(p('Value'));
      break;
    case 'url':
      evidences.add({ url: url(p('Url')) });
      break;
    case 'dns':
      evidences.add({ query: query(p('DomainName')) });
      break;
    case 'mailbox':
      evidences.add({ user: user({ name: p('Upn') ?? p('MailboxPrimaryAddress'), email_addr: p('MailboxPrimaryAddress') }) });
      break;
    default:
      break;
  }
}

function mapSecurityAlert(item: JsonRecord, now: number): ItemOutcome {
  const uid = getString(item, 'SystemAlertId');
  if (uid === undefined) return invalidAlert('SystemAlertId', 'Sentinel alert has no SystemAlertId');
  const rawEntities = getPath(item, 'Entities');
  const entities = jsonField(rawEntities);
  if (rawEntities !== undefined && rawEntities !== null && !Array.isArray(entities)) return invalidAlert('Entities', 'Sentinel alert Entities must be a list or JSON text of one');
  const list = (Array.isArray(entities) ? entities : []).filter(isRecord);
  const evidences = new EvidenceList();
  const iocs: unknown[] = [];
  list.forEach((e) => addAlertEntity(evidences, iocs, e));
  const host = list.find((e) => (getString(e, 'Type') ?? '').toLowerCase() === 'host');
  const person = list
    .filter((e) => (getString(e, 'Type') ?? '').toLowerCase() === 'account')
    .map((a) => accountEntityEvidence(getPath(a, 'Name'), getPath(a, 'UPNSuffix'), getPath(a, 'NTDomain'), getPath(a, 'Sid') ?? getPath(a, 'AadUserId'))?.user)
    .find((u) => u !== undefined);
  const techniques = jsonField(getPath(item, 'Techniques'));
  const attacks = new AttackCollector();
  attacks.addUnpaired(
    (getString(item, 'Tactics') ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== ''),
    Array.isArray(techniques) ? techniques.filter((t): t is string => typeof t === 'string') : [],
  );
  const extended = jsonField(getPath(item, 'ExtendedProperties'));
  const ruleIds = jsonField(getPath(extended, 'Analytic Rule Ids'));
  const title = getString(item, 'AlertDisplayName', 'AlertName') ?? 'Microsoft Sentinel alert';

  const alert = buildFinding({
    uid,
    title,
    desc: getString(item, 'Description'),
    severity_id: severityFromVendorName(getString(item, 'AlertSeverity', 'Severity')),
    time: firstTimestamp(getPath(item, 'TimeGenerated'), getPath(item, 'ProcessingEndTime'), getPath(item, 'EndTimeUtc')) ?? now,
    first_seen_time: firstTimestamp(getPath(item, 'StartTimeUtc')),
    last_seen_time: firstTimestamp(getPath(item, 'EndTimeUtc')),
    status_id: statusIdFromName(getString(item, 'Status')),
    product: { name: getString(item, 'ProductName') ?? PRODUCT.name, vendor_name: PRODUCT.vendor_name },
    log_name: 'SecurityAlert',
    src_url: getString(item, 'AlertLink'),
    analytic: {
      uid: Array.isArray(ruleIds) && typeof ruleIds[0] === 'string' ? ruleIds[0] : getString(item, 'AlertType'),
      name: getString(item, 'AlertName', 'AlertDisplayName'),
      type: 'Rule',
      type_id: 1,
    },
    attacks: attacks.toArray(),
    original_time: getPath(item, 'TimeGenerated'),
    device:
      host === undefined
        ? device({ hostname: getString(item, 'CompromisedEntity') })
        : device({ hostname: getString(host, 'HostName'), domain: getString(host, 'DnsDomain'), os: os(getString(host, 'OSFamily')) }),
    user: person,
    evidences,
    iocs,
    unmapped: {
      provider_name: getString(item, 'ProviderName'),
      product_component: getString(item, 'ProductComponentName'),
      alert_type: getString(item, 'AlertType'),
      compromised_entity: getString(item, 'CompromisedEntity'),
      workspace_id: getString(item, 'WorkspaceId'),
    },
  });
  return { alert };
}

function mapItem(item: unknown, now: number): ItemOutcome {
  if (isSecurityAlert(item) && isRecord(item)) return mapSecurityAlert(item, now);
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
    user: entities
      .filter((e) => (getString(e, 'kind') ?? '').toLowerCase() === 'account')
      .map(
        (a) =>
          accountEntityEvidence(
            getPath(a, 'properties.accountName'),
            getPath(a, 'properties.upnSuffix'),
            getPath(a, 'properties.ntDomain'),
            getPath(a, 'properties.sid') ?? getPath(a, 'properties.aadUserId'),
          )?.user,
      )
      .find((u) => u !== undefined),
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
    if (Array.isArray(body)) return isSentinelItem(body[0]);
    if (isSentinelItem(body)) return true;
    const list = getArray(body, 'value');
    return list !== undefined && isSentinelItem(list[0]);
  },
  normalize(body: unknown, now: number): NormalizeResult {
    return runNormalizer(body, unwrap, (item) => mapItem(item, now));
  },
};
