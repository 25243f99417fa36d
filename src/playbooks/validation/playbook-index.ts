/** Every step of a playbook with its path and list, and the names a template or expression may read. */
import { DEFAULT_ITEM_NAME } from '../../../workflows/language/expression.js';
import type { Playbook, Step } from '../../../workflows/language/playbook.types.js';
import { stepLists } from '../../../workflows/language/step-model.js';
import type { DataPath } from './yaml-source-map.js';

export interface ListInfo {
  path: DataPath;
  steps: readonly Step[];
  ids: Map<string, number>;
}

export interface StepInfo {
  step: Step;
  path: DataPath;
  list: ListInfo;
  index: number;
  /** Names bound by enclosing foreach steps (`item` unless `as` says otherwise). */
  itemNames: string[];
}

export interface Index {
  lists: ListInfo[];
  steps: StepInfo[];
  /** First occurrence of each id. */
  byId: Map<string, StepInfo>;
  vars: Set<string>;
  inputs: Set<string>;
}

export function buildIndex(playbook: Playbook): Index {
  const index: Index = { lists: [], steps: [], byId: new Map(), vars: new Set(), inputs: new Set((playbook.inputs ?? []).map((input) => input.name)) };
  const visit = (steps: readonly Step[], listPath: DataPath, itemNames: string[]): void => {
    const list: ListInfo = { path: listPath, steps, ids: new Map() };
    index.lists.push(list);
    steps.forEach((step, i) => {
      if (!list.ids.has(step.id)) list.ids.set(step.id, i);
      const info: StepInfo = { step, path: [...listPath, i], list, index: i, itemNames };
      index.steps.push(info);
      if (!index.byId.has(step.id)) index.byId.set(step.id, info);
      if (step.kind === 'set') for (const name of Object.keys(step.vars)) index.vars.add(name);
      if (step.kind === 'action' && step.output !== undefined) index.vars.add(step.output);
      // A foreach body also reads the item it binds.
      const nestedNames = step.kind === 'foreach' ? [...itemNames, step.as ?? DEFAULT_ITEM_NAME] : itemNames;
      for (const nested of stepLists(step)) visit(nested.steps, [...listPath, i, ...nested.field], nestedNames);
    });
  };
  visit(playbook.steps, ['steps'], []);
  return index;
}
