import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { lifecycleTransition, oktaUserInput } from './okta-api.js';

export const unsuspendUserAction = defineAction({
  key: 'okta.unsuspend_user',
  vendor: 'okta',
  title: 'Okta: unsuspend user',
  docUrl: 'https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserLifecycle/#tag/UserLifecycle/operation/unsuspendUser',
  kind: 'containment',
  inverse: 'okta.suspend_user',
  input: oktaUserInput,
  output: z.object({ userId: z.string(), status: z.string(), alreadyInState: z.boolean() }),
  secrets: ['apiToken'],
  describeTarget: (input) => `user ${input.userId}`,
  run: (input, ctx) => lifecycleTransition(ctx, input.userId, 'unsuspend', 'ACTIVE'),
});
