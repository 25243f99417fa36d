import { Inject, Injectable } from '@nestjs/common';
import { auditBy, recordAudit } from '../audit/index.js';
import { type Principal, PROVIDER_TENANT_SLUG } from '../common/auth/principal.js';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import type { RequestOrigin } from '../common/http/request-origin.js';
import type { Queryable } from '../persistence/query-rows.js';
import type { BusinessCalendar, DailyInterval, Weekday } from './calendar.js';
import { type CaseFacts, effectiveSeverity, planClocks, type PlannedClock, resolvePolicy, type SlaTargets } from './clocks.js';
import { formatDuration, parseDuration } from './durations.js';
import { type EscalationLevel, type PagedLevel, planEscalation } from './escalation.js';
import { type Rota, type RotaLayer, type RotaOverride, rotaUserIds, whoIsOnDuty } from './rota.js';
import {
  type CalendarBody,
  type CalendarView,
  type EscalationBody,
  type EscalationView,
  type OnDutyView,
  type PolicyBody,
  type PolicyView,
  type RotaBody,
  type RotaView,
  SEVERITY_IDS,
  severityName,
} from './sla.schemas.js';
import { type ScopedRow, SlaRepository, type SlaTable } from './sla.repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Issue {
  path: string;
  message: string;
}

/** Where a write lands: the caller's tenant, which on the provider's tenant means the MSSP-wide rows. */
interface WriteScope {
  tenantId: string;
  /** Tenants whose rows and users this tenant's rows may name: itself and the provider's. */
  visible: string[];
}

/** One of the four resources, as the generic create/replace/delete below needs it. */
interface Resource<B, V> {
  table: SlaTable;
  /** Audit action prefix and target kind: `sla_policy`. */
  noun: string;
  what: string;
  columns(body: B): Record<string, unknown>;
  view(row: ScopedRow): V;
  /** References the body makes that do not resolve, as issues on its fields. */
  check(m: Queryable, scope: WriteScope, body: B): Promise<Issue[]>;
}

const iso = (d: unknown): string => new Date(d as Date).toISOString();
const audited = (r: ScopedRow) => ({ createdBy: r.created_by, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) });
const seconds = (value: string): number => {
  const parsed = parseDuration(value);
  if ('error' in parsed) throw new VigilError('invalid_body', parsed.error);
  return parsed.seconds;
};

/**
 * SLA policies, business calendars, on-call rotas and escalation policies for the API. Every write
 * is one transaction (validation of references, the change, its audit line); rows of the provider's
 * tenant are the MSSP-wide ones, which client tenants read and only MSSP operators change.
 */
@Injectable()
export class SlaService {
  constructor(@Inject(SlaRepository) private readonly repo: SlaRepository) {}

  readonly calendars: Resource<CalendarBody, CalendarView> = {
    table: 'sla_calendars',
    noun: 'sla_calendar',
    what: 'calendar',
    columns: (b) => ({ name: b.name, kind: b.kind, time_zone: b.timeZone, hours: JSON.stringify(b.hours), holidays: [...new Set(b.holidays)].sort() }),
    view: (r) => ({
      id: r.id,
      scope: r.scope,
      name: r.name,
      kind: r['kind'] as CalendarView['kind'],
      timeZone: r['time_zone'] as string,
      hours: r['hours'] as Partial<Record<Weekday, DailyInterval[]>>,
      holidays: r['holidays'] as string[],
      ...audited(r),
    }),
    check: () => Promise.resolve([]),
  };

  readonly policies: Resource<PolicyBody, PolicyView> = {
    table: 'sla_policies',
    noun: 'sla_policy',
    what: 'SLA policy',
    columns: (b) => ({
      name: b.name,
      severity_id: SEVERITY_IDS[b.severity],
      acknowledge_seconds: seconds(b.timeToAcknowledge),
      contain_seconds: seconds(b.timeToContain),
      resolve_seconds: seconds(b.timeToResolve),
      clock_start: b.clockStart,
      calendar_id: b.calendarId,
      pause_on_hold: b.pauseOnHold,
      thresholds: [...new Set(b.thresholds)].sort((x, y) => x - y),
      escalation_policy_id: b.escalationPolicyId,
    }),
    view: (r) => ({
      id: r.id,
      scope: r.scope,
      name: r.name,
      severity: severityName(r['severity_id'] as number),
      severityId: r['severity_id'] as number,
      timeToAcknowledge: formatDuration(r['acknowledge_seconds'] as number),
      timeToContain: formatDuration(r['contain_seconds'] as number),
      timeToResolve: formatDuration(r['resolve_seconds'] as number),
      clockStart: r['clock_start'] as PolicyView['clockStart'],
      calendarId: (r['calendar_id'] as string | null) ?? null,
      pauseOnHold: r['pause_on_hold'] as boolean,
      thresholds: r['thresholds'] as number[],
      escalationPolicyId: (r['escalation_policy_id'] as string | null) ?? null,
      ...audited(r),
    }),
    check: async (m, scope, b) => {
      const issues: Issue[] = [];
      if (b.calendarId && !(await this.repo.existing(m, 'sla_calendars', scope.visible, [b.calendarId])).has(b.calendarId)) {
        issues.push({ path: 'calendarId', message: 'no such calendar for this tenant' });
      }
      if (b.escalationPolicyId && !(await this.repo.existing(m, 'escalation_policies', scope.visible, [b.escalationPolicyId])).has(b.escalationPolicyId)) {
        issues.push({ path: 'escalationPolicyId', message: 'no such escalation policy for this tenant' });
      }
      return issues;
    },
  };

