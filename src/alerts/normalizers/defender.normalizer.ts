/**
 * Microsoft Defender for Endpoint alerts from the endpoint API (`/api/alerts`, expanded with
 * evidence): one alert, `{value: [...]}`, or an array. Every evidence entry carries the full set
 * of keys with nulls for those that do not apply, so each entry is read for all of them
 * whatever its `entityType`. Dedup key: the alert `id`.
 * Severity UnSpecified/Informational/Low/Medium/High.
 */
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import { AttackCollector } from './attack.js';
import { invalidAlert, runNormalizer, unrecognizedItem, type ItemOutcome, type Unwrapped } from './batch.js';
import { buildFinding, statusIdFromName } from './finding.js';
import { getArray, getId, getPath, getRecord, getRecords, getString, getStrings, isRecord } from './field-access.js';
import { isGraphAlert } from './graph.normalizer.js';
import { device, endpoint, EvidenceList, file, hashes, processOf, url, user } from './evidence.js';
import { severityFromVendorName } from './severity.js';
import { firstTimestamp } from './timestamps.js';
import { accountEvidence, accountUser } from './accounts.js';
import { parseAccount } from './observables.js';

const PRODUCT = { name: 'Microsoft Defender for Endpoint', vendor_name: 'Microsoft' };

export function isDefenderAlert(value: unknown): boolean {
  if (!isRecord(value) || typeof getPath(value, 'id') !== 'string' || isGraphAlert(value)) return false;
  return getPath(value, 'alertCreationTime') !== undefined || getPath(value, 'machineId') !== undefined;
}

function unwrap(body: unknown): Unwrapped {
  const list = Array.isArray(body) ? body : isRecord(body) && !isDefenderAlert(body) ? getArray(body, 'value') : undefined;
  if (list !== undefined) {
    return { kind: 'items', items: list.map((value) => (isDefenderAlert(value) ? { value } : { value, error: unrecognizedItem('Not a Defender for Endpoint alert').failure })) };
  }
  if (isDefenderAlert(body)) return { kind: 'items', items: [{ value: body }] };
  return { kind: 'unrecognized', message: 'Body is not a Defender for Endpoint alert or {value: [...]} list' };
}

