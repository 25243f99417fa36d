/**
 * Vigil's canonical alert: an OCSF Detection Finding (class_uid 2004), pinned to one OCSF version.
 * Every normaliser produces this shape, pure OCSF (it validates against the official schema);
 * Vigil's own observable view (`CanonicalObservable`, with `kind` and `is_private`) travels beside
 * it, derived from the finding's paths. The vendor's raw payload is stored unchanged beside it too.
 */
export const OCSF_VERSION = '1.8.0';

/** OCSF severity_id: 0 Unknown, 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical, 6 Fatal, 99 Other. */
export type SeverityId = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 99;

export const SEVERITY_NAMES: Readonly<Record<SeverityId, string>> = {
  0: 'Unknown',
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
  6: 'Fatal',
  99: 'Other',
};

/** Vigil's observable kinds; each maps onto an OCSF observable type_id (see OBSERVABLE_TYPE_IDS). */
export type ObservableKind = 'ip' | 'domain' | 'url' | 'email' | 'md5' | 'sha1' | 'sha256' | 'hostname' | 'user' | 'file_name' | 'command_line' | 'resource_uid' | 'credential_uid';

/**
 * OCSF observable type_id per kind (1 Hostname, 2 IP Address, 4 User Name, 5 Email Address, 6 URL String, 7 File Name, 8 Hash,
 * 10 Resource UID: cloud ARNs, bucket and function names; 13 Command Line; 19 User Credential ID: AWS access key ids).
 */
export const OBSERVABLE_TYPE_IDS: Readonly<Record<ObservableKind, { type_id: number; type: string }>> = {
  ip: { type_id: 2, type: 'IP Address' },
  domain: { type_id: 1, type: 'Hostname' },
  hostname: { type_id: 1, type: 'Hostname' },
  url: { type_id: 6, type: 'URL String' },
  email: { type_id: 5, type: 'Email Address' },
  md5: { type_id: 8, type: 'Hash' },
  sha1: { type_id: 8, type: 'Hash' },
  sha256: { type_id: 8, type: 'Hash' },
  user: { type_id: 4, type: 'User Name' },
  file_name: { type_id: 7, type: 'File Name' },
  command_line: { type_id: 13, type: 'Command Line' },
  resource_uid: { type_id: 10, type: 'Resource UID' },
  credential_uid: { type_id: 19, type: 'User Credential ID' },
};

/**
 * Vigil's view of one observable, kept beside the finding (the `alerts.observables` column, the
 * playbook scope's `alert.observables`), never inside it: the OCSF observable plus Vigil's `kind`
 * and, for IPs, `is_private`.
 */
export interface CanonicalObservable {
  type_id: number;
  type: string;
  value: string;
  /** The path inside the finding that holds the value, e.g. `device.ip`, `evidences[0].process.cmd_line`. */
  name?: string;
  /** The precise kind, since OCSF shares type_ids (domain and hostname; md5, sha1 and sha256). */
  kind: ObservableKind;
  /** IPs only: RFC 1918 / loopback / link-local / ULA and similar non-routable ranges. */
  is_private?: boolean;
}

/** An OCSF observable as stored in the finding: `name` is the path of the attribute that holds `value`. */
export interface OcsfObservable {
  name: string;
  type_id: number;
  type: string;
  value: string;
}

export interface AttackRef {
  /** ATT&CK version of the mapping when known, e.g. `v18`. */
  version?: string;
  /** `TA\d{4}` */
  tactic?: { uid: string; name?: string };
  /** `T\d{4}`; for a sub-technique this is the parent technique. */
  technique?: { uid: string; name?: string };
  /** `T\d{4}\.\d{3}` */
  sub_technique?: { uid: string; name?: string };
}

/** OCSF `fingerprint`: algorithm_id 1 MD5, 2 SHA-1, 3 SHA-256. */
export interface OcsfFingerprint {
  algorithm_id: number;
  algorithm?: string;
  value: string;
}

export interface OcsfFile {
  name: string;
  /** 0 Unknown, 1 Regular File, 8 Executable File… */
  type_id: number;
  type?: string;
  path?: string;
  hashes?: OcsfFingerprint[];
  size?: number;
}

export interface OcsfUser {
  name?: string;
  uid?: string;
  domain?: string;
  email_addr?: string;
  full_name?: string;
  /** The credential the user acted with, e.g. an AWS access key id. */
  credential_uid?: string;
  /** OCSF user type_id: 1 User, 2 Admin, 3 System, 4 Service, 99 Other. */
  type_id?: number;
  type?: string;
}

export interface OcsfProcess {
  pid?: number;
  uid?: string;
  name?: string;
  cmd_line?: string;
  file?: OcsfFile;
  user?: OcsfUser;
  parent_process?: OcsfProcess;
  created_time?: number;
}

