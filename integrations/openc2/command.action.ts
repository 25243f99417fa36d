import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { IntegrationError } from '../core/action.js';
import { errorFromResponse, VENDOR_ERROR_CODES } from '../core/http-errors.js';
import { openC2CommandProblems } from './openc2-language.js';
import { sendOpenC2Message } from './openc2-command.js';

/**
 * Any OpenC2 1.0 command (language actions and targets; SLPF and ER command matrices when the
 * actuator names the profile), sent as an OpenC2 message over HTTPS to the tenant's consumer.
 * What CACAO `openc2-http` commands import as.
 */
export const commandAction = defineAction({
  key: 'openc2.command',
  vendor: 'openc2',
  title: 'OpenC2: send a command',
  docUrl: 'https://docs.oasis-open.org/openc2/oc2ls/v1.0/cs02/oc2ls-v1.0-cs02.html#331-openc2-command',
  // Any command, containment or not, and with no one inverse: a playbook that contains through it undoes through it too.
  kind: 'utility',
  input: z.strictObject({
    request: z
      .looseObject({
        action: z.string().describe('OpenC2 action (deny, contain, query, …)'),
        target: z.record(z.string(), z.unknown()).describe('one OpenC2 target, e.g. {"ipv4_net": "203.0.113.0/24"}'),
        args: z.record(z.string(), z.unknown()).optional(),
        actuator: z.record(z.string(), z.unknown()).optional(),
        command_id: z.string().optional(),
      })
      .describe('the OpenC2 command'),
  }),
  output: z.object({ status: z.number().int(), statusText: z.string().nullable(), results: z.unknown(), requestId: z.string() }),
  secrets: ['bearerToken'],
  describeTarget: (input) => `OpenC2 ${input.request.action} ${Object.keys(input.request.target).join(', ')}`,
  async run(input, ctx) {
    const problems = openC2CommandProblems(input.request);
    if (problems.length > 0) throw new IntegrationError(`openc2: ${problems.join('; ')}`, VENDOR_ERROR_CODES.badRequest, false, 400);
    const { response, requestId } = await sendOpenC2Message(ctx, input.request);
    if (response.status >= 400) throw errorFromResponse(response.status, undefined, response, { vendor: 'openc2', secrets: ctx.connection.secrets });
    return { status: response.status, statusText: response.status_text ?? null, results: response.results ?? null, requestId };
  },
});
