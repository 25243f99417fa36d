/**
 * The built-in functions of the expression language, the only calls a playbook can make. A missing
 * argument (undefined or null) counts as absent: predicates give false, len/count give 0, list
 * functions give [] and text functions give undefined. Other wrong types throw.
 */
import { ExpressionError } from './ast.js';
import { compilePattern, testPattern } from './pattern-guard.js';
import { isMissing, isRecord, isScalar, readPath, typeName, valuesEqual } from './values.js';

export const FUNCTION_NAMES = [
  'len',
  'lower',
  'upper',
  'contains',
  'startsWith',
  'endsWith',
  'matches',
  'exists',
  'default',
  'min',
  'max',
  'first',
  'last',
  'unique',
  'flatten',
  'filterBy',
  'map',
  'count',
  'join',
  'toNumber',
  'toString',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface FunctionSpec {
  minArgs: number;
  maxArgs: number;
  call(args: unknown[], position: number): unknown;
}

export function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(FUNCTIONS, name);
}

function needList(name: string, value: unknown, position: number): unknown[] {
  if (isMissing(value)) return [];
  if (Array.isArray(value)) return value;
  throw new ExpressionError(`${name}() needs a list, got ${typeName(value)}`, position);
}

function needText(name: string, value: unknown, position: number, what = 'text'): string {
  if (typeof value === 'string') return value;
  throw new ExpressionError(`${name}() needs ${what}, got ${typeName(value)}`, position);
}

function textOrMissing(name: string, value: unknown, position: number): string | undefined {
  return isMissing(value) ? undefined : needText(name, value, position);
}

function numbersOf(name: string, args: unknown[], position: number): number[] | undefined {
  const values = args.length === 1 && (Array.isArray(args[0]) || isMissing(args[0])) ? needList(name, args[0], position) : args;
  return values.map((value) => {
    if (typeof value !== 'number') throw new ExpressionError(`${name}() needs numbers, got ${typeName(value)}`, position);
    return value;
  });
}

function uniqueValues(values: unknown[]): unknown[] {
  const result: unknown[] = [];
  for (const value of values) if (!result.some((seen) => valuesEqual(seen, value))) result.push(value);
  return result;
}

const NUMBER_TEXT = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function scalarText(name: string, value: unknown, position: number): string {
  if (isMissing(value)) return '';
  if (isScalar(value)) return String(value);
  throw new ExpressionError(`${name}() needs a list of texts or numbers, got an item of type ${typeName(value)}`, position);
}

/** Frozen: a table shared by every run in the worker. */
export const FUNCTIONS: Readonly<Record<FunctionName, FunctionSpec>> = Object.freeze({
  len: {
    minArgs: 1,
    maxArgs: 1,
    call([value], position) {
      if (isMissing(value)) return 0;
      if (typeof value === 'string' || Array.isArray(value)) return value.length;
      if (isRecord(value)) return Object.keys(value).length;
      throw new ExpressionError(`len() needs text, a list or an object, got ${typeName(value)}`, position);
    },
  },
  lower: { minArgs: 1, maxArgs: 1, call: ([value], position) => textOrMissing('lower', value, position)?.toLowerCase() },
  upper: { minArgs: 1, maxArgs: 1, call: ([value], position) => textOrMissing('upper', value, position)?.toUpperCase() },
  contains: {
    minArgs: 2,
    maxArgs: 2,
    call([haystack, needle], position) {
      if (isMissing(haystack)) return false;
      if (Array.isArray(haystack)) return haystack.some((item) => valuesEqual(item, needle));
      if (typeof haystack === 'string') return typeof needle === 'string' && haystack.includes(needle);
      throw new ExpressionError(`contains() needs text or a list, got ${typeName(haystack)}`, position);
    },
  },
  startsWith: {
    minArgs: 2,
    maxArgs: 2,
    call([value, prefix], position) {
      const text = textOrMissing('startsWith', value, position);
      return text !== undefined && text.startsWith(needText('startsWith', prefix, position, 'a text prefix'));
    },
  },
  endsWith: {
    minArgs: 2,
    maxArgs: 2,
    call([value, suffix], position) {
      const text = textOrMissing('endsWith', value, position);
      return text !== undefined && text.endsWith(needText('endsWith', suffix, position, 'a text suffix'));
    },
  },
  matches: {
    minArgs: 2,
    maxArgs: 3,
    call([value, pattern, flags], position) {
      const regex = compilePattern(needText('matches', pattern, position, 'a text pattern'), isMissing(flags) ? '' : needText('matches', flags, position, 'text flags'), position);
      const text = textOrMissing('matches', value, position);
      return text !== undefined && testPattern(regex, text, position);
    },
  },
  exists: { minArgs: 1, maxArgs: 1, call: ([value]) => !isMissing(value) },
  default: { minArgs: 2, maxArgs: 2, call: ([value, fallback]) => (isMissing(value) ? fallback : value) },
  min: {
    minArgs: 1,
    maxArgs: 20,
    call(args, position) {
      const values = numbersOf('min', args, position);
      return values && values.length > 0 ? Math.min(...values) : undefined;
    },
  },
  max: {
    minArgs: 1,
    maxArgs: 20,
    call(args, position) {
      const values = numbersOf('max', args, position);
      return values && values.length > 0 ? Math.max(...values) : undefined;
    },
  },
  first: { minArgs: 1, maxArgs: 1, call: ([list], position) => needList('first', list, position)[0] },
  last: {
    minArgs: 1,
    maxArgs: 1,
    call([list], position) {
      const items = needList('last', list, position);
      return items[items.length - 1];
    },
  },
  unique: { minArgs: 1, maxArgs: 1, call: ([list], position) => uniqueValues(needList('unique', list, position)) },
  flatten: { minArgs: 1, maxArgs: 1, call: ([list], position) => needList('flatten', list, position).flatMap((item) => (Array.isArray(item) ? item : [item])) },
  filterBy: {
    minArgs: 3,
    maxArgs: 3,
    call([list, field, value], position) {
      const path = needText('filterBy', field, position, 'a field name');
      return needList('filterBy', list, position).filter((item) => valuesEqual(readPath(item, path, position), value));
    },
  },
  map: {
    minArgs: 2,
    maxArgs: 2,
    call([list, field], position) {
      const path = needText('map', field, position, 'a field name');
      return needList('map', list, position).map((item) => readPath(item, path, position));
    },
  },
  count: {
    minArgs: 1,
    maxArgs: 3,
    call([list, field, value], position) {
      const items = needList('count', list, position);
      if (field === undefined) return items.length;
      const path = needText('count', field, position, 'a field name');
      return items.filter((item) => valuesEqual(readPath(item, path, position), value)).length;
    },
  },
  join: {
    minArgs: 1,
    maxArgs: 2,
    call([list, separator], position) {
      const sep = isMissing(separator) ? ', ' : needText('join', separator, position, 'a text separator');
      return needList('join', list, position)
        .map((item) => scalarText('join', item, position))
        .join(sep);
    },
  },
  toNumber: {
    minArgs: 1,
    maxArgs: 1,
    call([value]) {
      if (typeof value === 'number') return value;
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) {
        const parsed = Number(value.trim());
        return Number.isFinite(parsed) ? parsed : undefined;
      }
      return undefined;
    },
  },
  toString: {
    minArgs: 1,
    maxArgs: 1,
    call([value]) {
      if (isMissing(value)) return '';
      if (isScalar(value)) return String(value);
      return JSON.stringify(value);
    },
  },
});
