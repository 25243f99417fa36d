/**
 * Builders of the OCSF objects a normaliser puts into a Detection Finding: each says where a vendor
 * value belongs (`evidences[].src_endpoint.ip`, `evidences[].process.file.hashes[]`…), and checks,
 * refangs and spells the value the way `makeObservable` does, so the finding's observables can be
 * derived from its paths (`finding-observables.ts`). Every builder returns `undefined` for an object
 * that would be empty or miss what OCSF requires (a file needs a name, a process a pid or uid…).
 */
import type {
  OcsfDevice,
  OcsfEmail,
  OcsfEvidence,
  OcsfFile,
  OcsfFingerprint,
  OcsfNetworkInterface,
  OcsfNetworkEndpoint,
  OcsfProcess,
  OcsfResource,
  OcsfUrl,
  OcsfUser,
} from '../../common/canonical-alert.js';
import { classifyIp, executableOfCommandLine, makeObservable } from './observables.js';

/** Drops `undefined`, empty strings, empty arrays and empty objects, recursively. */
export function prune<T>(value: T): T | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v: unknown) => prune(v)).filter((v) => v !== undefined);
    return (items.length === 0 ? undefined : items) as T | undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const kept = prune(v);
      if (kept !== undefined) out[k] = kept;
    }
    return (Object.keys(out).length === 0 ? undefined : out) as T | undefined;
  }
  return value;
}

/** An IP address in its canonical spelling, or `undefined`. */
export function ipOf(value: unknown): string | undefined {
  return makeObservable('ip', value)?.value;
}

/** A host or DNS name (refanged, without a trailing dot), or `undefined`; IP addresses are not names. */
export function hostnameOf(value: unknown): string | undefined {
  const obs = makeObservable('hostname', value);
  return obs?.kind === 'hostname' ? obs.value : undefined;
}

/** A DNS name in lower case (refanged) when the value is one, else the text as sent (a Windows domain such as `CORP`); IP addresses are no domain. */
function domainOf(value: unknown): string | undefined {
  const obs = makeObservable('domain', value);
  if (obs !== undefined) return obs.kind === 'domain' ? obs.value : undefined;
  return textOf(value);
}

/** A port number 0–65535 from a number or numeric text. */
export function portOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** OCSF integer_t is 32-bit. */
const MAX_PID = 2_147_483_647;

/** A non-negative integer (pids) from a number or numeric text. */
export function integerOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text === '' || /^(-|n\/a|null|none|unknown|undefined)$/i.test(text) ? undefined : text;
}

export interface EndpointInput {
  ip?: unknown;
  /** A host name; an IP address given here goes to `ip` when that is empty. */
  hostname?: unknown;
  port?: unknown;
  /** The DNS name that corresponds to the endpoint (a TLS SNI, a vendor's domain field), or the domain it belongs to. */
  domain?: unknown;
  name?: unknown;
  uid?: unknown;
  /** The autonomous system the address belongs to (`autonomous_system.number` / `.name`). */
  asn?: unknown;
  as_name?: unknown;
  /** The ISP's name (`isp`). */
  isp?: unknown;
}

/** OCSF `network_endpoint`: needs at least one of ip, hostname, name, uid, domain. */
export function endpoint(input: EndpointInput): OcsfNetworkEndpoint | undefined {
  const hostAsIp = ipOf(input.hostname);
  return prune<OcsfNetworkEndpoint>({
    ip: ipOf(input.ip) ?? hostAsIp,
    hostname: hostAsIp === undefined ? hostnameOf(input.hostname) : undefined,
    port: portOf(input.port),
    domain: domainOf(input.domain),
    name: textOf(input.name),
    uid: textOf(input.uid),
    autonomous_system: prune({ number: integerOf(input.asn), name: textOf(input.as_name) }),
    isp: textOf(input.isp),
  });
}

const HASH_ALGORITHMS: Readonly<Record<string, { algorithm_id: number; algorithm: string }>> = {
  md5: { algorithm_id: 1, algorithm: 'MD5' },
  sha1: { algorithm_id: 2, algorithm: 'SHA-1' },
  sha256: { algorithm_id: 3, algorithm: 'SHA-256' },
};

