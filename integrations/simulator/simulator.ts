import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { signSlackRequest } from '../slack/interaction-signature.js';
import { SLACK_APPROVE_ACTION_ID, SLACK_APPROVAL_BLOCK_ID, SLACK_REJECT_ACTION_ID } from '../slack/post-message.action.js';
import { CallLog, type RecordedCall } from './call-log.js';
import { SIMULATOR_CREDENTIALS } from './credentials.js';
import { FaultBook, faultSpec } from './faults.js';
import { registerSimulator, unregisterSimulator } from './registry.js';
import type { QueryValues, SimContext, SimRequest, SimResponse, VendorSimulator } from './sim-types.js';
import { startSmtpSimulator, type RunningSmtpSimulator } from './smtp.js';
import { SimulatorState } from './state.js';
import { abuseIpdbSimulator } from './vendors/abuseipdb.js';
import { crowdStrikeSimulator } from './vendors/crowdstrike.js';
import { defenderSimulator } from './vendors/defender.js';
import { graphSimulator } from './vendors/graph.js';
import { greyNoiseSimulator } from './vendors/greynoise.js';
import { httpEchoSimulator } from './vendors/http-echo.js';
import { jiraSimulator } from './vendors/jira.js';
import { mispSimulator } from './vendors/misp.js';
import { oktaSimulator } from './vendors/okta.js';
import { openC2Simulator } from './vendors/openc2.js';
import { pagerDutySimulator } from './vendors/pagerduty.js';
import { panosSimulator } from './vendors/panos.js';
import { slackSimulator } from './vendors/slack.js';
import { virusTotalSimulator } from './vendors/virustotal.js';

export { SIMULATOR_CREDENTIALS } from './credentials.js';
export type { RecordedCall } from './call-log.js';
export type { FaultSpec } from './faults.js';

/** Vendors by URL prefix: `/virustotal/api/v3/...` is VirusTotal's `/api/v3/...`. */
const VENDORS: ReadonlyMap<string, VendorSimulator> = new Map(
  [
    virusTotalSimulator,
    abuseIpdbSimulator,
    greyNoiseSimulator,
    mispSimulator,
    crowdStrikeSimulator,
    defenderSimulator,
    graphSimulator,
    oktaSimulator,
    panosSimulator,
    openC2Simulator,
    slackSimulator,
    pagerDutySimulator,
    jiraSimulator,
    httpEchoSimulator,
  ].map((v) => [v.name, v]),
);

export const SIMULATOR_VENDORS: readonly string[] = [...VENDORS.keys(), 'smtp'];

const MAX_BODY_BYTES = 1024 * 1024;

export interface SimulatorOptions {
  /** Port to listen on; 0 picks a free one (default 4010). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** SMTP listener port; 0 picks a free one (default 4025). */
  smtpPort?: number;
  /** Clock (tests). */
  now?: () => number;
}

