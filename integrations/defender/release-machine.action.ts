import { defineAction } from '../core/define-action.js';
import { isolationInput, isolationOutput, machineIsolationAction } from './isolation.js';

export const releaseMachineAction = defineAction({
  key: 'defender.release_machine',
  vendor: 'defender',
  title: 'Defender for Endpoint: release machine from isolation',
  docUrl: 'https://learn.microsoft.com/en-us/defender-endpoint/api/unisolate-machine',
  kind: 'containment',
  inverse: 'defender.isolate_machine',
  input: isolationInput,
  output: isolationOutput,
  secrets: ['clientId', 'clientSecret'],
  describeTarget: (input) => `machine ${input.machineId.toLowerCase()}`,
  run: (input, ctx) => machineIsolationAction(ctx, 'defender.release_machine', input, true),
});
