import { defineAction } from '../core/define-action.js';
import { containmentInput, containmentOutput, describeHosts, performContainmentAction } from './containment.js';

export const containHostAction = defineAction({
  key: 'crowdstrike.contain_host',
  vendor: 'crowdstrike',
  title: 'CrowdStrike Falcon: network-contain host',
  docUrl: 'https://developer.crowdstrike.com/api-reference/collections/hosts/#performactionv2',
  kind: 'containment',
  inverse: 'crowdstrike.lift_containment',
  input: containmentInput,
  output: containmentOutput,
  secrets: ['clientId', 'clientSecret'],
  describeTarget: describeHosts,
  run: (input, ctx) => performContainmentAction(ctx, 'contain', input),
});
