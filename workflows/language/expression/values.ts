/**
 * How the expression language sees values: truthiness, strict structural equality, type names in
 * messages, and reads of own properties only. Shared by the evaluator and the built-in functions.
 */
import { ExpressionError, FORBIDDEN_NAMES } from './ast.js';

/** JavaScript truthiness: false, 0, '', null and undefined are falsy; every list and object is truthy. */
export function isTruthy(value: unknown): boolean {
  return Boolean(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isMissing(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

export function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'text';
  return typeof value;
}

/** Strict, structural equality: no coercion (`1 == '1'` is false); lists and objects compare by content. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, index) => valuesEqual(item, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && valuesEqual(a[key], b[key]));
  }
  return false;
}

/** Reads an own property; anything else (inherited, missing, a primitive without it) is undefined. */
export function readOwn(target: unknown, key: unknown, position: number): unknown {
  if (typeof key !== 'string' && typeof key !== 'number') return undefined;
  const name = String(key);
  if (FORBIDDEN_NAMES.has(name)) throw new ExpressionError(`property '${name}' cannot be read`, position);
  if (typeof target === 'string') {
    if (name === 'length') return target.length;
    return /^(0|[1-9]\d*)$/.test(name) ? target[Number(name)] : undefined;
  }
  if (typeof target !== 'object' || target === null) return undefined;
  return Object.hasOwn(target, name) ? (target as Record<string, unknown>)[name] : undefined;
}

/** Reads a dotted path (`device.ip`) of own properties, as used by filterBy and map. */
export function readPath(target: unknown, path: string, position: number): unknown {
  let value = target;
  for (const part of path.split('.')) {
    value = readOwn(value, part, position);
    if (value === undefined) return undefined;
  }
  return value;
}

export function finite(value: number, position: number): number {
  if (!Number.isFinite(value)) throw new ExpressionError('number out of range', position);
  return value;
}
