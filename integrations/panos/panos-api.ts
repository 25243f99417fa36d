import { z } from 'zod';
import type { ActionContext } from '../core/action.js';
import { IntegrationError } from '../core/action.js';
import { joinUrl, responseData, responseStatus, secret, stringSetting } from '../core/define-action.js';

/**
 * PAN-OS REST API helpers. Connection settings: `version` (default v10.2), `location` (vsys,
 * shared, device-group; default vsys), `vsys` (default vsys1), `deviceGroup`, `blockGroup`
 * (static address group referenced by a deny rule; default vigil-blocked) and `commit` (commit
 * after a change through the XML API; default true).
 */

export const DEFAULT_BLOCK_GROUP = 'vigil-blocked';

export const blockInput = z.strictObject({
  ip: z.union([z.ipv4(), z.cidrv4(), z.ipv6(), z.cidrv6()]).describe('IP address or CIDR network to block'),
  description: z.string().max(1023).optional().describe('Stored on the address object (e.g. the case reference)'),
});
export type BlockInput = z.output<typeof blockInput>;

export interface PanosConfig {
  restBase: string;
  locationParams: Record<string, string>;
  group: string;
  commit: boolean;
}

export function panosConfig(ctx: ActionContext): PanosConfig {
  const s = ctx.connection.settings;
  const version = stringSetting(s, 'version', 'v10.2');
  const location = stringSetting(s, 'location', 'vsys');
  const locationParams: Record<string, string> = { location };
  if (location === 'vsys') locationParams['vsys'] = stringSetting(s, 'vsys', 'vsys1');
  if (location === 'device-group') locationParams['device-group'] = stringSetting(s, 'deviceGroup', 'shared');
  return {
    restBase: joinUrl(ctx.connection.baseUrl, `/restapi/${version}`),
    locationParams,
    group: stringSetting(s, 'blockGroup', DEFAULT_BLOCK_GROUP),
    commit: s['commit'] !== false,
  };
}

/** Address object names allow letters, digits, `.`, `_`, `-` and at most 63 characters. */
export function addressObjectName(ip: string): string {
  return `vigil-block-${ip.toLowerCase().replace(/\//g, '_').replace(/:/g, '-')}`.slice(0, 63);
}

export function ipNetmask(ip: string): string {
  if (ip.includes('/')) return ip;
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

export function panosHeaders(ctx: ActionContext): Record<string, string> {
  return { 'X-PAN-KEY': secret(ctx, 'apiKey'), Accept: 'application/json', 'Content-Type': 'application/json' };
}

/** PAN-OS error bodies: `{code, message, details:[{causes:[{description}]}]}`. */
export function panosErrorText(err: unknown): string {
  const data = responseData(err);
  if (!data || typeof data !== 'object') return '';
  const d = data as { message?: unknown; details?: Array<{ causes?: Array<{ description?: unknown }> }> };
  const causes = (d.details ?? []).flatMap((x) => x.causes ?? []).map((c) => String(c.description ?? ''));
  return [typeof d.message === 'string' ? d.message : '', ...causes].join(' ');
}

const groupResponse = z.object({
  result: z
    .object({
      entry: z
        .array(
          z
            .object({
              '@name': z.string(),
              static: z
                .object({ member: z.array(z.string()).default([]) })
                .loose()
                .optional(),
            })
            .loose(),
        )
        .default([]),
    })
    .loose(),
});

/** Reads a static address group's members; undefined when the group does not exist. */
export async function readGroupMembers(ctx: ActionContext, cfg: PanosConfig): Promise<string[] | undefined> {
  try {
    const res = await ctx.http.get<unknown>(joinUrl(cfg.restBase, '/Objects/AddressGroups'), {
      params: { ...cfg.locationParams, name: cfg.group },
      headers: panosHeaders(ctx),
      signal: ctx.signal,
    });
    const entry = groupResponse.parse(res.data).result.entry[0];
    return entry ? (entry.static?.member ?? []) : undefined;
  } catch (err) {
    if (responseStatus(err) === 404) return undefined;
    throw err;
  }
}

export async function writeGroupMembers(ctx: ActionContext, cfg: PanosConfig, members: string[], exists: boolean): Promise<void> {
  if (members.length === 0) {
    // A static group cannot be empty; the firewall would refuse the edit.
    throw new IntegrationError(`panos: removing the last member would leave ${cfg.group} empty; add a permanent placeholder address to the group`, 'vendor_bad_request', false);
  }
  const body = { entry: [{ '@name': cfg.group, static: { member: members }, description: 'Addresses blocked by Vigil' }] };
  const url = joinUrl(cfg.restBase, '/Objects/AddressGroups');
  const config = { params: { ...cfg.locationParams, name: cfg.group }, headers: panosHeaders(ctx), signal: ctx.signal };
  if (exists) await ctx.http.put(url, body, config);
  else await ctx.http.post(url, body, config);
}

/**
 * Commits the candidate configuration through the XML API (the REST API only edits the
 * candidate). Returns the commit job id when one was enqueued.
 */
export async function commitCandidate(ctx: ActionContext): Promise<string | null> {
  const res = await ctx.http.post<string>(joinUrl(ctx.connection.baseUrl, '/api/'), new URLSearchParams({ type: 'commit', cmd: '<commit></commit>' }).toString(), {
    headers: { 'X-PAN-KEY': secret(ctx, 'apiKey'), 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/xml' },
    responseType: 'text',
    signal: ctx.signal,
  });
  const xml = String(res.data);
  const status = /<response[^>]*status="([^"]+)"/.exec(xml)?.[1];
  if (status !== 'success') {
    const msg =
      /<msg>([\s\S]*?)<\/msg>/
        .exec(xml)?.[1]
        ?.replace(/<[^>]+>/g, ' ')
        .trim() ?? 'commit failed';
    throw new IntegrationError(`panos: commit refused — ${msg.slice(0, 300)}`, 'vendor_bad_request', false, res.status);
  }
  return /<job>(\d+)<\/job>/.exec(xml)?.[1] ?? null;
}