/** OCSF fingerprints of hash values (MD5, SHA-1, SHA-256 told apart by length; zero-filled and invalid values dropped; duplicates once). */
export function hashes(...values: unknown[]): OcsfFingerprint[] {
  const out: OcsfFingerprint[] = [];
  for (const value of values.flat()) {
    const obs = makeObservable('sha256', value);
    if (obs === undefined || out.some((h) => h.value === obs.value)) continue;
    out.push({ ...HASH_ALGORITHMS[obs.kind], value: obs.value });
  }
  return out;
}

export interface FileInput {
  /** Full path; the name is its basename when `name` is not given. */
  path?: unknown;
  name?: unknown;
  hashes?: OcsfFingerprint[];
  size?: unknown;
  /** OCSF file type_id: 0 Unknown (default), 1 Regular File, 8 Executable File. */
  type_id?: number;
}

const FILE_TYPES: Readonly<Record<number, string>> = { 0: 'Unknown', 1: 'Regular File', 2: 'Folder', 8: 'Executable File' };

/** OCSF `file`: needs a name (from `name` or the basename of `path`). */
export function file(input: FileInput): OcsfFile | undefined {
  const path = textOf(input.path);
  const name = makeObservable('file_name', textOf(input.name) ?? path)?.value;
  if (name === undefined) return undefined;
  const typeId = input.type_id ?? 0;
  return prune<OcsfFile>({
    name,
    type_id: typeId,
    type: FILE_TYPES[typeId],
    path: path !== undefined && path !== name ? path : undefined,
    hashes: input.hashes,
    size: integerOf(input.size),
  });
}

export interface UserInput {
  name?: unknown;
  uid?: unknown;
  domain?: unknown;
  email_addr?: unknown;
  full_name?: unknown;
}

/** OCSF `user`: needs a name or uid. */
export function user(input: UserInput): OcsfUser | undefined {
  const u = prune<OcsfUser>({
    name: makeObservable('user', textOf(input.name))?.value,
    uid: textOf(input.uid),
    domain: textOf(input.domain),
    email_addr: makeObservable('email', input.email_addr)?.value,
    full_name: textOf(input.full_name),
  });
  return u !== undefined && (u.name !== undefined || u.uid !== undefined) ? u : undefined;
}

export interface ProcessInput {
  pid?: unknown;
  uid?: unknown;
  name?: unknown;
  cmd_line?: unknown;
  file?: OcsfFile;
  user?: OcsfUser;
  parent_process?: OcsfProcess;
  created_time?: number;
}

/**
 * OCSF `process`. OCSF needs a pid or uid; a process known only by its command line or image is
 * still returned (without either), and `EvidenceList` moves it to `unmapped.processes`.
 */
export function processOf(input: ProcessInput): OcsfProcess | undefined {
  const cmdLine = makeObservable('command_line', input.cmd_line)?.value;
  // Without the image from the vendor, the program the command line runs is the process's file.
  const executable = input.file === undefined && cmdLine !== undefined ? executableOfCommandLine(cmdLine) : undefined;
  const image = input.file ?? (executable === undefined ? undefined : file({ path: executable }));
  const pid = integerOf(input.pid);
  // OCSF pids are 32-bit integers; a larger vendor process id (Falcon's) is an identifier, kept as uid.
  const bigPid = pid !== undefined && pid > MAX_PID ? String(pid) : undefined;
  return prune<OcsfProcess>({
    pid: bigPid === undefined ? pid : undefined,
    uid: textOf(input.uid) ?? bigPid,
    name: textOf(input.name) ?? image?.name,
    cmd_line: cmdLine,
    file: image,
    user: input.user,
    parent_process: input.parent_process,
    created_time: input.created_time,
  });
}

/** OCSF `url` with its parts, from a URL string (defanged forms accepted). */
export function url(value: unknown): OcsfUrl | undefined {
  const obs = makeObservable('url', value);
  if (obs === undefined) return undefined;
  const parsed = new URL(obs.value);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return prune<OcsfUrl>({
    url_string: obs.value,
    scheme: parsed.protocol.replace(/:$/, ''),
    hostname: classifyIp(host) === undefined ? host : undefined,
    path: parsed.pathname === '' ? undefined : parsed.pathname,
    port: portOf(parsed.port),
  });
}

/** OCSF `dns_query` (its hostname is required). */
export function query(hostname: unknown): { hostname: string } | undefined {
  const name = makeObservable('domain', hostname)?.value ?? hostnameOf(hostname);
  return name === undefined ? undefined : { hostname: name };
}

