/**
 * Helpers shared by the CACAO validator, importer and exporter: identifiers, name-based UUIDs,
 * variable references, condition translation and step ids. Durations are read and written by
 * workflows/language/duration.ts, Vigil's one duration grammar.
 */
import { createHash } from 'node:crypto';
import type { CacaoVariable } from './cacao.types.js';

// ---------------------------------------------------------------------------------------------
// Identifiers and timestamps (the patterns of the official CACAO 2.0 JSON schemas)

const UUID_SOURCE = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}';
export const IDENTIFIER_PATTERN = new RegExp(`^[a-z][a-z0-9-]+[a-z0-9]--${UUID_SOURCE}$`);
export const TIMESTAMP_PATTERN = /^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?Z$/;
export const VARIABLE_KEY_PATTERN = /^__[a-zA-Z_][a-zA-Z0-9_-]{0,199}__$/;

export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && IDENTIFIER_PATTERN.test(value);
}

/** `action` for `action--6398eb05-…`; undefined when the text is not an identifier. */
export function identifierType(id: string): string | undefined {
  return IDENTIFIER_PATTERN.test(id) ? id.slice(0, id.indexOf('--')) : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Name-based UUIDs (RFC 4122 version 5), so that exporting the same playbook twice gives the same ids

/** Vigil's namespace for name-based CACAO identifiers. Never change it: exported ids depend on it. */
export const VIGIL_UUID_NAMESPACE = '5b0c1f0e-8d3a-4c52-9a47-2f61d3e7b9a4';

export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The CACAO extension that carries Vigil's own step and playbook details, so that a playbook
 * exported by Vigil comes back without loss. Its id is fixed: any Vigil install recognises it.
 */
export const VIGIL_EXTENSION_ID = `extension-definition--${uuidV5('vigil-playbook-extension', VIGIL_UUID_NAMESPACE)}`;
/** Property of the step extension holding the Vigil step (without routes or nested lists). */
export const VIGIL_STEP_PROPERTY = 'vigil_step';
/** Property of the playbook extension holding the Vigil playbook's own metadata. */
export const VIGIL_PLAYBOOK_PROPERTY = 'vigil_playbook';

// ---------------------------------------------------------------------------------------------
// Variables: CACAO `__name__` and `__name__:value` against Vigil's `vars.name`

/** A CACAO variable reference `__name__:value`; group 1 is the name between the underscores. */
const VARIABLE_REFERENCE_SOURCE = '__([a-zA-Z_][a-zA-Z0-9_-]{0,199})__:value';

export function variableReferencePattern(): RegExp {
  return new RegExp(VARIABLE_REFERENCE_SOURCE, 'g');
}

/** CACAO variable keys (`__name__`) referenced as `__name__:value` in a text. */
export function referencedVariableKeys(text: string): string[] {
  const keys: string[] = [];
  for (const match of text.matchAll(variableReferencePattern())) keys.push(`__${match[1]}__`);
  return keys;
}

/**
 * Vigil variable name for a CACAO variable key: Vigil names are identifiers of its expression
 * language (`^[a-z][a-zA-Z0-9_]*$`), CACAO names may hold `-` and start with `_` or a capital.
 */
export function vigilVariableName(cacaoKey: string): string {
  const bare = cacaoKey.replace(/^__/, '').replace(/__$/, '');
  let name = bare.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^_+/, '');
  if (name === '') name = 'var';
  if (!/^[a-zA-Z]/.test(name)) name = `v_${name}`;
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function cacaoVariableKey(vigilName: string): string {
  return `__${vigilName}__`;
}

/** Replaces `__name__:value` with `{{vars.name}}` (Vigil templates are handlebars). */
export function cacaoTextToTemplate(text: string, nameOf: (cacaoKey: string) => string): string {
  return text.replace(variableReferencePattern(), (_all, name: string) => `{{vars.${nameOf(`__${name}__`)}}}`);
}

/** Replaces `{{vars.name}}` and `{{inputs.name}}` with `__name__:value`; other handlebars stay as they are. */
export function templateToCacaoText(text: string): string {
  return text.replace(/\{\{\s*(?:vars|inputs)\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_all, name: string) => `${cacaoVariableKey(name)}:value`);
}

/** Applies `convert` to every string inside a JSON value. */
export function mapStrings(value: unknown, convert: (text: string) => string): unknown {
  if (typeof value === 'string') return convert(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, convert));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = mapStrings(item, convert);
    return out;
  }
  return value;
}

