import { type Rota, whoIsOnDuty } from './rota.js';

/**
 * Escalation policies, pure: ordered levels of rotas and users, each waiting `delaySeconds` before
 * the next is paged. Channels are notification actions of the integration catalogue; a person's
 * address for each comes from their Vigil user (e-mail) and the tenant's connections when the
 * paging step sends.
 */

/** The notification actions a level may page through (checked against the catalogue by a test). */
export const ESCALATION_CHANNELS = ['email.send', 'slack.post_message', 'pagerduty.trigger'] as const;
export type EscalationChannel = (typeof ESCALATION_CHANNELS)[number];

export interface EscalationLevel {
  /** Rota ids: whoever is on duty in each at paging time. */
  rotas: string[];
  /** User ids paged directly. */
  users: string[];
  channels: EscalationChannel[];
  /** Wait after paging this level before paging the next. */
  delaySeconds: number;
}

export interface PagedLevel {
  level: number;
  /** When this level is paged, if nobody acknowledged before. */
  at: Date;
  /** Distinct user ids: the level's users and who is on duty then in its rotas. */
  userIds: string[];
  /** Rotas of the level with nobody on duty at that instant. */
  uncoveredRotas: string[];
  channels: EscalationChannel[];
}

/**
 * The pages an escalation started at `start` sends, level by level, with the on-duty person of
 * each rota at that level's instant. `rotas` maps rota ids to rotas (a missing id counts as uncovered).
 */
export function planEscalation(levels: readonly EscalationLevel[], start: Date, rotas: ReadonlyMap<string, Rota>): PagedLevel[] {
  let t = start.getTime();
  return levels.map((level, i) => {
    const at = new Date(t);
    t += level.delaySeconds * 1000;
    const userIds = new Set(level.users);
    const uncoveredRotas: string[] = [];
    for (const id of level.rotas) {
      const rota = rotas.get(id);
      const duty = rota ? whoIsOnDuty(rota, at).userId : null;
      if (duty) userIds.add(duty);
      else uncoveredRotas.push(id);
    }
    return { level: i, at, userIds: [...userIds], uncoveredRotas, channels: [...level.channels] };
  });
}
