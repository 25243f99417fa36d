/**
 * How much playbook Vigil reads at all: a request that exceeds a bound is refused before the costly
 * passes run, so one request cannot hold a validation thread for long. Documented in playbooks/README.md.
 */
import { type Document, isAlias, isCollection, isPair, isScalar, type Node as YamlNode } from 'yaml';

/** The largest playbook text, in UTF-8 bytes. */
export const MAX_PLAYBOOK_BYTES = 1024 * 1024;
/** The most YAML nodes (every mapping, sequence, key and value) in one playbook. */
export const MAX_PLAYBOOK_NODES = 100_000;
/** The deepest nesting of mappings and sequences; the top-level mapping is depth 1. */
export const MAX_PLAYBOOK_DEPTH = 64;
/** The most errors one report lists; `omittedErrors` says how many more there are. */
export const MAX_REPORTED_ERRORS = 100;

export type PlaybookBound = 'bytes' | 'nodes' | 'depth';

/** A bound a playbook exceeds, with the offset in the text where it was crossed. */
export interface BoundExceeded {
  bound: PlaybookBound;
  limit: number;
  message: string;
  offset?: number;
}

export function exceedsBytes(text: string): BoundExceeded | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_PLAYBOOK_BYTES) return undefined;
  return { bound: 'bytes', limit: MAX_PLAYBOOK_BYTES, message: `the playbook is ${bytes} bytes; the most Vigil accepts is ${MAX_PLAYBOOK_BYTES}` };
}

/** Counts nodes and nesting without recursion (hostile nesting cannot exhaust the stack); stops at the first bound crossed. */
export function exceedsShape(doc: Document.Parsed): BoundExceeded | undefined {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || node === undefined) continue;
    if (isPair(node)) {
      stack.push({ node: node.value, depth }, { node: node.key, depth });
      continue;
    }
    nodes += 1;
    const offset = (node as YamlNode).range?.[0];
    if (nodes > MAX_PLAYBOOK_NODES) {
      return { bound: 'nodes', limit: MAX_PLAYBOOK_NODES, message: `the playbook has more than ${MAX_PLAYBOOK_NODES} YAML nodes (keys and values)`, offset };
    }
    if (isScalar(node) || isAlias(node) || !isCollection(node)) continue;
    if (depth + 1 > MAX_PLAYBOOK_DEPTH) {
      return { bound: 'depth', limit: MAX_PLAYBOOK_DEPTH, message: `the playbook nests deeper than ${MAX_PLAYBOOK_DEPTH} levels`, offset };
    }
    for (let i = node.items.length - 1; i >= 0; i -= 1) stack.push({ node: node.items[i], depth: depth + 1 });
  }
  return undefined;
}
