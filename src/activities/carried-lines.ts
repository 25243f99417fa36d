import type { CaseRunsService, StepEventInput } from '../cases/index.js';
import type { RunActionInput, RunActionResult, StepLine } from '../../workflows/contracts/case-activities.js';

/** What a step's work did: its output, and its timeline line without the output (see RunActionResult.line). */
export interface StepOutcome {
  output: unknown;
  target?: string;
  line: StepLine;
}

/** The line a failed attempt writes at once. */
export type FailedLine = Pick<StepEventInput, 'stepId' | 'dedupKey' | 'kind' | 'message' | 'data'>;

/**
 * Runs a step's work with the timeline lines the workflow carried to it (see CarriedLines and
 * "How the interpreter runs a step" in workflows/README.md): with `deferLine` the carried lines go to
 * PostgreSQL while the work runs and the step's own line is handed back to the workflow, or, with
 * `endsRun`, written with the run's end in one transaction; without it the step's line is written
 * here. A failure writes its line at once and rethrows.
 */
export async function withCarriedLines(
  runs: CaseRunsService,
  input: RunActionInput,
  work: () => Promise<StepOutcome>,
  failed: (error: unknown) => FailedLine,
): Promise<RunActionResult> {
  // Earlier steps' lines go to PostgreSQL while the work runs: off this step's critical path.
  const written = input.deferLine ? writeCarried(runs, input) : undefined;
  try {
    const { output, target, line } = await work();
    if (!written) {
      await runs.recordStep({ ...line, tenantId: input.tenantId, caseId: input.caseId, data: { ...line.data, output }, at: undefined, firstStep: input.firstStep });
      return { output, target };
    }
    const linesWritten = await written;
    if (input.endsRun) {
      // The run's last step: its end goes in with this line, in one transaction.
      const lines = [...(linesWritten ? [] : (input.lines ?? [])), { ...line, data: { ...line.data, output } }];
      try {
        await runs.completeRun({ tenantId: input.tenantId, caseId: input.caseId, workflowId: input.workflowId, runStatus: 'completed', ...input.endsRun, lines });
        return { output, target, linesWritten: true, runCompleted: true };
      } catch {
        // The work is done: the workflow ends the run itself, with the line below.
      }
    }
    // The workflow adds `output` back from the result: the history holds it once.
    return { output, target, line, linesWritten };
  } catch (error) {
    // The carried lines were written or will be sent again (the workflow keeps them on a failure).
    await written;
    await runs.recordStep({ ...failed(error), tenantId: input.tenantId, caseId: input.caseId, firstStep: input.firstStep && !input.deferLine });
    throw error;
  }
}

/**
 * Writes the lines a workflow handed over (and the run's move to `running`). Never throws: on failure
 * it says so, and the workflow keeps the lines for its next activity.
 */
async function writeCarried(runs: CaseRunsService, input: RunActionInput): Promise<boolean> {
  if (!input.lines?.length && !input.firstStep) return true;
  try {
    await runs.recordLines(input.tenantId, input.caseId, input.lines, input.firstStep);
    return true;
  } catch {
    return false;
  }
}
