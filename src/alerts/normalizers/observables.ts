/**
 * Observables: the values an analyst pivots on (IPs, domains, hashes, users…). Every normaliser
 * builds them through `makeObservable` so they are refanged, validated and spelled the same way
 * whatever the source, and ingestion can later dedupe them per case with the same keys.
 */
import { isIPv6 } from 'node:net';
import { OBSERVABLE_TYPE_IDS, type CanonicalObservable, type ObservableKind } from '../../common/canonical-alert.js';

export const OBSERVABLE_KINDS = [
  'ip',
  'domain',
  'url',
  'email',
  'md5',
  'sha1',
  'sha256',
  'hostname',
  'user',
  'file_name',
  'command_line',
  'resource_uid',
  'credential_uid',
] as const satisfies readonly ObservableKind[];

export function isObservableKind(value: unknown): value is ObservableKind {
  return typeof value === 'string' && (OBSERVABLE_KINDS as readonly string[]).includes(value);
}

/** Undoes the usual defanging: `hxxp://`, `hxxps://`, `[.]`, `(.)`, `[:]`, `[@]`. */
export function refang(value: string): string {
  return value
    .trim()
    .replace(/\[:\]/g, ':')
    .replace(/\[\.\]|\(\.\)/g, '.')
    .replace(/\[@\]/g, '@')
    .replace(/^hxxp(s?)(?=:\/\/)/i, (_m: string, s: string) => `http${s.toLowerCase()}`);
}

export interface IpInfo {
  version: 4 | 6;
  /** The address in a canonical spelling (IPv4 without leading zeros, IPv6 lower-case without zone or brackets). */
  address: string;
  /** RFC 1918, loopback, link-local, CGNAT, ULA, unspecified. */
  is_private: boolean;
}

