import { isTruthy } from '../language/expression.js';
import type { ConditionStep, EndStep, SetStep, SwitchStep } from '../language/playbook.types.js';
import { CONTINUE, type Frame, type Route, type StepRun } from './step-run.js';

// Steps that run no activity and finish without a promise (see README.md, "Few promises on the hot path").

export function runCondition(run: StepRun, step: ConditionStep, frame: Frame): Route {
  const result = isTruthy(run.eval(step.if, frame.scope));
  run.recordOutput(step, frame, { result });
  const target = result ? step.then : step.else;
  return target !== undefined ? { goto: target } : CONTINUE;
}

export function runSwitch(run: StepRun, step: SwitchStep, frame: Frame): Route {
  const value = run.eval(step.on, frame.scope);
  const key = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  const target = Object.prototype.hasOwnProperty.call(step.cases, key) ? step.cases[key] : step.default;
  run.recordOutput(step, frame, { value: key });
  return target !== undefined ? { goto: target } : CONTINUE;
}

export function runSet(run: StepRun, step: SetStep, frame: Frame): Route {
  const vars = (frame.scope['vars'] ??= {}) as Record<string, unknown>;
  for (const [name, expression] of Object.entries(step.vars)) vars[name] = run.eval(expression, frame.scope);
  run.recordOutput(step, frame, {});
  return CONTINUE;
}

export function runEnd(run: StepRun, step: EndStep, frame: Frame): Route {
  run.recordOutput(step, frame, { status: step.status });
  return { end: step };
}
