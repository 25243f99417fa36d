import { defineAction } from '../core/define-action.js';
import { containmentInput, containmentOutput, describeHosts, performContainmentAction } from './containment.js';

export const liftContainmentAction = defineAction({
  key: 'crowdstrike.lift_containment',
  vendor: 'crowdstrike',
  title: 'CrowdStrike Falcon: lift host containment',
  docUrl: 'https://developer.crowdstrike.com/api-reference/collections/hosts/#performactionv2',
  kind: 'containment',
  inverse: 'crowdstrike.contain_host',
  input: containmentInput,
  output: containmentOutput,
  secrets: ['clientId', 'clientSecret'],
  describeTarget: describeHosts,
  run: (input, ctx) => performContainmentAction(ctx, 'lift_containment', input),
});
