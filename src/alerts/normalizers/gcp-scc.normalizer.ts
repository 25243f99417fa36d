/**
 * Google Security Command Center findings: the notification `{notificationConfigName, finding,
 * resource}` (already decoded), the Pub/Sub push envelope `{message: {data: <base64 of the
 * notification>, messageId, publishTime, attributes}, subscription}`, or a bare finding; arrays
 * of these too. Dedup key: the finding `name`. Severity LOW/MEDIUM/HIGH/CRITICAL or
 * SEVERITY_UNSPECIFIED. ATT&CK comes as enum names (`COMMAND_AND_CONTROL`, `INGRESS_TOOL_TRANSFER`);
 * a technique enum Vigil does not know is kept as a `gcp-scc:<NAME>` label.
 */
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import { AttackCollector, isTechniqueId } from './attack.js';
import { invalidAlert, runNormalizer, unrecognizedItem, type BatchItem, type ItemOutcome, type Unwrapped } from './batch.js';
import { buildFinding, STATUS } from './finding.js';
import { getPath, getRecord, getRecords, getString, getStrings, isRecord, type JsonRecord } from './field-access.js';
import { accountOf, DEVICE_TYPE, device, endpoint, EvidenceList, file, hashes, processOf, resource as resourceOf, url } from './evidence.js';
import { severityFromVendorName } from './severity.js';
import { firstTimestamp } from './timestamps.js';
import { principalUser } from './accounts.js';
import type { OcsfEvidence, OcsfResource } from '../../common/canonical-alert.js';
import { parseJsonSafely } from '../../common/http/payload-guard.js';

const PRODUCT = { name: 'Security Command Center', vendor_name: 'Google Cloud' };

/** SCC's MitreAttack.Technique enum (v1 and v2 APIs) to ATT&CK ids. */
export const SCC_TECHNIQUES: Readonly<Record<string, string>> = {
  MASQUERADING: 'T1036',
  MATCH_LEGITIMATE_NAME_OR_LOCATION: 'T1036.005',
  BOOT_OR_LOGON_INITIALIZATION_SCRIPTS: 'T1037',
  STARTUP_ITEMS: 'T1037.005',
  NETWORK_SERVICE_DISCOVERY: 'T1046',
  PROCESS_DISCOVERY: 'T1057',
  COMMAND_AND_SCRIPTING_INTERPRETER: 'T1059',
  UNIX_SHELL: 'T1059.004',
  PYTHON: 'T1059.006',
  EXPLOITATION_FOR_PRIVILEGE_ESCALATION: 'T1068',
  PERMISSION_GROUPS_DISCOVERY: 'T1069',
  CLOUD_GROUPS: 'T1069.003',
  INDICATOR_REMOVAL_FILE_DELETION: 'T1070.004',
  APPLICATION_LAYER_PROTOCOL: 'T1071',
  DNS: 'T1071.004',
  SOFTWARE_DEPLOYMENT_TOOLS: 'T1072',
  VALID_ACCOUNTS: 'T1078',
  DEFAULT_ACCOUNTS: 'T1078.001',
  LOCAL_ACCOUNTS: 'T1078.003',
  CLOUD_ACCOUNTS: 'T1078.004',
  PROXY: 'T1090',
  EXTERNAL_PROXY: 'T1090.002',
  MULTI_HOP_PROXY: 'T1090.003',
  ACCOUNT_MANIPULATION: 'T1098',
  ADDITIONAL_CLOUD_CREDENTIALS: 'T1098.001',
  ADDITIONAL_CLOUD_ROLES: 'T1098.003',
  SSH_AUTHORIZED_KEYS: 'T1098.004',
  ADDITIONAL_CONTAINER_CLUSTER_ROLES: 'T1098.006',
  INGRESS_TOOL_TRANSFER: 'T1105',
  NATIVE_API: 'T1106',
  BRUTE_FORCE: 'T1110',
  SHARED_MODULES: 'T1129',
  ACCESS_TOKEN_MANIPULATION: 'T1134',
  TOKEN_IMPERSONATION_OR_THEFT: 'T1134.001',
  EXPLOIT_PUBLIC_FACING_APPLICATION: 'T1190',
  DOMAIN_POLICY_MODIFICATION: 'T1484',
  DATA_DESTRUCTION: 'T1485',
  SERVICE_STOP: 'T1489',
  INHIBIT_SYSTEM_RECOVERY: 'T1490',
  RESOURCE_HIJACKING: 'T1496',
  NETWORK_DENIAL_OF_SERVICE: 'T1498',
  CLOUD_SERVICE_DISCOVERY: 'T1526',
  STEAL_APPLICATION_ACCESS_TOKEN: 'T1528',
  ACCOUNT_ACCESS_REMOVAL: 'T1531',
  STEAL_WEB_SESSION_COOKIE: 'T1539',
  CREATE_OR_MODIFY_SYSTEM_PROCESS: 'T1543',
  ABUSE_ELEVATION_CONTROL_MECHANISM: 'T1548',
  UNSECURED_CREDENTIALS: 'T1552',
  MODIFY_AUTHENTICATION_PROCESS: 'T1556',
  IMPAIR_DEFENSES: 'T1562',
  DISABLE_OR_MODIFY_TOOLS: 'T1562.001',
  EXFILTRATION_OVER_WEB_SERVICE: 'T1567',
  EXFILTRATION_TO_CLOUD_STORAGE: 'T1567.002',
  DYNAMIC_RESOLUTION: 'T1568',
  LATERAL_TOOL_TRANSFER: 'T1570',
  MODIFY_CLOUD_COMPUTE_INFRASTRUCTURE: 'T1578',
  CREATE_SNAPSHOT: 'T1578.001',
  CLOUD_INFRASTRUCTURE_DISCOVERY: 'T1580',
  OBTAIN_CAPABILITIES: 'T1588',
  ACTIVE_SCANNING: 'T1595',
  SCANNING_IP_BLOCKS: 'T1595.001',
  CONTAINER_ADMINISTRATION_COMMAND: 'T1609',
  ESCAPE_TO_HOST: 'T1611',
  CONTAINER_AND_RESOURCE_DISCOVERY: 'T1613',
};

