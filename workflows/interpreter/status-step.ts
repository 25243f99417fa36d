import { proxyLocalActivities } from '@temporalio/workflow';
import type { CaseActivities, StepRef } from '../contracts/case-activities.js';
import type { StatusStep } from '../language/playbook.types.js';
import { CONTINUE, type Frame, localOptions, type Route, type StepRun } from './step-run.js';

/** A `status` step: one `recordStep`, which writes the status change and the held lines in one transaction. */
export async function runStatus(run: StepRun, step: StatusStep, frame: Frame, ref: StepRef): Promise<Route> {
  const { recordStep } = proxyLocalActivities<CaseActivities>(localOptions(step, frame));
  const carried = run.lines.carry();
  try {
    await recordStep({ ...ref, kind: 'step_finished', message: `status set to ${step.status}`, status: step.status, ...carried });
  } catch (error) {
    run.lines.uncarry(carried);
    throw error;
  }
  run.recordOutput(step, frame, { status: step.status });
  return CONTINUE;
}
