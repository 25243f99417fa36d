import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { mispPost } from './misp-request.js';

/** MISP encodes the sighting type as a string digit. */
const SIGHTING_TYPES = { sighting: '0', false_positive: '1', expiration: '2' } as const;

const sightingResponse = z
  .object({
    message: z.string().optional(),
    name: z.string().optional(),
    saved: z.boolean().optional(),
    success: z.boolean().optional(),
    Sighting: z.unknown().optional(),
  })
  .loose();

export const addSightingAction = defineAction({
  key: 'misp.add_sighting',
  vendor: 'misp',
  title: 'MISP: add sighting',
  docUrl: 'https://www.misp-project.org/openapi/#tag/Sightings',
  kind: 'utility',
  input: z.strictObject({
    value: z.string().min(1).max(1024).describe('Indicator value seen (matches every attribute with this value)'),
    type: z.enum(['sighting', 'false_positive', 'expiration']).default('sighting'),
    source: z.string().min(1).max(255).default('Vigil'),
  }),
  output: z.object({ added: z.boolean(), message: z.string() }),
  secrets: ['apiKey'],
  describeTarget: (input) => `indicator ${input.value}`,
  async run(input, ctx) {
    const body = {
      values: [input.value],
      type: SIGHTING_TYPES[input.type],
      source: input.source,
      timestamp: Math.floor(Date.now() / 1000),
    };
    const parsed = sightingResponse.parse(await mispPost(ctx, '/sightings/add', body));
    const message = parsed.message ?? parsed.name ?? 'Sighting added';
    // MISP answers 200 with a message both when it saved sightings and when no attribute matched.
    const added = parsed.saved === true || parsed.success === true || parsed.Sighting !== undefined || /successfully added/i.test(message);
    return { added, message };
  },
});
