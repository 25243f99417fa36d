import type { AddressFamily, LookupAddress } from 'axios';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { IntegrationError } from './action.js';

/**
 * Guards the generic HTTP action against server-side request forgery: only hosts the tenant
 * listed may be called, and (unless the tenant opted in) never addresses inside a private,
 * loopback, link-local (cloud metadata) or unspecified range. Checked before the request and
 * again at connect time, so a name that re-resolves to a private address is still refused.
 */

export const HOST_GUARD_ERROR_CODES = {
  hostNotAllowed: 'host_not_allowed',
  addressNotAllowed: 'address_not_allowed',
  invalidUrl: 'invalid_url',
  redirectNotAllowed: 'redirect_not_allowed',
} as const;

export interface HostGuardSettings {
  /** Exact host names (case-insensitive) or `*.example.com` patterns (subdomains only). */
  allowedHosts: readonly string[];
  /** Opt-in for calling private, loopback and link-local addresses (on-premises tools). */
  allowPrivateNetworks: boolean;
  /** When set, the only ports that may be called (the development fallback reaches the simulator's port alone). */
  allowedPorts?: readonly number[];
}

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved' | 'invalid';

export type HostResolver = (hostname: string) => Promise<string[]>;

/** Reads `allowedHosts` and `allowPrivateNetworks` from a connection's settings; missing list = nothing allowed. */
export function hostGuardSettingsFrom(settings: Readonly<Record<string, unknown>>): HostGuardSettings {
  const raw = settings['allowedHosts'];
  const allowedHosts = Array.isArray(raw)
    ? raw.filter((h): h is string => typeof h === 'string' && h.trim() !== '').map((h) => h.trim().toLowerCase())
    : typeof raw === 'string'
      ? raw
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter((h) => h !== '')
      : [];
  const ports = settings['allowedPorts'];
  const allowedPorts = Array.isArray(ports) ? ports.filter((p): p is number => Number.isInteger(p) && p > 0 && p < 65_536) : undefined;
  return { allowedHosts, allowPrivateNetworks: settings['allowPrivateNetworks'] === true, ...(allowedPorts ? { allowedPorts } : {}) };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** True when `hostname` matches an entry of `allowedHosts` exactly or through a `*.` pattern. */
export function isHostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = stripBrackets(hostname.toLowerCase()).replace(/\.$/, '');
  return allowedHosts.some((entry) => {
    const pattern = stripBrackets(entry.toLowerCase()).replace(/\.$/, '');
    if (pattern.startsWith('*.')) {
      const suffix = pattern.slice(1);
      return host.endsWith(suffix) && host.length > suffix.length;
    }
    return host === pattern;
  });
}

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inIpv4Range(ip: number, base: string, bits: number): boolean {
  const size = 2 ** (32 - bits);
  const start = ipv4ToNumber(base);
  return ip >= start && ip < start + size;
}

const IPV4_RANGES: ReadonlyArray<readonly [string, number, AddressClass]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT, shared address space
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'], // includes 169.254.169.254, the cloud metadata service
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

export function classifyIpv4(ip: string): AddressClass {
  if (isIP(ip) !== 4) return 'invalid';
  const n = ipv4ToNumber(ip);
  for (const [base, bits, cls] of IPV4_RANGES) {
    if (inIpv4Range(n, base, bits)) return cls;
  }
  return 'public';
}