  readonly rotas: Resource<RotaBody, RotaView> = {
    table: 'oncall_rotas',
    noun: 'oncall_rota',
    what: 'rota',
    columns: (b) => ({ name: b.name, time_zone: b.timeZone, layers: JSON.stringify(b.layers), overrides: JSON.stringify(b.overrides) }),
    view: (r) => ({
      id: r.id,
      scope: r.scope,
      name: r.name,
      timeZone: r['time_zone'] as string,
      layers: r['layers'] as RotaView['layers'],
      overrides: r['overrides'] as RotaView['overrides'],
      ...audited(r),
    }),
    check: async (m, scope, b) => {
      // Members and stand-ins are people of the rota's own tenant.
      const known = await this.repo.activeUsers(m, [scope.tenantId], rotaUserIds(b));
      const issues: Issue[] = [];
      const unknown = (id: string) => !known.has(id);
      b.layers.forEach((l, i) => l.members.forEach((id, j) => unknown(id) && issues.push({ path: `layers.${i}.members.${j}`, message: `${id} is not a user of this tenant` })));
      b.overrides.forEach((o, i) => {
        if (unknown(o.userId)) issues.push({ path: `overrides.${i}.userId`, message: `${o.userId} is not a user of this tenant` });
        if (o.replaces && unknown(o.replaces)) issues.push({ path: `overrides.${i}.replaces`, message: `${o.replaces} is not a user of this tenant` });
      });
      return issues;
    },
  };

  readonly escalations: Resource<EscalationBody, EscalationView> = {
    table: 'escalation_policies',
    noun: 'escalation_policy',
    what: 'escalation policy',
    columns: (b) => ({
      name: b.name,
      levels: JSON.stringify(b.levels.map((l): EscalationLevel => ({ rotas: l.rotas, users: l.users, channels: l.channels, delaySeconds: seconds(l.delay) }))),
    }),
    view: (r) => ({
      id: r.id,
      scope: r.scope,
      name: r.name,
      levels: (r['levels'] as EscalationLevel[]).map((l) => ({ rotas: l.rotas, users: l.users, channels: l.channels, delay: formatDuration(l.delaySeconds) })),
      ...audited(r),
    }),
    check: async (m, scope, b) => {
      const rotas = await this.repo.existing(m, 'oncall_rotas', scope.visible, [...new Set(b.levels.flatMap((l) => l.rotas))]);
      const users = await this.repo.activeUsers(m, scope.visible, [...new Set(b.levels.flatMap((l) => l.users))]);
      const issues: Issue[] = [];
      b.levels.forEach((l, i) => {
        l.rotas.forEach((id, j) => rotas.has(id) || issues.push({ path: `levels.${i}.rotas.${j}`, message: `no rota ${id} for this tenant` }));
        l.users.forEach((id, j) => users.has(id) || issues.push({ path: `levels.${i}.users.${j}`, message: `${id} is not a user of this tenant or of the MSSP` }));
      });
      return issues;
    },
  };

  async list<B, V>(resource: Resource<B, V>, principal: Principal): Promise<{ items: V[] }> {
    const rows = await this.repo.list(this.repo.reader, resource.table, principal.tenantId, { orderBy: resource.table === 'sla_policies' ? 't.severity_id DESC' : undefined });
    return { items: rows.map((r) => resource.view(r)) };
  }

  async get<B, V>(resource: Resource<B, V>, principal: Principal, id: string): Promise<V> {
    const row = UUID.test(id) ? await this.repo.get(this.repo.reader, resource.table, principal.tenantId, id) : null;
    if (!row) throw notFound(resource.what, id);
    return resource.view(row);
  }

