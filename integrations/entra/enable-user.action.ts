import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { graphUserInput, setAccountEnabled } from './graph-user.js';

export const enableUserAction = defineAction({
  key: 'entra.enable_user',
  vendor: 'entra',
  title: 'Entra ID: re-enable user sign-in',
  docUrl: 'https://learn.microsoft.com/en-us/graph/api/user-update',
  kind: 'containment',
  inverse: 'entra.disable_user',
  input: graphUserInput,
  output: z.object({ userId: z.string(), accountEnabled: z.boolean() }),
  secrets: ['clientId', 'clientSecret'],
  describeTarget: (input) => `user ${input.userId}`,
  run: (input, ctx) => setAccountEnabled(ctx, 'entra.enable_user', input.userId, true),
});
