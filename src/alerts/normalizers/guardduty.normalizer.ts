/**
 * Amazon GuardDuty findings, as delivered to Vigil by:
 * - EventBridge (API destination or a rule target): `{source: "aws.guardduty", detail-type, detail: finding}`;
 * - SNS HTTP(S) subscription: `{Type: "Notification", Message: "<EventBridge event as JSON text>"}`,
 *   preceded by a `SubscriptionConfirmation` (and ended by an `UnsubscribeConfirmation`) that is
 *   acknowledged with its SubscribeURL, creating no alert;
 * - the finding itself, or `{findings: [...]}` as returned by GetFindings.
 * Arrays of any of these are accepted. Dedup key: the finding `id`. GuardDuty re-sends a finding
 * with a higher `service.count` as it recurs; that counter is exposed as `unmapped.count`.
 */
import type { AlertNormalizer, NormalizeResult } from './normalizer.js';
import { AttackCollector } from './attack.js';
import { invalidAlert, runNormalizer, unrecognizedItem, type BatchItem, type ItemOutcome, type Unwrapped } from './batch.js';
import { buildFinding, STATUS } from './finding.js';
import { getArray, getId, getNumber, getPath, getRecord, getRecords, getString, getStrings, isRecord, type JsonRecord } from './field-access.js';
import type { OcsfEvidence, OcsfProcess, OcsfResource, OcsfUser } from '../../common/canonical-alert.js';
import { DEVICE_TYPE, device, endpoint, EvidenceList, file, accountOf, hashes, networkInterface, os, processOf, prune, query, resource as resourceOf, user } from './evidence.js';
import { severityFromGuardDuty } from './severity.js';
import { firstTimestamp } from './timestamps.js';
import { parseJsonSafely } from '../../common/http/payload-guard.js';

const PRODUCT = { name: 'GuardDuty', vendor_name: 'AWS' };

function isEventBridgeEvent(value: unknown): boolean {
  return isRecord(value) && getString(value, 'source') === 'aws.guardduty' && isRecord(getPath(value, 'detail'));
}

function isFinding(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const arn = getString(value, 'arn') ?? '';
  return (
    typeof getPath(value, 'id') === 'string' &&
    typeof getPath(value, 'type') === 'string' &&
    (arn.startsWith('arn:aws:guardduty:') || getPath(value, 'schemaVersion') !== undefined)
  );
}

function snsType(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const type = getString(value, 'Type');
  return type !== undefined && (getString(value, 'TopicArn') !== undefined || getString(value, 'Message') !== undefined) ? type : undefined;
}

function findingsList(value: unknown): unknown[] | undefined {
  return isRecord(value) ? getArray(value, 'findings', 'Findings') : undefined;
}

/** The items inside one element (event, finding, SNS notification or findings list). */
function unwrapOne(value: unknown): BatchItem[] | undefined {
  if (isEventBridgeEvent(value) || isFinding(value)) return [{ value }];
  const list = findingsList(value);
  if (list !== undefined) return list.map((v) => ({ value: v }));
  if (snsType(value) === 'Notification') {
    const message = getPath(value, 'Message');
    if (typeof message !== 'string') return [{ value, error: invalidAlert('Message', 'SNS notification has no Message text').failure }];
    const parsed = parseJsonSafely(message);
    if (!parsed.ok) {
      return [{ value, error: invalidAlert('Message', `SNS Message is not acceptable JSON: ${parsed.error.message}`, { reason: parsed.error.code }).failure }];
    }
    return unwrapOne(parsed.value) ?? [{ value: parsed.value, error: unrecognizedItem('SNS Message is not a GuardDuty finding event').failure }];
  }
  return undefined;
}

function unwrap(body: unknown): Unwrapped {
  const type = snsType(body);
  if (type === 'SubscriptionConfirmation' || type === 'UnsubscribeConfirmation') {
    const subscribeUrl = getString(body, 'SubscribeURL');
    return {
      kind: 'ack',
      acknowledgement: {
        kind: type === 'SubscriptionConfirmation' ? 'sns_subscription_confirmation' : 'sns_unsubscribe_confirmation',
        message:
          type === 'SubscriptionConfirmation'
            ? 'SNS asks to confirm the subscription: visit SubscribeURL (after verifying the message signature) to start receiving GuardDuty findings'
            : 'SNS reports the subscription was removed; visiting SubscribeURL would subscribe again',
        details: { SubscribeURL: subscribeUrl, TopicArn: getString(body, 'TopicArn'), MessageId: getString(body, 'MessageId') },
      },
    };
  }
  if (Array.isArray(body)) {
    return {
      kind: 'items',
      items: body.flatMap((v) => unwrapOne(v) ?? [{ value: v, error: unrecognizedItem('Not a GuardDuty finding, EventBridge event or SNS notification').failure }]),
    };
  }
  const items = unwrapOne(body);
  if (items !== undefined) return { kind: 'items', items };
  if (type !== undefined) return { kind: 'unrecognized', message: `SNS message type "${type}" is not handled` };
  return { kind: 'unrecognized', message: 'Body is not a GuardDuty finding, EventBridge event or SNS delivery' };
}

