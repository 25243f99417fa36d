import type { StepRef } from '../contracts/case-activities.js';
import type { Step, StepKind } from '../language/playbook.types.js';
import { prepareAction, prepareNotify } from './action-step.js';
import { runApproval } from './approval-step.js';
import { runCondition, runEnd, runSet, runSwitch } from './flow-steps.js';
import { runForeach } from './foreach-step.js';
import { runLoop } from './loop-step.js';
import { runParallel } from './parallel-step.js';
import type { Frame, StepOutcome, StepRun } from './step-run.js';
import { runStatus } from './status-step.js';
import { runSubPlaybook } from './sub-playbook-step.js';
import { runWait } from './wait-step.js';

/** Runs one step of kind K once `when`, visit and state are settled (PlaybookInterpreter.runStep). */
type StepRunner<K extends StepKind> = (run: StepRun, step: Extract<Step, { kind: K }>, frame: Frame, ref: StepRef, startedAt: number) => StepOutcome;

/** The runner of each step kind: a kind without one does not compile. */
const STEP_RUNNERS: { readonly [K in StepKind]: StepRunner<K> } = Object.freeze({
  action: prepareAction,
  notify: prepareNotify,
  condition: runCondition,
  switch: runSwitch,
  set: runSet,
  end: runEnd,
  wait: runWait,
  status: runStatus,
  parallel: runParallel,
  foreach: runForeach,
  loop: runLoop,
  playbook: runSubPlaybook,
  approval: runApproval,
});

/** Runs a step with its kind's runner. */
export function runStepKind(run: StepRun, step: Step, frame: Frame, ref: StepRef, startedAt: number): StepOutcome {
  return (STEP_RUNNERS[step.kind] as StepRunner<StepKind>)(run, step, frame, ref, startedAt);
}
