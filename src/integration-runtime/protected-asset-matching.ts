import ipaddr from 'ipaddr.js';
import type { ProtectedAssetKind } from '../persistence/entities/protected-asset.entity.js';

export interface AssetRef {
  kind: ProtectedAssetKind;
  value: string;
}

/** Input fields that name what an action acts on, by asset kind. */
const FIELD_KINDS: Record<string, ProtectedAssetKind> = {
  deviceId: 'host',
  deviceIds: 'host',
  machineId: 'host',
  machineIds: 'host',
  hostname: 'host',
  hostnames: 'host',
  host: 'host',
  userId: 'user',
  userIds: 'user',
  user: 'user',
  userPrincipalName: 'user',
  login: 'user',
  email: 'user',
  ip: 'ip',
  ips: 'ip',
  ipv4Net: 'ip',
  ipAddress: 'ip',
  domain: 'domain',
  domains: 'domain',
};

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function read(scope: Record<string, unknown>, path: string[]): unknown {
  let current: unknown = scope;
  for (const part of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * What an action's validated input targets: hosts, users, addresses, domains. When the input names
 * the alert's own device by id, its host name and address count too, so an asset can be protected
 * by the name analysts know it by.
 */
export function targetsOf(input: unknown, scope: Record<string, unknown> = {}): AssetRef[] {
  const refs: AssetRef[] = [];
  if (input === null || typeof input !== 'object') return refs;
  for (const [field, value] of Object.entries(input as Record<string, unknown>)) {
    const kind = FIELD_KINDS[field];
    if (!kind) continue;
    for (const v of strings(value)) refs.push({ kind, value: v });
  }
  const deviceUid = read(scope, ['alert', 'device', 'uid']);
  if (typeof deviceUid === 'string' && refs.some((r) => r.kind === 'host' && r.value.toLowerCase() === deviceUid.toLowerCase())) {
    for (const name of [read(scope, ['alert', 'device', 'hostname']), read(scope, ['alert', 'device', 'name'])]) {
      if (typeof name === 'string' && name !== '') refs.push({ kind: 'host', value: name });
    }
    const ip = read(scope, ['alert', 'device', 'ip']);
    if (typeof ip === 'string' && ip !== '') refs.push({ kind: 'ip', value: ip });
  }
  return refs;
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * An address or CIDR network, parsed: every spelling of one address is one value (`2001:db8::10` and
 * `2001:db8:0:0:0:0:0:10`), and an IPv4-mapped IPv6 address (`::ffff:10.20.30.40`) is its IPv4 address.
 */
function addressRange(text: string): Range | undefined {
  try {
    if (text.includes('/')) {
      const [address, bits] = ipaddr.parseCIDR(text);
      if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
      }
      return [address, bits];
    }
    if (!ipaddr.isValid(text)) return undefined;
    const address = ipaddr.process(text);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return undefined;
  }
}

/** Two addresses or networks overlap when one contains the other's first address (CIDR blocks nest or are apart). */
function rangesOverlap(a: Range, b: Range): boolean {
  if (a[0].kind() !== b[0].kind()) return false;
  // The kinds are equal, so each match() compares like with like.
  const contains = (outer: Range, inner: Range): boolean => outer[1] <= inner[1] && (inner[0] as ipaddr.IPv4).match(outer[0] as ipaddr.IPv4, outer[1]);
  return contains(a, b) || contains(b, a);
}

/** Host names and domains compare without case and without the root's trailing dot. */
function normalName(text: string): string {
  return text.trim().toLowerCase().replace(/\.$/, '');
}

/** `dc01` names the same host as `dc01.corp.example`: a short name matches an FQDN's first label. */
function sameHost(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.includes('.') === b.includes('.')) return false;
  const [short, fqdn] = a.includes('.') ? [b, a] : [a, b];
  return fqdn.slice(0, fqdn.indexOf('.')) === short;
}

function wildcard(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(value);
}

/**
 * Whether a protected-asset pattern covers a target. Addresses are compared parsed, IPv4 and IPv6,
 * as overlapping ranges in both directions (blocking 10.0.0.0/8 touches a protected 10.0.0.5, and
 * blocking 10.0.0.5 touches a protected 10.0.0.0/24); hosts and domains without case or trailing
 * dot, a host's short name against its FQDN; anything else exact without case; `*` wildcards.
 */
export function patternMatches(kind: ProtectedAssetKind, pattern: string, value: string): boolean {
  const p = pattern.trim();
  const v = value.trim();
  if (p.toLowerCase() === v.toLowerCase()) return true;
  if (kind === 'ip') {
    const a = addressRange(p);
    const b = addressRange(v);
    if (a && b) return rangesOverlap(a, b);
  }
  if (kind === 'host' || kind === 'domain') {
    const np = normalName(p);
    const nv = normalName(v);
    if (kind === 'host' ? sameHost(np, nv) : np === nv) return true;
    return np.includes('*') && wildcard(np, nv);
  }
  return p.includes('*') && wildcard(p, v);
}

export interface ProtectedAssetRule {
  id: string;
  kind: ProtectedAssetKind;
  pattern: string;
  reason: string;
}

/** The first rule that covers one of the targets, with the target it covers. */
export function findProtected(rules: readonly ProtectedAssetRule[], targets: readonly AssetRef[]): { rule: ProtectedAssetRule; target: AssetRef } | undefined {
  for (const target of targets) {
    for (const rule of rules) {
      if (rule.kind === target.kind && patternMatches(rule.kind, rule.pattern, target.value)) return { rule, target };
    }
  }
  return undefined;
}
