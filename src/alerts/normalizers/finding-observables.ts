/**
 * Observables derived from a finding's own paths: every value an analyst pivots on, named by the
 * path that holds it (`device.ip`, `evidences[0].process.cmd_line`, `unmapped.iocs[2]`). The same
 * walk gives the finding's OCSF `observables` and Vigil's view beside it (with `kind` and
 * `is_private`), so the two never disagree. Order: device, actor, evidences, resources, unmapped,
 * then observables a producer listed itself (the `ocsf` source) that the walk did not find.
 */
import { OBSERVABLE_TYPE_IDS, type CanonicalAlert, type CanonicalObservable, type OcsfObservable } from '../../common/canonical-alert.js';
import { dedupeObservables, guessObservable, isObservableKind, makeObservable, normalizeDomain } from './observables.js';

/** The OCSF object an attribute holds, by attribute name. */
type Context = 'device' | 'endpoint' | 'user' | 'actor' | 'process' | 'file' | 'fingerprint' | 'url' | 'query' | 'email' | 'resource' | 'evidence' | 'unmapped' | 'other';

const CHILD: Readonly<Record<string, Context>> = {
  device: 'device',
  network_interfaces: 'endpoint',
  src_endpoint: 'endpoint',
  dst_endpoint: 'endpoint',
  user: 'user',
  actor: 'actor',
  process: 'process',
  parent_process: 'process',
  processes: 'process',
  file: 'file',
  files: 'file',
  hashes: 'fingerprint',
  url: 'url',
  query: 'query',
  email: 'email',
  resources: 'resource',
  evidences: 'evidence',
};

/**
 * `host` (URL hosts and DNS queries): a DNS name when it is one, else a host name. The host name of a
 * device, an endpoint or a resource stays a `hostname` even when it looks like a DNS name; an endpoint's
 * `domain` (a DNS name the vendor names as such: a TLS SNI, an indicator domain) is a `domain` when it is
 * one (a Windows domain such as `CORP` is no observable).
 */
type Rule = 'ip' | 'hostname' | 'host' | 'domain' | 'user' | 'email' | 'command_line' | 'file_name' | 'hash' | 'url' | 'resource_uid' | 'credential_uid' | 'arn';

const LEAVES: Readonly<Partial<Record<Context, Readonly<Record<string, Rule>>>>> = {
  device: { hostname: 'hostname', ip: 'ip' },
  endpoint: { hostname: 'hostname', ip: 'ip', domain: 'domain' },
  // A cloud principal's ARN as its uid is a resource id an analyst pivots on; other user uids (SIDs, GUIDs) are not.
  user: { name: 'user', email_addr: 'email', credential_uid: 'credential_uid', uid: 'arn' },
  process: { cmd_line: 'command_line' },
  file: { name: 'file_name' },
  fingerprint: { value: 'hash' },
  url: { url_string: 'url', hostname: 'host' },
  query: { hostname: 'host' },
  email: { from: 'email', to: 'email', cc: 'email', smtp_from: 'email', smtp_to: 'email', reply_to: 'email' },
  resource: { hostname: 'hostname', ip: 'ip', uid: 'resource_uid' },
};

function observe(rule: Rule, value: unknown, name: string): CanonicalObservable | undefined {
  switch (rule) {
    case 'host':
      return typeof value === 'string' && normalizeDomain(value) !== undefined ? makeObservable('domain', value, name) : makeObservable('hostname', value, name);
    case 'hash':
      return makeObservable('sha256', value, name);
    case 'arn':
      return typeof value === 'string' && value.startsWith('arn:') ? makeObservable('resource_uid', value, name) : undefined;
    default:
      return makeObservable(rule, value, name);
  }
}