/** Vigil names of variables read in an expression or template (`vars.x`, `inputs.x`). */
export function vigilVariablesIn(text: string): { vars: string[]; inputs: string[] } {
  const vars: string[] = [];
  const inputs: string[] = [];
  for (const match of text.matchAll(/(?<![\w$.])(vars|inputs)\.([a-zA-Z_][a-zA-Z0-9_]*)/g)) {
    (match[1] === 'vars' ? vars : inputs).push(match[2]!);
  }
  return { vars, inputs };
}

// ---------------------------------------------------------------------------------------------
// Literals: CACAO variable values against Vigil expression literals

export function quoteString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The Vigil expression for a CACAO variable's initial value. */
export function variableValueExpression(variable: CacaoVariable): string {
  const value = variable.value;
  if (value === undefined || value === null) return 'null';
  const type = variable.type;
  if ((type === 'integer' || type === 'long' || type === 'float') && /^-?\d+(\.\d+)?$/.test(value.trim())) return String(Number(value));
  if (type === 'bool' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase();
  return quoteString(value);
}

/** The CACAO variable for a Vigil literal expression; undefined when the expression is not a plain literal. */
export function literalVariable(expression: string): { type: string; value: string } | undefined {
  const text = expression.trim();
  const single = /^'((?:[^'\\]|\\.)*)'$/.exec(text) ?? /^"((?:[^"\\]|\\.)*)"$/.exec(text);
  if (single) return { type: 'string', value: single[1]!.replace(/\\(.)/g, '$1') };
  if (/^-?\d+$/.test(text)) return { type: 'integer', value: String(Number(text)) };
  if (/^-?\d+\.\d+$/.test(text)) return { type: 'float', value: String(Number(text)) };
  if (text === 'true' || text === 'false') return { type: 'bool', value: text };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Expressions as readable CACAO text (conditions are written by cacao-condition-export.ts)

interface Token {
  kind: 'var' | 'string' | 'number' | 'word' | 'op' | 'ident';
  text: string;
}

function joinTokens(parts: string[]): string {
  let out = '';
  for (const part of parts) {
    if (out === '' || out.endsWith('(') || out.endsWith('!') || part === ')') out += part;
    else out += ` ${part}`;
  }
  return out;
}

/** Tokens of a Vigil expression limited to what CACAO conditions can say; undefined otherwise. */
function tokenizeVigilExpression(expression: string): Token[] | undefined {
  const tokens: Token[] = [];
  let rest = expression;
  const patterns: [Token['kind'], RegExp][] = [
    ['string', /^'((?:[^'\\]|\\.)*)'|^"((?:[^"\\]|\\.)*)"/],
    ['number', /^-?\d+(\.\d+)?(?![\w.])/],
    ['ident', /^[a-zA-Z_$][\w$]*(\.[a-zA-Z_$][\w$]*)*/],
    ['op', /^(===|!==|==|!=|<=|>=|<|>|&&|\|\||!|\(|\))/],
  ];
  while ((rest = rest.trimStart()) !== '') {
    let matched = false;
    for (const [kind, pattern] of patterns) {
      const m = pattern.exec(rest);
      if (!m) continue;
      const text = kind === 'string' ? (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1') : m[0];
      tokens.push({ kind, text });
      rest = rest.slice(m[0].length);
      matched = true;
      break;
    }
    if (!matched) return undefined;
  }
  return tokens;
}

