import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { idempotencyToken } from '../core/idempotency.js';
import { dedupKey, enqueueEvent, eventOutput } from './pagerduty-event.js';

export const triggerAction = defineAction({
  key: 'pagerduty.trigger',
  vendor: 'pagerduty',
  title: 'PagerDuty: trigger alert (Events API v2)',
  docUrl: 'https://developer.pagerduty.com/docs/send-alert-event',
  kind: 'notification',
  input: z.strictObject({
    summary: z.string().min(1).max(1024),
    source: z.string().min(1).max(255).describe('Affected system (host, service)'),
    severity: z.enum(['critical', 'error', 'warning', 'info']),
    dedupKey: dedupKey.optional().describe('Defaults to a key derived from the step, so retries do not open a second alert'),
    component: z.string().max(255).optional(),
    group: z.string().max(255).optional(),
    class: z.string().max(255).optional(),
    customDetails: z.record(z.string(), z.unknown()).optional(),
    links: z
      .array(z.strictObject({ href: z.url(), text: z.string().max(255).optional() }))
      .max(10)
      .optional(),
  }),
  output: eventOutput,
  secrets: ['routingKey'],
  describeTarget: (input) => `PagerDuty alert "${input.summary.slice(0, 60)}"`,
  run(input, ctx) {
    const payload: Record<string, unknown> = { summary: input.summary, source: input.source, severity: input.severity, timestamp: new Date().toISOString() };
    if (input.component) payload['component'] = input.component;
    if (input.group) payload['group'] = input.group;
    if (input.class) payload['class'] = input.class;
    if (input.customDetails) payload['custom_details'] = input.customDetails;
    const event: Record<string, unknown> = { event_action: 'trigger', payload, client: 'Vigil' };
    if (input.links) event['links'] = input.links;
    return enqueueEvent(ctx, event, input.dedupKey ?? `vigil-${idempotencyToken(ctx.idempotencyKey, 32)}`);
  },
});