function mapItem(item: unknown, now: number): ItemOutcome {
  if (!isRecord(item)) return invalidAlert('', 'Defender alert must be an object');
  const uid = getString(item, 'id');
  if (uid === undefined) return invalidAlert('id', 'Defender alert id is missing or not a string');
  const evidenceRaw = getPath(item, 'evidence');
  if (evidenceRaw !== undefined && evidenceRaw !== null && !Array.isArray(evidenceRaw) && !isRecord(evidenceRaw)) {
    return invalidAlert('evidence', 'Defender alert evidence must be an array or an object');
  }

  // Every MDE evidence entry has every key (nulls where they do not apply): read each for all of them.
  const evidences = new EvidenceList();
  // One entry may come as an object rather than a one-element list.
  for (const e of getRecord(item, 'evidence') !== undefined ? [getRecord(item, 'evidence') ?? {}] : getRecords(item, 'evidence')) {
    const path = getString(e, 'filePath');
    const name = getString(e, 'fileName');
    const image = file({
      path: path !== undefined && name !== undefined && !path.endsWith(name) ? `${path.replace(/[\\/]$/, '')}\\${name}` : (path ?? name),
      name,
      hashes: hashes(getPath(e, 'sha256'), getPath(e, 'sha1'), getPath(e, 'md5')),
      type_id: getPath(e, 'processId') !== undefined && getPath(e, 'processId') !== null ? 8 : undefined,
    });
    // A machine account (`WS-0142$`) is the host acting, not a person: it is added as a device evidence below.
    const machine = parseAccount(getPath(e, 'accountName'))?.machine === true;
    const account = machine
      ? undefined
      : user({
          name: getPath(e, 'accountName'),
          domain: getPath(e, 'domainName'),
          uid: getPath(e, 'userSid') ?? getPath(e, 'aadUserId'),
          email_addr: getPath(e, 'userPrincipalName'),
        });
    if (machine) {
      const host = accountEvidence(getPath(e, 'accountName'), getPath(e, 'domainName'));
      if (host !== undefined) evidences.add(host);
    }
    const upn = accountUser(getPath(e, 'userPrincipalName'));
    if (upn !== undefined && account !== undefined) evidences.add({ user: upn });
    const parentPath = getString(e, 'parentProcessFilePath');
    const parentName = getString(e, 'parentProcessFileName');
    const parent = processOf({
      pid: getPath(e, 'parentProcessId'),
      file: file({
        path:
          parentPath !== undefined && parentName !== undefined && !parentPath.endsWith(parentName)
            ? `${parentPath.replace(/[\\/]$/, '')}\\${parentName}`
            : (parentPath ?? parentName),
        name: parentName,
        type_id: 8,
      }),
      created_time: firstTimestamp(getPath(e, 'parentProcessCreationTime')),
    });
    const proc = processOf({
      pid: getPath(e, 'processId'),
      cmd_line: getPath(e, 'processCommandLine'),
      file: image,
      parent_process: parent,
      created_time: firstTimestamp(getPath(e, 'processCreationTime')),
    });
    evidences.add({
      ...(proc !== undefined && (proc.pid !== undefined || proc.cmd_line !== undefined) ? { process: proc } : { file: image }),
      user: account,
      dst_endpoint: endpoint({ ip: getPath(e, 'ipAddress') }),
      url: url(getPath(e, 'url')),
    });
  }
  for (const u of getRecords(item, 'loggedOnUsers')) {
    const e = accountEvidence(getPath(u, 'accountName'), getPath(u, 'domainName'));
    if (e !== undefined) evidences.add(e);
  }

  const attacks = new AttackCollector();
  const category = getString(item, 'category');
  attacks.addUnpaired(category === undefined ? [] : [category], getStrings(item, 'mitreTechniques'));
  const related = getRecord(item, 'relatedUser');

  const alert = buildFinding({
    uid,
    title: getString(item, 'title') ?? 'Defender for Endpoint alert',
    desc: getString(item, 'description'),
    severity_id: severityFromVendorName(getString(item, 'severity')),
    time: firstTimestamp(getPath(item, 'lastUpdateTime'), getPath(item, 'alertCreationTime')) ?? now,
    created_time: firstTimestamp(getPath(item, 'alertCreationTime')),
    first_seen_time: firstTimestamp(getPath(item, 'firstEventTime')),
    last_seen_time: firstTimestamp(getPath(item, 'lastEventTime')),
    status_id: statusIdFromName(getString(item, 'status')),
    product: PRODUCT,
    log_name: 'alerts',
    types: category === undefined ? undefined : [category],
    analytic: { uid: getString(item, 'detectorId'), name: getString(item, 'title'), type: 'Rule', type_id: 1 },
    attacks: attacks.toArray(),
    original_time: getPath(item, 'lastUpdateTime') ?? getPath(item, 'alertCreationTime'),
    device: device({ hostname: getString(item, 'computerDnsName'), uid: getString(item, 'machineId') }),
    user: user({ name: getString(related, 'userName'), domain: getString(related, 'domainName') }),
    evidences,
    unmapped: {
      incident_id: getId(item, 'incidentId'),
      investigation_id: getId(item, 'investigationId'),
      detection_source: getString(item, 'detectionSource'),
      rbac_group: getString(item, 'rbacGroupName'),
      tenant_id: getString(item, 'aadTenantId'),
      threat_name: getString(item, 'threatName'),
      threat_family: getString(item, 'threatFamilyName'),
    },
  });
  return { alert };
}

export const defenderNormalizer: AlertNormalizer = {
  source: 'defender',
  detect(body: unknown): boolean {
    if (Array.isArray(body)) return isDefenderAlert(body[0]);
    if (isDefenderAlert(body)) return true;
    const list = getArray(body, 'value');
    return list !== undefined && isDefenderAlert(list[0]);
  },
  normalize(body: unknown, now: number): NormalizeResult {
    return runNormalizer(body, unwrap, (item) => mapItem(item, now));
  },
};
