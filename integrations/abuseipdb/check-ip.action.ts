import { z } from 'zod';
import { defineAction, joinUrl, secret } from '../core/define-action.js';

/** The part of `GET /api/v2/check`'s `data` object Vigil reads. */
const checkResponse = z.object({
  data: z
    .object({
      ipAddress: z.string(),
      isPublic: z.boolean().nullish(),
      isWhitelisted: z.boolean().nullish(),
      abuseConfidenceScore: z.number(),
      countryCode: z.string().nullish(),
      usageType: z.string().nullish(),
      isp: z.string().nullish(),
      domain: z.string().nullish(),
      isTor: z.boolean().nullish(),
      totalReports: z.number(),
      numDistinctUsers: z.number().nullish(),
      lastReportedAt: z.string().nullish(),
    })
    .loose(),
});

/** Confidence thresholds for the normalised verdict (AbuseIPDB's own UI marks 75+ as high). */
export const ABUSEIPDB_MALICIOUS_SCORE = 75;
export const ABUSEIPDB_SUSPICIOUS_SCORE = 25;

export const checkIpAction = defineAction({
  key: 'abuseipdb.check_ip',
  vendor: 'abuseipdb',
  title: 'AbuseIPDB: check IP address',
  docUrl: 'https://docs.abuseipdb.com/#check-endpoint',
  kind: 'enrichment',
  input: z.strictObject({
    ip: z.union([z.ipv4(), z.ipv6()]).describe('IPv4 or IPv6 address'),
    maxAgeInDays: z.number().int().min(1).max(365).default(90).describe('Only count reports from the last N days (1–365)'),
  }),
  output: z.object({
    ip: z.string(),
    abuseConfidenceScore: z.number().int().min(0).max(100),
    totalReports: z.number().int().nonnegative(),
    distinctReporters: z.number().int().nonnegative(),
    countryCode: z.string().nullable(),
    isp: z.string().nullable(),
    domain: z.string().nullable(),
    usageType: z.string().nullable(),
    isWhitelisted: z.boolean().nullable(),
    isTor: z.boolean(),
    lastReportedAt: z.string().nullable(),
    verdict: z.enum(['malicious', 'suspicious', 'clean']),
    link: z.string(),
  }),
  secrets: ['apiKey'],
  describeTarget: (input) => `IP ${input.ip}`,
  async run(input, ctx) {
    const res = await ctx.http.get<unknown>(joinUrl(ctx.connection.baseUrl, '/api/v2/check'), {
      params: { ipAddress: input.ip, maxAgeInDays: input.maxAgeInDays },
      headers: { Key: secret(ctx, 'apiKey'), Accept: 'application/json' },
      signal: ctx.signal,
    });
    const d = checkResponse.parse(res.data).data;
    const score = Math.round(d.abuseConfidenceScore);
    return {
      ip: d.ipAddress,
      abuseConfidenceScore: score,
      totalReports: Math.round(d.totalReports),
      distinctReporters: Math.round(d.numDistinctUsers ?? 0),
      countryCode: d.countryCode ?? null,
      isp: d.isp ?? null,
      domain: d.domain ?? null,
      usageType: d.usageType ?? null,
      isWhitelisted: d.isWhitelisted ?? null,
      isTor: d.isTor ?? false,
      lastReportedAt: d.lastReportedAt ?? null,
      verdict: score >= ABUSEIPDB_MALICIOUS_SCORE ? 'malicious' : score >= ABUSEIPDB_SUSPICIOUS_SCORE ? 'suspicious' : 'clean',
      link: `https://www.abuseipdb.com/check/${encodeURIComponent(d.ipAddress)}`,
    } as const;
  },
});