function isFinding(value: unknown): boolean {
  return isRecord(value) && /\/findings\/[^/]+$/.test(getString(value, 'name') ?? '') && (getPath(value, 'category') !== undefined || getPath(value, 'state') !== undefined);
}

function isNotification(value: unknown): boolean {
  return isRecord(value) && isRecord(getPath(value, 'finding')) && (getPath(value, 'notificationConfigName') !== undefined || isFinding(getPath(value, 'finding')));
}

function isPush(value: unknown): boolean {
  return isRecord(value) && isRecord(getPath(value, 'message')) && getPath(value, 'message.data') !== undefined;
}

/** Decodes a Pub/Sub push; the decoded notification becomes the item, its messageId is remembered. */
function decodePush(value: unknown, pushIds: WeakMap<object, string>): BatchItem {
  const data = getPath(value, 'message.data');
  const text = typeof data === 'string' ? data.replace(/\s+/g, '') : '';
  if (text === '' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) {
    return { value, error: invalidAlert('message.data', 'Pub/Sub message.data is not base64 text').failure };
  }
  const parsed = parseJsonSafely(Buffer.from(text, 'base64').toString('utf8'));
  if (!parsed.ok)
    return { value, error: invalidAlert('message.data', `Pub/Sub message.data is not acceptable JSON: ${parsed.error.message}`, { reason: parsed.error.code }).failure };
  if (!isNotification(parsed.value) && !isFinding(parsed.value)) {
    return { value: parsed.value, error: unrecognizedItem('Pub/Sub message.data is not a Security Command Center notification').failure };
  }
  const messageId = getString(value, 'message.messageId', 'message.message_id');
  if (messageId !== undefined && isRecord(parsed.value)) pushIds.set(parsed.value, messageId);
  return { value: parsed.value };
}

function unwrapWith(pushIds: WeakMap<object, string>) {
  const one = (value: unknown): BatchItem | undefined => {
    if (isPush(value)) return decodePush(value, pushIds);
    if (isNotification(value) || isFinding(value)) return { value };
    return undefined;
  };
  return (body: unknown): Unwrapped => {
    if (Array.isArray(body)) {
      return { kind: 'items', items: body.map((v) => one(v) ?? { value: v, error: unrecognizedItem('Not a Security Command Center notification').failure }) };
    }
    const item = one(body);
    return item === undefined ? { kind: 'unrecognized', message: 'Body is not a Security Command Center notification, finding or Pub/Sub push' } : { kind: 'items', items: [item] };
  };
}