function parseIpv4(text: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return undefined;
  const octets = m.slice(1, 5).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

function isPrivateV4([a, b]: number[]): boolean {
  return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

/** Eight 16-bit groups of an IPv6 address already checked by `isIPv6`. */
function expandIpv6(text: string): number[] {
  let head = text;
  const tail: number[] = [];
  const v4 = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(head);
  if (v4 !== null) {
    const o = parseIpv4(v4[1]) ?? [0, 0, 0, 0];
    tail.push((o[0] << 8) | o[1], (o[2] << 8) | o[3]);
    head = head.slice(0, -v4[1].length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const l = parse(left);
  const r = right === undefined ? [] : parse(right);
  const fill = 8 - l.length - r.length - tail.length;
  return [...l, ...new Array<number>(Math.max(fill, 0)).fill(0), ...r, ...tail];
}

/** Whether `value` is an IP address, and which kind; `undefined` for anything else. */
export function classifyIp(value: string): IpInfo | undefined {
  let text = refang(value);
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, address: v4.join('.'), is_private: isPrivateV4(v4) };
  const zoneless = text.replace(/%[^%]+$/, '').toLowerCase();
  if (!isIPv6(zoneless)) return undefined;
  const g = expandIpv6(zoneless);
  const zeroPrefix = g.slice(0, 5).every((x) => x === 0);
  let isPrivate: boolean;
  if (zeroPrefix && g[5] === 0xffff) {
    // IPv4-mapped: judge by the embedded IPv4 address.
    isPrivate = isPrivateV4([g[6] >> 8, g[6] & 0xff]);
  } else {
    const unspecifiedOrLoopback = g.slice(0, 7).every((x) => x === 0) && (g[7] === 0 || g[7] === 1);
    isPrivate = unspecifiedOrLoopback || (g[0] & 0xfe00) === 0xfc00 || (g[0] & 0xffc0) === 0xfe80;
  }
  return { version: 6, address: zoneless, is_private: isPrivate };
}

/** The canonical spelling of an IP address (zone and brackets dropped), or `undefined` when `value` is not one: for `device.ip`. */
export function ipAddressOf(value: unknown): string | undefined {
  return typeof value === 'string' ? classifyIp(value)?.address : undefined;
}

/** `md5`/`sha1`/`sha256` by length of a hex string (32/40/64); zero-filled hashes mean "none" and give `undefined`. */
export function classifyHash(value: string): 'md5' | 'sha1' | 'sha256' | undefined {
  const text = value.trim();
  if (!/^[0-9a-fA-F]+$/.test(text) || /^0+$/.test(text)) return undefined;
  if (text.length === 32) return 'md5';
  if (text.length === 40) return 'sha1';
  if (text.length === 64) return 'sha256';
  return undefined;
}

const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** A domain name in lower case without a trailing dot, or `undefined` when it is not one. */
export function normalizeDomain(value: string): string | undefined {
  const text = refang(value).toLowerCase().replace(/\.$/, '');
  if (text.length > 253 || parseIpv4(text) !== undefined) return undefined;
  const labels = text.split('.');
  if (labels.length < 2 || !TLD.test(labels[labels.length - 1])) return undefined;
  return labels.every((l) => LABEL.test(l)) ? text : undefined;
}

const PLACEHOLDERS = new Set(['-', 'n/a', 'na', 'null', '(null)', 'none', 'unknown', 'undefined']);

/**
 * The file name at the end of a Windows or POSIX path: `C:\\Windows\\System32\\cmd.exe`, `\\\\?\\C:\\x.exe`,
 * `\\Device\\HarddiskVolume3\\…\\x.exe`, `/usr/bin/curl`, a quoted path, or a path with a trailing separator.
 */
export function fileNameOfPath(path: string): string | undefined {
  const text = path
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .replace(/[\\/]+$/, '');
  const parts = text.split(/[\\/]/);
  const last = (parts[parts.length - 1] ?? '').trim();
  return last === '' || last === '.' || last === '..' || /^[A-Za-z]:$/.test(last) ? undefined : last;
}

/**
 * The executable a command line starts: `"C:\\Program Files\\x.exe" -a` → `C:\\Program Files\\x.exe`,
 * `/bin/sh -c …` → `/bin/sh`; `undefined` for an empty line.
 */
export function executableOfCommandLine(commandLine: string): string | undefined {
  const text = commandLine.trim();
  if (text === '') return undefined;
  const quoted = /^"([^"]+)"/.exec(text) ?? /^'([^']+)'/.exec(text);
  if (quoted !== null) return quoted[1];
  // An unquoted Windows path with spaces: take up to the first `.exe`/`.com`/… when one is there.
  const windows = /^([A-Za-z]:\\.*?\.(?:exe|com|bat|cmd|ps1|dll|scr))(?=\s|$)/i.exec(text);
  if (windows !== null) return windows[1];
  // Daemons rename themselves (`sshd: root@notty`): the colon is not part of the program name.
  return text.split(/\s+/)[0].replace(/:$/, '');
}

/** An account name as vendors spell it, split into its parts. */
export interface AccountName {
  /** The account name without its domain: `jdoe` of `CORP\\jdoe`, `jdoe` of `jdoe@corp.example`, `DC01$`. */
  name: string;
  /** The NetBIOS or DNS domain (`CORP`, `corp.example`) when the value or the vendor names one. */
  domain?: string;
  /** The whole user principal name when the value is `user@domain`. */
  upn?: string;
  /** A Windows computer account (`DC01$`): a host acting on the network, not a person. */
  machine: boolean;
  /** The computer name of a machine account (`DC01`). */
  host?: string;
}

/**
 * Reads `DOMAIN\\user`, `user@domain` (UPN), `DC01$` and plain names; `domain` is used when the
 * value carries none (Windows events give `targetUserName` and `targetDomainName` apart).
 * Placeholders (`-`, `N/A`) give `undefined`.
 */
export function parseAccount(value: unknown, domain?: unknown): AccountName | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '' || PLACEHOLDERS.has(text.toLowerCase())) return undefined;
  const otherDomain = typeof domain === 'string' && domain.trim() !== '' && !PLACEHOLDERS.has(domain.trim().toLowerCase()) ? domain.trim() : undefined;
  let name = text;
  let dom: string | undefined;
  let upn: string | undefined;
  const slash = text.lastIndexOf('\\');
  if (slash > 0 && slash < text.length - 1) {
    dom = text.slice(0, slash);
    name = text.slice(slash + 1);
  } else if (/^[^\s@\\]+@[^\s@\\]+\.[^\s@\\]+$/.test(text)) {
    const at = text.lastIndexOf('@');
    name = text.slice(0, at);
    dom = text.slice(at + 1);
    upn = text;
  }
  const machine = /^[^\s$]+\$$/.test(name);
  const account: AccountName = { name, machine };
  const finalDomain = dom ?? otherDomain;
  if (finalDomain !== undefined) account.domain = finalDomain;
  if (upn !== undefined) account.upn = upn;
  if (machine) account.host = name.slice(0, -1);
  return account;
}

