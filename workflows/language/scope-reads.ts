/**
 * Which parts of a run's scope a step's templates read, so the workflow hands an activity only
 * those parts. Without this every activity input would carry every earlier step's output, and a
 * run's history would grow with the square of its length.
 *
 * Handlebars itself may not run in workflow code (see README.md), so this is a small conservative
 * scanner of `{{…}}` tags: it may name more than a template reads (harmless: a little more data),
 * never less. Whatever it cannot place (a bare `this` at the top, `@root` alone) makes it ask for
 * the whole scope. `scope-reads.test.ts` checks it against the validator's handlebars-based
 * `collectTemplatePaths` on every template it is given.
 */
import { collectPaths, type Ast } from './expression.js';

/** `all`, or the scope paths read: a root (`alert`) or, for `steps` and `vars`, a root and a name (`steps.enrich`). */
export type ScopeNeeds = 'all' | ReadonlySet<string>;

/** Roots whose entries are read one by one: they grow with every step, the rest stay small. */
const NARROWED_ROOTS: ReadonlySet<string> = new Set(['steps', 'vars']);
/** Block helpers that keep the context (`this` stays what it was). */
const SAME_CONTEXT_BLOCKS: ReadonlySet<string> = new Set(['if', 'unless']);
const LITERALS: ReadonlySet<string> = new Set(['true', 'false', 'null', 'undefined', 'as']);

interface Block {
  /** The block renders its body with another context (`each`, `with`, a section). */
  changesContext: boolean;
  /** Inside the block's `{{else}}` part, which renders with the outer context. */
  inElse: boolean;
}

function depthOf(stack: readonly Block[]): number {
  return stack.reduce((n, b) => n + (b.changesContext && !b.inElse ? 1 : 0), 0);
}

/** Splits a handlebars path (`a.b`, `a/b`, `a.[x y]`) into its segments. */
function segmentsOf(path: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i += 1) {
    const c = path[i]!;
    if (c === '[') {
      const end = path.indexOf(']', i);
      current += end === -1 ? path.slice(i + 1) : path.slice(i + 1, end);
      i = end === -1 ? path.length : end;
    } else if (c === '.' || c === '/') {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current);
  return out;
}

/** The words of a tag body that may be paths: string literals, numbers, hash keys and block params left out. */
function wordsOf(body: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (/\s/.test(c) || c === '(' || c === ')' || c === '=') {
      i += 1;
    } else if (c === '"' || c === "'") {
      i += 1;
      while (i < body.length && body[i] !== c) i += body[i] === '\\' ? 2 : 1;
      i += 1;
    } else if (c === '|') {
      const end = body.indexOf('|', i + 1);
      i = end === -1 ? body.length : end + 1;
    } else {
      let word = '';
      while (i < body.length && !/[\s()='"|]/.test(body[i]!)) {
        if (body[i] === '[') {
          const end = body.indexOf(']', i);
          const stop = end === -1 ? body.length : end + 1;
          word += body.slice(i, stop);
          i = stop;
        } else {
          word += body[i];
          i += 1;
        }
      }
      let j = i;
      while (j < body.length && /\s/.test(body[j]!)) j += 1;
      const isHashKey = body[j] === '=';
      if (!isHashKey && !LITERALS.has(word) && !/^-?\d+(\.\d+)?$/.test(word)) words.push(word);
    }
  }
  return words;
}

/**
 * What a handlebars template reads from the scope whose root names are `roots`. Conservative:
 * see the file comment.
 */
