import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { isRecord, json, queryValue, type SimContext, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';
import { PANOS_DEFAULT_GROUP } from '../state.js';

/** PAN-OS REST error body: `{code, message, details:[{@type, causes:[…]}]}`. */
function panosError(status: number, code: number, message: string, description = message): SimResponse {
  return json(status, { code, message, details: [{ '@type': 'CauseInfo', causes: [{ code, module: 'panui_mgmt', description }] }] });
}

const SUCCESS = { '@status': 'success', '@code': '20', msg: 'command succeeded' };

function xml(status: number, text: string): SimResponse {
  return { status, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: text };
}

function locationKey(req: SimRequest): { key: string; attrs: Record<string, string> } | SimResponse {
  const location = queryValue(req.query, 'location');
  if (location === 'shared') return { key: 'shared', attrs: { '@location': 'shared' } };
  if (location === 'vsys') {
    const vsys = queryValue(req.query, 'vsys');
    if (!vsys) return panosError(400, 3, 'Invalid Query Parameter', 'Invalid Query Parameter: vsys is required for location vsys');
    return { key: `vsys:${vsys}`, attrs: { '@location': 'vsys', '@vsys': vsys } };
  }
  if (location === 'device-group') {
    const dg = queryValue(req.query, 'device-group');
    if (!dg) return panosError(400, 3, 'Invalid Query Parameter', 'Invalid Query Parameter: device-group is required');
    return { key: `device-group:${dg}`, attrs: { '@location': 'device-group', '@device-group': dg } };
  }
  return panosError(400, 3, 'Invalid Query Parameter', `Invalid Query Parameter: location ${location ?? '(missing)'}`);
}

/** `entry` may be an object or a one-element array. */
function entryOf(body: unknown): Record<string, unknown> | undefined {
  if (!isRecord(body)) return undefined;
  const e = body['entry'];
  if (Array.isArray(e)) return isRecord(e[0]) ? e[0] : undefined;
  return isRecord(e) ? e : undefined;
}

function listResult(entries: Array<Record<string, unknown>>): SimResponse {
  return json(200, { '@status': 'success', '@code': '19', result: { '@total-count': String(entries.length), '@count': String(entries.length), entry: entries } });
}

const NAME_PATTERN = /^[0-9A-Za-z][0-9A-Za-z._ -]{0,62}$/;

function addresses(req: SimRequest, ctx: SimContext): SimResponse {
  const loc = locationKey(req);
  if ('status' in loc) return loc;
  const name = queryValue(req.query, 'name');
  const state = ctx.state;
  const id = (n: string): string => `${loc.key}|${n}`;
  const view = (n: string): Record<string, unknown> | undefined => {
    const a = state.panosAddresses.get(id(n));
    return a ? { '@name': a.name, ...loc.attrs, 'ip-netmask': a.ipNetmask, description: a.description } : undefined;
  };
  if (req.method === 'GET') {
    if (name === undefined) return listResult([...state.panosAddresses.values()].filter((a) => a.location === loc.key).map((a) => view(a.name) ?? {}));
    const v = view(name);
    return v ? listResult([v]) : panosError(404, 7, 'Object Not Present', `Object Not Present: ${name}`);
  }
  if (!name) return panosError(400, 3, 'Invalid Query Parameter', 'Invalid Query Parameter: name is required');
  if (req.method === 'DELETE') {
    if (!state.panosAddresses.has(id(name))) return panosError(404, 7, 'Object Not Present', `Object Not Present: ${name}`);
    const referencedBy = [...state.panosGroups.values()].find((g) => g.location === loc.key && g.members.includes(name));
    if (referencedBy) return panosError(409, 10, 'Reference Not Zero', `${name} cannot be deleted because of references from: address-group -> ${referencedBy.name} -> static`);
    state.panosAddresses.delete(id(name));
    state.panosPendingChanges = true;
    return json(200, SUCCESS);
  }
  if (req.method !== 'POST' && req.method !== 'PUT') return panosError(405, 3, 'Method Not Allowed');
  const entry = entryOf(req.body);
  if (!entry) return panosError(400, 3, 'Invalid Object', 'Invalid Object: request body must contain entry');
  if (entry['@name'] !== name) return panosError(400, 3, 'Invalid Object', 'Invalid Object: @name does not match the name query parameter');
  if (!NAME_PATTERN.test(name)) return panosError(400, 12, 'Invalid Object', `${name} is not a valid name`);
  const ipNetmask = entry['ip-netmask'];
  if (typeof ipNetmask !== 'string' || !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(ipNetmask)) return panosError(400, 12, 'Invalid Object', `${name} -> ip-netmask is invalid`);
  const exists = state.panosAddresses.has(id(name));
  if (req.method === 'POST' && exists) return panosError(409, 8, 'Object Not Unique', `Object Not Unique: There is already an object named ${name}`);
  if (req.method === 'PUT' && !exists) return panosError(404, 7, 'Object Not Present', `Object Not Present: ${name}`);
  state.panosAddresses.set(id(name), { name, location: loc.key, ipNetmask, description: typeof entry['description'] === 'string' ? entry['description'] : '' });
  state.panosPendingChanges = true;
  return json(200, SUCCESS);
}

function groups(req: SimRequest, ctx: SimContext): SimResponse {
  const loc = locationKey(req);
  if ('status' in loc) return loc;
  const name = queryValue(req.query, 'name');
  const state = ctx.state;
  const id = (n: string): string => `${loc.key}|${n}`;
  const view = (n: string): Record<string, unknown> | undefined => {
    const g = state.panosGroups.get(id(n));
    return g ? { '@name': g.name, ...loc.attrs, static: { member: [...g.members] }, description: g.description } : undefined;
  };
  if (req.method === 'GET') {
    if (name === undefined) return listResult([...state.panosGroups.values()].filter((g) => g.location === loc.key).map((g) => view(g.name) ?? {}));
    const v = view(name);
    return v ? listResult([v]) : panosError(404, 7, 'Object Not Present', `Object Not Present: ${name}`);
  }
  if (!name) return panosError(400, 3, 'Invalid Query Parameter', 'Invalid Query Parameter: name is required');
  if (req.method === 'DELETE') {
    if (!state.panosGroups.delete(id(name))) return panosError(404, 7, 'Object Not Present', `Object Not Present: ${name}`);
    state.panosPendingChanges = true;
    return json(200, SUCCESS);
  }
  if (req.method !== 'POST' && req.method !== 'PUT') return panosError(405, 3, 'Method Not Allowed');
  const entry = entryOf(req.body);
  if (!entry || entry['@name'] !== name) return panosError(400, 3, 'Invalid Object', 'Invalid Object: entry @name must match the name query parameter');
  const stat = entry['static'];
  const members = isRecord(stat) && Array.isArray(stat['member']) ? stat['member'].filter((m): m is string => typeof m === 'string') : [];
  if (members.length === 0) return panosError(400, 12, 'Invalid Object', `${name} -> static is invalid: a static group needs at least one member`);
  for (const member of members) {
    if (!state.panosAddresses.has(id(member)) && !state.panosAddresses.has(`shared|${member}`)) {
      return panosError(400, 12, 'Invalid Object', `${name} -> static '${member}' is not a valid reference`);
    }
  }
  const exists = state.panosGroups.has(id(name));
  if (req.method === 'POST' && exists) return panosError(409, 8, 'Object Not Unique', `Object Not Unique: There is already an object named ${name}`);
  if (req.method === 'PUT' && !exists) return panosError(404, 7, 'Object Not Present', `Object Not Present: ${name}`);
  state.panosGroups.set(id(name), { name, location: loc.key, members: [...new Set(members)], description: typeof entry['description'] === 'string' ? entry['description'] : '' });
  state.panosPendingChanges = true;
  return json(200, SUCCESS);
}

/** The XML API, only `type=commit` (query string or form body). */
function xmlApi(req: SimRequest, ctx: SimContext): SimResponse {
  const form = isRecord(req.body) ? req.body : {};
  const param = (n: string): string | undefined => queryValue(req.query, n) ?? (typeof form[n] === 'string' ? form[n] : undefined);
  const key = req.headers['x-pan-key'] ?? param('key');
  if (key !== SIMULATOR_CREDENTIALS.panos.apiKey) return xml(403, "<response status = 'error' code = '403'><result><msg>Invalid Credential</msg></result></response>");
  if (param('type') !== 'commit') return xml(400, '<response status="error" code="400"><result><msg>Only type=commit is simulated</msg></result></response>');
  if (!/^<commit>.*<\/commit>$|^<commit\/>$/.test(param('cmd') ?? '')) return xml(400, '<response status="error" code="17"><msg><line>Invalid command</line></msg></response>');
  if (!ctx.state.panosPendingChanges) return xml(200, '<response status="success" code="19"><msg>There are no changes to commit.</msg></response>');
  const jobId = ctx.state.nextSequence();
  ctx.state.panosCommits.set(jobId, { jobId, at: new Date(ctx.now()).toISOString() });
  ctx.state.panosPendingChanges = false;
  return xml(200, `<response status="success" code="19"><result><msg><line>Commit job enqueued with jobid ${jobId}</line></msg><job>${jobId}</job></result></response>`);
}

export const panosSimulator: VendorSimulator = {
  name: 'panos',
  errorBody: (status, message) => ({
    code: status >= 500 ? 2 : 3,
    message,
    details: [{ '@type': 'CauseInfo', causes: [{ code: status, module: 'panui_mgmt', description: message }] }],
  }),
  handle(req: SimRequest, ctx: SimContext): SimResponse {
    if (req.path === '/api/' || req.path === '/api') return xmlApi(req, ctx);
    if (req.headers['x-pan-key'] !== SIMULATOR_CREDENTIALS.panos.apiKey) return panosError(401, 16, 'Unauthorized', 'Unauthorized: Invalid Credential');
    const m = /^\/restapi\/(v\d+\.\d+)\/Objects\/(Addresses|AddressGroups)$/.exec(req.path);
    if (!m?.[2]) return panosError(404, 3, 'Not Found', `Resource not found: ${req.path}`);
    return m[2] === 'Addresses' ? addresses(req, ctx) : groups(req, ctx);
  },
};

export { PANOS_DEFAULT_GROUP };