/** The IAM principal of an `AccessKey` (or any) finding: user name, principal id, and the access key as its credential. */
function accessKeyUser(resource: JsonRecord): OcsfUser | undefined {
  const base = user({ name: getString(resource, 'accessKeyDetails.userName'), uid: getString(resource, 'accessKeyDetails.principalId') });
  const key = getString(resource, 'accessKeyDetails.accessKeyId');
  if (base === undefined && key === undefined) return undefined;
  const userType = getString(resource, 'accessKeyDetails.userType');
  return prune({
    ...base,
    credential_uid: key,
    type: userType === undefined ? undefined : userType === 'Root' ? 'Admin' : 'User',
    type_id: userType === undefined ? undefined : userType === 'Root' ? 2 : 1,
  });
}

/**
 * The resources of each documented resource type beside the EC2 instance: S3 buckets, EKS and ECS
 * clusters (with the ECS task and its containers), the Kubernetes workload, a container, a Lambda
 * function and its role, an RDS instance, the instance profile: each by its ARN or id.
 */
function resourcesOfType(resource: JsonRecord, region: string | undefined): Array<OcsfResource | undefined> {
  const r = (uid: unknown, name: unknown, type: string) => (typeof uid === 'string' || typeof name === 'string' ? resourceOf({ uid, name, type, region }) : undefined);
  return [
    ...getRecords(resource, 's3BucketDetails').map((b) => r(getPath(b, 'arn'), getPath(b, 'name'), 'AWS::S3::Bucket')),
    r(getPath(resource, 'eksClusterDetails.arn'), getPath(resource, 'eksClusterDetails.name'), 'AWS::EKS::Cluster'),
    r(getPath(resource, 'ecsClusterDetails.arn'), getPath(resource, 'ecsClusterDetails.name'), 'AWS::ECS::Cluster'),
    r(getPath(resource, 'ecsClusterDetails.taskDetails.arn'), getPath(resource, 'ecsClusterDetails.taskDetails.definitionArn'), 'AWS::ECS::Task'),
    ...getRecords(resource, 'ecsClusterDetails.taskDetails.containers').map((c) => r(getPath(c, 'image'), getPath(c, 'name'), 'Container')),
    r(getPath(resource, 'kubernetesDetails.kubernetesWorkloadDetails.uid'), getPath(resource, 'kubernetesDetails.kubernetesWorkloadDetails.name'), 'Kubernetes workload'),
    r(getPath(resource, 'containerDetails.id') ?? getPath(resource, 'containerDetails.image'), getPath(resource, 'containerDetails.name'), 'Container'),
    r(getPath(resource, 'lambdaDetails.functionArn'), getPath(resource, 'lambdaDetails.functionName'), 'AWS::Lambda::Function'),
    r(getPath(resource, 'lambdaDetails.role'), undefined, 'AWS::IAM::Role'),
    r(getPath(resource, 'rdsDbInstanceDetails.dbInstanceArn'), getPath(resource, 'rdsDbInstanceDetails.dbInstanceIdentifier'), 'AWS::RDS::DBInstance'),
    r(getPath(resource, 'instanceDetails.iamInstanceProfile.arn'), undefined, 'AWS::IAM::InstanceProfile'),
  ];
}

/** Runtime Monitoring lineage (nearest ancestor first) as the process's parent chain. */
function runtimeLineage(lineage: JsonRecord[]): OcsfProcess | undefined {
  return lineage.reduceRight<OcsfProcess | undefined>(
    (parent, p) =>
      processOf({
        pid: getPath(p, 'pid'),
        uid: getPath(p, 'uuid'),
        name: getPath(p, 'name'),
        file: file({ path: getPath(p, 'executablePath'), type_id: 8 }),
        parent_process: parent,
      }),
    undefined,
  );
}

/** The process that wrote or modified what ran (`runtimeDetails.context.modifyingProcess`), and the target process. */
function addRuntimeContext(evidences: EvidenceList, service: JsonRecord): void {
  for (const key of ['modifyingProcess', 'targetProcess']) {
    const p = getRecord(service, `runtimeDetails.context.${key}`);
    if (p === undefined) continue;
    evidences.add({
      process: processOf({ pid: getPath(p, 'pid'), uid: getPath(p, 'uuid'), name: getPath(p, 'name'), file: file({ path: getPath(p, 'executablePath'), type_id: 8 }) }),
    });
  }
}

