/**
 * Handlebars templating for playbook parameters, notifications and approval questions.
 *
 * Templates come from playbooks (written by Vigil's users); the data they render is the run scope
 * (alert, case, steps, vars, inputs, observables), which is attacker-influenced. So: data is only
 * ever rendered, never compiled; the environment is isolated with a fixed helper whitelist; a
 * missing variable is an error; prototype properties are never reachable; partials and decorators
 * are refused.
 */
import Handlebars from 'handlebars';

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    /** 1-based line and 0-based column in the template source, when known. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

export interface TemplateProblem {
  message: string;
  line?: number;
  column?: number;
}

export interface RenderOptions {
  /** HTML-escape rendered values (for HTML bodies). Off by default: parameters go to APIs, not browsers. */
  html?: boolean;
}

export const TEMPLATE_HELPERS = ['eq', 'json', 'join', 'default', 'upper', 'lower', 'truncate'] as const;
const BUILT_IN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup'] as const;
/** Helpers that render their block with a new context (`this` changes inside). */
const CONTEXT_HELPERS: ReadonlySet<string> = new Set(['each', 'with']);
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// ---------------------------------------------------------------------------------------------
// The isolated environment

const env = Handlebars.create();

function isMissing(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

function asText(value: unknown): string {
  if (isMissing(value)) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

/** Handlebars passes an options object as the last argument of every helper call; these drop it. */
function helperArgs(args: unknown[]): unknown[] {
  return args.slice(0, -1);
}

env.registerHelper('eq', (...args: unknown[]) => {
  const [a, b] = helperArgs(args);
  return a === b;
});
env.registerHelper('json', (...args: unknown[]) => {
  const [value, indent] = helperArgs(args);
  const text = JSON.stringify(value, null, typeof indent === 'number' ? Math.min(Math.max(indent, 0), 8) : undefined);
  return text ?? '';
});
env.registerHelper('join', (...args: unknown[]) => {
  const [list, separator] = helperArgs(args);
  if (isMissing(list)) return '';
  const items = Array.isArray(list) ? list : [list];
  return items.map(asText).join(typeof separator === 'string' ? separator : ', ');
});
env.registerHelper('default', (...args: unknown[]) => {
  const [value, fallback] = helperArgs(args);
  return isMissing(value) || value === '' ? fallback : value;
});
env.registerHelper('upper', (...args: unknown[]) => asText(helperArgs(args)[0]).toUpperCase());
env.registerHelper('lower', (...args: unknown[]) => asText(helperArgs(args)[0]).toLowerCase());
env.registerHelper('truncate', (...args: unknown[]) => {
  const [value, length] = helperArgs(args);
  const text = asText(value);
  const limit = typeof length === 'number' && length >= 1 ? Math.floor(length) : 100;
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
});

const KNOWN_HELPERS: Record<string, boolean> = {
  ...Object.fromEntries([...TEMPLATE_HELPERS, ...BUILT_IN_HELPERS].map((name) => [name, true])),
  // `log` writes to the console and `blockHelperMissing`/`helperMissing` are fallbacks: none is needed.
  log: false,
};

const COMPILE_OPTIONS = {
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: KNOWN_HELPERS,
  noEscape: true,
} as const;

/** Set explicitly: denies inherited properties and also silences handlebars' console warning. */
const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
  partials: {},
  decorators: {},
};

// ---------------------------------------------------------------------------------------------
// Parsing and compiling

interface Compiled {
  ast: hbs.AST.Program;
  render: HandlebarsTemplateDelegate<unknown>;
}

const CACHE_SIZE = 500;
const cache = new Map<string, Compiled>();

function problemFrom(error: unknown): TemplateProblem {
  const message = error instanceof Error ? error.message : String(error);
  const parse = /^Parse error on line (\d+):/.exec(message);
  if (parse) {
    const got = /got '([^']+)'\s*$/.exec(message)?.[1];
    const unexpected =
      got === 'EOF'
        ? 'the template ends too early'
        : got === 'INVALID'
          ? 'invalid text inside {{ }}'
          : got
            ? `unexpected ${got.toLowerCase().replace(/_/g, ' ')}`
            : 'invalid syntax';
    return { message: `syntax error on line ${parse[1]}: ${unexpected}`, line: Number(parse[1]) };
  }
  const located = / - (\d+):(\d+)$/.exec(message);
  const text = located ? message.slice(0, located.index) : (message.split('\n')[0] ?? message);
  const helper = /^You specified knownHelpersOnly, but used the unknown helper (.+)$/.exec(text);
  const friendly = helper ? `unknown helper '${helper[1]}'; the helpers are ${[...TEMPLATE_HELPERS, ...BUILT_IN_HELPERS].join(', ')}` : text;
  return located ? { message: friendly, line: Number(located[1]), column: Number(located[2]) } : { message: friendly };
}

