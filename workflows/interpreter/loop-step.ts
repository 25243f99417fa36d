import type { StepRef } from '../contracts/case-activities.js';
import { isTruthy } from '../language/expression.js';
import type { EndStep, LoopStep } from '../language/playbook.types.js';
import type { Frame, Route, StepRun } from './step-run.js';

/** A `loop` step: its body while the condition holds, at most `maxIterations` times. */
export async function runLoop(run: StepRun, step: LoopStep, frame: Frame, ref: StepRef, startedAt: number): Promise<Route> {
  const inner: Frame = { ...frame, retry: step.retry ?? frame.retry };
  let iterations = 0;
  let stoppedBy: 'condition' | 'max_iterations' | 'end' = 'condition';
  let end: EndStep | undefined;
  while (isTruthy(run.eval(step.while, frame.scope))) {
    if (iterations >= step.maxIterations) {
      stoppedBy = 'max_iterations';
      break;
    }
    iterations += 1;
    end = await run.runList(step.steps, inner);
    if (end) {
      stoppedBy = 'end';
      break;
    }
  }
  run.recordOutput(step, frame, { iterations, stoppedBy });
  const why = stoppedBy === 'max_iterations' ? `stopped at maxIterations ${step.maxIterations}` : stoppedBy === 'end' ? 'an end step stopped it' : 'condition no longer holds';
  run.recordFinished(step, ref, startedAt, `loop: ${iterations} iteration(s), ${why}`, { iterations, stoppedBy });
  return end ? { end } : {};
}