function walk(value: unknown, path: string, ctx: Context, out: CanonicalObservable[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`, ctx, out));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const childPath = `${path}.${key}`;
    if (ctx === 'unmapped' && key === 'iocs' && Array.isArray(child)) {
      child.forEach((v, i) => {
        const obs = guessObservable(v, `${childPath}[${i}]`);
        if (obs !== undefined) out.push(obs);
      });
      continue;
    }
    if (ctx === 'unmapped' && key === 'observables' && Array.isArray(child)) {
      // Typed indicators in Vigil's own terms (the generic format's `observables`): `{type: <kind>, value}`.
      child.forEach((o: unknown, i) => {
        const kind = typeof o === 'object' && o !== null ? (o as Record<string, unknown>)['type'] : undefined;
        const obs = isObservableKind(kind) ? makeObservable(kind, (o as Record<string, unknown>)['value'], `${childPath}[${i}].value`) : undefined;
        if (obs !== undefined) out.push(obs);
      });
      continue;
    }
    const rule = LEAVES[ctx]?.[key];
    if (rule !== undefined && (typeof child === 'string' || Array.isArray(child))) {
      const values = Array.isArray(child) ? child : [child];
      values.forEach((v, i) => {
        const obs = observe(rule, v, Array.isArray(child) ? `${childPath}[${i}]` : childPath);
        if (obs !== undefined) out.push(obs);
      });
      continue;
    }
    const next = CHILD[key];
    if (next !== undefined) walk(child, childPath, next, out);
    else if (ctx === 'unmapped' && typeof child === 'object') walk(child, childPath, 'unmapped', out);
  }
}

/** The host name attribute of a device, an endpoint, a network interface or a resource (a `hostname`, not a `domain`). */
const HOST_NAME_PATH = /(?:^|\.)(?:device|src_endpoint|dst_endpoint|network_interfaces\[\d+\]|resources\[\d+\])\.hostname$/;

/** A producer's own OCSF observable (type_id + value) in Vigil's terms; types Vigil has no kind for give `undefined`. */
export function fromOcsfObservable(o: { type_id?: unknown; value?: unknown; name?: unknown }): CanonicalObservable | undefined {
  const name = typeof o.name === 'string' && o.name !== '' ? o.name : undefined;
  const value = o.value;
  switch (o.type_id) {
    case 1:
      // OCSF type 1 covers host names and DNS names alike; the attribute it came from tells them apart.
      return observe(name !== undefined && HOST_NAME_PATH.test(name) ? 'hostname' : 'host', value, name ?? '');
    case 2:
      return makeObservable('ip', value, name);
    case 4:
      return makeObservable('user', value, name);
    case 5:
      return makeObservable('email', value, name);
    case 6:
      return makeObservable('url', value, name);
    case 7:
      return makeObservable('file_name', value, name);
    case 8:
      return makeObservable('sha256', value, name);
    case 13:
      return makeObservable('command_line', value, name);
    default:
      return undefined;
  }
}

/** Vigil's observables of a finding, deduplicated by kind + value (the first path wins). */
export function vigilObservables(finding: Pick<CanonicalAlert, 'device' | 'actor' | 'evidences' | 'resources' | 'unmapped' | 'observables'>): CanonicalObservable[] {
  const out: CanonicalObservable[] = [];
  const top: Record<string, Context> = { device: 'device', actor: 'actor', evidences: 'evidence', resources: 'resource', unmapped: 'unmapped' };
  for (const [key, ctx] of Object.entries(top)) walk((finding as Record<string, unknown>)[key], key, ctx, out);
  // A listed observable whose path the walk already read is that same value (a stored finding read again).
  const walked = new Set(out.map((o) => o.name));
  for (const o of Array.isArray(finding.observables) ? finding.observables : []) {
    const obs = typeof o === 'object' && o !== null ? fromOcsfObservable(o) : undefined;
    if (obs !== undefined && (obs.name === undefined || !walked.has(obs.name))) out.push(obs);
  }
  return dedupeObservables(out.map((o) => (o.name === '' ? withoutName(o) : o)));
}

function withoutName(o: CanonicalObservable): CanonicalObservable {
  const { name: _name, ...rest } = o;
  return rest;
}

/** The OCSF form of Vigil's observables: `name` (the path), `type_id`, `type`, `value`, nothing else. */
export function ocsfObservables(list: readonly CanonicalObservable[]): OcsfObservable[] {
  return list
    .filter((o) => o.name !== undefined)
    .map((o) => ({ name: o.name!, type_id: OBSERVABLE_TYPE_IDS[o.kind].type_id, type: OBSERVABLE_TYPE_IDS[o.kind].type, value: o.value }));
}