export interface RunningSimulator {
  /** Base URL, e.g. `http://127.0.0.1:4010`; vendor base URLs are `${url}/<vendor>`. */
  url: string;
  smtpPort: number;
  state: SimulatorState;
  close(): Promise<void>;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Stop buffering; the 413 goes out with `connection: close` and the socket ends after it.
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpProblem(413, 'request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseQuery(params: URLSearchParams): QueryValues {
  const out: QueryValues = {};
  for (const [k, v] of params) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function lowerHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function parseBody(raw: Buffer, contentType: string): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if (/json/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpProblem(400, 'malformed JSON body');
    }
  }
  if (/application\/x-www-form-urlencoded/i.test(contentType)) {
    const form: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      const prev = form[k];
      form[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return form;
  }
  return text;
}

function send(res: ServerResponse, out: SimResponse): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...(out.headers ?? {}) };
  let payload: string | undefined;
  if (out.body !== undefined) {
    if (typeof out.body === 'string') {
      payload = out.body;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      payload = JSON.stringify(out.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
  }
  res.writeHead(out.status, headers);
  res.end(payload);
}

const slackInteractionRequest = z.strictObject({
  url: z.url(),
  decision: z.enum(['approve', 'reject']),
  approvalToken: z.string().min(1).optional(),
  messageTs: z.string().optional(),
  userId: z.string().min(1).default('U0SIMUSER1'),
  username: z.string().min(1).default('analyst'),
});

/** Only loopback targets: the simulator never sends traffic off the machine. */
function isLoopbackUrl(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
}

/**
 * Starts the vendor simulator: one HTTP server for every vendor under its prefix, control
 * endpoints under `/_simulator/`, and an SMTP listener.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const state = new SimulatorState();
  const calls = new CallLog();
  const faults = new FaultBook();
  const ctx: SimContext = { state, now };
  const timers = new Set<NodeJS.Timeout>();
  const started = now();
  let url = '';
  let smtp: RunningSmtpSimulator | undefined;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  async function deliverSlackInteraction(body: unknown): Promise<SimResponse> {
    const parsed = slackInteractionRequest.safeParse(body);
    if (!parsed.success) return { status: 400, body: { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } };
    const r = parsed.data;
    const target = new URL(r.url);
    if (!isLoopbackUrl(target)) return { status: 400, body: { error: 'interactions are only delivered to loopback URLs' } };
    const messages = [...state.slackMessages.values()];
    const message = r.messageTs
      ? messages.find((m) => m.ts === r.messageTs)
      : r.approvalToken
        ? messages.find((m) => m.approvalToken === r.approvalToken)
        : messages.reverse().find((m) => m.approvalToken !== null);
    const token = r.approvalToken ?? message?.approvalToken ?? undefined;
    if (!token) return { status: 404, body: { error: 'no message with an approval token found' } };
    const actionTs = (now() / 1000).toFixed(6);
    const payload = {
      type: 'block_actions',
      user: { id: r.userId, username: r.username, name: r.username, team_id: 'T0SIMTEAM1' },
      api_app_id: 'A0SIMAPP01',
      token: 'simulated-verification-token',
      container: { type: 'message', message_ts: message?.ts ?? actionTs, channel_id: message?.channel ?? 'C0SIMCHAN1', is_ephemeral: false },
      trigger_id: `${Date.now()}.simulated`,
      team: { id: 'T0SIMTEAM1', domain: 'vigil-sim' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: message?.channel ?? 'C0SIMCHAN1', name: 'soc' },
      message: { type: 'message', ts: message?.ts ?? actionTs, text: message?.text ?? '' },
      state: { values: {} },
      response_url: `${url}/slack/response/${message?.ts ?? actionTs}`,
      actions: [
        {
          action_id: r.decision === 'approve' ? SLACK_APPROVE_ACTION_ID : SLACK_REJECT_ACTION_ID,
          block_id: SLACK_APPROVAL_BLOCK_ID,
          text: { type: 'plain_text', text: r.decision === 'approve' ? 'Approve' : 'Reject', emoji: true },
          value: token,
          style: r.decision === 'approve' ? 'primary' : 'danger',
          type: 'button',
          action_ts: actionTs,
        },
      ],
    };
    const rawBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const timestamp = String(Math.floor(now() / 1000));
    const res = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': signSlackRequest(SIMULATOR_CREDENTIALS.slack.signingSecret, timestamp, rawBody),
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      },
      body: rawBody,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: 200, body: { deliveredTo: target.toString(), status: res.status, body: text.slice(0, 10_000), approvalToken: token } };
  }

  async function control(req: IncomingMessage, path: string, query: URLSearchParams, rawBody: Buffer): Promise<SimResponse> {
    const method = req.method ?? 'GET';
    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /_simulator/health':
        return {
          status: 200,
          body: { status: 'ok', url, smtpPort: smtp?.port ?? null, vendors: SIMULATOR_VENDORS, calls: calls.size, uptimeSeconds: Math.round((now() - started) / 1000) },
        };
      case 'GET /_simulator/calls': {
        const vendor = query.get('vendor') ?? undefined;
        return { status: 200, body: calls.list(vendor) };
      }
      case 'DELETE /_simulator/calls':
        calls.clear();
        return { status: 204 };
      case 'GET /_simulator/faults':
        return { status: 200, body: faults.list() };
      case 'POST /_simulator/faults': {
        const parsed = faultSpec.safeParse(parseBody(rawBody, 'application/json'));
        if (!parsed.success) return { status: 400, body: { error: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') } };
        if (!VENDORS.has(parsed.data.vendor) && parsed.data.vendor !== 'smtp')
          return { status: 400, body: { error: `unknown vendor ${parsed.data.vendor}`, vendors: SIMULATOR_VENDORS } };
        try {
          return { status: 201, body: faults.add(parsed.data) };
        } catch (err) {
          return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
        }
      }
      case 'DELETE /_simulator/faults':
        faults.clear();
        return { status: 204 };
      case 'GET /_simulator/state':
        return { status: 200, body: state.snapshot() };
      case 'DELETE /_simulator/state':
        state.reset();
        return { status: 204 };
      case 'POST /_simulator/slack/interactions':
        return deliverSlackInteraction(parseBody(rawBody, 'application/json'));
      default:
        return { status: 404, body: { error: `no simulator control endpoint ${route}` } };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://simulator.invalid');
    const path = target.pathname;
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req);
    } catch (err) {
      send(res, { status: err instanceof HttpProblem ? err.status : 400, headers: { connection: 'close' }, body: { error: err instanceof Error ? err.message : 'bad request' } });
      return;
    }
    if (path.startsWith('/_simulator/')) {
      send(res, await control(req, path, target.searchParams, rawBody));
      return;
    }
    const [, prefix = '', ...rest] = path.split('/');
    const vendor = VENDORS.get(prefix);
    if (!vendor) {
      send(res, { status: 404, body: { error: `unknown vendor prefix /${prefix}`, vendors: SIMULATOR_VENDORS } });
      return;
    }
    const headers = lowerHeaders(req);
    const simReq: SimRequest = {
      vendor: vendor.name,
      method: (req.method ?? 'GET').toUpperCase(),
      path: rest.length > 0 ? `/${rest.join('/')}` : '',
      query: parseQuery(target.searchParams),
      headers,
      body: undefined,
      rawBody,
      origin: `http://${headers['host'] ?? new URL(url).host}`,
    };
    let parseProblem: HttpProblem | undefined;
    try {
      simReq.body = parseBody(rawBody, headers['content-type'] ?? '');
    } catch (err) {
      parseProblem = err instanceof HttpProblem ? err : new HttpProblem(400, 'unreadable body');
      simReq.body = rawBody.toString('utf8');
    }
    const call: RecordedCall = calls.record(simReq, now());
    const fault = faults.take(vendor.name, simReq.method, simReq.path);
    if (fault) {
      call.fault = fault.kind;
      if (fault.kind === 'hang') return; // never answered; the socket is destroyed on close()
      if (fault.kind === 'status') {
        const status = fault.status ?? 500;
        const extra: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
        call.status = status;
        send(res, { status, headers: { 'content-type': 'application/json; charset=utf-8', ...extra }, body: vendor.errorBody(status, `Injected fault: HTTP ${status}`) });
        return;
      }
      await sleep(fault.latencyMs ?? 1000);
    }
    let out: SimResponse;
    if (parseProblem) {
      out = { status: parseProblem.status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: vendor.errorBody(parseProblem.status, parseProblem.message) };
    } else {
      try {
        out = await vendor.handle(simReq, ctx);
      } catch (err) {
        out = { status: 500, body: vendor.errorBody(500, `simulator error: ${err instanceof Error ? err.message : String(err)}`) };
      }
    }
    call.status = out.status;
    send(res, out);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      send(res, { status: 500, body: { error: err instanceof Error ? err.message : String(err) } });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4010, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${urlHost}:${address.port}`;
  try {
    smtp = await startSmtpSimulator({ host, port: options.smtpPort ?? 4025, calls, faults, state, now });
  } catch (err) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
  registerSimulator(url, smtp.port);
  const smtpServer = smtp;

  return {
    url,
    smtpPort: smtpServer.port,
    state,
    async close() {
      unregisterSimulator(url);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Hung and keep-alive connections would hold close() open; they are ours to end.
      server.closeAllConnections();
      await Promise.all([closed, smtpServer.close()]);
    },
  };
}
