import { createHash } from 'node:crypto';
import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { isRecord, json, type SimContext, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';
import { indicatorVerdict } from '../verdicts.js';

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const AUTH_FAILED = 'Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.';

const TYPE_BY_KIND: Record<string, { type: string; category: string }> = {
  ip: { type: 'ip-dst', category: 'Network activity' },
  domain: { type: 'domain', category: 'Network activity' },
  url: { type: 'url', category: 'Network activity' },
  hash: { type: 'sha256', category: 'Payload delivery' },
};

function hashType(value: string): string {
  return value.length === 32 ? 'md5' : value.length === 40 ? 'sha1' : 'sha256';
}

/** The attribute MISP would hold for a known-bad indicator, or undefined for anything else. */
function attributeFor(value: string): Record<string, unknown> | undefined {
  const { verdict, kind } = indicatorVerdict(value);
  const mapping = TYPE_BY_KIND[kind];
  if (!mapping || (verdict !== 'malicious' && verdict !== 'suspicious')) return undefined;
  const eventId = verdict === 'malicious' ? '42' : '43';
  const numericId = String(100000 + (parseInt(createHash('sha256').update(value).digest('hex').slice(0, 6), 16) % 900000));
  return {
    id: numericId,
    event_id: eventId,
    object_id: '0',
    object_relation: null,
    category: mapping.category,
    type: kind === 'hash' ? hashType(value) : mapping.type,
    to_ids: verdict === 'malicious',
    uuid: uuidFrom(value),
    timestamp: '1735689600',
    distribution: '5',
    sharing_group_id: '0',
    comment: verdict === 'malicious' ? 'Known-bad infrastructure' : 'Seen in suspicious activity',
    deleted: false,
    disable_correlation: false,
    first_seen: null,
    last_seen: null,
    value,
    Event: {
      org_id: '1',
      distribution: '1',
      id: eventId,
      info: verdict === 'malicious' ? 'Vigil simulator: known-bad infrastructure' : 'Vigil simulator: suspicious activity',
      orgc_id: '1',
      uuid: uuidFrom(`event-${eventId}`),
    },
    Tag: [{ id: '1', name: verdict === 'malicious' ? 'tlp:amber' : 'tlp:green', colour: '#FFC000', numerical_value: null }],
  };
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export const mispSimulator: VendorSimulator = {
  name: 'misp',
  errorBody: (_status, message) => ({ name: message, message, url: '/' }),
  handle(req: SimRequest, ctx: SimContext): SimResponse {
    if (req.headers['authorization'] !== SIMULATOR_CREDENTIALS.misp.apiKey) {
      return json(403, { name: AUTH_FAILED, message: AUTH_FAILED, url: req.path });
    }
    if (req.method !== 'POST') return json(405, { name: 'Method Not Allowed', message: 'Method Not Allowed', url: req.path });
    const body = isRecord(req.body) ? req.body : {};
    if (req.path === '/attributes/restSearch') {
      const values = stringList(body['value']);
      const typeFilter = stringList(body['type']);
      const limit = typeof body['limit'] === 'number' ? body['limit'] : Number(body['limit'] ?? 1000);
      let attributes = values.map(attributeFor).filter((a): a is Record<string, unknown> => a !== undefined);
      if (typeFilter.length > 0) attributes = attributes.filter((a) => typeFilter.includes(String(a['type'])));
      if (body['to_ids'] === true || body['to_ids'] === 1 || body['to_ids'] === '1') attributes = attributes.filter((a) => a['to_ids'] === true);
      return json(200, { response: { Attribute: attributes.slice(0, Number.isFinite(limit) ? limit : 1000) } });
    }
    if (req.path === '/sightings/add') {
      const values = stringList(body['values']);
      const matched = values.filter((v) => attributeFor(v) !== undefined);
      if (matched.length === 0) {
        const msg = 'Could not add the Sighting. Reason: No valid attributes found that match the passed values.';
        return json(200, { saved: false, name: msg, message: msg, url: '/sightings/add' });
      }
      for (const v of matched) ctx.state.mispSightings.set(v, (ctx.state.mispSightings.get(v) ?? 0) + 1);
      const msg = `${matched.length} sighting${matched.length === 1 ? '' : 's'} successfully added.`;
      return json(200, { saved: true, success: true, name: msg, message: msg, url: '/sightings/add' });
    }
    return json(404, { name: 'Not Found', message: 'Not Found', url: req.path });
  },
};
