import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { errorFromResponse } from '../core/http-errors.js';
import { sendOpenC2Command, slpfRuleOutput } from './openc2-command.js';

export const deleteRuleAction = defineAction({
  key: 'openc2.delete_rule',
  vendor: 'openc2',
  title: 'OpenC2 SLPF: delete rule by number',
  docUrl: 'https://docs.oasis-open.org/openc2/oc2slpf/v1.0/oc2slpf-v1.0.html#2341-delete-slpfrule_number',
  kind: 'utility',
  input: z.strictObject({ ruleNumber: z.number().int().nonnegative().describe('rule_number returned by deny or allow') }),
  output: slpfRuleOutput,
  secrets: ['bearerToken'],
  describeTarget: (input) => `SLPF rule ${input.ruleNumber}`,
  async run(input, ctx) {
    const { response, requestId } = await sendOpenC2Command(ctx, {
      action: 'delete',
      target: { 'slpf:rule_number': input.ruleNumber },
      args: { response_requested: 'complete' },
    });
    // A rule that no longer exists is what a delete wants: repeating the step is safe.
    if (response.status === 404) return { status: 404, ruleNumber: input.ruleNumber, alreadyInState: true, requestId };
    if (response.status >= 400) throw errorFromResponse(response.status, undefined, response, { vendor: 'openc2', secrets: ctx.connection.secrets });
    return { status: response.status, ruleNumber: input.ruleNumber, alreadyInState: false, requestId };
  },
});