function addMitre(finding: JsonRecord, attacks: AttackCollector, labels: string[]): void {
  const mitre = getRecord(finding, 'mitreAttack');
  if (mitre === undefined) return;
  const technique = (name: string): string | undefined => {
    const key = name.toUpperCase();
    const id = isTechniqueId(name) ? name : Object.hasOwn(SCC_TECHNIQUES, key) ? SCC_TECHNIQUES[key] : undefined;
    if (id === undefined && key !== 'TECHNIQUE_UNSPECIFIED') labels.push(`gcp-scc:${name}`);
    return id;
  };
  const primaryTactic = getString(mitre, 'primaryTactic');
  const primary = getStrings(mitre, 'primaryTechniques')
    .map(technique)
    .filter((t): t is string => t !== undefined);
  if (primary.length === 0 && primaryTactic !== undefined) attacks.add({ tactic: primaryTactic });
  for (const t of primary) attacks.add({ tactic: primaryTactic, technique: t });
  for (const t of getStrings(mitre, 'additionalTactics')) attacks.add({ tactic: t });
  for (const name of getStrings(mitre, 'additionalTechniques')) {
    const id = technique(name);
    if (id !== undefined) attacks.add({ technique: id });
  }
}

/**
 * The other principals a finding names: the chain of a delegated call
 * (`access.serviceAccountDelegationInfo[]`), members added by IAM bindings (`user:`, `serviceAccount:`),
 * and the key a service account authenticated with.
 */
function addPrincipals(evidences: EvidenceList, finding: JsonRecord): void {
  for (const d of getRecords(finding, 'access.serviceAccountDelegationInfo')) evidences.add({ user: principalUser(getPath(d, 'principalEmail'), getPath(d, 'principalSubject')) });
  for (const b of getRecords(finding, 'iamBindings')) evidences.add({ user: principalUser(getPath(b, 'member')) });
  const key = getString(finding, 'access.serviceAccountKeyName');
  if (key !== undefined) evidences.add({ resources: [resourceOf({ uid: key, type: 'Service account key' })] } as OcsfEvidence);
}

/** Container Threat Detection's workloads: the containers (by image) and the Kubernetes pods and nodes. */
function workloadResources(finding: JsonRecord): Array<OcsfResource | undefined> {
  return [
    ...getRecords(finding, 'containers').map((c) => resourceOf({ uid: getPath(c, 'imageId') ?? getPath(c, 'uri'), name: getPath(c, 'name'), type: 'Container' })),
    ...getRecords(finding, 'kubernetes.pods').map((p) =>
      resourceOf({ uid: `${getString(p, 'ns') ?? 'default'}/${getString(p, 'name') ?? ''}`, name: getPath(p, 'name'), type: 'Kubernetes Pod' }),
    ),
    ...getRecords(finding, 'kubernetes.nodes').map((n) => resourceOf({ name: getPath(n, 'name'), type: 'Kubernetes Node' })),
  ];
}

