import { CancellationScope } from '@temporalio/workflow';
import type { StepRef } from '../contracts/case-activities.js';
import type { EndStep, ParallelStep } from '../language/playbook.types.js';
import type { Frame, Route, StepRun } from './step-run.js';

/** A `parallel` step: its branches at once; `join: any` cancels the rest when the first finishes. */
export async function runParallel(run: StepRun, step: ParallelStep, frame: Frame, ref: StepRef, startedAt: number): Promise<Route> {
  const join = step.join ?? 'all';
  const inner: Frame = { ...frame, retry: step.retry ?? frame.retry };
  const scope = new CancellationScope();
  let end: EndStep | undefined;
  let winner: number | undefined;
  if (join === 'all') {
    try {
      const ends = await scope.run(() => Promise.all(step.branches.map((branch) => run.runList(branch, inner))));
      end = ends.find((e) => e !== undefined);
    } catch (error) {
      // One branch failed: the others stop too.
      scope.cancel();
      throw error;
    }
  } else {
    try {
      const first = await scope.run(() => Promise.any(step.branches.map(async (branch, i) => ({ i, end: await run.runList(branch, inner) }))));
      winner = first.i;
      end = first.end;
    } catch (error) {
      throw error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
    } finally {
      // The first branch to finish wins; the rest are cancelled (their activities and timers with them).
      scope.cancel();
    }
  }
  const branches = step.branches.length;
  run.recordOutput(step, frame, winner === undefined ? { join, branches } : { join, branches, winner });
  const message =
    winner === undefined ? `parallel: all ${branches} branch(es) finished` : `parallel: branch ${winner + 1} of ${branches} finished first; ${branches - 1} cancelled`;
  run.recordFinished(step, ref, startedAt, message, { join, branches, winner });
  return end ? { end } : {};
}
