import { ApplicationFailure, condition, sleep } from '@temporalio/workflow';
import type { WaitStep } from '../language/playbook.types.js';
import { CONTINUE, type Frame, type Route, type StepRun } from './step-run.js';

/** A `wait` step: a timer, or until a new alert joins the case (at most `duration`). */
export async function runWait(run: StepRun, step: WaitStep, frame: Frame): Promise<Route> {
  const host = run.host;
  run.lines.flushSoon();
  if (step.until === 'new_alert' && host.hearsAlerts) {
    const seen = host.alertCount();
    const arrived = step.duration === undefined ? (await condition(() => host.alertCount() > seen), true) : await condition(() => host.alertCount() > seen, step.duration);
    run.recordOutput(step, frame, { newAlert: arrived });
  } else if (step.duration !== undefined) {
    await sleep(step.duration);
    run.recordOutput(step, frame, { newAlert: false });
  } else {
    throw ApplicationFailure.nonRetryable('a sub-playbook or a large foreach hears no new alerts: give this wait a duration', 'UnsupportedStep');
  }
  return CONTINUE;
}