/**
 * A Vigil expression as CACAO-flavoured text for descriptions (what a `set` step assigns): `vars.x`/`inputs.x` become `__x__:value`,
 * `==` becomes `=`, `&&`/`||`/`!` become AND/OR/NOT. When the expression reads anything else
 * (alert fields, step outputs, functions) `exact` is false and the text is the best effort.
 */
export function expressionToCacaoCondition(expression: string): { condition: string; exact: boolean } {
  const tokens = tokenizeVigilExpression(expression);
  const substituted = expression.replace(/(?<![\w$.])(?:vars|inputs)\.([a-zA-Z_][a-zA-Z0-9_]*)/g, (_all, name: string) => `${cacaoVariableKey(name)}:value`);
  if (!tokens || tokens.length === 0) return { condition: substituted, exact: false };
  let exact = true;
  const parts = tokens.map((token) => {
    switch (token.kind) {
      case 'ident': {
        const m = /^(?:vars|inputs)\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(token.text);
        if (m) return `${cacaoVariableKey(m[1]!)}:value`;
        if (token.text === 'true' || token.text === 'false' || token.text === 'null') return token.text;
        exact = false;
        return token.text;
      }
      case 'string':
        return quoteString(token.text);
      case 'op':
        return token.text === '==' || token.text === '==='
          ? '='
          : token.text === '!=='
            ? '!='
            : token.text === '&&'
              ? 'AND'
              : token.text === '||'
                ? 'OR'
                : token.text === '!'
                  ? 'NOT'
                  : token.text;
      default:
        return token.text;
    }
  });
  if (!exact) return { condition: substituted, exact: false };
  return { condition: joinTokens(parts), exact: true };
}

// ---------------------------------------------------------------------------------------------
// Step and playbook ids

export const STEP_ID_PATTERN = /^[a-z][a-z0-9_]*$/;

function asciiWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/** A Vigil step id (`^[a-z][a-z0-9_]*$`) from a CACAO step name. */
export function slugStepId(text: string | undefined, fallback: string): string {
  let slug = asciiWords(text ?? '')
    .join('_')
    .slice(0, 60)
    .replace(/_+$/, '');
  if (slug === '') slug = fallback;
  if (!/^[a-z]/.test(slug)) slug = `step_${slug}`;
  return slug;
}

/** A Vigil playbook id (lower case, `-` between words) from a CACAO playbook name. */
export function slugPlaybookId(text: string): string {
  let slug = asciiWords(text).join('-').slice(0, 80).replace(/-+$/, '');
  if (slug === '') slug = 'imported-playbook';
  if (!/^[a-z]/.test(slug)) slug = `playbook-${slug}`;
  return slug;
}

/** Hands out ids that are unique across a playbook, suffixing `_2`, `_3`, … on collisions. */
export class IdAllocator {
  private readonly used = new Set<string>();

  reserve(id: string): boolean {
    if (this.used.has(id)) return false;
    this.used.add(id);
    return true;
  }

  allocate(base: string): string {
    if (this.reserve(base)) return base;
    for (let n = 2; ; n += 1) {
      const candidate = `${base}_${n}`;
      if (this.reserve(candidate)) return candidate;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Encodings

/** UTF-8 text of a base64 string; undefined when it is not base64. */
export function decodeBase64Text(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

export function encodeBase64Text(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}

/** `GET /path HTTP/1.1` → method, request target and version (the version may be missing or malformed). */
export function parseHttpStartLine(line: string): { method: string; target: string; version?: string } | undefined {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2 || !/^[A-Za-z]+$/.test(parts[0]!)) return undefined;
  const last = parts[parts.length - 1]!;
  const hasVersion = parts.length >= 3 && /^HTTP/i.test(last);
  const target = (hasVersion ? parts.slice(1, -1) : parts.slice(1)).join(' ');
  return { method: parts[0]!.toUpperCase(), target, version: hasVersion ? last : undefined };
}
