import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simulatorConnections } from '../../integrations/simulator/connections.js';
import { readFixtureJson } from './fixtures.js';
import { eventually, http, type TestStack } from './stack.js';

/** A call the vendor simulator received (headers, query and body redacted by the simulator). */
export interface SimulatorCall {
  id: number;
  vendor: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  time: string;
}

export async function simulatorCalls(simulatorUrl: string, vendor: string): Promise<SimulatorCall[]> {
  const res = await http<SimulatorCall[]>('GET', `${simulatorUrl}/_simulator/calls?vendor=${vendor}`);
  return res.body;
}

/** A playbooks folder holding these files (name → YAML). */
export function playbookDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-integrations-'));
  mkdirSync(path.join(dir, 'templates'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The body of `POST /api/v1/connections` for one vendor of the simulator, with its documented credentials. */
export function simulatorConnectionBody(
  simulatorUrl: string,
  vendor: string,
  extra: { settings?: Record<string, unknown>; secrets?: Record<string, string>; enabledActions?: string[] | null } = {},
): Record<string, unknown> {
  const c = simulatorConnections(simulatorUrl)[vendor];
  if (!c) throw new Error(`the simulator has no ${vendor}`);
  return {
    vendor,
    name: `${vendor} test`,
    baseUrl: c.baseUrl,
    settings: { ...c.settings, ...extra.settings },
    secrets: { ...c.secrets, ...extra.secrets },
    ...(extra.enabledActions !== undefined ? { enabledActions: extra.enabledActions } : {}),
  };
}

/** A CrowdStrike detection (the stream's DetectionSummaryEvent) about one host: device.uid is the sensor id; the technique picks the test's playbook. */
export function falconDetection(options: {
  sensorId: string;
  hostname: string;
  detectId: string;
  techniqueId?: string;
  userName?: string;
  localIp?: string;
}): Record<string, unknown> {
  const base = readFixtureJson('alerts', 'crowdstrike_stream_detection_summary.json') as { metadata: Record<string, unknown>; event: Record<string, unknown> };
  return {
    ...base,
    event: {
      ...base.event,
      SensorId: options.sensorId,
      ComputerName: options.hostname,
      DetectId: `ldt:${options.sensorId}:${options.detectId}`,
      ...(options.techniqueId !== undefined ? { TechniqueId: options.techniqueId } : {}),
      ...(options.userName !== undefined ? { UserName: options.userName } : {}),
      ...(options.localIp !== undefined ? { LocalIP: options.localIp } : {}),
    },
  };
}

/** Posts a CrowdStrike detection; returns its case id. */
export async function postFalconDetection(stack: TestStack, key: string, detection: Record<string, unknown>): Promise<string> {
  const res = await http<{ alerts: Array<{ caseId: string }> }>('POST', `${stack.url}/api/v1/alerts/crowdstrike`, { key, body: detection });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.alerts[0]!.caseId;
}

/** A random 32-hex Falcon sensor id (the simulator knows every id not starting with 0000). */
export function sensorId(): string {
  return `a${randomBytes(16).toString('hex').slice(1)}`;
}

export interface TimelineLine {
  kind: string;
  stepId: string | null;
  actor: string;
  message: string;
  data: Record<string, unknown>;
}

export interface CaseBody {
  id: string;
  status: string;
  run: { status: string; playbookId: string | null };
  timeline: TimelineLine[];
}

/** The case once its playbook run finished (completed or failed). */
export async function finishedCase(stack: TestStack, key: string, caseId: string, timeoutMs = 30_000): Promise<CaseBody> {
  return eventually(
    async () => {
      const c = await http<CaseBody>('GET', `${stack.url}/api/v1/cases/${caseId}`, { key });
      return c.status === 200 && (c.body.run.status === 'completed' || c.body.run.status === 'failed') ? c.body : undefined;
    },
    timeoutMs,
    `the run of case ${caseId} to finish`,
  );
}

/** Posts one generic alert; returns its case id. */
export async function postGenericAlert(stack: TestStack, key: string, alert: Record<string, unknown>): Promise<string> {
  const res = await http<{ alerts: Array<{ caseId: string }> }>('POST', `${stack.url}/api/v1/alerts/generic`, { key, body: alert });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.alerts[0]!.caseId;
}
