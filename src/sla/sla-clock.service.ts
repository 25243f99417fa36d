import { Inject, Injectable } from '@nestjs/common';
import { type AuditEntry, AuditRepository } from '../audit/index.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import type { EscalationDelivery, EscalationRecipient } from '../persistence/entities/sla-escalation.entity.js';
import { type Queryable, queryRows } from '../persistence/query-rows.js';
import { appendCaseEvent } from '../timeline/index.js';
import type { EntityManager } from 'typeorm';
import type { EvaluateSlaClocksInput, SlaEvaluation } from '../../workflows/contracts/sla-clocks.js';
import { ACK_LINK_TTL_SECONDS, signAckLink, verifyAckLink } from './sla-ack-links.js';
import { CLOCK_KINDS, type ClockKind, clockState, type PlannedClock } from './clocks.js';
import type { PagedLevel } from './escalation.js';
import { SlaClockRepository, type StoredClock, storedClockState } from './sla-clock.repository.js';
import { type SlaCaseFacts, SlaFactsRepository } from './sla-facts.repository.js';
import { SlaMetrics } from './sla-metrics.js';
import { SlaRepository } from './sla.repository.js';
import { SlaService } from './sla.service.js';

/** One notification, as the integration runtime sends it (the worker hands in its action runner). */
export interface SlaNotification {
  tenantId: string;
  caseId: string;
  action: string;
  params: Record<string, unknown>;
  /** Stable across retries: the page, the channel and the person. */
  idempotencyKey: string;
}

/** Sends a notification and says how it went (the vendor's reference or the error). */
export type SlaNotifier = (n: SlaNotification) => Promise<{ ok: boolean; detail: string | null }>;

/** A clock on the case view: the stored plan's state at read time. */
export interface ClockView {
  clock: ClockKind;
  status: 'running' | 'paused' | 'met' | 'breached';
  policyId: string;
  severityId: number;
  startedAt: string;
  dueAt: string | null;
  /** Working time left, in ms (negative once overdue); null once stopped. */
  remainingMs: number | null;
  elapsedMs: number;
  targetMs: number;
  paused: boolean;
  met: boolean;
  metAt: string | null;
  breached: boolean;
  breachedByMs: number;
  breachedAt: string | null;
  stoppedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  thresholds: Array<{ percent: number; at: string | null; reached: boolean }>;
}

export interface AcknowledgeResult {
  caseId: string;
  clock: ClockKind;
  acknowledged: boolean;
  acknowledgedAt: string;
  acknowledgedBy: string;
  /** True when it had been acknowledged before (by `acknowledgedBy`). */
  alreadyAcknowledged: boolean;
}

