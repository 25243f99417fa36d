import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { graphUserInput, setAccountEnabled } from './graph-user.js';

export const disableUserAction = defineAction({
  key: 'entra.disable_user',
  vendor: 'entra',
  title: 'Entra ID: disable user sign-in',
  docUrl: 'https://learn.microsoft.com/en-us/graph/api/user-update',
  kind: 'containment',
  inverse: 'entra.enable_user',
  input: graphUserInput,
  output: z.object({ userId: z.string(), accountEnabled: z.boolean() }),
  secrets: ['clientId', 'clientSecret'],
  describeTarget: (input) => `user ${input.userId}`,
  run: (input, ctx) => setAccountEnabled(ctx, 'entra.disable_user', input.userId, false),
});
