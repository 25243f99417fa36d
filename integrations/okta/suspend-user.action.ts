import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { lifecycleTransition, oktaUserInput } from './okta-api.js';

export const suspendUserAction = defineAction({
  key: 'okta.suspend_user',
  vendor: 'okta',
  title: 'Okta: suspend user',
  docUrl: 'https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserLifecycle/#tag/UserLifecycle/operation/suspendUser',
  kind: 'containment',
  inverse: 'okta.unsuspend_user',
  input: oktaUserInput,
  output: z.object({ userId: z.string(), status: z.string(), alreadyInState: z.boolean() }),
  secrets: ['apiToken'],
  describeTarget: (input) => `user ${input.userId}`,
  run: (input, ctx) => lifecycleTransition(ctx, input.userId, 'suspend', 'SUSPENDED'),
});