/** Expands an IPv6 address into eight 16-bit groups (handles `::` and an embedded dotted IPv4 tail). */
function ipv6Groups(ip: string): number[] | undefined {
  let address = ip.split('%')[0] ?? ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted?.[1]) {
    const n = ipv4ToNumber(dotted[1]);
    address = `${address.slice(0, -dotted[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = address.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  if (tail === undefined && missing !== 0) return undefined;
  if (missing < 0) return undefined;
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

export function classifyIpv6(ip: string): AddressClass {
  if (isIP(ip) !== 6) return 'invalid';
  const g = ipv6Groups(ip);
  if (!g) return 'invalid';
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
  if (g.every((x) => x === 0)) return 'unspecified';
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 === 1) return 'loopback';
  // Forms that carry an IPv4 target are as safe as that target: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
  // (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), NAT64 (64:ff9b::a.b.c.d), local-use NAT64 (64:ff9b:1::/48,
  // the IPv4 in the last 32 bits) and 6to4 (2002:AABB:CCDD::/48, the IPv4 in bits 16-47).
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && (g5 === 0xffff || g5 === 0)) return classifyIpv4(embeddedV4);
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return classifyIpv4(embeddedV4);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyIpv4(embeddedV4);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return classifyIpv4(embeddedV4);
  if (g0 === 0x2002) return classifyIpv4(`${g1 >> 8}.${g1 & 0xff}.${g2 >> 8}.${g2 & 0xff}`);
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  if (g0 === 0x2001 && g1 === 0x0db8) return 'reserved'; // documentation
  return 'public';
}

export function classifyAddress(ip: string): AddressClass {
  const bare = stripBrackets(ip);
  const family = isIP(bare);
  if (family === 4) return classifyIpv4(bare);
  if (family === 6) return classifyIpv6(bare);
  return 'invalid';
}

function refuseAddress(host: string, address: string, cls: AddressClass): IntegrationError {
  return new IntegrationError(
    `http: ${host} resolves to ${address} (${cls}); private, loopback and link-local addresses need settings.allowPrivateNetworks`,
    HOST_GUARD_ERROR_CODES.addressNotAllowed,
    false,
  );
}

/** Throws unless `address` may be contacted under `settings`. */
export function assertAddressAllowed(host: string, address: string, settings: HostGuardSettings): void {
  const cls = classifyAddress(address);
  if (cls === 'public') return;
  // Multicast and unparseable addresses are never valid HTTP targets, opt-in or not.
  if (cls === 'invalid' || cls === 'multicast') throw refuseAddress(host, address, cls);
  if (!settings.allowPrivateNetworks) throw refuseAddress(host, address, cls);
}

export const systemResolver: HostResolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) reject(err);
      else resolve(addresses.map((a) => a.address));
    });
  });

/** Parses `url`, checks scheme, host allow-list and every resolved address. Returns the parsed URL. */
export async function assertUrlAllowed(url: string | URL, settings: HostGuardSettings, resolver: HostResolver = systemResolver): Promise<{ url: URL; addresses: string[] }> {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new IntegrationError('http: not a valid absolute URL', HOST_GUARD_ERROR_CODES.invalidUrl, false);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new IntegrationError(`http: scheme ${parsed.protocol} is not allowed`, HOST_GUARD_ERROR_CODES.invalidUrl, false);
  }
  if (parsed.username || parsed.password) {
    throw new IntegrationError('http: credentials in the URL are not allowed; use connection secrets', HOST_GUARD_ERROR_CODES.invalidUrl, false);
  }
  const host = stripBrackets(parsed.hostname);
  if (!isHostAllowed(host, settings.allowedHosts)) {
    throw new IntegrationError(`http: host ${host} is not in the connection's allowedHosts`, HOST_GUARD_ERROR_CODES.hostNotAllowed, false);
  }
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = await resolver(host);
    } catch (err) {
      const code = err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : 'ENOTFOUND';
      throw new IntegrationError(`http: cannot resolve ${host} (${code})`, code === 'EAI_AGAIN' ? 'vendor_unavailable' : 'vendor_unreachable', code === 'EAI_AGAIN');
    }
  }
  if (addresses.length === 0) throw new IntegrationError(`http: ${host} has no address`, 'vendor_unreachable', false);
  for (const address of addresses) assertAddressAllowed(host, address, settings);
  if (settings.allowedPorts && !settings.allowedPorts.includes(effectivePort(parsed))) {
    throw new IntegrationError(`http: port ${effectivePort(parsed)} of ${host} is not in the connection's allowedPorts`, HOST_GUARD_ERROR_CODES.hostNotAllowed, false);
  }
  return { url: parsed, addresses };
}

/** The port a URL connects to: its own, else its scheme's default. */
export function effectivePort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** Resolves a redirect `location` against `from` and refuses it unless it stays on the same host and port. */
export function assertRedirectAllowed(from: URL, location: string): URL {
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    throw new IntegrationError('http: redirect to an invalid URL', HOST_GUARD_ERROR_CODES.redirectNotAllowed, false);
  }
  if (
    target.hostname.toLowerCase() !== from.hostname.toLowerCase() ||
    effectivePort(target) !== effectivePort(from) ||
    (target.protocol !== 'http:' && target.protocol !== 'https:')
  ) {
    throw new IntegrationError(
      `http: redirect from ${from.host} to ${target.host} refused (redirects may not leave the host and port)`,
      HOST_GUARD_ERROR_CODES.redirectNotAllowed,
      false,
    );
  }
  return target;
}

type LookupCallback = (err: Error | null, address: LookupAddress | LookupAddress[], family?: AddressFamily) => void;

/**
 * A `lookup` for axios/net that applies the same address rules at connect time, closing the gap
 * between the pre-flight check and the real connection (DNS rebinding).
 */
export function guardedLookup(settings: HostGuardSettings): (hostname: string, options: object, cb: LookupCallback) => void {
  return (hostname, _options, cb) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) {
        cb(err, []);
        return;
      }
      try {
        for (const a of addresses) assertAddressAllowed(hostname, a.address, settings);
      } catch (guardErr) {
        cb(guardErr instanceof Error ? guardErr : new Error(String(guardErr)), []);
        return;
      }
      cb(
        null,
        addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })),
      );
    });
  };
}
