import { isIP } from 'node:net';
import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { isRecord, json, type SimContext, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';
import { openC2CommandProblems } from '../../openc2/openc2-language.js';

const MESSAGE_TYPE = 'application/openc2+json;version=1.0';

const RESPONSE_TYPE = 'application/openc2-rsp+json;version=1.0';

function rsp(req: SimRequest, httpStatus: number, body: Record<string, unknown>): SimResponse {
  const headers: Record<string, string> = { 'content-type': RESPONSE_TYPE };
  const requestId = req.headers['x-request-id'];
  if (requestId) headers['x-request-id'] = requestId;
  return json(httpStatus, body, headers);
}

function validNet(net: unknown): net is string {
  if (typeof net !== 'string') return false;
  const [ip, bits] = net.split('/');
  return isIP(ip ?? '') === 4 && (bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32));
}

function pruneExpired(ctx: SimContext): void {
  for (const [n, r] of ctx.state.openc2Rules) if (r.expiresAt !== null && r.expiresAt <= ctx.now()) ctx.state.openc2Rules.delete(n);
}

const FEATURES = {
  versions: ['1.0'],
  profiles: ['slpf'],
  pairs: { allow: ['ipv4_net'], deny: ['ipv4_net'], delete: ['slpf:rule_number'], query: ['features'] },
  rate_limit: 600,
};

export const openC2Simulator: VendorSimulator = {
  name: 'openc2',
  errorBody: (status, message) => ({ status, status_text: message }),
  handle(req: SimRequest, ctx: SimContext): SimResponse {
    if (req.headers['authorization'] !== `Bearer ${SIMULATOR_CREDENTIALS.openc2.bearerToken}`) return rsp(req, 401, { status: 401, status_text: 'Unauthorized' });
    if (req.method !== 'POST' || (req.path !== '' && req.path !== '/')) return rsp(req, 404, { status: 404, status_text: 'Not Found: POST OpenC2 commands to the endpoint root' });
    const contentType = (req.headers['content-type'] ?? '').replace(/\s+/g, '').toLowerCase();
    if (contentType.startsWith('application/openc2+json')) return handleMessage(req, ctx);
    if (!contentType.startsWith('application/openc2-cmd+json'))
      return rsp(req, 415, { status: 415, status_text: 'Unsupported Media Type: expected application/openc2-cmd+json;version=1.0' });
    return handleCommand(req, ctx, isRecord(req.body) ? req.body : undefined);
  },
};

/**
 * An OpenC2 message as the HTTPS transfer specification 1.1 writes it: the command in
 * `body.openc2.request`, the response in `body.openc2.response` with the request id in its headers.
 * The HTTP status mirrors the OpenC2 status: 200, 400 for what is not an OpenC2 1.0 command, 501 for
 * a command this consumer does not implement.
 */
function handleMessage(req: SimRequest, ctx: SimContext): SimResponse {
  const message = isRecord(req.body) ? req.body : {};
  const headers = isRecord(message['headers']) ? message['headers'] : {};
  const body = isRecord(message['body']) ? message['body'] : {};
  const openc2 = isRecord(body['openc2']) ? body['openc2'] : {};
  const request = isRecord(openc2['request']) ? openc2['request'] : undefined;
  const requestId = typeof headers['request_id'] === 'string' ? headers['request_id'] : req.headers['x-request-id'];
  const answer = (response: Record<string, unknown>): SimResponse => {
    const status = typeof response['status'] === 'number' ? response['status'] : 500;
    const out: Record<string, string> = { 'content-type': MESSAGE_TYPE };
    if (requestId) out['x-request-id'] = requestId;
    const envelope = {
      headers: { request_id: requestId ?? null, created: ctx.now(), from: 'vigil-sim-openc2', to: [typeof headers['from'] === 'string' ? headers['from'] : 'producer'] },
      body: { openc2: { response } },
    };
    return json(status >= 200 && status < 300 ? 200 : status, envelope, out);
  };
  if (!request) return answer({ status: 400, status_text: 'Validation Error: the message has no body.openc2.request' });
  const problems = openC2CommandProblems(request);
  if (problems.length > 0) return answer({ status: 400, status_text: `Validation Error: ${problems.join('; ')}` });
  const inner = handleCommand(req, ctx, request);
  return answer(isRecord(inner.body) ? inner.body : { status: inner.status });
}