/** OCSF `email`: needs a sender or a recipient. */
export function email(input: { from?: unknown; to?: unknown; smtp_from?: unknown; subject?: unknown; uid?: unknown }): OcsfEmail | undefined {
  const toList = (Array.isArray(input.to) ? input.to : [input.to]).map((t) => makeObservable('email', t)?.value).filter((t): t is string => t !== undefined);
  const from = makeObservable('email', input.from)?.value;
  if (from === undefined && toList.length === 0) return undefined;
  const smtpFrom = makeObservable('email', input.smtp_from)?.value;
  return prune<OcsfEmail>({ from, to: toList, smtp_from: smtpFrom !== from ? smtpFrom : undefined, subject: textOf(input.subject), uid: textOf(input.uid) });
}

/** OCSF device type_id values Vigil reads from vendors. */
export const DEVICE_TYPE = { unknown: 0, server: 1, desktop: 2, laptop: 3, tablet: 4, mobile: 5, virtual: 6, iot: 7, other: 99 } as const;
const DEVICE_TYPE_NAMES: Readonly<Record<number, string>> = { 0: 'Unknown', 1: 'Server', 2: 'Desktop', 3: 'Laptop', 4: 'Tablet', 5: 'Mobile', 6: 'Virtual', 7: 'IOT', 99: 'Other' };

/** A vendor's device type word (`Workstation`, `Server`, `Laptop`, `Virtual Machine`…) as OCSF device type_id. */
export function deviceTypeFromName(name: unknown): number | undefined {
  if (typeof name !== 'string') return undefined;
  const n = name.toLowerCase();
  if (/server|domain controller/.test(n)) return DEVICE_TYPE.server;
  if (/laptop|notebook/.test(n)) return DEVICE_TYPE.laptop;
  if (/desktop|workstation/.test(n)) return DEVICE_TYPE.desktop;
  if (/tablet/.test(n)) return DEVICE_TYPE.tablet;
  if (/mobile|phone/.test(n)) return DEVICE_TYPE.mobile;
  if (/virtual|vm\b|instance/.test(n)) return DEVICE_TYPE.virtual;
  if (/iot/.test(n)) return DEVICE_TYPE.iot;
  return undefined;
}

const OS_TYPES: ReadonlyArray<[RegExp, number, string]> = [
  [/windows phone|windows mobile/i, 101, 'Windows Mobile'],
  [/win/i, 100, 'Windows'],
  [/android/i, 201, 'Android'],
  [/linux|ubuntu|debian|centos|red ?hat|rhel|fedora|suse|amazon ?linux|alpine|cos\b|container-optimized/i, 200, 'Linux'],
  [/ipados/i, 302, 'iPadOS'],
  [/\bios\b|iphone/i, 301, 'iOS'],
  [/mac|os ?x|darwin/i, 300, 'macOS'],
  [/solaris|sunos/i, 400, 'Solaris'],
  [/aix/i, 401, 'AIX'],
  [/hp-?ux/i, 402, 'HP-UX'],
];

/** OCSF `os` from a vendor's OS name or family: type_id 100 Windows, 200 Linux, 300 macOS…, 0 Unknown when the name says nothing. */
export function os(name: unknown, version?: unknown): OcsfDevice['os'] {
  const text = textOf(name);
  if (text === undefined) return undefined;
  const match = OS_TYPES.find(([re]) => re.test(text));
  return prune({ name: text, type_id: match?.[1] ?? 0, type: match?.[2] ?? 'Unknown', version: textOf(version) }) as OcsfDevice['os'];
}

export interface DeviceInput {
  hostname?: unknown;
  ip?: unknown;
  uid?: unknown;
  name?: unknown;
  domain?: unknown;
  region?: unknown;
  instance_uid?: unknown;
  os?: OcsfDevice['os'];
  network_interfaces?: Array<OcsfNetworkInterface | undefined>;
  /** OCSF device type_id; 0 Unknown when the vendor does not say. */
  type_id?: number;
}

/** OCSF `network_interface` (type_id 0 Unknown): needs an ip, hostname or uid. */
export function networkInterface(input: { ip?: unknown; hostname?: unknown; uid?: unknown; name?: unknown }): OcsfNetworkInterface | undefined {
  const body = prune({ ip: ipOf(input.ip), hostname: hostnameOf(input.hostname), uid: textOf(input.uid), name: textOf(input.name) });
  return body === undefined ? undefined : { ...body, type_id: 0, type: 'Unknown' };
}

