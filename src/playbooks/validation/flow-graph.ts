/**
 * Routes and the flow they make in each step list: every route targets a step of its own list, every
 * step can run, and no route makes a cycle (only loop and foreach steps repeat). Where control can go
 * after a step is the step model's (stepExits); this file only resolves it within a list.
 */
import { stepExits, stepRoutes } from '../../../workflows/language/step-model.js';
import { formatPath, type Problems } from './playbook-errors.js';
import type { Index, ListInfo, StepInfo } from './playbook-index.js';
import { didYouMean } from './schema-wording.js';
import type { DataPath } from './yaml-source-map.js';

export function checkRoutes(info: StepInfo, index: Index, problems: Problems): void {
  for (const route of stepRoutes(info.step)) {
    if (info.list.ids.has(route.target)) continue;
    const elsewhere = index.byId.get(route.target);
    const at = [...info.path, ...route.field];
    if (elsewhere) {
      problems.add('route_out_of_scope', at, `'${route.target}' is in another list (${formatPath(elsewhere.path)}); a route may only target a step in the same list`);
    } else {
      problems.add('unknown_route_target', at, `no step '${route.target}' in this list${didYouMean(route.target, info.list.ids.keys())}`);
    }
  }
}

interface Edge {
  to: number;
  /** The field declaring the route; undefined for falling through to the next step. */
  field?: DataPath;
}

/** Where the interpreter can go after step `i` of a list; falling through the last step leaves the list. */
function edgesOf(list: ListInfo, i: number): Edge[] {
  const edges: Edge[] = [];
  for (const exit of stepExits(list.steps[i])) {
    if (exit === 'following') {
      if (i + 1 < list.steps.length) edges.push({ to: i + 1 });
      continue;
    }
    const to = list.ids.get(exit.target);
    if (to !== undefined) edges.push({ to, field: exit.field });
  }
  return edges;
}

export function checkFlow(list: ListInfo, problems: Problems): void {
  // With a route to a missing step the flow is unknown; that error is enough until it is fixed.
  if (list.steps.some((step) => stepRoutes(step).some((route) => !list.ids.has(route.target)))) return;
  const edges = list.steps.map((_, i) => edgesOf(list, i));

  // Reachability from the first step of the list.
  const reached = new Set<number>([0]);
  const queue = [0];
  while (queue.length > 0) {
    const from = queue.shift() as number;
    for (const edge of edges[from]) {
      if (!reached.has(edge.to)) {
        reached.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  list.steps.forEach((step, i) => {
    if (reached.has(i)) return;
    const previous = list.steps[i - 1];
    const why = reached.has(i - 1) ? `'${previous.id}' before it does not fall through and no step routes to it` : 'no step routes to it and the step before it never runs';
    problems.add('unreachable_step', [...list.path, i, 'id'], `step '${step.id}' can never run: ${why}`);
  });

  // Cycles: a route back to a step already on the current path. Only loop and foreach repeat.
  const state = new Array<0 | 1 | 2>(list.steps.length).fill(0);
  const stack: number[] = [];
  const visit = (node: number): void => {
    state[node] = 1;
    stack.push(node);
    for (const edge of edges[node]) {
      if (state[edge.to] === 1) {
        const cycle = [...stack.slice(stack.indexOf(edge.to)), edge.to].map((n) => list.steps[n].id).join(' → ');
        const field = edge.field ?? [];
        problems.add('route_cycle', [...list.path, node, ...field], `this route makes a cycle (${cycle}); only loop and foreach steps repeat`);
      } else if (state[edge.to] === 0) {
        visit(edge.to);
      }
    }
    stack.pop();
    state[node] = 2;
  };
  for (let i = 0; i < list.steps.length; i += 1) if (state[i] === 0) visit(i);
}
