import { CancellationScope, type LocalActivityOptions, proxyLocalActivities } from '@temporalio/workflow';
import type { CarriedLines, CaseActivities, StepLine } from '../contracts/case-activities.js';

/** For the activities that write held lines when nothing else will soon (see flushSoon). */
const LINE_WRITER_OPTIONS: LocalActivityOptions = { startToCloseTimeout: '30s', retry: { maximumAttempts: 10, initialInterval: '200ms' } };

/**
 * Timeline lines of finished steps that are not in PostgreSQL yet. They are in the run's history
 * (activity results, or computed from it), so a replay rebuilds them; the next activity carries them.
 * One per run, owned by its interpreter.
 */
export class LineBuffer {
  private pending: StepLine[] = [];
  private readonly flushing = new Set<Promise<void>>();
  /** Latest `at` handed out, so lines made from workflow time never sort before an earlier step's. */
  private lastLineAt = 0;

  constructor(
    private readonly tenantId: string,
    private readonly caseId: string,
    /** The case's run status still has to move to `running` (the top-level run's first write does it). */
    private markRunning: boolean,
  ) {}

  /** True while held lines are being written in the background. */
  get writing(): boolean {
    return this.flushing.size > 0;
  }

  /** Takes the held lines (and the pending move to `running`) for an activity to write. */
  carry(): CarriedLines {
    const carried: CarriedLines = {};
    if (this.pending.length > 0) carried.lines = this.pending;
    if (this.markRunning) carried.firstStep = true;
    this.pending = [];
    this.markRunning = false;
    return carried;
  }

  /** Gives back lines an activity did not write: the next one carries them again (writes are idempotent). */
  uncarry(carried: CarriedLines): void {
    if (carried.lines) this.pending = [...carried.lines, ...this.pending];
    if (carried.firstStep) this.markRunning = true;
  }

  hold(line: Omit<StepLine, 'at'>, at: number): void {
    const stamped = Math.max(at, this.lastLineAt + 1);
    this.lastLineAt = stamped;
    this.pending.push({ ...line, at: stamped });
  }

  /**
   * Before the run waits (a timer, an approval, a child workflow, a regular activity): writes the held
   * lines beside it, so the timeline never lags behind a step that takes long.
   */
  flushSoon(): void {
    if (this.pending.length === 0 && !this.markRunning) return;
    const carried = this.carry();
    const { recordLines } = proxyLocalActivities<CaseActivities>(LINE_WRITER_OPTIONS);
    const write: Promise<void> = CancellationScope.nonCancellable(() => recordLines({ tenantId: this.tenantId, caseId: this.caseId, ...carried })).then(
      () => undefined,
      () => this.uncarry(carried),
    );
    this.flushing.add(write);
    void write.finally(() => this.flushing.delete(write));
  }

  /** Waits for background writes, then hands over what is still held (for the activity that ends the run). */
  takeLines(): CarriedLines | Promise<CarriedLines> {
    // Without writes in flight, no promise (each one costs a stack trace in workflow code).
    return this.flushing.size === 0 ? this.carry() : this.settle().then(() => this.carry());
  }

  /** Writes everything still held: the end of a child run, which has no run-ending activity of its own. */
  async flushLines(): Promise<void> {
    const carried = await this.takeLines();
    if (!carried.lines && !carried.firstStep) return;
    const { recordLines } = proxyLocalActivities<CaseActivities>(LINE_WRITER_OPTIONS);
    await CancellationScope.nonCancellable(() => recordLines({ tenantId: this.tenantId, caseId: this.caseId, ...carried }));
  }

  private async settle(): Promise<void> {
    while (this.flushing.size > 0) await Promise.all([...this.flushing]);
  }
}
