import { z } from 'zod';
import { defineAction, joinUrl, responseData, responseStatus, secret } from '../core/define-action.js';

/** `GET /v3/community/{ip}` body; a 404 carries the same shape with `noise` and `riot` false. */
const communityResponse = z
  .object({
    ip: z.string(),
    noise: z.boolean().default(false),
    riot: z.boolean().default(false),
    classification: z.string().nullish(),
    name: z.string().nullish(),
    link: z.string().nullish(),
    last_seen: z.string().nullish(),
    message: z.string().nullish(),
  })
  .loose();

export const ipContextAction = defineAction({
  key: 'greynoise.ip_context',
  vendor: 'greynoise',
  title: 'GreyNoise: IP context (Community API)',
  docUrl: 'https://docs.greynoise.io/reference/getcommunityip',
  kind: 'enrichment',
  input: z.strictObject({ ip: z.ipv4().describe('IPv4 address (the Community API covers IPv4 only)') }),
  output: z.object({
    ip: z.string(),
    observed: z.boolean().describe('GreyNoise has seen the address scanning or lists it as a known business service'),
    noise: z.boolean(),
    riot: z.boolean(),
    classification: z.enum(['malicious', 'suspicious', 'benign', 'unknown']),
    name: z.string().nullable(),
    lastSeen: z.string().nullable(),
    link: z.string(),
    message: z.string().nullable(),
  }),
  secrets: ['apiKey'],
  describeTarget: (input) => `IP ${input.ip}`,
  async run(input, ctx) {
    let body: unknown;
    let observed = true;
    try {
      const res = await ctx.http.get<unknown>(joinUrl(ctx.connection.baseUrl, `/v3/community/${encodeURIComponent(input.ip)}`), {
        headers: { key: secret(ctx, 'apiKey'), Accept: 'application/json' },
        signal: ctx.signal,
      });
      body = res.data;
    } catch (err) {
      // 404 is GreyNoise's documented answer for "never observed": a result, not a failure.
      if (responseStatus(err) !== 404) throw err;
      body = responseData(err);
      observed = false;
    }
    const parsed = communityResponse.safeParse(body);
    const c = parsed.success ? parsed.data : { ip: input.ip, noise: false, riot: false, classification: null, name: null, link: null, last_seen: null, message: null };
    const classification = c.classification === 'malicious' || c.classification === 'suspicious' || c.classification === 'benign' ? c.classification : 'unknown';
    return {
      ip: c.ip,
      observed: observed && (c.noise || c.riot),
      noise: c.noise,
      riot: c.riot,
      classification,
      name: c.name && c.name !== 'unknown' ? c.name : null,
      lastSeen: c.last_seen ?? null,
      link: c.link ?? `https://viz.greynoise.io/ip/${encodeURIComponent(input.ip)}`,
      message: c.message ?? null,
    } as const;
  },
});
