import { randomUUID } from 'node:crypto';
import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { isRecord, json, type SimContext, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';
import type { DefenderMachine, DefenderMachineAction } from '../state.js';
import { entraToken } from './entra-login.js';
import { checkBearer } from './tokens.js';

export const DEFENDER_SIM_SCOPE = 'https://api.securitycenter.microsoft.com/.default';

function defenderError(status: number, code: string, message: string, target?: string): SimResponse {
  return json(status, { error: { code, message, target: target ?? randomUUID() } });
}

function machine(ctx: SimContext, id: string): DefenderMachine {
  let m = ctx.state.defenderMachines.get(id);
  if (!m) {
    m = { id, computerDnsName: `ws-${id.slice(0, 6)}.corp.example.com`, isolated: false, isolationType: null, history: [] };
    ctx.state.defenderMachines.set(id, m);
  }
  return m;
}

function isolation(req: SimRequest, ctx: SimContext, id: string, release: boolean): SimResponse {
  if (!/^[0-9a-f]{40}$/.test(id) || id.startsWith('0000')) return defenderError(404, 'ResourceNotFound', `Machine ${id} was not found`);
  const body = isRecord(req.body) ? req.body : {};
  const comment = body['Comment'];
  if (typeof comment !== 'string' || comment.trim() === '') return defenderError(400, 'InvalidRequestBody', 'Request body is invalid: Comment is required');
  const isolationType = body['IsolationType'] ?? 'Full';
  if (!release && (typeof isolationType !== 'string' || !['Full', 'Selective', 'UnManagedDevice'].includes(isolationType))) {
    return defenderError(400, 'InvalidRequestBody', `Request body is invalid: IsolationType '${String(isolationType)}' is not supported`);
  }
  const m = machine(ctx, id);
  if (m.isolated !== release) {
    // Same kind of action already in effect: Defender refuses the duplicate.
    return defenderError(400, 'ActiveRequestAlreadyExists', `Action is already in progress or in effect for machine ${id}`);
  }
  const now = new Date(ctx.now()).toISOString();
  m.isolated = !release;
  m.isolationType = release ? null : String(isolationType);
  m.history.push({ action: release ? 'Unisolate' : 'Isolate', at: now });
  ctx.state.defenderMachines.set(id, m);
  const action: DefenderMachineAction = {
    id: randomUUID(),
    type: release ? 'Unisolate' : 'Isolate',
    machineId: id,
    requestorComment: comment,
    status: 'Succeeded',
    creationDateTimeUtc: now,
  };
  ctx.state.defenderActions.set(action.id, action);
  return json(201, {
    '@odata.context': 'https://api.securitycenter.microsoft.com/api/$metadata#MachineActions/$entity',
    id: action.id,
    type: action.type,
    title: null,
    requestor: SIMULATOR_CREDENTIALS.defender.clientId,
    requestorComment: comment,
    status: action.status,
    machineId: id,
    computerDnsName: m.computerDnsName,
    creationDateTimeUtc: now,
    lastUpdateDateTimeUtc: now,
    cancellationRequestor: null,
    cancellationComment: null,
    cancellationDateTimeUtc: null,
    errorHResult: 0,
    scope: release ? null : m.isolationType,
    externalId: null,
    requestSource: 'PublicApi',
    relatedFileInfo: null,
    commands: [],
    troubleshootInfo: null,
  });
}

export const defenderSimulator: VendorSimulator = {
  name: 'defender',
  errorBody: (status, message) => ({ error: { code: status === 429 ? 'TooManyRequests' : status >= 500 ? 'InternalServerError' : 'BadRequest', message, target: randomUUID() } }),
  handle(req: SimRequest, ctx: SimContext): SimResponse {
    const creds = SIMULATOR_CREDENTIALS.defender;
    const login = entraToken(req, ctx, 'defender', { ...creds, scope: DEFENDER_SIM_SCOPE });
    if (login) return login;
    const auth = checkBearer(req, ctx, 'defender', DEFENDER_SIM_SCOPE);
    if (!auth.ok) return defenderError(401, 'Unauthorized', auth.reason === 'missing' ? 'Authorization header is missing' : 'Invalid or expired access token');
    const m = /^\/api\/machines\/([^/]+)\/(isolate|unisolate)$/.exec(req.path);
    if (m?.[1] && m[2] && req.method === 'POST') return isolation(req, ctx, decodeURIComponent(m[1]).toLowerCase(), m[2] === 'unisolate');
    const get = /^\/api\/machines\/([^/]+)$/.exec(req.path);
    if (get?.[1] && req.method === 'GET') {
      const id = decodeURIComponent(get[1]).toLowerCase();
      if (!/^[0-9a-f]{40}$/.test(id) || id.startsWith('0000')) return defenderError(404, 'ResourceNotFound', `Machine ${id} was not found`);
      const mm = machine(ctx, id);
      return json(200, { id: mm.id, computerDnsName: mm.computerDnsName, osPlatform: 'Windows11', healthStatus: 'Active', riskScore: 'Medium', isolated: mm.isolated });
    }
    return defenderError(404, 'ResourceNotFound', `No route for ${req.method} ${req.path}`);
  },
};