export function templateNeeds(source: string, roots: readonly string[]): ScopeNeeds {
  if (!source.includes('{{')) return new Set();
  const needs = new Set<string>();
  const stack: Block[] = [];
  // Comments may hold `}}`; they read nothing.
  const text = source.replace(/\{\{~?!--[\s\S]*?--~?\}\}/g, '').replace(/\{\{~?![\s\S]*?\}\}/g, '');
  const tag = /\{\{\{?([\s\S]*?)\}?\}\}/g;
  for (let match = tag.exec(text); match !== null; match = tag.exec(text)) {
    let body = match[1]!.trim().replace(/^~/, '').replace(/~$/, '').trim();
    let opens = false;
    if (body.startsWith('/')) {
      stack.pop();
      continue;
    }
    if (body === 'else' || body === '^' || body.startsWith('else ')) {
      const top = stack[stack.length - 1];
      if (top) top.inElse = true;
      body = body.startsWith('else ') ? body.slice(5) : '';
    } else if (body.startsWith('#') || body.startsWith('^')) {
      opens = true;
      body = body.slice(1).trim();
    } else if (body.startsWith('&') || body.startsWith('{')) {
      body = body.slice(1).trim();
    } else if (body.startsWith('>') || body.startsWith('*')) {
      // Partials and decorators are refused when a playbook loads; be safe anyway.
      return 'all';
    }
    const words = wordsOf(body);
    const depth = depthOf(stack);
    for (const word of words) {
      let path = word;
      let climb = 0;
      let fromRoot = false;
      if (path.startsWith('@')) {
        if (path === '@root') return 'all';
        if (!path.startsWith('@root.') && !path.startsWith('@root/')) continue;
        path = path.slice(6);
        fromRoot = true;
      }
      for (;;) {
        if (path.startsWith('../')) {
          climb += 1;
          path = path.slice(3);
        } else if (path === '..') {
          climb += 1;
          path = '';
        } else if (path.startsWith('./')) path = path.slice(2);
        else if (path === '.' || path === 'this') path = '';
        else if (path.startsWith('this.') || path.startsWith('this/')) path = path.slice(5);
        else break;
      }
      const atTop = fromRoot || depth - climb <= 0;
      if (path === '') {
        // The whole current context: the whole scope at the top, an item inside a block.
        if (atTop) return 'all';
        continue;
      }
      const [root, name] = segmentsOf(path);
      // Paths inside a block are relative to its context; a root name there is counted anyway.
      if (root === undefined || !roots.includes(root)) continue;
      needs.add(NARROWED_ROOTS.has(root) && name !== undefined && name !== '' ? `${root}.${name}` : root);
    }
    if (opens) {
      const name = words[0] ?? '';
      stack.push({ changesContext: !SAME_CONTEXT_BLOCKS.has(name), inElse: false });
    }
  }
  return needs;
}

/** What an expression reads, as scope paths (see ScopeNeeds). */
export function expressionNeeds(ast: Ast, roots: readonly string[]): ScopeNeeds {
  const needs = new Set<string>();
  for (const [root, name] of collectPaths(ast)) {
    if (root === undefined || !roots.includes(root)) continue;
    needs.add(NARROWED_ROOTS.has(root) && name !== undefined ? `${root}.${name}` : root);
  }
  return needs;
}

/** Every string inside a parameter value (objects and lists walked). */
export function stringsOf(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, into);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) stringsOf(item, into);
  return into;
}

/** The union of several needs. */
export function mergeNeeds(parts: readonly ScopeNeeds[]): ScopeNeeds {
  const out = new Set<string>();
  for (const part of parts) {
    if (part === 'all') return 'all';
    for (const need of part) out.add(need);
  }
  // A whole root covers its entries.
  for (const need of [...out]) {
    const dot = need.indexOf('.');
    if (dot !== -1 && out.has(need.slice(0, dot))) out.delete(need);
  }
  return out;
}

/** The part of `scope` that `needs` names; the scope itself for `all`. Values are shared, not copied. */
export function sliceScope(scope: Readonly<Record<string, unknown>>, needs: ScopeNeeds): Record<string, unknown> {
  if (needs === 'all') return { ...scope };
  const out: Record<string, unknown> = {};
  for (const need of needs) {
    const dot = need.indexOf('.');
    if (dot === -1) {
      if (Object.hasOwn(scope, need)) out[need] = scope[need];
      continue;
    }
    const root = need.slice(0, dot);
    const name = need.slice(dot + 1);
    const source = scope[root];
    if (!Object.hasOwn(scope, root) || typeof source !== 'object' || source === null) continue;
    if (Object.hasOwn(out, root) && !needs.has(root)) {
      const target = out[root] as Record<string, unknown>;
      if (Object.hasOwn(source, name)) target[name] = (source as Record<string, unknown>)[name];
    } else if (!Object.hasOwn(out, root)) {
      out[root] = Object.hasOwn(source, name) ? { [name]: (source as Record<string, unknown>)[name] } : {};
    }
  }
  return out;
}