function dedupe<T>(list: Array<T | undefined>): T[] {
  const seen = new Set<string>();
  return list.filter((x): x is T => {
    if (x === undefined) return false;
    const key = JSON.stringify(x);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** OCSF `device` (the affected host): type_id is required, 0 Unknown unless the vendor says. */
export function device(input: DeviceInput): OcsfDevice | undefined {
  const hostAsIp = ipOf(input.hostname);
  const body = prune({
    hostname: hostAsIp === undefined ? hostnameOf(input.hostname) : undefined,
    ip: ipOf(input.ip) ?? hostAsIp,
    uid: textOf(input.uid),
    name: textOf(input.name),
    domain: textOf(input.domain),
    region: textOf(input.region),
    instance_uid: textOf(input.instance_uid),
    os: input.os,
    network_interfaces: dedupe(input.network_interfaces ?? []),
  });
  if (body === undefined) return undefined;
  const typeId = input.type_id ?? DEVICE_TYPE.unknown;
  return { type_id: typeId, type: DEVICE_TYPE_NAMES[typeId] ?? 'Other', ...body };
}

/** OCSF `resource_details` of a cloud resource: needs a name or uid (a type and region alone say too little). */
export function resource(input: {
  uid?: unknown;
  name?: unknown;
  type?: unknown;
  region?: unknown;
  hostname?: unknown;
  ip?: unknown;
  labels?: string[];
}): OcsfResource | undefined {
  if (textOf(input.uid) === undefined && textOf(input.name) === undefined) return undefined;
  return prune<OcsfResource>({
    uid: textOf(input.uid),
    name: textOf(input.name),
    type: textOf(input.type),
    region: textOf(input.region),
    hostname: hostnameOf(input.hostname),
    ip: ipOf(input.ip),
    labels: input.labels,
  });
}

/** OCSF `account` of a cloud (type_id 10 AWS Account, 11 GCP Project…), only when its uid is known. */
export function accountOf(uid: unknown, typeId: number, type: string): { uid: string; type_id: number; type: string } | undefined {
  const id = textOf(uid);
  return id === undefined ? undefined : { uid: id, type_id: typeId, type };
}

/** The artefacts OCSF counts for an evidence's "at least one" rule. */
const EVIDENCE_ARTEFACTS = [
  'actor',
  'api',
  'connection_info',
  'data',
  'database',
  'databucket',
  'device',
  'dst_endpoint',
  'email',
  'file',
  'process',
  'query',
  'resources',
  'src_endpoint',
  'url',
  'user',
  'job',
  'script',
];

function hasPidOrUid(p: OcsfProcess | undefined): boolean {
  return p !== undefined && (p.pid !== undefined || p.uid !== undefined);
}

/**
 * The evidences of one finding, in the order the normaliser adds them. A process without pid or uid
 * is not an OCSF process: its image becomes the evidence's `file` and the process itself goes to
 * `unmapped.processes[]` (its command line stays an observable there). Duplicate evidences are kept once.
 */
export class EvidenceList {
  private readonly items: OcsfEvidence[] = [];
  private readonly keys = new Set<string>();
  private readonly orphans: OcsfProcess[] = [];

  add(evidence: OcsfEvidence): void {
    const e = prune(evidence);
    if (e === undefined) return;
    if (e.process !== undefined && !hasPidOrUid(e.process)) {
      const proc = e.process;
      delete e.process;
      if (e.file === undefined && proc.file !== undefined) e.file = proc.file;
      if (proc.cmd_line !== undefined || proc.parent_process !== undefined || proc.file === undefined) this.orphans.push(proc);
    }
    if (e.actor?.process !== undefined && !hasPidOrUid(e.actor.process)) {
      this.orphans.push(e.actor.process);
      delete e.actor.process;
      if (Object.keys(e.actor).length === 0) delete e.actor;
    }
    if (e.process?.parent_process !== undefined && !hasPidOrUid(e.process.parent_process)) {
      this.orphans.push(e.process.parent_process);
      delete e.process.parent_process;
    }
    if (!EVIDENCE_ARTEFACTS.some((k) => (e as Record<string, unknown>)[k] !== undefined)) return;
    const key = JSON.stringify(e);
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.items.push(e);
  }

  get evidences(): OcsfEvidence[] {
    return [...this.items];
  }

  /** Processes OCSF has no place for (no pid or uid), for `unmapped.processes`. */
  get unmappedProcesses(): OcsfProcess[] {
    return [...this.orphans];
  }
}
