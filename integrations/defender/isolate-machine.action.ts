import { defineAction } from '../core/define-action.js';
import { isolationInput, isolationOutput, machineIsolationAction } from './isolation.js';

export const isolateMachineAction = defineAction({
  key: 'defender.isolate_machine',
  vendor: 'defender',
  title: 'Defender for Endpoint: isolate machine',
  docUrl: 'https://learn.microsoft.com/en-us/defender-endpoint/api/isolate-machine',
  kind: 'containment',
  inverse: 'defender.release_machine',
  input: isolationInput,
  output: isolationOutput,
  secrets: ['clientId', 'clientSecret'],
  describeTarget: (input) => `machine ${input.machineId.toLowerCase()}`,
  run: (input, ctx) => machineIsolationAction(ctx, 'defender.isolate_machine', input, false),
});
