import { randomBytes } from 'node:crypto';
import { http, type TestStack, type TestTenant } from './stack.js';

/** Test support for the SLA clocks: users, policies, escalation and alerts over the real API. */

export interface SlaTimelineLine {
  at: string;
  kind: string;
  message: string;
  data: Record<string, unknown>;
}

export interface CaseWithClocks {
  status: string;
  severityId: number;
  timeline: SlaTimelineLine[];
  sla: { clocks: Array<Record<string, unknown> & { clock: string; status: string; dueAt: string | null; paused: boolean; breached: boolean; severityId: number }> };
}

export async function createUser(stack: TestStack, tenantId: string, label: string): Promise<{ id: string; email: string }> {
  const email = `${label}-${randomBytes(4).toString('hex')}@example.com`;
  const rows: Array<{ id: string }> = await stack.db.query(`INSERT INTO users (tenant_id, email, name, role) VALUES ($1, $2, $3, 'analyst') RETURNING id`, [
    tenantId,
    email,
    label,
  ]);
  return { id: rows[0]!.id, email };
}

export async function api<T = Record<string, unknown>>(stack: TestStack, tenant: TestTenant, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return http<T>(method, `${stack.url}/api/v1${path}`, { key: tenant.key, body });
}

export async function mustApi<T = Record<string, unknown>>(stack: TestStack, tenant: TestTenant, method: string, path: string, body?: unknown): Promise<T> {
  const res = await api<T>(stack, tenant, method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Posts one generic alert (its own host, so it opens its own case) and returns the case id. */
export async function openCase(stack: TestStack, tenant: TestTenant, title: string, severity: string): Promise<string> {
  const host = `host-${randomBytes(4).toString('hex')}`;
  const res = await api<{ alerts: Array<{ caseId: string }> }>(stack, tenant, 'POST', '/alerts/generic', { title, severity, host, sourceId: `${host}-1` });
  if (res.status !== 202) throw new Error(`ingest → ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.alerts[0]!.caseId;
}

export function getCase(stack: TestStack, tenant: TestTenant, caseId: string): Promise<CaseWithClocks> {
  return mustApi<CaseWithClocks>(stack, tenant, 'GET', `/cases/${caseId}`);
}

/** The e-mails the simulator's SMTP server took for `to` whose text (decoded, headers unfolded) contains `needle`. */
export async function mailsTo(stack: TestStack, to: string, needle: string): Promise<Array<{ subject: string; text: string }>> {
  const calls = await http<Array<{ headers: Record<string, string>; body: { raw: string } }>>('GET', `${stack.simulatorUrl}/_simulator/calls?vendor=smtp`);
  return calls.body
    .filter((c) => (c.headers['to'] ?? '').includes(to))
    .map((c) => ({ subject: c.headers['subject'] ?? '', text: decodeQuotedPrintable(c.body.raw).replace(/\r?\n[ \t]+/g, ' ') }))
    .filter((m) => m.text.includes(needle));
}

/** Calls of one vendor at the simulator whose body mentions `needle`. */
export async function vendorCalls(stack: TestStack, vendor: string, needle: string): Promise<unknown[]> {
  const calls = await http<unknown[]>('GET', `${stack.simulatorUrl}/_simulator/calls?vendor=${vendor}`);
  return calls.body.filter((c) => JSON.stringify(c).includes(needle));
}

/** Undoes quoted-printable soft breaks and escapes, as a mail client would before showing the link. */
export function decodeQuotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export const lines = (c: CaseWithClocks, kind: string): SlaTimelineLine[] => c.timeline.filter((e) => e.kind === kind);