function parse(source: string): hbs.AST.Program {
  let ast: hbs.AST.Program;
  try {
    ast = env.parse(source);
  } catch (error) {
    const problem = problemFrom(error);
    throw new TemplateError(problem.message, problem.line, problem.column);
  }
  refuseUnsupported(ast);
  return ast;
}

/** Partials would read other templates and decorators run code at compile time: neither is offered. */
function refuseUnsupported(ast: hbs.AST.Program): void {
  visitNodes(ast, (node) => {
    const { line, column } = node.loc.start;
    if (node.type === 'PartialStatement' || node.type === 'PartialBlockStatement') {
      throw new TemplateError('partials ({{> name}}) are not supported', line, column);
    }
    if (node.type === 'Decorator' || node.type === 'DecoratorBlock') {
      throw new TemplateError('decorators ({{* name}}) are not supported', line, column);
    }
  });
}

function compile(source: string, html: boolean): Compiled {
  const key = `${html ? 'html' : 'text'}\u0000${source}`;
  const cached = cache.get(key);
  if (cached) {
    // Refresh its place so the bound evicts the least recently used.
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const ast = parse(source);
  const render = env.compile<unknown>(ast, { ...COMPILE_OPTIONS, noEscape: !html });
  const compiled = { ast, render };
  if (cache.size >= CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, compiled);
  return compiled;
}

/** Undefined when the template is valid; otherwise what is wrong and where. Does not render. */
export function compileCheck(source: string): undefined | TemplateProblem {
  try {
    const ast = parse(source);
    // precompile runs the full compiler, which reports unknown helpers; compile() would defer it.
    env.precompile(ast, COMPILE_OPTIONS);
    return undefined;
  } catch (error) {
    if (!(error instanceof TemplateError)) return problemFrom(error);
    const problem: TemplateProblem = { message: error.message };
    if (error.line !== undefined) problem.line = error.line;
    if (error.column !== undefined) problem.column = error.column;
    return problem;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

function pathAt(ast: hbs.AST.Program, line: number, column: number): string | undefined {
  let found: string | undefined;
  visitNodes(ast, (node) => {
    if (found === undefined && node.type === 'PathExpression' && node.loc.start.line === line && node.loc.start.column === column) {
      found = (node as hbs.AST.PathExpression).original;
    }
  });
  return found;
}

function renderFailure(error: unknown, compiled: Compiled): TemplateError {
  const message = error instanceof Error ? error.message : String(error);
  // Strict mode names only the last segment (`"ip" not defined in [object Object] - 1:2`): name the whole path.
  const strict = /^"(.*)" not defined in [\s\S]* - (\d+):(\d+)$/.exec(message);
  if (strict) {
    const line = Number(strict[2]);
    const column = Number(strict[3]);
    const path = pathAt(compiled.ast, line, column) ?? strict[1];
    return new TemplateError(`'${path}' is not defined (line ${line}, column ${column})`, line, column);
  }
  const notObject = /^Cannot use 'in' operator to search for '(.*)' in /.exec(message);
  if (notObject) return new TemplateError(`'${notObject[1]}' is not defined: it was looked up on a value that is not an object`);
  const problem = problemFrom(error);
  return new TemplateError(problem.message, problem.line, problem.column);
}

/** Renders a template against data. A missing variable is a TemplateError naming it. */
export function renderTemplate(source: string, data: unknown, options: RenderOptions = {}): string {
  if (!source.includes('{{')) return source;
  const compiled = compile(source, options.html === true);
  try {
    return compiled.render(data, RUNTIME_OPTIONS);
  } catch (error) {
    throw renderFailure(error, compiled);
  }
}

/**
 * Renders every string inside a parameter value (objects and lists are walked; keys and non-string
 * values are kept). A string that is exactly one variable, such as `{{vars.hosts}}`, gives that
 * variable's value with its type (a list stays a list, a number a number) instead of text.
 */
export function renderParams(value: unknown, data: unknown): unknown {
  if (typeof value === 'string') return renderParamString(value, data);
  if (Array.isArray(value)) return value.map((item) => renderParams(item, data));
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = renderParams(item, data);
    return result;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function renderParamString(source: string, data: unknown): unknown {
  if (!source.includes('{{')) return source;
  const compiled = compile(source, false);
  const single = singleVariable(compiled.ast);
  if (single) return readVariable(data, single);
  try {
    return compiled.render(data, RUNTIME_OPTIONS);
  } catch (error) {
    throw renderFailure(error, compiled);
  }
}

/** The path of a template that is exactly one plain variable (`{{ a.b }}`), else undefined. */
function singleVariable(ast: hbs.AST.Program): hbs.AST.PathExpression | undefined {
  if (ast.body.length !== 1) return undefined;
  const only = ast.body[0];
  if (only.type !== 'MustacheStatement') return undefined;
  const mustache = only as hbs.AST.MustacheStatement;
  if (mustache.params.length > 0 || mustache.hash !== undefined || mustache.path.type !== 'PathExpression') return undefined;
  const path = mustache.path as hbs.AST.PathExpression;
  if (path.data || path.depth > 0 || path.parts.length === 0 || KNOWN_HELPERS[path.original] === true) return undefined;
  return path;
}

function readVariable(data: unknown, path: hbs.AST.PathExpression): unknown {
  let value = data;
  for (const part of path.parts) {
    if (FORBIDDEN_NAMES.has(part) || typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) {
      const { line, column } = path.loc.start;
      throw new TemplateError(`'${path.original}' is not defined (line ${line}, column ${column})`, line, column);
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Static analysis for the playbook validator

/**
 * The variable paths a template reads from the top of its data (`{{alert.device.ip}}` gives
 * `['alert', 'device', 'ip']`). Paths relative to an `each`/`with` block, block parameters and
 * `@` data variables are left out (except `@root.…`, which is the top again). Throws TemplateError
 * when the template does not parse.
 */
export function collectTemplatePaths(source: string): string[][] {
  if (!source.includes('{{')) return [];
  const ast = parse(source);
  const paths: string[][] = [];
  const addPath = (path: hbs.AST.PathExpression, contextDepth: number, blockParams: readonly string[]): void => {
    if (path.data) {
      if (path.parts[0] === 'root' && path.parts.length > 1) paths.push(path.parts.slice(1));
      return;
    }
    if (path.parts.length === 0) return;
    if (path.depth === 0 && blockParams.includes(path.parts[0])) return;
    // Relative to an `each`/`with` context unless `../` climbs back to the top.
    if (path.depth < contextDepth) return;
    paths.push([...path.parts]);
  };
  const expression = (node: hbs.AST.Expression, depth: number, params: readonly string[]): void => {
    if (node.type === 'PathExpression') addPath(node as hbs.AST.PathExpression, depth, params);
    if (node.type === 'SubExpression') call(node as hbs.AST.SubExpression, depth, params);
  };
  const call = (node: { params: hbs.AST.Expression[]; hash?: hbs.AST.Hash }, depth: number, params: readonly string[]): void => {
    for (const param of node.params) expression(param, depth, params);
    for (const pair of node.hash?.pairs ?? []) expression(pair.value, depth, params);
  };
  const isHelperCall = (node: hbs.AST.MustacheStatement | hbs.AST.BlockStatement): boolean =>
    node.params.length > 0 || node.hash !== undefined || (node.path.type === 'PathExpression' && KNOWN_HELPERS[(node.path as hbs.AST.PathExpression).original] === true);
  const program = (node: hbs.AST.Program | undefined, depth: number, params: readonly string[]): void => {
    if (!node) return;
    for (const statement of node.body) {
      if (statement.type === 'MustacheStatement') {
        const mustache = statement as hbs.AST.MustacheStatement;
        if (isHelperCall(mustache)) call(mustache, depth, params);
        else if (mustache.path.type === 'PathExpression') addPath(mustache.path as hbs.AST.PathExpression, depth, params);
      } else if (statement.type === 'BlockStatement') {
        const block = statement as hbs.AST.BlockStatement;
        const name = block.path.original;
        let inner = depth;
        if (isHelperCall(block)) {
          call(block, depth, params);
          if (CONTEXT_HELPERS.has(name)) inner = depth + 1;
        } else {
          // A section (`{{#alert.tags}}…{{/alert.tags}}`) reads its path and renders with it as context.
          addPath(block.path, depth, params);
          inner = depth + 1;
        }
        const blockParams = [...params, ...(block.program?.blockParams ?? [])];
        program(block.program, inner, blockParams);
        program(block.inverse, depth, params);
      }
    }
  };
  program(ast, 0, []);
  return paths;
}

type AnyNode = hbs.AST.Node & Record<string, unknown>;

function visitNodes(node: hbs.AST.Node, visit: (node: hbs.AST.Node) => void): void {
  visit(node);
  for (const value of Object.values(node as AnyNode)) {
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) visitNodes(item, visit);
    } else if (isNode(value)) {
      visitNodes(value, visit);
    }
  }
}

function isNode(value: unknown): value is hbs.AST.Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && 'loc' in value;
}
