import { randomUUID } from 'node:crypto';
import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { isRecord, json, queryValue, queryValues, type SimContext, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';
import type { FalconDevice } from '../state.js';
import { checkBearer, formFields, issueToken } from './tokens.js';

function meta(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { query_time: 0.004, powered_by: 'crowdstrike-api-gateway', trace_id: randomUUID(), ...extra };
}

function falconError(status: number, message: string, extra: Record<string, unknown> = {}): SimResponse {
  return json(status, { meta: meta(), errors: [{ code: status, message, ...extra }], resources: null });
}

const RATE_HEADERS = { 'x-ratelimit-limit': '6000', 'x-ratelimit-remaining': '5999' };

/** Well-formed agent IDs exist unless they start with 0000 (deterministic "unknown host"). */
function knownDevice(id: string): boolean {
  return /^[0-9a-f]{32}$/.test(id) && !id.startsWith('0000');
}

function device(ctx: SimContext, id: string): FalconDevice {
  let d = ctx.state.falconDevices.get(id);
  if (!d) {
    d = { device_id: id, hostname: `WS-${id.slice(0, 4).toUpperCase()}`, status: 'normal', history: [] };
    ctx.state.falconDevices.set(id, d);
  }
  return d;
}

function deviceView(d: FalconDevice): Record<string, unknown> {
  const n = parseInt(d.device_id.slice(0, 2), 16);
  return {
    device_id: d.device_id,
    cid: 'c0ffee00c0ffee00c0ffee00c0ffee00',
    hostname: d.hostname,
    status: d.status,
    platform_name: 'Windows',
    os_version: 'Windows 11',
    product_type_desc: 'Workstation',
    agent_version: '7.18.18909.0',
    local_ip: `10.20.${n}.${((n * 7) % 254) + 1}`,
    external_ip: `192.0.2.${(n % 254) + 1}`,
    mac_address: `00-50-56-${d.device_id.slice(0, 2)}-${d.device_id.slice(2, 4)}-${d.device_id.slice(4, 6)}`,
    first_seen: '2024-06-01T08:00:00Z',
    last_seen: '2025-01-01T00:00:00Z',
  };
}

function token(req: SimRequest, ctx: SimContext): SimResponse {
  const form = formFields(req.body);
  const creds = SIMULATOR_CREDENTIALS.crowdstrike;
  if (form['client_id'] !== creds.clientId || form['client_secret'] !== creds.clientSecret) {
    return falconError(401, 'access denied, invalid client');
  }
  const lifetime = 1799;
  return json(201, { access_token: issueToken(ctx, 'crowdstrike', 'falcon', creds.clientId, lifetime), token_type: 'bearer', expires_in: lifetime }, RATE_HEADERS);
}

function devicesAction(req: SimRequest, ctx: SimContext): SimResponse {
  const action = queryValue(req.query, 'action_name');
  if (action !== 'contain' && action !== 'lift_containment') {
    return falconError(400, `Invalid action_name '${action ?? ''}'; supported: contain, lift_containment`);
  }
  const ids = isRecord(req.body) && Array.isArray(req.body['ids']) ? req.body['ids'].filter((i): i is string => typeof i === 'string') : [];
  if (ids.length === 0) return falconError(400, 'ids must contain at least one device ID');
  const resources: Array<Record<string, unknown>> = [];
  const errors: Array<Record<string, unknown>> = [];
  const at = new Date(ctx.now()).toISOString();
  for (const raw of ids) {
    const id = raw.toLowerCase();
    if (!knownDevice(id)) {
      errors.push({ code: 404, message: `Device not found: ${raw}`, id: raw });
      continue;
    }
    const d = device(ctx, id);
    const target = action === 'contain' ? 'contained' : 'normal';
    if (d.status === target) {
      errors.push({ code: 409, message: action === 'contain' ? `Device ${id} is already contained` : `Device ${id} is not currently contained`, id });
      continue;
    }
    d.status = target;
    d.history.push({ action, at });
    ctx.state.falconDevices.set(id, d);
    resources.push({ id, path: '' });
  }
  if (resources.length === 0) {
    const status = errors.every((e) => e['code'] === 404) ? 404 : 409;
    return json(status, { meta: meta(), errors, resources: [] }, RATE_HEADERS);
  }
  return json(202, { meta: meta({ writes: { resources_affected: resources.length } }), errors, resources }, RATE_HEADERS);
}

function getDevices(req: SimRequest, ctx: SimContext): SimResponse {
  const ids = queryValues(req.query, 'ids').map((i) => i.toLowerCase());
  if (ids.length === 0) return falconError(400, 'ids is required');
  const found = ids.filter(knownDevice).map((id) => deviceView(device(ctx, id)));
  if (found.length === 0) return json(404, { meta: meta(), errors: [{ code: 404, message: 'No devices found for the given IDs' }], resources: [] }, RATE_HEADERS);
  return json(200, { meta: meta(), errors: [], resources: found }, RATE_HEADERS);
}

export const crowdStrikeSimulator: VendorSimulator = {
  name: 'crowdstrike',
  errorBody: (status, message) => ({ meta: meta(), errors: [{ code: status, message }], resources: null }),
  handle(req: SimRequest, ctx: SimContext): SimResponse {
    if (req.path === '/oauth2/token' && req.method === 'POST') return token(req, ctx);
    const auth = checkBearer(req, ctx, 'crowdstrike');
    if (!auth.ok) return falconError(401, 'access denied, invalid bearer token');
    if (req.path === '/devices/entities/devices-actions/v2' && req.method === 'POST') return devicesAction(req, ctx);
    if (req.path === '/devices/entities/devices/v2' && req.method === 'GET') return getDevices(req, ctx);
    return falconError(404, `route not found: ${req.method} ${req.path}`);
  },
};
