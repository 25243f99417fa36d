/**
 * Microsoft Graph security alerts (alerts_v2, `#microsoft.graph.security.alert`): one alert,
 * `{value: [...]}` as listed by `GET /security/alerts_v2`, or an array. Evidence is typed by
 * `@odata.type` (deviceEvidence, userEvidence, ipEvidence, urlEvidence, mailboxEvidence,
 * analyzedMessageEvidence, fileEvidence, processEvidence, dnsEvidence…); each type's fields are
 * read into observables, the first device into `device` and the first user into `actor.user`.
 * Dedup key: the alert `id`. Severity unknown/informational/low/medium/high (Graph has no critical).
 */
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import { AttackCollector } from './attack.js';
import { invalidAlert, runNormalizer, unrecognizedItem, type ItemOutcome, type Unwrapped } from './batch.js';
import { buildFinding, statusIdFromName } from './finding.js';
import { getArray, getPath, getRecord, getRecords, getString, getStrings, isRecord, type JsonRecord } from './field-access.js';
import { ObservableSet } from './observables.js';
import { severityFromVendorName } from './severity.js';
import { firstTimestamp } from './timestamps.js';

const SERVICE_PRODUCTS: Readonly<Record<string, string>> = {
  microsoftdefenderforendpoint: 'Microsoft Defender for Endpoint',
  microsoftdefenderforidentity: 'Microsoft Defender for Identity',
  microsoftdefenderforcloudapps: 'Microsoft Defender for Cloud Apps',
  microsoftdefenderforoffice365: 'Microsoft Defender for Office 365',
  microsoft365defender: 'Microsoft Defender XDR',
  azureadidentityprotection: 'Microsoft Entra ID Protection',
  microsoftdefenderforcloud: 'Microsoft Defender for Cloud',
  microsoftsentinel: 'Microsoft Sentinel',
  datalossprevention: 'Microsoft Purview Data Loss Prevention',
};

function productFor(serviceSource: string | undefined): { name: string; vendor_name: string; uid?: string } {
  const key = (serviceSource ?? '').toLowerCase();
  const name = Object.prototype.hasOwnProperty.call(SERVICE_PRODUCTS, key) ? SERVICE_PRODUCTS[key] : 'Microsoft Defender XDR';
  return { name, vendor_name: 'Microsoft', uid: serviceSource };
}

export function isGraphAlert(value: unknown): boolean {
  if (!isRecord(value) || typeof getPath(value, 'id') !== 'string') return false;
  if (getString(value, '@odata.type') === '#microsoft.graph.security.alert') return true;
  return typeof getPath(value, 'createdDateTime') === 'string' && (getPath(value, 'serviceSource') !== undefined || getPath(value, 'providerAlertId') !== undefined);
}

function unwrap(body: unknown): Unwrapped {
  const list = Array.isArray(body) ? body : isRecord(body) && !isGraphAlert(body) ? getArray(body, 'value') : undefined;
  if (list !== undefined) {
    return { kind: 'items', items: list.map((value) => (isGraphAlert(value) ? { value } : { value, error: unrecognizedItem('Not a Microsoft Graph security alert').failure })) };
  }
  if (isGraphAlert(body)) return { kind: 'items', items: [{ value: body }] };
  return { kind: 'unrecognized', message: 'Body is not a Microsoft Graph security alert or {value: [...]} list' };
}

