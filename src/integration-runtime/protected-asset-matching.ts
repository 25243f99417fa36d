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

function ipv4ToInt(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    n = n * 256 + Number(part);
  }
  return n;
}

/** An IPv4 address or CIDR network as an inclusive range; undefined for anything else. */
function ipv4Range(text: string): [number, number] | undefined {
  const [address, bitsText] = text.split('/');
  const base = ipv4ToInt(address ?? '');
  if (base === undefined) return undefined;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const start = Math.floor(base / size) * size;
  return [start, start + size - 1];
}

function wildcard(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(value);
}

/**
 * Whether a protected-asset pattern covers a target: exact (case-insensitive), `*` wildcards, and
 * for addresses overlapping IPv4 ranges (blocking 10.0.0.0/8 touches a protected 10.0.0.5, and
 * blocking 10.0.0.5 touches a protected 10.0.0.0/24).
 */
export function patternMatches(kind: ProtectedAssetKind, pattern: string, value: string): boolean {
  const p = pattern.trim();
  const v = value.trim();
  if (p.toLowerCase() === v.toLowerCase()) return true;
  if (kind === 'ip') {
    const a = ipv4Range(p);
    const b = ipv4Range(v);
    if (a && b) return a[0] <= b[1] && b[0] <= a[1];
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
