import { ApplicationFailure, CancellationScope, executeChild, isCancellation, workflowInfo } from '@temporalio/workflow';
import type { StepRef } from '../contracts/case-activities.js';
import { type ForeachChunkInput, type ForeachChunkResult, type ForeachChunkWorkflow, type ForeachItemResult, FOREACH_CHUNK_WORKFLOW } from '../contracts/child-workflows.js';
import { DEFAULT_ITEM_NAME } from '../language/expression.js';
import type { EndStep, ForeachStep, Step } from '../language/playbook.types.js';
import { expressionNeeds, mergeNeeds, type ScopeNeeds, sliceScope } from '../language/scope-reads.js';
import { stepExpressions, stepIdsIn, stepLists } from '../language/step-model.js';
import { pinnedNeeds, type PinnedReads } from '../language/step-reads.js';
import { failureMessage, type Frame, type Route, type StepRun } from './step-run.js';

/** Above this many items a foreach runs its items in child workflows, so the run's own history stays short. */
export const FOREACH_CHUNK_THRESHOLD = 100;
/** Items per child workflow of a large foreach. */
export const FOREACH_CHUNK_SIZE = 100;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value;
}

/** A `foreach` step: its body once per item, in this run or, above the threshold, in chunk child workflows. */
export async function runForeach(run: StepRun, step: ForeachStep, frame: Frame, ref: StepRef, startedAt: number): Promise<Route> {
  const items = run.eval(step.items, frame.scope);
  if (!Array.isArray(items)) throw ApplicationFailure.nonRetryable(`items of foreach ${step.id} must be a list, got ${typeName(items)}`, 'InvalidItems');
  const concurrency = Math.max(1, step.concurrency ?? 1);
  const inner: Frame = { ...frame, retry: step.retry ?? frame.retry };
  const chunked = items.length > FOREACH_CHUNK_THRESHOLD;
  const result = chunked ? await runChunks(run, step, items, concurrency, inner, ref) : await runItems(run, step, items, 0, concurrency, inner, ref.visit);
  run.recordOutput(step, frame, { count: items.length, items: result.items });
  run.recordFinished(
    step,
    ref,
    startedAt,
    `foreach: ${items.length} item(s)${chunked ? ` in ${Math.ceil(items.length / FOREACH_CHUNK_SIZE)} child workflow(s)` : ''}, ${concurrency} at a time`,
    {
      count: items.length,
      concurrency,
      chunks: chunked ? Math.ceil(items.length / FOREACH_CHUNK_SIZE) : 0,
    },
  );
  return result.end ? { end: result.end } : {};
}

/**
 * Runs a foreach body for each of `items` (numbered from `offset`), at most `concurrency` at once.
 * Each item gets its own `steps` and `vars` (copies of the enclosing ones) and its name bound.
 * Also the body of a foreach chunk workflow.
 */
export async function runItems(
  run: StepRun,
  step: Pick<ForeachStep, 'id' | 'as' | 'steps'>,
  items: readonly unknown[],
  offset: number,
  concurrency: number,
  frame: Frame,
  visitBase: string,
): Promise<{ items: ForeachItemResult[]; end?: EndStep }> {
  const as = step.as ?? DEFAULT_ITEM_NAME;
  const bodyIds = stepIdsIn(step.steps);
  const results = new Array<ForeachItemResult>(items.length);
  let next = 0;
  let end: EndStep | undefined;
  const lane = async (): Promise<void> => {
    while (next < items.length && end === undefined) {
      const i = next;
      next += 1;
      const parentSteps = (frame.scope['steps'] ?? {}) as Record<string, unknown>;
      const parentVars = (frame.scope['vars'] ?? {}) as Record<string, unknown>;
      const steps: Record<string, unknown> = { ...parentSteps };
      const scope: Record<string, unknown> = { ...frame.scope, steps, vars: { ...parentVars }, [as]: items[i] };
      try {
        const stopped = await run.runList(step.steps, { scope, prefix: `${visitBase}[${offset + i}]/`, retry: frame.retry });
        if (stopped) end = stopped;
      } catch (error) {
        if (isCancellation(error)) throw error;
        throw ApplicationFailure.nonRetryable(`item ${offset + i}: ${failureMessage(error)}`, 'ForeachItemFailed');
      }
      const own: Record<string, unknown> = {};
      for (const id of bodyIds) if (Object.hasOwn(steps, id)) own[id] = steps[id];
      results[i] = { item: items[i], status: 'completed', steps: own };
    }
  };
  const scope = new CancellationScope();
  try {
    await scope.run(() => Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, () => lane())));
  } catch (error) {
    scope.cancel();
    throw error;
  }
  return end ? { items: results, end } : { items: results };
}

