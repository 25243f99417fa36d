import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import { VigilError } from '../common/errors/vigil-error.js';
import { CLOCK_KINDS } from '../sla/index.js';
import { type FiguresRow, SlaFiguresRepository } from './sla-figures.repository.js';
import type { ByClock, ClockFigures, SlaFiguresQuery, SlaFiguresView } from './sla-figures.schemas.js';

const DAY_MS = 86_400_000;
const SEVERITY_WORDS = ['unknown', 'informational', 'low', 'medium', 'high', 'critical', 'fatal'];

const EMPTY: ClockFigures = { total: 0, open: 0, met: 0, breached: 0, breachRate: null, elapsedP50Ms: null, elapsedP90Ms: null };

function figuresOf(r: FiguresRow): ClockFigures {
  const met = Number(r.met);
  const breached = Number(r.breached);
  return {
    total: Number(r.total),
    open: Number(r.open),
    met,
    breached,
    breachRate: met + breached === 0 ? null : breached / (met + breached),
    elapsedP50Ms: r.p50 === null ? null : Math.round(Number(r.p50)),
    elapsedP90Ms: r.p90 === null ? null : Math.round(Number(r.p90)),
  };
}

function emptyByClock(): ByClock {
  return { acknowledge: { ...EMPTY }, contain: { ...EMPTY }, resolve: { ...EMPTY } };
}

/** Groups aggregate rows by a key, each group with its three clocks (a clock without rows reads as zeros). */
function grouped<K>(rows: FiguresRow[], key: (r: FiguresRow) => string, head: (r: FiguresRow) => K): Array<K & { clocks: ByClock }> {
  const out = new Map<string, K & { clocks: ByClock }>();
  for (const r of rows) {
    const k = key(r);
    let entry = out.get(k);
    if (!entry) {
      entry = { ...head(r), clocks: emptyByClock() };
      out.set(k, entry);
    }
    if ((CLOCK_KINDS as readonly string[]).includes(r.clock)) entry.clocks[r.clock as keyof ByClock] = figuresOf(r);
  }
  return [...out.values()];
}

/**
 * `GET /api/v1/metrics/sla`: how a tenant's SLA promises went — counts, breach rate and working-time
 * percentiles per clock, by severity and by period in the tenant's zone. MSSP operators may ask for
 * every tenant together (`tenant=all`); everyone else sees their own tenant only.
 */
@Injectable()
export class SlaFiguresService {
  constructor(@Inject(SlaFiguresRepository) private readonly repo: SlaFiguresRepository) {}

  async figures(principal: Principal, q: SlaFiguresQuery, now = new Date()): Promise<SlaFiguresView> {
    const all = q.tenant === 'all';
    if (all && !principal.msspOperator) throw new VigilError('forbidden', 'only MSSP operators may read the figures of every tenant (tenant=all)', { field: 'tenant' });
    const to = q.to ? new Date(q.to) : now;
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from.getTime() >= to.getTime()) throw new VigilError('invalid_query', 'from must be before to', { issues: [{ path: 'from', message: 'must be before to' }] });
    const scope = { tenantId: all ? null : principal.tenantId, from, to };
    const timeZone = q.timeZone ?? (scope.tenantId ? await this.repo.tenantZone(scope.tenantId) : null) ?? 'UTC';
    await this.repo.fillElapsed(scope);
    let rows: FiguresRow[];
    try {
      rows = await this.repo.aggregate(scope, q.bucket ?? null, timeZone, now);
    } catch (error) {
      // A zone Luxon knows but PostgreSQL's tz database does not.
      if ((error as { code?: string }).code === '22023') {
        throw new VigilError('invalid_query', `time zone ${timeZone} is unknown to the database`, { issues: [{ path: 'timeZone', message: 'unknown to PostgreSQL' }] });
      }
      throw error;
    }
    const clocks = emptyByClock();
    for (const r of rows.filter((x) => x.grp === 'total')) {
      if ((CLOCK_KINDS as readonly string[]).includes(r.clock)) clocks[r.clock as keyof ByClock] = figuresOf(r);
    }
    return {
      tenant: all ? 'all' : principal.tenantSlug,
      timeZone,
      from: from.toISOString(),
      to: to.toISOString(),
      bucket: q.bucket ?? null,
      clocks,
      bySeverity: grouped(
        rows.filter((x) => x.grp === 'severity'),
        (r) => String(r.severity_id),
        (r) => ({ severity: SEVERITY_WORDS[r.severity_id ?? 0] ?? 'unknown', severityId: Number(r.severity_id) }),
      ),
      byPeriod: grouped(
        rows.filter((x) => x.grp === 'period'),
        (r) => String(r.period),
        (r) => ({ period: String(r.period), start: new Date(r.period_start!).toISOString() }),
      ),
    };
  }
}
