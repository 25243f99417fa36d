import { defineAction } from '../core/define-action.js';
import { sendNetCommand, slpfNetInput, slpfRuleOutput } from './openc2-command.js';

export const denyIpv4Action = defineAction({
  key: 'openc2.deny_ipv4',
  vendor: 'openc2',
  title: 'OpenC2 SLPF: deny IPv4 network',
  docUrl: 'https://docs.oasis-open.org/openc2/oc2slpf/v1.0/oc2slpf-v1.0.html#232-deny',
  kind: 'containment',
  inverse: 'openc2.allow_ipv4',
  input: slpfNetInput,
  output: slpfRuleOutput,
  secrets: ['bearerToken'],
  describeTarget: (input) => `IPv4 ${input.ipv4Net}`,
  run: (input, ctx) => sendNetCommand(ctx, 'deny', input),
});