  async create<B, V>(resource: Resource<B, V>, principal: Principal, origin: RequestOrigin, body: B): Promise<V> {
    return this.write(principal, async (m, scope) => {
      await this.checkReferences(resource, m, scope, body);
      const row = await this.unique(resource, () => this.repo.insert(m, resource.table, scope.tenantId, principal.actor, resource.columns(body)));
      await recordAudit(m, auditBy(principal, origin, `${resource.noun}.created`, `${resource.noun}:${row.id}`, { scope: row.scope, ...(body as object) }));
      await this.repo.replanOpenCases(m, scope.tenantId, `${resource.noun}.created`);
      return resource.view(row);
    });
  }

  async replace<B, V>(resource: Resource<B, V>, principal: Principal, origin: RequestOrigin, id: string, body: B): Promise<V> {
    return this.write(principal, async (m, scope) => {
      await this.ownRow(resource, m, scope, principal, id, 'update');
      await this.checkReferences(resource, m, scope, body);
      const row = await this.unique(resource, () => this.repo.update(m, resource.table, scope.tenantId, id, resource.columns(body)));
      if (!row) throw notFound(resource.what, id);
      await recordAudit(m, auditBy(principal, origin, `${resource.noun}.replaced`, `${resource.noun}:${id}`, { scope: row.scope, ...(body as object) }));
      await this.repo.replanOpenCases(m, scope.tenantId, `${resource.noun}.replaced`);
      return resource.view(row);
    });
  }

  async remove<B, V>(resource: Resource<B, V>, principal: Principal, origin: RequestOrigin, id: string): Promise<void> {
    await this.write(principal, async (m, scope) => {
      const row = await this.ownRow(resource, m, scope, principal, id, 'update');
      const referrers = await this.repo.referrers(m, resource.table, id);
      if (referrers.length > 0) {
        throw new VigilError('conflict', `the ${resource.what} is still in use`, {
          id,
          usedBy: referrers,
          usedByKind: resource.table === 'oncall_rotas' ? 'escalation_policy' : 'sla_policy',
        });
      }
      await this.repo.remove(m, resource.table, scope.tenantId, id);
      await recordAudit(m, auditBy(principal, origin, `${resource.noun}.deleted`, `${resource.noun}:${id}`, { scope: row.scope, name: row.name }));
      await this.repo.replanOpenCases(m, scope.tenantId, `${resource.noun}.deleted`);
    });
  }

  /** Who is on duty at `at` in one rota (own or MSSP-wide) or in each of the tenant's own rotas. */
  async onDuty(principal: Principal, query: { rota?: string; at?: string }): Promise<OnDutyView> {
    const at = query.at ? new Date(query.at) : new Date();
    const q = this.repo.reader;
    let rows: ScopedRow[];
    if (query.rota) {
      const row = await this.repo.get(q, 'oncall_rotas', principal.tenantId, query.rota);
      if (!row) throw notFound('rota', query.rota);
      rows = [row];
    } else {
      rows = await this.repo.list(q, 'oncall_rotas', principal.tenantId, { ownOnly: true });
    }
    const answers = rows.map((r) => ({
      row: r,
      duty: whoIsOnDuty({ timeZone: r['time_zone'] as string, layers: r['layers'] as RotaLayer[], overrides: r['overrides'] as RotaOverride[] }, at),
    }));
    const users = await this.repo.users(q, [...new Set(answers.map((a) => a.duty.userId).filter((u): u is string => u !== null))]);
    return {
      at: at.toISOString(),
      items: answers.map(({ row, duty }) => {
        const user = duty.userId ? users.get(duty.userId) : undefined;
        return {
          rotaId: row.id,
          rotaName: row.name,
          scope: row.scope,
          user: duty.userId ? { id: duty.userId, email: user?.email ?? null, name: user?.name ?? null } : null,
          layer: duty.layer,
          shiftStartsAt: duty.shiftStartsAt?.toISOString() ?? null,
          shiftEndsAt: duty.shiftEndsAt?.toISOString() ?? null,
          override: duty.override ? { replaces: duty.override.replaces, from: duty.override.from.toISOString(), to: duty.override.to.toISOString() } : null,
        };
      }),
    };
  }

