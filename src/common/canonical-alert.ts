/**
 * Vigil's canonical alert: an OCSF Detection Finding (class_uid 2004), pinned to one OCSF version.
 * Every normaliser produces this shape; correlation, playbooks and the API read only this shape.
 * The vendor's raw payload is stored unchanged beside it, never inside it.
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

export interface CanonicalObservable {
  type_id: number;
  type: string;
  value: string;
  /** Where in the finding the value came from, e.g. `device.ip` (OCSF `name`). */
  name?: string;
  /** Vigil extension: the precise kind, since OCSF shares type_ids (domain and hostname; md5, sha1 and sha256). */
  kind: ObservableKind;
  /** Vigil extension, IPs only: RFC 1918 / loopback / link-local / ULA and similar non-routable ranges. */
  is_private?: boolean;
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

export interface CanonicalAlert {
  category_uid: 2;
  category_name: 'Findings';
  class_uid: 2004;
  class_name: 'Detection Finding';
  /** 1 Create, 2 Update, 3 Close. */
  activity_id: 1 | 2 | 3;
  type_uid: number;
  severity_id: SeverityId;
  severity: string;
  /** Event time in epoch milliseconds. */
  time: number;
  message?: string;
  status_id?: number;
  confidence_id?: number;
  metadata: {
    version: typeof OCSF_VERSION;
    product: { name: string; vendor_name: string; uid?: string };
    log_name?: string;
    original_event_uid?: string;
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
  device?: {
    hostname?: string;
    ip?: string;
    uid?: string;
    name?: string;
    os?: { name?: string; type?: string };
    instance_uid?: string;
  };
  actor?: { user?: { name?: string; uid?: string; domain?: string; email_addr?: string } };
  observables: CanonicalObservable[];
  /** Fields of the source that have no OCSF home but an analyst may want, kept small. */
  unmapped?: Record<string, unknown>;
}

/** Vigil's source keys: the `{source}` of `POST /api/v1/alerts/{source}`. */
export const ALERT_SOURCES = ['generic', 'ocsf', 'guardduty', 'splunk', 'elastic', 'graph', 'sentinel', 'defender', 'crowdstrike', 'wazuh', 'suricata', 'gcp-scc'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];
