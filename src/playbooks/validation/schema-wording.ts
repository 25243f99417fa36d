/** Pass 2: the zod schema's issues in playbook authors' words, with a suggestion for a likely typo. */
import type { z } from 'zod';
import { approvalLevelSchema, playbookInputSchema, playbookSchema, retrySchema, STEP_KINDS, stepSchemasByKind, triggerSchema } from '../playbook.schema.js';
import type { Problems } from './playbook-errors.js';
import type { DataPath, PathSegment, SourceMap } from './yaml-source-map.js';

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}

/** `; did you mean 'x'?` when a candidate is close enough to be a likely typo, else ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Short names are too close to everything to suggest anything useful.
  const threshold = word.length <= 2 ? 0 : Math.max(1, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= threshold ? `; did you mean '${best}'?` : '';
}

function dataAt(data: unknown, segments: DataPath): unknown {
  let value = data;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[String(segment)];
  }
  return value;
}

function shapeKeys(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}

/** The fields allowed in the object at `segments`, to suggest a correction for an unknown one. */
export function allowedFields(data: unknown, segments: DataPath): string[] {
  const value = dataAt(data, segments);
  const kind = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['kind'] : undefined;
  if (typeof kind === 'string' && (STEP_KINDS as string[]).includes(kind)) {
    return shapeKeys(stepSchemasByKind[kind as keyof typeof stepSchemasByKind]);
  }
  const last = segments[segments.length - 1];
  const parent = segments[segments.length - 2];
  if (segments.length === 0) return shapeKeys(playbookSchema);
  if (last === 'retry') return shapeKeys(retrySchema);
  if (last === 'onFailure') return ['goto'];
  if (typeof last === 'number' && parent === 'levels') return shapeKeys(approvalLevelSchema);
  if (typeof last === 'number' && segments.length === 2 && parent === 'triggers') return shapeKeys(triggerSchema);
  if (typeof last === 'number' && segments.length === 2 && parent === 'inputs') return shapeKeys(playbookInputSchema);
  return [];
}

export function reportSchemaIssue(issue: z.core.$ZodIssue, data: unknown, map: SourceMap, problems: Problems): void {
  const segments = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedFields(data, segments);
      for (const key of issue.keys) {
        const at = [...segments, key];
        problems.add('schema', at, `unknown field '${key}'${didYouMean(key, allowed)}`, map.locate(at, true));
      }
      return;
    }
    case 'invalid_union': {
      const last = segments[segments.length - 1];
      if (issue.discriminator === 'kind' || last === 'kind') {
        const kind = dataAt(data, segments);
        const stepPath = last === 'kind' ? segments.slice(0, -1) : segments;
        const kinds = STEP_KINDS.join(', ');
        if (kind === undefined) problems.add('schema', stepPath, `a step needs a kind: one of ${kinds}`);
        else problems.add('schema', segments, `unknown step kind ${JSON.stringify(kind)} (the kinds are ${kinds})${typeof kind === 'string' ? didYouMean(kind, STEP_KINDS) : ''}`);
        return;
      }
      if (last === 'onFailure') {
        problems.add('schema', segments, "onFailure is 'fail', 'continue' or { goto: <step id> }");
        return;
      }
      problems.add('schema', segments, issue.message);
      return;
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? issue.message;
      const key = segments[segments.length - 1];
      problems.add('schema', segments, `invalid name '${String(key)}': ${inner}`, map.locate(segments, true));
      return;
    }
    case 'invalid_type': {
      const last = segments[segments.length - 1];
      const parentPath = segments.slice(0, -1);
      const parent = dataAt(data, parentPath);
      const missing = typeof last === 'string' && typeof parent === 'object' && parent !== null && !Array.isArray(parent) && !Object.hasOwn(parent, last);
      if (missing) {
        problems.add('schema', segments, `missing required field '${last}'`, map.locate(parentPath));
        return;
      }
      problems.add('schema', segments, segments.length === 0 ? 'a playbook is a YAML mapping with id, name, version and steps' : issue.message);
      return;
    }
    default:
      problems.add('schema', segments, issue.message);
  }
}