function mapItem(item: unknown, now: number): ItemOutcome {
  const wrapped = isEventBridgeEvent(item);
  const prefix = wrapped ? 'detail.' : '';
  const detail = wrapped ? getRecord(item, 'detail') : isRecord(item) ? item : undefined;
  if (detail === undefined) return invalidAlert('', 'Not a GuardDuty finding');

  const uid = getString(detail, 'id');
  if (uid === undefined) return invalidAlert(`${prefix}id`, 'GuardDuty finding id is missing or not a string');
  const rawSeverity = getPath(detail, 'severity');
  const severityValue = getNumber(detail, 'severity');
  if (rawSeverity !== undefined && severityValue === undefined) return invalidAlert(`${prefix}severity`, 'GuardDuty severity must be a number');

  const findingType = getString(detail, 'type');
  const service = getRecord(detail, 'service') ?? {};
  const action = getRecord(service, 'action') ?? {};
  const resource = getRecord(detail, 'resource') ?? {};
  // GuardDuty's generated samples, once archived, are test data an operator has dismissed.
  if (getPath(service, 'additionalInfo.sample') === true && getPath(service, 'archived') === true) return { skip: 'GuardDuty sample finding, archived' };
  const instance = getRecord(resource, 'instanceDetails');
  const nics = getRecords(instance, 'networkInterfaces');
  const nic = nics[0];

  const evidences = new EvidenceList();
  const local = (port: unknown) => endpoint({ ip: getPath(nic, 'privateIpAddress'), hostname: getPath(nic, 'privateDnsName'), port });
  const remote = (details: unknown, port: unknown) =>
    endpoint({
      ip: getPath(details, 'ipAddressV4') ?? getPath(details, 'ipAddressV6'),
      port,
      asn: getPath(details, 'organization.asn'),
      as_name: getPath(details, 'organization.asnOrg'),
      isp: getPath(details, 'organization.isp'),
    });
  const conn = getRecord(action, 'networkConnectionAction');
  if (conn !== undefined) {
    const there = remote(getPath(conn, 'remoteIpDetails'), getPath(conn, 'remotePortDetails.port'));
    const here = endpoint({ ip: getPath(conn, 'localIpDetails.ipAddressV4'), port: getPath(conn, 'localPortDetails.port') }) ?? local(getPath(conn, 'localPortDetails.port'));
    const inbound = getString(conn, 'connectionDirection') === 'INBOUND';
    evidences.add({ src_endpoint: inbound ? there : here, dst_endpoint: inbound ? here : there });
  }
  for (const kind of ['awsApiCallAction', 'kubernetesApiCallAction', 'rdsLoginAttemptAction'] as const) {
    const call = getRecord(action, kind);
    if (call === undefined) continue;
    const caller = endpoint({ ip: getPath(call, 'remoteIpDetails.ipAddressV4') ?? getPath(call, 'remoteIpDetails.ipAddressV6'), domain: getPath(call, 'domainDetails.domain') });
    const operation = getString(call, 'api', 'requestUri');
    evidences.add({ src_endpoint: caller, ...(operation === undefined ? {} : { api: { operation, service: prune({ name: getString(call, 'serviceName') }) } }) } as OcsfEvidence);
  }
  evidences.add({ query: query(getPath(action, 'dnsRequestAction.domain')) });
  for (const p of getRecords(action, 'portProbeAction.portProbeDetails')) {
    evidences.add({ src_endpoint: remote(getPath(p, 'remoteIpDetails'), undefined), dst_endpoint: local(getPath(p, 'localPortDetails.port')) });
  }
  evidences.add({
    user: user({ name: getPath(resource, 'kubernetesDetails.kubernetesUserDetails.username'), uid: getPath(resource, 'kubernetesDetails.kubernetesUserDetails.uid') }),
  });
  const proc = getRecord(service, 'runtimeDetails.process');
  if (proc !== undefined) {
    const image = file({ path: getPath(proc, 'executablePath'), hashes: hashes(getPath(proc, 'executableSha256')), type_id: 8 });
    evidences.add({
      process: processOf({
        pid: getPath(proc, 'pid'),
        uid: getPath(proc, 'uuid'),
        name: getPath(proc, 'name'),
        file: image,
        parent_process: runtimeLineage(getRecords(proc, 'lineage')),
      }),
    });
  }
  addRuntimeContext(evidences, service);
  evidences.add({
    user: user({ name: getPath(resource, 'rdsDbUserDetails.user') }),
    database:
      getString(resource, 'rdsDbUserDetails.database') === undefined ? undefined : { name: getString(resource, 'rdsDbUserDetails.database'), type_id: 1, type: 'Relational' },
  } as OcsfEvidence);
  getRecords(service, 'ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames').forEach((t) => {
    getRecords(t, 'filePaths').forEach((f) => evidences.add({ file: file({ path: getPath(f, 'filePath'), name: getPath(f, 'fileName'), hashes: hashes(getPath(f, 'hash')) }) }));
  });

  // The finding type's first part is GuardDuty's "threat purpose"; several are ATT&CK tactic names.
  const attacks = new AttackCollector();
  if (findingType !== undefined) attacks.add({ tactic: findingType.split(':')[0] });

  const nameTag = getRecords(instance, 'tags').find((t) => getPath(t, 'key') === 'Name');
  const instanceId = getString(instance, 'instanceId');
  const archived = getPath(service, 'archived') === true;

  const alert = buildFinding({
    uid,
    title: getString(detail, 'title') ?? findingType ?? 'GuardDuty finding',
    desc: getString(detail, 'description'),
    severity_id: severityValue === undefined ? 0 : severityFromGuardDuty(severityValue),
    time: firstTimestamp(getPath(detail, 'updatedAt'), wrapped ? getPath(item, 'time') : undefined, getPath(detail, 'createdAt')) ?? now,
    created_time: firstTimestamp(getPath(detail, 'createdAt')),
    first_seen_time: firstTimestamp(getPath(service, 'eventFirstSeen')),
    last_seen_time: firstTimestamp(getPath(service, 'eventLastSeen')),
    status_id: archived ? STATUS.archived : STATUS.new,
    product: PRODUCT,
    log_name: (wrapped ? getString(item, 'detail-type') : undefined) ?? 'GuardDuty Finding',
    original_event_uid: wrapped ? getString(item, 'id') : undefined,
    types: findingType === undefined ? undefined : [findingType],
    analytic: findingType === undefined ? undefined : { name: findingType, type: 'Rule', type_id: 1 },
    attacks: attacks.toArray(),
    original_time: getPath(detail, 'updatedAt') ?? (wrapped ? getPath(item, 'time') : undefined),
    device:
      instance === undefined
        ? undefined
        : device({
            uid: instanceId,
            instance_uid: instanceId,
            hostname: getString(nic, 'privateDnsName'),
            ip: getString(nic, 'privateIpAddress'),
            name: getString(nameTag, 'value'),
            region: getString(detail, 'region'),
            os: os(getString(instance, 'platform')),
            type_id: DEVICE_TYPE.virtual,
            // The device's own address is the first interface's primary one; the others are listed beside it.
            network_interfaces: nics.flatMap((n, i) => [
              i === 0 ? undefined : networkInterface({ ip: getPath(n, 'privateIpAddress'), hostname: getPath(n, 'privateDnsName'), uid: getPath(n, 'networkInterfaceId') }),
              ...getRecords(n, 'privateIpAddresses')
                .filter((p) => getPath(p, 'privateIpAddress') !== getPath(n, 'privateIpAddress'))
                .map((p) => networkInterface({ ip: getPath(p, 'privateIpAddress'), hostname: getPath(p, 'privateDnsName') })),
              networkInterface({ ip: getPath(n, 'publicIp'), hostname: getPath(n, 'publicDnsName') }),
              ...getStrings(n, 'ipv6Addresses').map((ip) => networkInterface({ ip })),
            ]),
          }),
    user: accessKeyUser(resource),
    cloud: { provider: 'AWS', region: getString(detail, 'region'), account: accountOf(getId(detail, 'accountId'), 10, 'AWS Account') },
    evidences,
    resources: [
      // The access key is the user's credential (`actor.user.credential_uid`), not a resource.
      instanceId === undefined
        ? undefined
        : resourceOf({
            uid: instanceId,
            name: getString(nameTag, 'value'),
            type: getString(resource, 'resourceType'),
            region: getString(detail, 'region'),
          }),
      ...resourcesOfType(resource, getString(detail, 'region')),
    ],

    unmapped: {
      count: getNumber(service, 'count'),
      account_id: getId(detail, 'accountId'),
      region: getString(detail, 'region'),
      resource_type: getString(resource, 'resourceType'),
      arn: getString(detail, 'arn'),
    },
  });
  return { alert };
}

export const guardDutyNormalizer: AlertNormalizer = {
  source: 'guardduty',
  detect(body: unknown): boolean {
    const first = Array.isArray(body) ? body[0] : body;
    const type = snsType(first);
    if (type === 'SubscriptionConfirmation' || type === 'UnsubscribeConfirmation') return true;
    if (type === 'Notification') {
      const message = getPath(first, 'Message');
      if (typeof message !== 'string') return false;
      const parsed = parseJsonSafely(message);
      return parsed.ok && (isEventBridgeEvent(parsed.value) || isFinding(parsed.value));
    }
    const list = findingsList(first);
    return isEventBridgeEvent(first) || isFinding(first) || (list !== undefined && isFinding(list[0]));
  },
  normalize(body: unknown, now: number): NormalizeResult {
    return runNormalizer(body, unwrap, (item) => mapItem(item, now));
  },
};
