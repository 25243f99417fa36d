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
import type { OcsfFile } from '../../common/canonical-alert.js';
import { device, email, endpoint, EvidenceList, file, hashes, networkInterface, os, processOf, query, url, user } from './evidence.js';
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

function fileDetails(details: JsonRecord | undefined, typeId?: number): OcsfFile | undefined {
  if (details === undefined) return undefined;
  const path = getString(details, 'filePath');
  const name = getString(details, 'fileName');
  return file({
    path: path !== undefined && name !== undefined && !path.endsWith(name) ? `${path.replace(/[\\/]$/, '')}\\${name}` : (path ?? name),
    name,
    hashes: hashes(getPath(details, 'md5'), getPath(details, 'sha1'), getPath(details, 'sha256')),
    size: getPath(details, 'fileSize'),
    type_id: typeId,
  });
}

function accountOf(account: JsonRecord | undefined, email?: unknown) {
  return user({
    name: getPath(account, 'accountName'),
    domain: getPath(account, 'domainName'),
    uid: getPath(account, 'userSid') ?? getPath(account, 'azureAdUserId'),
    email_addr: email ?? getPath(account, 'userPrincipalName'),
  });
}

/** Each Graph evidence in its OCSF evidence home, by `@odata.type`. */
function addEvidence(evidences: EvidenceList, evidence: JsonRecord): void {
  switch (evidenceType(evidence)) {
    case 'deviceEvidence': {
      const ips = getStrings(evidence, 'ipInterfaces');
      evidences.add({
        device: device({
          hostname: getPath(evidence, 'deviceDnsName'),
          ip: ips[0],
          uid: getPath(evidence, 'mdeDeviceId') ?? getPath(evidence, 'azureAdDeviceId'),
          os: os(getPath(evidence, 'osPlatform'), getPath(evidence, 'version')),
          network_interfaces: ips.slice(1).map((ip) => networkInterface({ ip })),
        }),
      });
      for (const u of getRecords(evidence, 'loggedOnUsers')) evidences.add({ user: user({ name: getPath(u, 'accountName'), domain: getPath(u, 'domainName') }) });
      break;
    }
    case 'userEvidence':
      evidences.add({ user: accountOf(getRecord(evidence, 'userAccount')) });
      break;
    case 'mailboxEvidence':
      evidences.add({ user: accountOf(getRecord(evidence, 'userAccount'), getPath(evidence, 'primaryAddress')) });
      break;
    case 'ipEvidence':
      // Graph gives no direction: an IP evidence is the far end of the activity.
      evidences.add({ dst_endpoint: endpoint({ ip: getPath(evidence, 'ipAddress') }) });
      break;
    case 'urlEvidence':
    case 'blobEvidence':
      evidences.add({ url: url(getPath(evidence, 'url')) });
      break;
    case 'analyzedMessageEvidence':
      evidences.add({
        src_endpoint: endpoint({ ip: getPath(evidence, 'senderIp') }),
        email: email({
          from: getPath(evidence, 'p2Sender.emailAddress') ?? getPath(evidence, 'p1Sender.emailAddress'),
          smtp_from: getPath(evidence, 'p1Sender.emailAddress'),
          to: getPath(evidence, 'recipientEmailAddress'),
          subject: getPath(evidence, 'subject'),
          uid: getPath(evidence, 'internetMessageId'),
        }),
      });
      break;
    case 'fileEvidence':
      evidences.add({ file: fileDetails(getRecord(evidence, 'fileDetails')) });
      break;
    case 'processEvidence': {
      const parent = processOf({ pid: getPath(evidence, 'parentProcessId'), file: fileDetails(getRecord(evidence, 'parentProcessImageFile'), 8) });
      evidences.add({
        process: processOf({
          pid: getPath(evidence, 'processId'),
          cmd_line: getPath(evidence, 'processCommandLine'),
          file: fileDetails(getRecord(evidence, 'imageFile'), 8),
          user: accountOf(getRecord(evidence, 'userAccount')),
          parent_process: parent,
        }),
      });
      break;
    }
    case 'dnsEvidence':
      evidences.add({ query: query(getPath(evidence, 'domainName')), dst_endpoint: endpoint({ ip: getPath(evidence, 'hostIpAddress.ipAddress') }) });
      break;
    case 'networkConnectionEvidence':
      evidences.add({
        src_endpoint: endpoint({ ip: getPath(evidence, 'sourceAddress.ipAddress'), port: getPath(evidence, 'sourcePort') }),
        dst_endpoint: endpoint({ ip: getPath(evidence, 'destinationAddress.ipAddress'), port: getPath(evidence, 'destinationPort') }),
      });
      break;
    case 'nicEvidence':
      evidences.add({ device: device({ network_interfaces: [networkInterface({ ip: getPath(evidence, 'ipAddress.ipAddress'), name: getPath(evidence, 'nicName') })] }) });
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

  const evidences = new EvidenceList();
  const records = (evidence ?? []).filter(isRecord);
  records.forEach((e) => addEvidence(evidences, e));
  const host = records.find((e) => evidenceType(e) === 'deviceEvidence');
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
    original_time: getPath(item, 'lastUpdateDateTime') ?? getPath(item, 'createdDateTime'),
    device: device({
      hostname: getString(host, 'deviceDnsName'),
      uid: getString(host, 'mdeDeviceId', 'azureAdDeviceId'),
      ip: getStrings(host, 'ipInterfaces')[0],
      os: os(getString(host, 'osPlatform'), getString(host, 'version')),
    }),
    user: accountOf(account),
    evidences,
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