function evidenceType(evidence: JsonRecord): string {
  const type = getString(evidence, '@odata.type') ?? '';
  return type.replace(/^#?microsoft\.graph\.security\./i, '');
}

function addFileDetails(obs: ObservableSet, file: JsonRecord | undefined, base: string): void {
  if (file === undefined) return;
  obs.add('file_name', getPath(file, 'fileName'), `${base}.fileName`);
  for (const h of ['md5', 'sha1', 'sha256']) obs.addHash(getPath(file, h), `${base}.${h}`);
}

function addEvidence(obs: ObservableSet, evidence: JsonRecord, base: string): void {
  switch (evidenceType(evidence)) {
    case 'deviceEvidence':
      obs.add('hostname', getPath(evidence, 'deviceDnsName'), `${base}.deviceDnsName`);
      obs.add('ip', getStrings(evidence, 'ipInterfaces'), `${base}.ipInterfaces`);
      getRecords(evidence, 'loggedOnUsers').forEach((u, i) => obs.add('user', getPath(u, 'accountName'), `${base}.loggedOnUsers[${i}].accountName`));
      break;
    case 'userEvidence':
    case 'mailboxEvidence':
      obs.add('user', getPath(evidence, 'userAccount.accountName'), `${base}.userAccount.accountName`);
      obs.add('email', getPath(evidence, 'userAccount.userPrincipalName'), `${base}.userAccount.userPrincipalName`);
      obs.add('email', getPath(evidence, 'primaryAddress'), `${base}.primaryAddress`);
      break;
    case 'ipEvidence':
      obs.add('ip', getPath(evidence, 'ipAddress'), `${base}.ipAddress`);
      break;
    case 'urlEvidence':
    case 'blobEvidence':
      obs.addUrl(getPath(evidence, 'url'), `${base}.url`);
      break;
    case 'analyzedMessageEvidence':
      obs.add('ip', getPath(evidence, 'senderIp'), `${base}.senderIp`);
      obs.add('email', getPath(evidence, 'recipientEmailAddress'), `${base}.recipientEmailAddress`);
      obs.add('email', getPath(evidence, 'p1Sender.emailAddress'), `${base}.p1Sender.emailAddress`);
      obs.add('email', getPath(evidence, 'p2Sender.emailAddress'), `${base}.p2Sender.emailAddress`);
      break;
    case 'fileEvidence':
      addFileDetails(obs, getRecord(evidence, 'fileDetails'), `${base}.fileDetails`);
      break;
    case 'processEvidence':
      obs.add('command_line', getPath(evidence, 'processCommandLine'), `${base}.processCommandLine`);
      addFileDetails(obs, getRecord(evidence, 'imageFile'), `${base}.imageFile`);
      addFileDetails(obs, getRecord(evidence, 'parentProcessImageFile'), `${base}.parentProcessImageFile`);
      obs.add('user', getPath(evidence, 'userAccount.accountName'), `${base}.userAccount.accountName`);
      break;
    case 'dnsEvidence':
      obs.add('domain', getPath(evidence, 'domainName'), `${base}.domainName`);
      obs.add('ip', getPath(evidence, 'hostIpAddress.ipAddress'), `${base}.hostIpAddress.ipAddress`);
      break;
    case 'networkConnectionEvidence':
      obs.add('ip', getPath(evidence, 'sourceAddress.ipAddress'), `${base}.sourceAddress.ipAddress`);
      obs.add('ip', getPath(evidence, 'destinationAddress.ipAddress'), `${base}.destinationAddress.ipAddress`);
      break;
    case 'nicEvidence':
      obs.add('ip', getPath(evidence, 'ipAddress.ipAddress'), `${base}.ipAddress.ipAddress`);
      break;
    default:
      break;
  }
}

function mapItem(item: unknown, now: number): ItemOutcome {
  if (!isRecord(item)) return invalidAlert('', 'Graph alert must be an object');
  const uid = getString(item, 'id');
  if (uid === undefined) return invalidAlert('id', 'Graph alert id is missing or not a string');
  const evidence = getArray(item, 'evidence');
  if (getPath(item, 'evidence') !== undefined && getPath(item, 'evidence') !== null && evidence === undefined) {
    return invalidAlert('evidence', 'Graph alert evidence must be an array');
  }

  const obs = new ObservableSet();
  const records = (evidence ?? []).filter(isRecord);
  (evidence ?? []).forEach((e, i) => {
    if (isRecord(e)) addEvidence(obs, e, `evidence[${i}]`);
  });
  const device = records.find((e) => evidenceType(e) === 'deviceEvidence');
  const userEvidence = records.find((e) => evidenceType(e) === 'userEvidence');
  const account = getRecord(userEvidence, 'userAccount');

  const attacks = new AttackCollector();
  const category = getString(item, 'category');
  attacks.addUnpaired(category === undefined ? [] : [category], getStrings(item, 'mitreTechniques'));

  const alert = buildFinding({
    uid,
    title: getString(item, 'title') ?? 'Microsoft Graph security alert',
    desc: getString(item, 'description'),
    severity_id: severityFromVendorName(getString(item, 'severity')),
    time: firstTimestamp(getPath(item, 'lastUpdateDateTime'), getPath(item, 'createdDateTime')) ?? now,
    created_time: firstTimestamp(getPath(item, 'createdDateTime')),
    first_seen_time: firstTimestamp(getPath(item, 'firstActivityDateTime')),
    last_seen_time: firstTimestamp(getPath(item, 'lastActivityDateTime')),
    status_id: statusIdFromName(getString(item, 'status')),
    product: productFor(getString(item, 'serviceSource')),
    log_name: 'alerts_v2',
    original_event_uid: getString(item, 'providerAlertId'),
    src_url: getString(item, 'alertWebUrl'),
    types: category === undefined ? undefined : [category],
    analytic: { uid: getString(item, 'detectorId'), name: getString(item, 'title'), type: 'Rule', type_id: 1 },
    attacks: attacks.toArray(),
    device: {
      hostname: getString(device, 'deviceDnsName'),
      uid: getString(device, 'mdeDeviceId', 'azureAdDeviceId'),
      ip: getStrings(device, 'ipInterfaces')[0],
      os: { name: getString(device, 'osPlatform') },
    },
    user: {
      name: getString(account, 'accountName'),
      domain: getString(account, 'domainName'),
      uid: getString(account, 'userSid', 'azureAdUserId'),
      email_addr: getString(account, 'userPrincipalName'),
    },
    observables: obs.toArray(),
    unmapped: {
      incident_id: getString(item, 'incidentId'),
      incident_url: getString(item, 'incidentWebUrl'),
      tenant_id: getString(item, 'tenantId'),
      detection_source: getString(item, 'detectionSource'),
      classification: getString(item, 'classification'),
      determination: getString(item, 'determination'),
    },
  });
  return { alert };
}

export const graphNormalizer: AlertNormalizer = {
  source: 'graph',
  detect(body: unknown): boolean {
    if (Array.isArray(body)) return isGraphAlert(body[0]);
    if (isGraphAlert(body)) return true;
    const list = getArray(body, 'value');
    return list !== undefined && isGraphAlert(list[0]);
  },
  normalize(body: unknown, now: number): NormalizeResult {
    return runNormalizer(body, unwrap, (item) => mapItem(item, now));
  },
};
