import type { ConnectionContext } from '../core/action.js';
import { effectivePort } from '../core/host-guard.js';
import { SIMULATOR_CREDENTIALS } from './credentials.js';
import { smtpPortFor } from './registry.js';
import { PANOS_DEFAULT_GROUP } from './state.js';

export interface SimulatorConnectionOptions {
  /** SMTP port of the simulator (default: the port an in-process simulator bound, else 4025). */
  smtpPort?: number;
}

export const DEFAULT_SIMULATOR_SMTP_PORT = 4025;

/**
 * Connections for every vendor (keyed by the actions' `vendor`) pointing at the vendor simulator
 * at `baseUrl`, with the simulator's documented credentials. Vigil uses them for the default
 * tenant in development and tests.
 */
export function simulatorConnections(baseUrl: string, options: SimulatorConnectionOptions = {}): Readonly<Record<string, ConnectionContext>> {
  const base = baseUrl.replace(/\/+$/, '');
  const c = SIMULATOR_CREDENTIALS;
  const parsed = new URL(base);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const smtpPort = options.smtpPort ?? smtpPortFor(base) ?? DEFAULT_SIMULATOR_SMTP_PORT;
  // The simulator listens on loopback: its connections opt in to private networks, as an on-premises tool's would.
  const connection = (path: string, secrets: Record<string, string>, settings: Record<string, unknown> = {}): ConnectionContext =>
    Object.freeze({ baseUrl: `${base}${path}`, secrets: Object.freeze({ ...secrets }), settings: Object.freeze({ allowPrivateNetworks: true, ...settings }) });

  return Object.freeze({
    virustotal: connection('/virustotal', { apiKey: c.virustotal.apiKey }),
    abuseipdb: connection('/abuseipdb', { apiKey: c.abuseipdb.apiKey }),
    greynoise: connection('/greynoise', { apiKey: c.greynoise.apiKey }),
    misp: connection('/misp', { apiKey: c.misp.apiKey }),
    crowdstrike: connection('/crowdstrike', { clientId: c.crowdstrike.clientId, clientSecret: c.crowdstrike.clientSecret }),
    defender: connection(
      '/defender',
      { clientId: c.defender.clientId, clientSecret: c.defender.clientSecret },
      { tenantId: c.defender.tenantId, loginBaseUrl: `${base}/defender/login` },
    ),
    entra: connection('/graph', { clientId: c.graph.clientId, clientSecret: c.graph.clientSecret }, { tenantId: c.graph.tenantId, loginBaseUrl: `${base}/graph/login` }),
    okta: connection('/okta', { apiToken: c.okta.apiToken }),
    panos: connection('/panos', { apiKey: c.panos.apiKey }, { version: 'v10.2', location: 'vsys', vsys: 'vsys1', blockGroup: PANOS_DEFAULT_GROUP, commit: true }),
    openc2: connection('/openc2', { bearerToken: c.openc2.bearerToken }, { asset_id: 'vigil-sim-slpf' }),
    slack: connection('/slack', { botToken: c.slack.botToken, signingSecret: c.slack.signingSecret }, { channel: '#soc-alerts' }),
    pagerduty: connection('/pagerduty', { routingKey: c.pagerduty.routingKey }),
    jira: connection('/jira', { email: c.jira.email, apiToken: c.jira.apiToken }),
    email: connection(`/smtp`, { username: c.smtp.username, password: c.smtp.password }, { host, port: smtpPort, secure: false, from: 'vigil@example.com' }),
    // The simulator's own host and port, nothing else on that machine.
    http: connection('/http', { token: c.http.token }, { allowedHosts: [host], allowedPorts: [effectivePort(parsed)], allowPrivateNetworks: true }),
  });
}
