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
import { getArray, getId, getPath, getRecord, getRecords, getString, getStrings, isRecord, type JsonRecord } from './field-access.js';
import { isGraphAlert } from './graph.normalizer.js';
import { ObservableSet } from './observables.js';
import { severityFromVendorName } from './severity.js';
import { firstTimestamp } from './timestamps.js';

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

/** Evidence entries with their paths: an array, or one entry sent as an object (`evidence`, not `evidence[0]`). */
function evidenceOf(item: JsonRecord): Array<{ e: JsonRecord; base: string }> {
  const single = getRecord(item, 'evidence');
  if (single !== undefined) return [{ e: single, base: 'evidence' }];
  return getRecords(item, 'evidence').map((e, i) => ({ e, base: `evidence[${i}]` }));
}

/**
 * Command lines (with their executable), accounts with their domain, UPNs: what an entry names beyond
 * the per-field reads below. MDE's `filePath` is the folder of `fileName`, so it adds no file name.
 */
function addEvidencePaths(obs: ObservableSet, e: JsonRecord, base: string): void {
  obs.addCommandLine(getPath(e, 'processCommandLine'), `${base}.processCommandLine`);
  obs.addAccount(getPath(e, 'accountName'), `${base}.accountName`, getString(e, 'domainName'));
  obs.add('user', getPath(e, 'userPrincipalName'), `${base}.userPrincipalName`);
}

function mapItem(item: unknown, now: number): ItemOutcome {
  if (!isRecord(item)) return invalidAlert('', 'Defender alert must be an object');
  const uid = getString(item, 'id');
  if (uid === undefined) return invalidAlert('id', 'Defender alert id is missing or not a string');
  const evidenceRaw = getPath(item, 'evidence');
  if (evidenceRaw !== undefined && evidenceRaw !== null && !Array.isArray(evidenceRaw) && !isRecord(evidenceRaw)) {
    return invalidAlert('evidence', 'Defender alert evidence must be an array or an object');
  }

  const obs = new ObservableSet();
  obs.add('hostname', getPath(item, 'computerDnsName'), 'computerDnsName');
  evidenceOf(item).forEach(({ e, base }) => {
    obs.add('ip', getPath(e, 'ipAddress'), `${base}.ipAddress`);
    obs.addUrl(getPath(e, 'url'), `${base}.url`);
    obs.addHash(getPath(e, 'sha1'), `${base}.sha1`);
    obs.addHash(getPath(e, 'sha256'), `${base}.sha256`);
    obs.addHash(getPath(e, 'md5'), `${base}.md5`);
    obs.add('file_name', getPath(e, 'fileName'), `${base}.fileName`);
    obs.add('command_line', getPath(e, 'processCommandLine'), `${base}.processCommandLine`);
    obs.add('file_name', getPath(e, 'parentProcessFileName'), `${base}.parentProcessFileName`);
    obs.add('email', getPath(e, 'userPrincipalName'), `${base}.userPrincipalName`);
    addEvidencePaths(obs, e, base);
  });
  getRecords(item, 'loggedOnUsers').forEach((u, i) => obs.addAccount(getPath(u, 'accountName'), `loggedOnUsers[${i}].accountName`, getString(u, 'domainName')));

  const attacks = new AttackCollector();
  const category = getString(item, 'category');
  attacks.addUnpaired(category === undefined ? [] : [category], getStrings(item, 'mitreTechniques'));
  const user = getRecord(item, 'relatedUser');

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
    device: { hostname: getString(item, 'computerDnsName'), uid: getString(item, 'machineId') },
    user: { name: getString(user, 'userName'), domain: getString(user, 'domainName') },
    observables: obs.toArray(),
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