const pct = (n: number): string => `${n}%`;
const ms = (n: number): string => {
  const s = Math.round(Math.abs(n) / 1000);
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${(s / 3600).toFixed(1)}h`;
};

/**
 * The durable clocks' work and their read side: `evaluate` is the one activity of the clock workflow
 * (re-read the facts, plan, record thresholds and breaches once, page whoever is due, name the next
 * instant); `caseClocks` is the case view's clocks; `acknowledge` stops a clock's paging.
 */
@Injectable()
export class SlaClockService {
  constructor(
    @Inject(SlaService) private readonly sla: SlaService,
    @Inject(SlaRepository) private readonly slaRepo: SlaRepository,
    @Inject(SlaClockRepository) private readonly clocks: SlaClockRepository,
    @Inject(SlaFactsRepository) private readonly facts: SlaFactsRepository,
    @Inject(SlaMetrics) private readonly metrics: SlaMetrics,
    @Inject(AuditRepository) private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async evaluate(input: EvaluateSlaClocksInput, notify: SlaNotifier, now = new Date()): Promise<SlaEvaluation> {
    const { tenantId, caseId } = input;
    const read = await this.facts.read(tenantId, caseId);
    if (!read) return { nextWakeAt: null, done: 'no_case' };
    if (read.mergedInto !== null || read.facts.alerts.length === 0) {
      // Merged away: the surviving case's clocks (which took this case's alerts) carry the promise on.
      await this.clocks.stopOpen(this.clocks.reader, tenantId, caseId, read.updatedAt);
      return { nextWakeAt: null, done: 'stopped' };
    }
    const plan = await this.sla.planCase(tenantId, read.facts);
    if (!plan) return { nextWakeAt: null, done: 'no_policy' };
    const stored = await this.clocks.upsertPlan(this.clocks.reader, tenantId, caseId, plan, now);
    const wakes: number[] = [];
    let open = false;
    for (const clock of plan.clocks) {
      const row = stored.find((r) => r.clock === clock.kind)!;
      const stoppedAt = clock.stoppedAt !== null && clock.stoppedAt.getTime() <= now.getTime() ? clock.stoppedAt : null;
      if (!stoppedAt) open = true;
      const state = clockState(clock, now);
      // The highest threshold reached: its escalation is the one running (a later threshold supersedes an earlier one's).
      // The breach first: it is what the due instant's timer woke up for.
      const due = clock.dueAt;
      const overdue = due !== null && (stoppedAt ? stoppedAt.getTime() > due.getTime() : now.getTime() >= due.getTime());
      if (overdue) {
        if (!row.breachedAt) await this.recordBreach(read, plan.severityId, clock, due, state.breachedByMs);
      } else if (due && !stoppedAt) wakes.push(due.getTime());
      let current: { percent: number; at: Date } | null = null;
      for (const t of state.thresholds) {
        if (t.reached && t.at) {
          current = { percent: t.percent, at: t.at };
          if (!row.thresholds.find((s) => s.percent === t.percent)?.reachedAt) await this.recordThreshold(read, clock, t.percent, t.at);
        } else if (t.at && !stoppedAt) wakes.push(t.at.getTime());
      }
      if (!stoppedAt && plan.escalationPolicyId && !row.acknowledgedAt && current) {
        const levels = await this.sla.planEscalation(tenantId, plan.escalationPolicyId, current.at);
        for (const level of levels) {
          if (level.at.getTime() > now.getTime()) {
            wakes.push(level.at.getTime());
            break;
          }
          await this.page(input, read, plan.severityId, plan.escalationPolicyId, row, current.percent, level, notify, now);
        }
      }
    }
    if (!open) return { nextWakeAt: null, done: 'stopped' };
    const future = wakes.filter((w) => w > now.getTime());
    return { nextWakeAt: future.length > 0 ? Math.min(...future) : null, done: null };
  }

  /** The case's clocks as stored, each computed at `now`. */
  async caseClocks(tenantId: string, caseId: string, now = new Date()): Promise<ClockView[]> {
    const rows = await this.clocks.listForCase(this.clocks.reader, tenantId, caseId);
    return rows.map((row) => clockView(row, now));
  }

  /** An analyst acknowledges a clock's paging (API). */
  async acknowledge(
    tenantId: string,
    caseId: string,
    clock: string,
    actor: string,
    origin: { ip: string | null; userAgent: string | null },
    via = 'api',
  ): Promise<AcknowledgeResult> {
    if (!(CLOCK_KINDS as readonly string[]).includes(clock)) {
      throw new VigilError('invalid_body', `the clock is one of ${CLOCK_KINDS.join(', ')}`, { clock, allowed: CLOCK_KINDS });
    }
    const kind = clock as ClockKind;
    return this.clocks.transaction(async (m) => {
      const row = await this.clocks.get(m, tenantId, caseId, kind, true);
      if (!row) throw notFound('SLA clock', `${caseId}/${clock}`);
      if (row.acknowledgedAt) {
        return { caseId, clock: kind, acknowledged: true, acknowledgedAt: row.acknowledgedAt.toISOString(), acknowledgedBy: row.acknowledgedBy ?? '', alreadyAcknowledged: true };
      }
      const at = new Date();
      await this.clocks.acknowledge(m, tenantId, caseId, kind, actor, at);
      await appendCaseEvent(m as EntityManager, {
        tenantId,
        caseId,
        actor,
        kind: 'sla_acknowledged',
        message: `SLA ${kind} clock acknowledged by ${actor} (${via}): paging stopped`,
        data: { clock: kind, via },
      });
      const entry: AuditEntry = {
        tenantId,
        actor,
        action: 'sla_clock.acknowledged',
        target: `case:${caseId}`,
        details: { clock: kind, via },
        ip: origin.ip,
        userAgent: origin.userAgent,
      };
      await this.audit.record(m, entry);
      // Wake the clock workflow so it drops the timers of levels nobody will page now.
      await queryRows(m, `SELECT vigil_sla_signal($1, $2, 'acknowledged')`, [tenantId, caseId]);
      return { caseId, clock: kind, acknowledged: true, acknowledgedAt: at.toISOString(), acknowledgedBy: actor, alreadyAcknowledged: false };
    });
  }

  /** Acknowledges through a signed link (e-mail, PagerDuty, Slack): the link names the tenant, case, clock and person. */
  async acknowledgeByLink(token: string, origin: { ip: string | null; userAgent: string | null }): Promise<AcknowledgeResult> {
    const check = verifyAckLink(token, this.config.approvalLinks.signingKey, Date.now());
    if (!check.ok) {
      if (check.reason === 'expired') throw new VigilError('link_expired', 'this acknowledgement link has expired', { reason: 'link_expired' });
      throw new VigilError('invalid_signature', 'this acknowledgement link is not valid', { reason: check.reason });
    }
    const c = check.claims;
    const actor = c.userId ? `user:${c.userId}` : `link:${c.via}`;
    return this.acknowledge(c.tenantId, c.caseId, c.clock, actor, origin, `link:${c.via}`);
  }

  /** What an acknowledgement link points at, without acknowledging (a GET from a mail preview must not). */
  async describeLink(token: string): Promise<{ caseId: string; clock: ClockKind; via: string; expiresAt: string; clockState: ClockView | null }> {
    const check = verifyAckLink(token, this.config.approvalLinks.signingKey, Date.now());
    if (!check.ok) {
      if (check.reason === 'expired') throw new VigilError('link_expired', 'this acknowledgement link has expired', { reason: 'link_expired' });
      throw new VigilError('invalid_signature', 'this acknowledgement link is not valid', { reason: check.reason });
    }
    const c = check.claims;
    const row = await this.clocks.get(this.clocks.reader, c.tenantId, c.caseId, c.clock);
    return { caseId: c.caseId, clock: c.clock, via: c.via, expiresAt: new Date(c.exp * 1000).toISOString(), clockState: row ? clockView(row, new Date()) : null };
  }

  private async recordThreshold(read: SlaCaseFacts, clock: PlannedClock, percent: number, at: Date): Promise<void> {
    await this.clocks.transaction(async (m) => {
      const first = await this.clocks.recordThreshold(m, read.tenantId, read.caseId, clock.kind, percent, at);
      // The 100 % threshold is the due instant: its line is the breach line.
      if (!first || percent >= 100) return;
      await appendCaseEvent(m as EntityManager, {
        tenantId: read.tenantId,
        caseId: read.caseId,
        actor: 'system',
        kind: 'sla_threshold',
        message: `SLA ${clock.kind} clock at ${pct(percent)} of its target${clock.dueAt ? `, due at ${clock.dueAt.toISOString()}` : ''}`,
        data: { clock: clock.kind, percent, at: at.toISOString(), dueAt: clock.dueAt?.toISOString() ?? null },
        dedupKey: `sla:${read.caseId}:${clock.kind}:threshold:${percent}:${clock.startedAt.getTime()}`,
        at,
      });
    });
  }

  private async recordBreach(read: SlaCaseFacts, severityId: number, clock: PlannedClock, dueAt: Date, breachedByMs: number): Promise<void> {
    const first = await this.clocks.transaction(async (m) => {
      const fresh = await this.clocks.recordBreach(m, read.tenantId, read.caseId, clock.kind, dueAt, breachedByMs);
      if (!fresh) return false;
      const data = { clock: clock.kind, severityId, dueAt: dueAt.toISOString(), breachedByMs, startedAt: clock.startedAt.toISOString(), targetMs: clock.targetMs };
      await appendCaseEvent(m as EntityManager, {
        tenantId: read.tenantId,
        caseId: read.caseId,
        actor: 'system',
        kind: 'sla_breached',
        message: `SLA ${clock.kind} clock breached: due at ${dueAt.toISOString()}${breachedByMs > 0 ? `, ${ms(breachedByMs)} over` : ''}`,
        data,
        dedupKey: `sla:${read.caseId}:${clock.kind}:breach`,
      });
      await this.audit.record(m, {
        tenantId: read.tenantId,
        actor: 'system',
        action: 'sla_clock.breached',
        target: `case:${read.caseId}`,
        details: data,
        ip: null,
        userAgent: null,
      });
      return true;
    });
    if (first) this.metrics.recordBreach(read.tenantId, severityId, clock.kind);
  }

  /** Pages one level at one threshold, once: the page row is claimed first, sent, then marked sent (a crash in between sends again). */
  private async page(
    input: EvaluateSlaClocksInput,
    read: SlaCaseFacts,
    severityId: number,
    escalationPolicyId: string,
    clock: StoredClock,
    threshold: number,
    level: PagedLevel,
    notify: SlaNotifier,
    now: Date,
  ): Promise<void> {
    const { tenantId, caseId } = read;
    const q = this.clocks.reader;
    let page = await this.clocks.getPage(q, tenantId, caseId, clock.clock, threshold, level.level);
    if (page?.sentAt) return;
    if (!page) {
      const recipients = await this.recipients(q, tenantId, level);
      page =
        (await this.clocks.claimPage(q, tenantId, { caseId, clock: clock.clock, threshold, level: level.level, escalationPolicyId, channels: [...level.channels], recipients })) ??
        (await this.clocks.getPage(q, tenantId, caseId, clock.clock, threshold, level.level));
      if (!page || page.sentAt) return;
    }
    const state = storedClockState(clock, now);
    const left = state.remainingMs >= 0 ? `${ms(state.remainingMs)} left` : `${ms(state.remainingMs)} overdue`;
    const headline = `[Vigil] SLA ${clock.clock} clock of case "${read.title}" at ${pct(threshold)} (${left}; due ${clock.dueAt?.toISOString() ?? 'on hold'})`;
    const caseUrl = `${this.config.api.publicUrl}/api/v1/cases/${caseId}`;
    const link = (via: string, userId: string | null): string =>
      `${this.config.api.publicUrl}/api/v1/sla/acknowledgements/${signAckLink({ tenantId, caseId, clock: clock.clock, userId, via, exp: Math.floor(now.getTime() / 1000) + ACK_LINK_TTL_SECONDS }, this.config.approvalLinks.signingKey)}`;
    const key = `${input.workflowId}:${clock.clock}:${threshold}:${level.level}`;
    const deliveries: EscalationDelivery[] = [];
    const send = async (channel: string, n: Omit<SlaNotification, 'tenantId' | 'caseId'>): Promise<void> => {
      try {
        const r = await notify({ tenantId, caseId, ...n });
        deliveries.push({ channel, ok: r.ok, detail: r.detail });
      } catch (error) {
        deliveries.push({ channel, ok: false, detail: (error as Error).message.slice(0, 500) });
      }
    };
    const names = page.recipients.map((r) => r.name).join(', ') || 'nobody on duty';
    for (const channel of page.channels) {
      if (channel === 'email.send') {
        for (const r of page.recipients) {
          if (!r.email) continue;
          await send(channel, {
            action: channel,
            params: { to: [r.email], subject: headline, text: `${headline}\n\nCase: ${caseUrl}\nAcknowledge (stops the paging): ${link('email', r.userId)}\n` },
            idempotencyKey: `${key}:email:${r.userId}`,
          });
        }
      } else if (channel === 'slack.post_message') {
        await send(channel, { action: channel, params: { text: `${headline}\nPaged: ${names}\n<${link('slack', null)}|Acknowledge>` }, idempotencyKey: `${key}:slack` });
      } else if (channel === 'pagerduty.trigger') {
        await send(channel, {
          action: channel,
          params: {
            summary: headline.slice(0, 1024),
            source: 'vigil',
            severity: threshold >= 100 ? 'critical' : 'warning',
            dedupKey: `vigil-sla-${caseId}-${clock.clock}`,
            customDetails: { caseId, clock: clock.clock, threshold, level: level.level, paged: names },
            links: [
              { href: link('pagerduty', null), text: 'Acknowledge in Vigil' },
              { href: caseUrl, text: 'Case' },
            ],
          },
          idempotencyKey: `${key}:pagerduty`,
        });
      }
    }
    const sent = page;
    const fresh = await this.clocks.transaction(async (m) => {
      if (!(await this.clocks.markPageSent(m, tenantId, sent.id, deliveries, new Date()))) return false;
      await appendCaseEvent(m as EntityManager, {
        tenantId,
        caseId,
        actor: 'system',
        kind: 'sla_escalated',
        message: `SLA ${clock.clock} clock at ${pct(threshold)}: paged level ${level.level + 1} (${names}) through ${sent.channels.join(', ')}`,
        data: { clock: clock.clock, threshold, level: level.level, recipients: sent.recipients.map((r) => r.userId), uncoveredRotas: level.uncoveredRotas, deliveries },
        dedupKey: `sla:${caseId}:${clock.clock}:page:${threshold}:${level.level}:${clock.startedAt.getTime()}`,
      });
      return true;
    });
    if (fresh) this.metrics.recordEscalation(tenantId, severityId, clock.clock, level.level, threshold);
  }

  /** The level's people who are still users (of the tenant or the MSSP), with their addresses. */
  private async recipients(q: Queryable, tenantId: string, level: PagedLevel): Promise<EscalationRecipient[]> {
    const provider = await this.slaRepo.providerTenantId(q);
    const tenants = provider && provider !== tenantId ? [tenantId, provider] : [tenantId];
    const active = await this.slaRepo.activeUsers(q, tenants, level.userIds);
    const users = await this.slaRepo.users(q, [...active]);
    return level.userIds.filter((id) => users.has(id)).map((id) => ({ userId: id, name: users.get(id)!.name, email: users.get(id)!.email ?? null, rotaId: null }));
  }
}

function clockView(row: StoredClock, now: Date): ClockView {
  const s = storedClockState(row, now);
  const stopped = row.stoppedAt !== null && row.stoppedAt.getTime() <= now.getTime();
  const breached = s.breached || row.breachedAt !== null;
  return {
    clock: row.clock,
    status: breached ? 'breached' : s.status,
    policyId: row.policyId,
    severityId: row.severityId,
    startedAt: row.startedAt.toISOString(),
    dueAt: row.dueAt?.toISOString() ?? null,
    remainingMs: stopped ? null : s.remainingMs,
    elapsedMs: s.elapsedMs,
    targetMs: row.targetSeconds * 1000,
    paused: s.paused,
    met: s.met && !breached,
    metAt: row.metAt?.toISOString() ?? null,
    breached,
    breachedByMs: Math.max(s.breachedByMs, row.breachedByMs ?? 0),
    breachedAt: row.breachedAt?.toISOString() ?? null,
    stoppedAt: row.stoppedAt?.toISOString() ?? null,
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: row.acknowledgedBy,
    thresholds: s.thresholds.map((t) => ({ percent: t.percent, at: t.at?.toISOString() ?? null, reached: t.reached })),
  };
}
