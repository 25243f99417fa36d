import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { mispPost } from './misp-request.js';

const attribute = z
  .object({
    id: z.union([z.string(), z.number()]),
    event_id: z.union([z.string(), z.number()]),
    type: z.string(),
    category: z.string(),
    value: z.string(),
    to_ids: z.boolean(),
    comment: z.string().nullish(),
    timestamp: z.union([z.string(), z.number()]).nullish(),
    Event: z.object({ info: z.string().nullish() }).loose().nullish(),
    Tag: z.array(z.object({ name: z.string() }).loose()).nullish(),
  })
  .loose();

const restSearchResponse = z.object({ response: z.object({ Attribute: z.array(attribute).default([]) }).loose() });

export const searchAttributesAction = defineAction({
  key: 'misp.search_attributes',
  vendor: 'misp',
  title: 'MISP: search attributes',
  docUrl: 'https://www.misp-project.org/openapi/#tag/Attributes/operation/restSearchAttributes',
  kind: 'enrichment',
  input: z.strictObject({
    value: z.string().min(1).max(1024).describe('Indicator value to look up (IP, domain, hash, URL, …)'),
    type: z
      .string()
      .regex(/^[a-z0-9|_-]+$/)
      .max(64)
      .optional()
      .describe('MISP attribute type, e.g. ip-dst, domain, sha256'),
    toIds: z.boolean().optional().describe('Only attributes flagged for detection (to_ids)'),
    last: z
      .string()
      .regex(/^\d+[dhm]$/)
      .optional()
      .describe('Only attributes published in this window, e.g. 30d'),
    limit: z.number().int().min(1).max(500).default(50),
  }),
  output: z.object({
    matched: z.boolean(),
    count: z.number().int().nonnegative(),
    attributes: z.array(
      z.object({
        id: z.string(),
        eventId: z.string(),
        type: z.string(),
        category: z.string(),
        value: z.string(),
        toIds: z.boolean(),
        comment: z.string(),
        timestamp: z.string().nullable(),
        eventInfo: z.string().nullable(),
        tags: z.array(z.string()),
      }),
    ),
  }),
  secrets: ['apiKey'],
  describeTarget: (input) => `indicator ${input.value}`,
  async run(input, ctx) {
    const body: Record<string, unknown> = { returnFormat: 'json', value: input.value, limit: input.limit, page: 1 };
    if (input.type !== undefined) body['type'] = input.type;
    if (input.toIds !== undefined) body['to_ids'] = input.toIds;
    if (input.last !== undefined) body['last'] = input.last;
    const parsed = restSearchResponse.parse(await mispPost(ctx, '/attributes/restSearch', body));
    const attributes = parsed.response.Attribute.map((a) => {
      const ts = a.timestamp !== undefined && a.timestamp !== null ? Number(a.timestamp) : NaN;
      return {
        id: String(a.id),
        eventId: String(a.event_id),
        type: a.type,
        category: a.category,
        value: a.value,
        toIds: a.to_ids,
        comment: a.comment ?? '',
        timestamp: Number.isFinite(ts) ? new Date(ts * 1000).toISOString() : null,
        eventInfo: a.Event?.info ?? null,
        tags: (a.Tag ?? []).map((t) => t.name),
      };
    });
    return { matched: attributes.length > 0, count: attributes.length, attributes };
  },
});
