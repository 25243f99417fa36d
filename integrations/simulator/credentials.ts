/**
 * The simulator's fixed, documented credentials. They are public on purpose: they open nothing
 * but the simulator. Anything else gets the vendor's own authentication error.
 */
export const SIMULATOR_CREDENTIALS = {
  virustotal: { apiKey: 'vt-sim-4b1d6a0e9f2c47d3a8e5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7' },
  abuseipdb: { apiKey: 'abuseipdb-sim-6f0c1d2e3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1' },
  greynoise: { apiKey: 'greynoise-sim-2c8e4f6a1b3d5e7f9a0b2c4d6e8f' },
  misp: { apiKey: 'mispSimAutomationKey0000000000000000000001' },
  crowdstrike: { clientId: 'falcon-sim-client-3a7f9e1c5b2d4f6a', clientSecret: 'falcon-sim-secret-8d2b6e0a4c9f1e3b5d7a9c1e3f5b7d9a' },
  defender: { tenantId: '11111111-2222-4333-8444-555555555555', clientId: 'a1b2c3d4-0000-4000-8000-defe0de0de01', clientSecret: 'defender-sim-secret~Q8w.E2r_T4y-U6i' },
  graph: { tenantId: '11111111-2222-4333-8444-555555555555', clientId: 'a1b2c3d4-0000-4000-8000-9a9a9a9a9a01', clientSecret: 'graph-sim-secret~P0o.I9u_Y8t-R7e' },
  okta: { apiToken: '00SimOktaApiToken-4f8b2d6e1a3c5e7f9b0d2f4a6c8e' },
  panos: { apiKey: 'LUFRPT1TaW1QYW5PU0tleT0xMjM0NTY3ODkwYWJjZGVm' },
  openc2: { bearerToken: 'openc2-sim-token-5e9a1c3f7b2d4e6a8c0e2f4a' },
  slack: { botToken: 'xoxb-0000000001-0000000002-SimSlackBotTokenAbCd', signingSecret: 'sim-slack-signing-secret-8f42b1c9d7e3a5f6' },
  pagerduty: { routingKey: 'R0SIMPAGERDUTY0ROUTINGKEY0000001' },
  jira: { email: 'vigil-bot@example.com', apiToken: 'ATATT3xSimJiraApiToken0000000000000000000' },
  smtp: { username: 'vigil-smtp', password: 'smtp-sim-password-7c1e9a3b' },
  http: { token: 'http-echo-sim-token-0b1c2d3e4f5a' },
} as const;

/** Fields listed with the credentials that identify rather than authenticate (they appear in URLs). */
const NOT_SECRET = new Set(['tenantId', 'email', 'username']);

/** Every credential value, for redacting the call record. */
export function allSimulatorSecretValues(): string[] {
  const out: string[] = [];
  for (const group of Object.values(SIMULATOR_CREDENTIALS)) {
    for (const [name, value] of Object.entries(group)) if (!NOT_SECRET.has(name)) out.push(value);
  }
  return out;
}
