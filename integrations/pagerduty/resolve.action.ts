import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { dedupKey, enqueueEvent, eventOutput } from './pagerduty-event.js';

export const resolveAction = defineAction({
  key: 'pagerduty.resolve',
  vendor: 'pagerduty',
  title: 'PagerDuty: resolve alert (Events API v2)',
  docUrl: 'https://developer.pagerduty.com/docs/send-alert-event',
  kind: 'notification',
  input: z.strictObject({ dedupKey }),
  output: eventOutput,
  secrets: ['routingKey'],
  describeTarget: (input) => `PagerDuty alert ${input.dedupKey}`,
  run: (input, ctx) => enqueueEvent(ctx, { event_action: 'resolve' }, input.dedupKey),
});