  /**
   * The clocks of a case of `tenantId` from its facts: the policy for its effective severity (the
   * tenant's, else the MSSP-wide one) counted in that policy's calendar. Null when no policy covers
   * the severity. For the durable-clock activities.
   */
  async planCase(
    tenantId: string,
    facts: CaseFacts,
  ): Promise<{
    policyId: string;
    scope: 'tenant' | 'mssp';
    severityId: number;
    clockStart: SlaTargets['clockStart'];
    escalationPolicyId: string | null;
    clocks: PlannedClock[];
  } | null> {
    const q = this.repo.reader;
    const rows = await this.repo.list(q, 'sla_policies', tenantId);
    const targets = (r: ScopedRow): SlaTargets & { row: ScopedRow } => ({
      row: r,
      severityId: r['severity_id'] as number,
      timeToAcknowledgeMs: (r['acknowledge_seconds'] as number) * 1000,
      timeToContainMs: (r['contain_seconds'] as number) * 1000,
      timeToResolveMs: (r['resolve_seconds'] as number) * 1000,
      clockStart: r['clock_start'] as SlaTargets['clockStart'],
      pauseOnHold: r['pause_on_hold'] as boolean,
      thresholds: r['thresholds'] as number[],
    });
    const own = rows.filter((r) => r.tenant_id === tenantId).map(targets);
    const msp = rows.filter((r) => r.tenant_id !== tenantId).map(targets);
    const policy = resolvePolicy(own, msp, effectiveSeverity(facts));
    if (!policy) return null;
    const calendarId = policy.row['calendar_id'] as string | null;
    let calendar: BusinessCalendar | null = null;
    if (calendarId) {
      const c = await this.repo.get(q, 'sla_calendars', tenantId, calendarId);
      if (c)
        calendar = {
          timeZone: c['time_zone'] as string,
          kind: c['kind'] as BusinessCalendar['kind'],
          hours: c['hours'] as BusinessCalendar['hours'],
          holidays: c['holidays'] as string[],
        };
    }
    return {
      policyId: policy.row.id,
      scope: policy.row.scope,
      severityId: policy.severityId,
      clockStart: policy.clockStart,
      escalationPolicyId: (policy.row['escalation_policy_id'] as string | null) ?? null,
      clocks: planClocks(facts, policy, calendar),
    };
  }

  /** Who an escalation policy of (or visible to) `tenantId` pages, level by level, when started at `start`. */
  async planEscalation(tenantId: string, escalationPolicyId: string, start: Date): Promise<PagedLevel[]> {
    const q = this.repo.reader;
    const row = UUID.test(escalationPolicyId) ? await this.repo.get(q, 'escalation_policies', tenantId, escalationPolicyId) : null;
    if (!row) throw notFound('escalation policy', escalationPolicyId);
    const levels = row['levels'] as EscalationLevel[];
    const rotas = new Map<string, Rota>();
    for (const id of new Set(levels.flatMap((l) => l.rotas))) {
      const r = await this.repo.get(q, 'oncall_rotas', tenantId, id);
      if (r) rotas.set(id, { timeZone: r['time_zone'] as string, layers: r['layers'] as RotaLayer[], overrides: r['overrides'] as RotaOverride[] });
    }
    return planEscalation(levels, start, rotas);
  }

  /** Runs a write in one transaction on the caller's tenant; on the provider's tenant (MSSP-wide rows) only for MSSP operators. */
  private async write<T>(principal: Principal, fn: (m: Queryable, scope: WriteScope) => Promise<T>): Promise<T> {
    if (principal.tenantSlug === PROVIDER_TENANT_SLUG && !principal.msspOperator) {
      throw new VigilError('forbidden', 'MSSP-wide SLA, calendar, rota and escalation rows are changed by MSSP operators only');
    }
    return this.repo.transaction(async (m) => {
      const provider = await this.repo.providerTenantId(m);
      const visible = provider && provider !== principal.tenantId ? [principal.tenantId, provider] : [principal.tenantId];
      return fn(m, { tenantId: principal.tenantId, visible });
    });
  }

  /** The row to change, locked; an MSSP-wide row seen from a client tenant is read-only. */
  private async ownRow<B, V>(resource: Resource<B, V>, m: Queryable, scope: WriteScope, principal: Principal, id: string, lock: 'update'): Promise<ScopedRow> {
    const row = UUID.test(id) ? await this.repo.get(m, resource.table, principal.tenantId, id, lock) : null;
    if (!row) throw notFound(resource.what, id);
    if (row.tenant_id !== scope.tenantId) throw new VigilError('forbidden', `this ${resource.what} is MSSP-wide; only MSSP operators change it`, { id });
    return row;
  }

  private async checkReferences<B, V>(resource: Resource<B, V>, m: Queryable, scope: WriteScope, body: B): Promise<void> {
    const issues = await resource.check(m, scope, body);
    if (issues.length > 0) throw new VigilError('invalid_body', 'the body does not match the schema', { issues });
  }

  private async unique<T>(resource: { table: SlaTable; what: string }, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        const field = resource.table === 'sla_policies' ? 'severity' : 'name';
        throw new VigilError('conflict', `another ${resource.what} of this tenant has the same ${field}`, { field });
      }
      throw error;
    }
  }
}