/**
 * The OCSF user of an account for `actor.user`, or `undefined` for a machine account (a host, not
 * a person) or a placeholder. A UPN is also the user's e-mail address.
 */
export function userOfAccount(value: unknown, domain?: unknown): { name: string; domain?: string; email_addr?: string } | undefined {
  const account = parseAccount(value, domain);
  if (account === undefined || account.machine) return undefined;
  const user: { name: string; domain?: string; email_addr?: string } = { name: account.upn ?? account.name };
  if (account.domain !== undefined) user.domain = account.domain;
  const email = account.upn === undefined ? undefined : makeObservable('email', account.upn);
  if (email !== undefined) user.email_addr = email.value;
  return user;
}

const AWS_ARN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):([a-z-]+)\/?(.*)$/;
const AWS_ACCESS_KEY = /^(?:AKIA|ASIA)[A-Z0-9]{16}$/;
const IAM_MEMBER_PREFIX = /^(?:user|serviceAccount|group|domain|deleted:serviceAccount|deleted:user):/;

/** A cloud principal, read from an AWS ARN, a GCP principal e-mail or IAM member, or an access key id. */
export interface CloudPrincipal {
  /** The user or session name, the e-mail of a GCP principal; absent for roles without a session. */
  user?: string;
  email?: string;
  /** The ARN of an AWS principal. */
  resource_uid?: string;
  /** An AWS access key id (AKIA… long-term, ASIA… temporary). */
  credential_uid?: string;
  /** `service_account`, `aws_user`, `aws_role`, `aws_assumed_role`, `aws_root`, `email`. */
  type: string;
}

/**
 * Reads the principal fields clouds put in findings: GCP `principalEmail` (users and service
 * accounts, with an IAM member prefix such as `serviceAccount:` or not), AWS IAM user/role and
 * STS assumed-role ARNs, and AWS access key ids.
 */
export function parseCloudPrincipal(value: unknown): CloudPrincipal | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim().replace(IAM_MEMBER_PREFIX, '');
  if (text === '' || PLACEHOLDERS.has(text.toLowerCase())) return undefined;
  if (AWS_ACCESS_KEY.test(text)) return { credential_uid: text, type: 'aws_access_key' };
  const arn = AWS_ARN.exec(text);
  if (arn !== null) {
    const [, , , kind, rest] = arn;
    const parts = rest.split('/');
    if (kind === 'user') return { user: parts[parts.length - 1], resource_uid: text, type: 'aws_user' };
    if (kind === 'assumed-role') return { user: parts.length > 1 ? parts[parts.length - 1] : undefined, resource_uid: text, type: 'aws_assumed_role' };
    if (kind === 'root' || rest === 'root') return { resource_uid: text, type: 'aws_root' };
    return { resource_uid: text, type: kind === 'role' ? 'aws_role' : `aws_${kind.replace(/-/g, '_')}` };
  }
  if (/^arn:/.test(text)) return { resource_uid: text, type: 'aws_resource' };
  const email = makeObservable('email', text);
  if (email !== undefined) return { user: email.value, email: email.value, type: /\.gserviceaccount\.com$/.test(email.value) ? 'service_account' : 'email' };
  return undefined;
}