function mapItem(item: unknown, pushIds: WeakMap<object, string>, now: number): ItemOutcome {
  if (!isRecord(item)) return invalidAlert('', 'SCC notification must be an object');
  const wrapped = isNotification(item);
  const finding = wrapped ? getRecord(item, 'finding') : item;
  if (finding === undefined) return invalidAlert('finding', 'SCC notification has no finding');
  const prefix = wrapped ? 'finding.' : '';
  const uid = getString(finding, 'name');
  if (uid === undefined) return invalidAlert(`${prefix}name`, 'SCC finding name is missing or not a string');
  const gcpResource = getRecord(item, 'resource');

  const evidences = new EvidenceList();
  for (const ip of getStrings(finding, 'indicator.ipAddresses')) evidences.add({ dst_endpoint: endpoint({ ip }) });
  for (const domain of getStrings(finding, 'indicator.domains')) evidences.add({ dst_endpoint: endpoint({ domain }) });
  for (const uri of getStrings(finding, 'indicator.uris')) evidences.add({ url: url(uri) });
  for (const c of getRecords(finding, 'connections')) {
    evidences.add({
      src_endpoint: endpoint({ ip: getPath(c, 'sourceIp'), port: getPath(c, 'sourcePort') }),
      dst_endpoint: endpoint({ ip: getPath(c, 'destinationIp'), port: getPath(c, 'destinationPort') }),
    });
  }
  evidences.add({
    src_endpoint: endpoint({ ip: getPath(finding, 'access.callerIp') }),
    user: principalUser(getPath(finding, 'access.principalEmail'), getPath(finding, 'access.principalSubject')),
  });
  addPrincipals(evidences, finding);
  for (const f of getRecords(finding, 'files')) evidences.add({ file: file({ path: getPath(f, 'path'), hashes: hashes(getPath(f, 'sha256')), size: getPath(f, 'size') }) });
  for (const p of getRecords(finding, 'processes')) {
    const args = getStrings(p, 'args');
    const image = file({ path: getPath(p, 'binary.path'), hashes: hashes(getPath(p, 'binary.sha256')), size: getPath(p, 'binary.size'), type_id: 8 });
    evidences.add({
      process: processOf({
        pid: getPath(p, 'pid'),
        name: getPath(p, 'name'),
        cmd_line: args.length > 0 ? args.join(' ') : undefined,
        file: image,
        parent_process: processOf({ pid: getPath(p, 'parentPid') }),
      }),
    });
  }

  const version = getString(finding, 'mitreAttack.version');
  const attacks = new AttackCollector(version === undefined ? undefined : `v${version.replace(/^v/i, '')}`);
  const labels: string[] = [];
  addMitre(finding, attacks, labels);

  const state = (getString(finding, 'state') ?? '').toUpperCase();
  const muted = (getString(finding, 'mute') ?? '').toUpperCase() === 'MUTED';
  const status = muted ? STATUS.suppressed : state === 'INACTIVE' ? STATUS.resolved : state === 'ACTIVE' ? STATUS.new : undefined;
  const resourceName = getString(finding, 'resourceName') ?? getString(gcpResource, 'name');
  const isInstance = resourceName !== undefined && /\/instances\/[^/]+$/.test(resourceName);
  const displayName = getString(gcpResource, 'displayName', 'resourceDisplayName');
  const principal = principalUser(getPath(finding, 'access.principalEmail'), getPath(finding, 'access.principalSubject'));

  const alert = buildFinding({
    uid,
    title: getString(finding, 'category') ?? 'Security Command Center finding',
    desc: getString(finding, 'description'),
    severity_id: severityFromVendorName(getString(finding, 'severity')),
    time: firstTimestamp(getPath(finding, 'eventTime'), getPath(finding, 'createTime')) ?? now,
    created_time: firstTimestamp(getPath(finding, 'createTime')),
    status_id: status,
    product: PRODUCT,
    log_name: 'findings',
    original_event_uid: pushIds.get(item),
    src_url: getString(finding, 'externalUri'),
    types: getStrings(finding, 'findingClass'),
    analytic: { name: getString(finding, 'category'), uid: getString(finding, 'parent'), type: 'Rule', type_id: 1 },
    attacks: attacks.toArray(),
    labels,
    original_time: getPath(finding, 'eventTime') ?? getPath(finding, 'createTime'),
    device: isInstance
      ? device({ uid: resourceName, instance_uid: resourceName.split('/').pop(), name: displayName, hostname: displayName, type_id: DEVICE_TYPE.virtual })
      : undefined,
    user: principal,
    cloud: {
      provider: 'GCP',
      project_uid: getString(gcpResource, 'project')?.replace(/^\/\/cloudresourcemanager\.googleapis\.com\//, ''),
      account: accountOf(getString(gcpResource, 'projectDisplayName'), 11, 'GCP Project'),
    },
    evidences,
    resources: [
      resourceOf({ uid: resourceName, name: displayName, type: getString(gcpResource, 'type'), region: getString(gcpResource, 'location') }),
      ...workloadResources(finding),
    ],
    unmapped: {
      notification_config: getString(item, 'notificationConfigName'),
      resource_name: resourceName,
      resource_type: getString(gcpResource, 'type'),
      project: getString(gcpResource, 'projectDisplayName'),
      canonical_name: getString(finding, 'canonicalName'),
      state: state === '' ? undefined : state,
    },
  });
  return { alert };
}

export const gcpSccNormalizer: AlertNormalizer = {
  source: 'gcp-scc',
  detect(body: unknown): boolean {
    const first = Array.isArray(body) ? body[0] : body;
    if (isNotification(first) || isFinding(first)) return true;
    if (!isPush(first)) return false;
    // A push is only SCC's if its payload is: other Pub/Sub topics may share the endpoint.
    const decoded = decodePush(first, new WeakMap());
    return decoded.error === undefined;
  },
  normalize(body: unknown, now: number): NormalizeResult {
    const pushIds = new WeakMap<object, string>();
    return runNormalizer(body, unwrapWith(pushIds), (item) => mapItem(item, pushIds, now));
  },
};