function handleCommand(req: SimRequest, ctx: SimContext, cmd: Record<string, unknown> | undefined): SimResponse {
  if (!cmd || typeof cmd['action'] !== 'string' || !isRecord(cmd['target'])) return rsp(req, 400, { status: 400, status_text: 'Validation Error: action and target are required' });
  const target = cmd['target'];
  const args = isRecord(cmd['args']) ? cmd['args'] : {};
  const actuator = cmd['actuator'];
  if (actuator !== undefined && !(isRecord(actuator) && 'slpf' in actuator)) return rsp(req, 200, { status: 501, status_text: 'Actuator profile not supported' });
  const requested = typeof args['response_requested'] === 'string' ? args['response_requested'] : 'complete';
  pruneExpired(ctx);
  const action = cmd['action'];
  if (action === 'query' && 'features' in target) return rsp(req, 200, { status: 200, results: FEATURES });
  if (action === 'deny' || action === 'allow') {
    if (Object.keys(target).length !== 1 || !('ipv4_net' in target)) return rsp(req, 200, { status: 501, status_text: 'Target type not supported' });
    const net = target['ipv4_net'];
    if (!validNet(net)) return rsp(req, 200, { status: 400, status_text: `Validation Error: ipv4_net '${String(net)}'` });
    const slpf = isRecord(args['slpf']) ? args['slpf'] : {};
    const direction = typeof slpf['direction'] === 'string' ? slpf['direction'] : 'both';
    if (!['both', 'ingress', 'egress'].includes(direction)) return rsp(req, 200, { status: 400, status_text: `Validation Error: direction '${direction}'` });
    const duration = args['duration'];
    if (duration !== undefined && (typeof duration !== 'number' || !Number.isInteger(duration) || duration <= 0))
      return rsp(req, 200, { status: 400, status_text: 'Validation Error: duration must be a positive integer (milliseconds)' });
    // An identical rule already in place is reused: the command is idempotent on this actuator.
    const existing = [...ctx.state.openc2Rules.values()].find((r) => r.action === action && r.ipv4Net === net && r.direction === direction);
    let ruleNumber: number;
    if (existing) {
      ruleNumber = existing.ruleNumber;
    } else {
      // deny and allow are complements: a new rule for a net replaces the opposite one.
      for (const [n, r] of ctx.state.openc2Rules) if (r.ipv4Net === net && r.action !== action) ctx.state.openc2Rules.delete(n);
      ruleNumber = ctx.state.openc2NextRule++;
      ctx.state.openc2Rules.set(ruleNumber, {
        ruleNumber,
        action,
        ipv4Net: net,
        direction,
        createdAt: new Date(ctx.now()).toISOString(),
        expiresAt: typeof duration === 'number' ? ctx.now() + duration : null,
        requestId: req.headers['x-request-id'] ?? null,
      });
    }
    if (requested === 'none') return { status: 204, headers: { 'content-type': RESPONSE_TYPE } };
    if (requested === 'ack') return rsp(req, 200, { status: 102 });
    return rsp(req, 200, { status: 200, results: { slpf: { rule_number: ruleNumber } } });
  }
  if (action === 'delete') {
    const n = target['slpf:rule_number'];
    if (typeof n !== 'number' || !Number.isInteger(n)) return rsp(req, 200, { status: 400, status_text: 'Validation Error: slpf:rule_number must be an integer' });
    if (!ctx.state.openc2Rules.delete(n)) return rsp(req, 200, { status: 404, status_text: `Rule ${n} not found` });
    return rsp(req, 200, { status: 200 });
  }
  return rsp(req, 200, { status: 501, status_text: 'Command not supported' });
}