/** A large foreach: chunks of items in child workflows, `concurrency` items at once across them. */
async function runChunks(
  run: StepRun,
  step: ForeachStep,
  items: readonly unknown[],
  concurrency: number,
  frame: Frame,
  ref: StepRef,
): Promise<{ items: ForeachItemResult[]; end?: EndStep }> {
  const host = run.host;
  const as = step.as ?? DEFAULT_ITEM_NAME;
  const chunks = Math.ceil(items.length / FOREACH_CHUNK_SIZE);
  const lanes = Math.min(chunks, concurrency);
  const shared = sliceScope(frame.scope, listReads(run, step.steps, [...Object.keys(frame.scope), as]));
  delete shared[as];
  const guarded = guardedOutside(run, step.steps);
  // The body's pinned reads go with each chunk, so no chunk scans a template either.
  const reads: PinnedReads = {};
  for (const id of stepIdsIn(step.steps)) {
    const body = run.stepById(id);
    if (body) reads[id] = pinnedNeeds(run.readsOf(body));
  }
  const results = new Array<ForeachItemResult>(items.length);
  const parentId = workflowInfo().workflowId;
  run.lines.flushSoon();
  let next = 0;
  let end: EndStep | undefined;
  const lane = async (laneIndex: number): Promise<void> => {
    const laneConcurrency = Math.floor(concurrency / lanes) + (laneIndex < concurrency % lanes ? 1 : 0);
    while (next < chunks && end === undefined) {
      const k = next;
      next += 1;
      const offset = k * FOREACH_CHUNK_SIZE;
      const input: ForeachChunkInput = {
        tenantId: host.tenantId,
        caseId: host.caseId,
        regularActions: [...host.regularActions],
        dryRun: host.dryRun,
        requestedBy: host.requestedBy,
        posters: host.approvals.postersSoFar(),
        subPlaybooks: host.subPlaybooks,
        templates: host.templates,
        step: { id: step.id, as: step.as, steps: step.steps },
        guarded,
        reads,
        items: items.slice(offset, offset + FOREACH_CHUNK_SIZE),
        offset,
        concurrency: laneConcurrency,
        scope: shared,
        visitBase: ref.visit,
        retry: frame.retry,
      };
      const out: ForeachChunkResult = await executeChild<ForeachChunkWorkflow>(FOREACH_CHUNK_WORKFLOW, {
        workflowId: `${parentId}/${step.id}/${ref.visit}/chunk-${k}`,
        args: [input],
      });
      out.items.forEach((r, j) => {
        results[offset + j] = r;
      });
      if (out.end) end = out.end;
    }
  };
  const scope = new CancellationScope();
  try {
    await scope.run(() => Promise.all(Array.from({ length: lanes }, (_, i) => lane(i))));
  } catch (error) {
    scope.cancel();
    throw error;
  }
  return end ? { items: results, end } : { items: results };
}

/**
 * Everything the steps of a list read, nested lists included: their templates (pinned with the run)
 * and their expressions (from the parsed, cached AST). A sub-playbook also reads the case's alert,
 * case and observables.
 */
function listReads(run: StepRun, list: readonly Step[], roots: readonly string[]): ScopeNeeds {
  const parts: ScopeNeeds[] = [];
  const visit = (steps: readonly Step[]): void => {
    for (const step of steps) {
      parts.push(run.readsOf(step));
      for (const text of stepExpressions(step)) parts.push(expressionNeeds(run.ast(text.value), roots));
      if (step.kind === 'playbook') parts.push(new Set(['alert', 'case', 'observables']));
      for (const nested of stepLists(step)) visit(nested.steps);
    }
  };
  visit(list);
  return mergeNeeds(parts);
}

/** Action steps outside `list` that approvals inside it guard. */
function guardedOutside(run: StepRun, list: readonly Step[]): Step[] {
  const inside = new Set(stepIdsIn(list));
  const out: Step[] = [];
  const visit = (steps: readonly Step[]): void => {
    for (const step of steps) {
      if (step.kind === 'approval' && step.guards !== undefined && !inside.has(step.guards)) {
        const guard = run.stepById(step.guards);
        if (guard) out.push(guard);
      }
      for (const nested of stepLists(step)) visit(nested.steps);
    }
  };
  visit(list);
  return out;
}
