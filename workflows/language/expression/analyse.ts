/**
 * Static analysis: what an expression reads, without running it. The validator checks these names
 * and paths against the playbook (`steps.<id>` must be a step), and scope-reads.ts turns them into
 * the part of the scope an activity is given.
 */
import type { Ast } from './ast.js';

/** Root identifiers the expression reads (`alert`, `vars`, …), each once, in order of appearance. */
export function collectIdentifiers(ast: Ast): string[] {
  const names: string[] = [];
  walk(ast, (node) => {
    if (node.type === 'identifier' && !names.includes(node.name)) names.push(node.name);
  });
  return names;
}

/**
 * The statically known paths the expression reads: `steps.enrich.output[0]` gives
 * `['steps', 'enrich', 'output', '0']`; a computed part ends the path (`vars[x].y` gives `['vars']`).
 * Lets the validator check references such as `steps.<id>` against the playbook.
 */
export function collectPaths(ast: Ast): string[][] {
  const paths: string[][] = [];
  const visit = (node: Ast, extendsParent: boolean): void => {
    if (node.type === 'identifier' || node.type === 'member') {
      const path = staticPath(node);
      if (path && !extendsParent) paths.push(path);
      if (node.type === 'member') {
        visit(node.object, path !== undefined);
        visit(node.property, false);
      }
      return;
    }
    for (const next of children(node)) visit(next, false);
  };
  visit(ast, false);
  return paths;
}

function staticPath(node: Ast): string[] | undefined {
  if (node.type === 'identifier') return [node.name];
  if (node.type !== 'member') return undefined;
  const base = staticPath(node.object);
  if (!base) return undefined;
  const property = node.property;
  if (property.type === 'literal' && (typeof property.value === 'string' || typeof property.value === 'number')) {
    return [...base, String(property.value)];
  }
  return undefined;
}

function children(node: Ast): Ast[] {
  switch (node.type) {
    case 'literal':
    case 'identifier':
      return [];
    case 'array':
      return node.elements;
    case 'member':
      return [node.object, node.property];
    case 'unary':
      return [node.argument];
    case 'binary':
      return [node.left, node.right];
    case 'conditional':
      return [node.test, node.consequent, node.alternate];
    case 'call':
      return node.args;
  }
}

function walk(node: Ast, visit: (node: Ast) => void): void {
  visit(node);
  for (const next of children(node)) walk(next, visit);
}