export interface OcsfNetworkEndpoint {
  ip?: string;
  hostname?: string;
  port?: number;
  domain?: string;
  name?: string;
  uid?: string;
  autonomous_system?: { number?: number; name?: string };
  isp?: string;
}

export interface OcsfUrl {
  url_string: string;
  hostname?: string;
  path?: string;
  scheme?: string;
  port?: number;
}

export interface OcsfEmail {
  from?: string;
  to?: string[];
  smtp_from?: string;
  subject?: string;
  uid?: string;
  message_uid?: string;
}

/** OCSF 1.8 `evidences` object: at least one artefact (actor, device, endpoints, email, file, process, query, url, user…). */
export interface OcsfEvidence {
  name?: string;
  uid?: string;
  actor?: { user?: OcsfUser; process?: OcsfProcess };
  device?: OcsfDevice;
  src_endpoint?: OcsfNetworkEndpoint;
  dst_endpoint?: OcsfNetworkEndpoint;
  process?: OcsfProcess;
  file?: OcsfFile;
  user?: OcsfUser;
  url?: OcsfUrl;
  query?: { hostname: string };
  email?: OcsfEmail;
  resources?: OcsfResource[];
  verdict_id?: number;
  verdict?: string;
}

/** OCSF `resource_details` (cloud resources in `resources[]`). */
export interface OcsfResource {
  uid?: string;
  name?: string;
  type?: string;
  region?: string;
  hostname?: string;
  ip?: string;
  labels?: string[];
}

export interface OcsfDevice {
  /** 0 Unknown, 1 Server, 2 Desktop, 3 Laptop, 4 Tablet, 5 Mobile, 6 Virtual, 7 IOT… 99 Other. */
  type_id: number;
  type?: string;
  hostname?: string;
  ip?: string;
  uid?: string;
  name?: string;
  domain?: string;
  region?: string;
  os?: { name: string; type_id: number; type?: string; version?: string };
  instance_uid?: string;
  network_interfaces?: OcsfNetworkInterface[];
}

/** OCSF `cloud` (cloud profile). */
export interface OcsfCloud {
  provider: string;
  region?: string;
  zone?: string;
  project_uid?: string;
  /** type_id 10 AWS Account, 11 GCP Project, 13 Azure Subscription… */
  account?: { uid?: string; name?: string; type_id?: number; type?: string };
}

/** OCSF `network_interface` of a device (its other addresses). */
export interface OcsfNetworkInterface {
  type_id: number;
  type?: string;
  ip?: string;
  hostname?: string;
  uid?: string;
  name?: string;
}

/** The pure OCSF 1.8.0 Detection Finding Vigil stores and serves: no attribute OCSF does not define. */
export interface CanonicalAlert {
  category_uid: 2;
  category_name: 'Findings';
  class_uid: 2004;
  class_name: 'Detection Finding';
  /** 1 Create, 2 Update, 3 Close. */
  activity_id: 1 | 2 | 3;
  activity_name?: string;
  type_uid: number;
  type_name?: string;
  severity_id: SeverityId;
  severity: string;
  /** Event time in epoch milliseconds. */
  time: number;
  message?: string;
  status_id?: number;
  status?: string;
  confidence_id?: number;
  confidence?: string;
  is_alert?: boolean;
  metadata: {
    version: typeof OCSF_VERSION;
    product: { name: string; vendor_name: string; uid?: string };
    /** `host` when the finding has `actor` or `device`. */
    profiles?: string[];
    uid?: string;
    log_name?: string;
    original_event_uid?: string;
    /** The vendor's time as it sent it. */
    original_time?: string;
    /** Vigil's tenant id, set at ingest. */
    tenant_uid?: string;
    /** Vendor-native tags kept as-is, e.g. CrowdStrike `CSTA…` tactic ids that are not ATT&CK. */
    labels?: string[];
  };
  finding_info: {
    /** Per-source deduplication key. */
    uid: string;
    title: string;
    desc?: string;
    types?: string[];
    created_time?: number;
    first_seen_time?: number;
    last_seen_time?: number;
    src_url?: string;
    analytic?: { uid?: string; name?: string; type_id?: number; type?: string };
    attacks?: AttackRef[];
  };
  /** Cloud profile: the provider, account and region of a cloud finding. */
  cloud?: OcsfCloud;
  device?: OcsfDevice;
  actor?: { user?: OcsfUser };
  evidences?: OcsfEvidence[];
  resources?: OcsfResource[];
  observables?: OcsfObservable[];
  /** Fields of the source that have no OCSF home but an analyst may want, kept small (`unmapped.iocs` holds indicators found in free text). */
  unmapped?: Record<string, unknown>;
}

/** Vigil's source keys: the `{source}` of `POST /api/v1/alerts/{source}`. */
export const ALERT_SOURCES = ['generic', 'ocsf', 'guardduty', 'splunk', 'elastic', 'graph', 'sentinel', 'defender', 'crowdstrike', 'wazuh', 'suricata', 'gcp-scc'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];
