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

function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
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
      const file = basename(text).trim();
      return file === '' ? undefined : build('file_name', file, name);
    }
    case 'command_line':
      return build('command_line', text, name);
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

/** Collects observables for one alert, dropping invalid values and duplicates as they arrive. */
export class ObservableSet {
  private readonly items: CanonicalObservable[] = [];
  private readonly keys = new Set<string>();

  push(obs: CanonicalObservable | undefined): void {
    if (obs === undefined) return;
    const key = observableKey(obs);
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.items.push(obs);
  }

  add(kind: ObservableKind, value: unknown, name?: string): void {
    if (Array.isArray(value)) {
      value.forEach((v, i) => this.add(kind, v, name === undefined ? undefined : `${name}[${i}]`));
      return;
    }
    this.push(makeObservable(kind, value, name));
  }

  /** An IP when the value is one, else a hostname (Splunk `dest`, Graph `deviceDnsName`). */
  addHostOrIp(value: unknown, name?: string): void {
    this.add('hostname', value, name);
  }

  /** A URL and the domain of its host, so a URL and a DNS lookup of the same host correlate. */
  addUrl(value: unknown, name?: string): void {
    if (Array.isArray(value)) {
      value.forEach((v, i) => this.addUrl(v, name === undefined ? undefined : `${name}[${i}]`));
      return;
    }
    const obs = makeObservable('url', value, name);
    if (obs === undefined) return;
    this.push(obs);
    const host = new URL(obs.value).hostname.replace(/^\[|\]$/g, '');
    const hostName = name === undefined ? undefined : `${name}.hostname`;
    this.push(classifyIp(host) !== undefined ? makeObservable('ip', host, hostName) : makeObservable('domain', host, hostName));
  }

  /** Any of md5/sha1/sha256, told apart by length. */
  addHash(value: unknown, name?: string): void {
    this.add('sha256', value, name);
  }

  guess(value: unknown, name?: string): void {
    this.push(guessObservable(value, name));
  }

  toArray(): CanonicalObservable[] {
    return [...this.items];
  }
}
