import { z } from 'zod';
import type { ActionContext } from '../core/action.js';
import { joinUrl, responseStatus, secret } from '../core/define-action.js';

/** Every VirusTotal report action returns this normalised shape. */
export const virusTotalReportOutput = z.object({
  id: z.string(),
  type: z.enum(['file', 'ip_address', 'domain', 'url']),
  found: z.boolean(),
  malicious: z.number().int().nonnegative(),
  suspicious: z.number().int().nonnegative(),
  harmless: z.number().int().nonnegative(),
  undetected: z.number().int().nonnegative(),
  reputation: z.number().int(),
  verdict: z.enum(['malicious', 'suspicious', 'clean', 'unknown']),
  lastAnalysisDate: z.string().nullable(),
  link: z.string(),
});
export type VirusTotalReport = z.output<typeof virusTotalReportOutput>;
type ObjectType = VirusTotalReport['type'];

const analysisStats = z.object({
  malicious: z.number().default(0),
  suspicious: z.number().default(0),
  harmless: z.number().default(0),
  undetected: z.number().default(0),
});

/** The part of a VirusTotal v3 object response Vigil reads (`data.attributes`). */
const objectResponse = z.object({
  data: z.object({
    id: z.string(),
    type: z.string(),
    attributes: z
      .object({
        last_analysis_stats: analysisStats.optional(),
        reputation: z.number().optional(),
        last_analysis_date: z.number().optional(),
      })
      .loose(),
  }),
});

const GUI_PATHS: Record<ObjectType, string> = { file: 'file', ip_address: 'ip-address', domain: 'domain', url: 'url' };

export function guiLink(type: ObjectType, id: string): string {
  return `https://www.virustotal.com/gui/${GUI_PATHS[type]}/${encodeURIComponent(id)}`;
}

/**
 * Verdict from engine counts: any malicious detection makes it malicious, else any suspicious
 * one suspicious, else clean if engines looked at it, unknown if none did.
 */
export function verdictFromStats(stats: { malicious: number; suspicious: number; harmless: number; undetected: number }): VirusTotalReport['verdict'] {
  if (stats.malicious > 0) return 'malicious';
  if (stats.suspicious > 0) return 'suspicious';
  if (stats.harmless + stats.undetected > 0) return 'clean';
  return 'unknown';
}

/**
 * GETs one VirusTotal object and normalises it. A 404 (`NotFoundError`) is an answer, not a
 * failure: VirusTotal has never seen the indicator, so the verdict is `unknown`.
 */
export async function fetchVirusTotalReport(ctx: ActionContext, type: ObjectType, collection: string, id: string, displayId: string = id): Promise<VirusTotalReport> {
  const url = joinUrl(ctx.connection.baseUrl, `/api/v3/${collection}/${encodeURIComponent(id)}`);
  try {
    const res = await ctx.http.get<unknown>(url, {
      headers: { 'x-apikey': secret(ctx, 'apiKey'), Accept: 'application/json' },
      signal: ctx.signal,
    });
    const body = objectResponse.parse(res.data);
    const stats = analysisStats.parse(body.data.attributes.last_analysis_stats ?? {});
    const counts = {
      malicious: Math.round(stats.malicious),
      suspicious: Math.round(stats.suspicious),
      harmless: Math.round(stats.harmless),
      undetected: Math.round(stats.undetected),
    };
    const analysed = body.data.attributes.last_analysis_date;
    return {
      id: body.data.id,
      type,
      found: true,
      ...counts,
      reputation: Math.round(body.data.attributes.reputation ?? 0),
      verdict: verdictFromStats(counts),
      lastAnalysisDate: analysed !== undefined ? new Date(analysed * 1000).toISOString() : null,
      link: guiLink(type, type === 'url' ? body.data.id : displayId),
    };
  } catch (err) {
    if (responseStatus(err) === 404) {
      return {
        id: displayId,
        type,
        found: false,
        malicious: 0,
        suspicious: 0,
        harmless: 0,
        undetected: 0,
        reputation: 0,
        verdict: 'unknown',
        lastAnalysisDate: null,
        link: guiLink(type, displayId),
      };
    }
    throw err;
  }
}