function build(kind: ObservableKind, value: string, name: string | undefined, isPrivate?: boolean): CanonicalObservable {
  const { type_id, type } = OBSERVABLE_TYPE_IDS[kind];
  const obs: CanonicalObservable = { type_id, type, value, kind };
  if (name !== undefined) obs.name = name;
  if (isPrivate !== undefined) obs.is_private = isPrivate;
  return obs;
}

/**
 * A validated, refanged observable, or `undefined` when the value is empty, a placeholder
 * (`-`, `N/A`…) or not of that kind. Hash kinds are re-told by length, and a `hostname` or
 * `domain` that is really an IP address becomes an `ip` observable.
 */
export function makeObservable(kind: ObservableKind, value: unknown, name?: string): CanonicalObservable | undefined {
  if (typeof value !== 'string' && !(typeof value === 'number' && kind === 'user')) return undefined;
  const text = String(value).trim();
  if (text === '' || PLACEHOLDERS.has(text.toLowerCase())) return undefined;
  switch (kind) {
    case 'ip': {
      const ip = classifyIp(text);
      return ip === undefined ? undefined : build('ip', ip.address, name, ip.is_private);
    }
    case 'domain':
    case 'hostname': {
      const ip = classifyIp(text);
      if (ip !== undefined) return build('ip', ip.address, name, ip.is_private);
      if (kind === 'domain') {
        const domain = normalizeDomain(text);
        return domain === undefined ? undefined : build('domain', domain, name);
      }
      const host = refang(text).replace(/\.$/, '');
      return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}$/.test(host) ? build('hostname', host, name) : undefined;
    }
    case 'url': {
      const url = refang(text);
      if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(url) || !URL.canParse(url)) return undefined;
      return build('url', url, name);
    }
    case 'email': {
      const email = refang(text)
        .replace(/^mailto:/i, '')
        .toLowerCase();
      return /^[^\s@<>]+@[^\s@<>]+\.[a-z]{2,63}$/.test(email) ? build('email', email, name) : undefined;
    }
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const hashKind = classifyHash(text);
      return hashKind === undefined ? undefined : build(hashKind, text.toLowerCase(), name);
    }
    case 'user':
      return build('user', text, name);
    case 'file_name': {
      const file = fileNameOfPath(text);
      return file === undefined ? undefined : build('file_name', file, name);
    }
    case 'command_line':
      return build('command_line', text, name);
    case 'resource_uid':
    case 'credential_uid':
      return /\s/.test(text) ? undefined : build(kind, text, name);
  }
}

const CASE_INSENSITIVE: ReadonlySet<ObservableKind> = new Set(['domain', 'hostname', 'email', 'md5', 'sha1', 'sha256']);

/** The identity of an observable for deduplication: kind plus value, folded for case-insensitive kinds. */
export function observableKey(obs: Pick<CanonicalObservable, 'kind' | 'value'>): string {
  return `${obs.kind}:${CASE_INSENSITIVE.has(obs.kind) ? obs.value.toLowerCase() : obs.value}`;
}

/** Keeps the first occurrence of each kind + value. */
export function dedupeObservables(list: readonly CanonicalObservable[]): CanonicalObservable[] {
  const seen = new Set<string>();
  const out: CanonicalObservable[] = [];
  for (const obs of list) {
    const key = observableKey(obs);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(obs);
  }
  return out;
}

/**
 * Guesses the kind of a bare indicator value (vendor IOC fields, search results):
 * IP, URL, email, hash or domain; anything else gives `undefined`.
 */
export function guessObservable(value: unknown, name?: string): CanonicalObservable | undefined {
  if (typeof value !== 'string') return undefined;
  const text = refang(value);
  if (classifyIp(text) !== undefined) return makeObservable('ip', text, name);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return makeObservable('url', text, name);
  if (text.includes('@')) return makeObservable('email', text, name);
  if (classifyHash(text) !== undefined) return makeObservable('sha256', text, name);
  return makeObservable('domain', text, name);
}
