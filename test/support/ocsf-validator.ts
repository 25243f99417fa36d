/**
 * Checks one finding against OCSF 1.8.0 Detection Finding (class_uid 2004) as resolved from the official
 * schema files (test/fixtures/ocsf/detection_finding-1.8.0.resolved.json, made by
 * tools/ocsf/resolve-class.mjs). Test support only: production code never imports it.
 *
 * Every problem is one `OcsfIssue` with the attribute's path in the finding (`finding_info.attacks[0].tactic`),
 * a stable code and a message; an empty list means the finding conforms.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/project-paths.js';

export const OCSF_ISSUE_CODES = [
  /** Not a JSON object where the schema wants an object (the finding itself, or an object attribute). */
  'not_an_object',
  /** A required attribute (of the class or of an object) is absent or null. */
  'required_missing',
  /** A value of the wrong JSON type for its dictionary type (a string where an integer_t is due). */
  'wrong_type',
  /** A value of the right JSON type that breaks its type's regex, max_len, range or values. */
  'invalid_value',
  /** A timestamp_t that reads as epoch seconds rather than milliseconds. */
  'timestamp_in_seconds',
  /** A scalar or object where the attribute is an array (`is_array`). */
  'expected_array',
  /** An array where the attribute is a single value. */
  'unexpected_array',
  /** An enum attribute (an `_id`) holding a value its enum does not list. */
  'enum_value',
  /** The caption sibling of an enum attribute (`severity` for `severity_id`) differs from the enum's caption. */
  'enum_caption',
  /** `category_uid` or `class_uid` is not Detection Finding's. */
  'wrong_class',
  /** `type_uid` is not class_uid * 100 + activity_id, or `type_name` not its caption. */
  'type_uid',
  /** An attribute the class or object does not define. */
  'unknown_attribute',
  /** An attribute of a profile that `metadata.profiles` does not list. */
  'profile_not_declared',
  /** `metadata.profiles` names a profile the class does not have. */
  'unknown_profile',
  /** An object breaking its `at_least_one` / `just_one` constraint. */
  'constraint',
  /** An observable whose `name` leads to nothing in the finding. */
  'observable_name',
  /** An observable whose `name` leads to values of which none equals its `value`. */
  'observable_value',
] as const;
export type OcsfIssueCode = (typeof OCSF_ISSUE_CODES)[number];

export interface OcsfIssue {
  path: string;
  code: OcsfIssueCode;
  message: string;
}

export interface ResolvedAttribute {
  caption: string;
  type: string;
  requirement: 'required' | 'recommended' | 'optional';
  is_array?: boolean;
  sibling?: string;
  profile?: string;
  observable?: number;
  enum?: Record<string, { caption: string }>;
}

export interface ResolvedObject {
  caption: string;
  profiles: string[];
  attributes: Record<string, ResolvedAttribute>;
  constraints?: { at_least_one?: string[]; just_one?: string[] };
}

export interface ResolvedType {
  caption: string;
  type?: string;
  regex?: string;
  max_len?: number;
  range?: [number, number];
  values?: unknown[];
}

export interface ResolvedClass {
  source: { repository: string; ref: string; commit: string; version: string };
  class: ResolvedObject & { name: string; uid: number; category: { name: string; uid: number; caption: string } };
  objects: Record<string, ResolvedObject>;
  types: Record<string, ResolvedType>;
  profiles: Record<string, { caption: string; attributes: string[] }>;
}

/** The fixture sits beside the sources (tsc does not copy JSON into dist). */
export const RESOLVED_DETECTION_FINDING_PATH = path.join(PROJECT_ROOT, 'test', 'fixtures', 'ocsf', 'detection_finding-1.8.0.resolved.json');

let cached: ResolvedClass | undefined;

export function loadResolvedDetectionFinding(): ResolvedClass {
  cached ??= JSON.parse(readFileSync(RESOLVED_DETECTION_FINDING_PATH, 'utf8')) as ResolvedClass;
  return cached;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const absent = (value: unknown): boolean => value === undefined || value === null;
const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);
const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const INT32 = [-(2 ** 31), 2 ** 31 - 1] as const;
/** 1973-03-03 in epoch ms; a positive timestamp_t below it is almost surely in seconds. */
const SMALLEST_PLAUSIBLE_MS = 1e11;
/** activity_id / status_id and friends: 99 Other leaves the caption to the source. */
const OTHER = '99';

class FindingValidator {
  readonly issues: OcsfIssue[] = [];
  private readonly regexes = new Map<string, RegExp>();

  constructor(
    private readonly schema: ResolvedClass,
    private readonly activeProfiles: ReadonlySet<string>,
  ) {}

  private add(path: string, code: OcsfIssueCode, message: string): void {
    this.issues.push({ path, code, message });
  }

  /** Attributes, requirements, constraints and enum captions of one object (or of the class). */
  checkObject(value: unknown, definition: ResolvedObject, path: string, what: string): void {
    if (!isObject(value)) {
      this.add(path, 'not_an_object', `${what} must be an object, got ${show(value)}`);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      const attribute = definition.attributes[key];
      const at = join(path, key);
      if (attribute === undefined) {
        this.add(at, 'unknown_attribute', `${what} has no attribute "${key}"`);
        continue;
      }
      if (attribute.profile !== undefined && !this.activeProfiles.has(attribute.profile))
        this.add(at, 'profile_not_declared', `"${key}" belongs to the ${attribute.profile} profile, which metadata.profiles does not list`);
      if (!absent(item)) this.checkAttribute(item, attribute, at);
    }
    for (const [key, attribute] of Object.entries(definition.attributes)) {
      const applies = attribute.profile === undefined || this.activeProfiles.has(attribute.profile);
      if (applies && attribute.requirement === 'required' && absent(value[key])) this.add(join(path, key), 'required_missing', `${what} requires "${key}" (${attribute.caption})`);
      if (attribute.enum !== undefined && attribute.sibling !== undefined && !attribute.is_array) this.checkSibling(value, key, attribute, path);
    }
    this.checkConstraints(value, definition, path, what);
  }

  private checkSibling(value: JsonObject, key: string, attribute: ResolvedAttribute, path: string): void {
    const id = value[key];
    const caption = value[attribute.sibling as string];
    if (absent(id) || absent(caption) || typeof caption !== 'string') return;
    const entry = attribute.enum?.[String(id)];
    if (entry === undefined || String(id) === OTHER || key === 'type_uid') return;
    if (caption !== entry.caption)
      this.add(
        join(path, attribute.sibling as string),
        'enum_caption',
        `"${attribute.sibling}" must be "${entry.caption}", the caption of ${key} ${show(id)}; got ${show(caption)}`,
      );
  }

  private checkConstraints(value: JsonObject, definition: ResolvedObject, path: string, what: string): void {
    const present = (names: string[]): string[] => names.filter((name) => !absent(value[name]));
    const { at_least_one: atLeastOne, just_one: justOne } = definition.constraints ?? {};
    if (atLeastOne !== undefined && atLeastOne.length > 0 && present(atLeastOne).length === 0)
      this.add(path === '' ? '$' : path, 'constraint', `${what} needs at least one of ${atLeastOne.join(', ')}`);
    if (justOne !== undefined && justOne.length > 0 && present(justOne).length !== 1)
      this.add(path === '' ? '$' : path, 'constraint', `${what} needs exactly one of ${justOne.join(', ')}, has ${present(justOne).length}`);
  }

  private checkAttribute(value: Json, attribute: ResolvedAttribute, path: string): void {
    if (attribute.is_array === true) {
      if (!Array.isArray(value)) {
        this.add(path, 'expected_array', `${attribute.caption} is an array of ${attribute.type}, got ${show(value)}`);
        return;
      }
      value.forEach((element, index) => {
        if (absent(element)) this.add(`${path}[${index}]`, 'wrong_type', `${attribute.caption} elements may not be null`);
        else this.checkSingle(element, attribute, `${path}[${index}]`);
      });
      return;
    }
    if (Array.isArray(value) && attribute.type !== 'json_t') {
      this.add(path, 'unexpected_array', `${attribute.caption} is one ${attribute.type}, not an array`);
      return;
    }
    this.checkSingle(value, attribute, path);
  }

  private checkSingle(value: Json, attribute: ResolvedAttribute, path: string): void {
    if (attribute.type === 'json_t') return;
    if (attribute.type === 'object') {
      if (!isObject(value)) this.add(path, 'not_an_object', `${attribute.caption} must be an object, got ${show(value)}`);
      return;
    }
    const object = this.schema.objects[attribute.type];
    if (object !== undefined) {
      this.checkObject(value, object, path, `${object.caption} (${attribute.type})`);
      return;
    }
    if (!this.checkScalar(value, attribute.type, path, attribute.caption)) return;
    // type_uid is checked as a sum (checkClassification); the class's own uids get a code of their own.
    if (attribute.enum === undefined || attribute.enum[String(value)] !== undefined || path === 'type_uid') return;
    const code = path === 'class_uid' || path === 'category_uid' ? 'wrong_class' : 'enum_value';
    this.add(path, code, `${show(value)} is not a ${attribute.caption} value (one of ${Object.keys(attribute.enum).join(', ')})`);
  }

  /** The value against its type and every base type under it (port_t → integer_t); false when the JSON type is wrong. */
  private checkScalar(value: Json, typeName: string, path: string, caption: string): boolean {
    const chain: Array<[string, ResolvedType]> = [];
    for (let name: string | undefined = typeName; name !== undefined; name = this.schema.types[name]?.type) {
      const type = this.schema.types[name];
      if (type === undefined) {
        this.add(path, 'wrong_type', `${caption} has type ${typeName}, which the schema does not define`);
        return false;
      }
      chain.push([name, type]);
    }
    const base = chain[chain.length - 1][0];
    if (!this.hasBaseType(value, base)) {
      this.add(path, 'wrong_type', `${caption} is ${typeName} (${base}), got ${show(value)}`);
      return false;
    }
    for (const [name, type] of chain) {
      if (type.regex !== undefined && typeof value === 'string' && !this.regex(type.regex).test(value))
        this.add(path, 'invalid_value', `${show(value)} is not a valid ${type.caption} (${name})`);
      if (type.max_len !== undefined && typeof value === 'string' && value.length > type.max_len)
        this.add(path, 'invalid_value', `${caption} is longer than ${type.max_len} characters (${name})`);
      if (type.range !== undefined && typeof value === 'number' && (value < type.range[0] || value > type.range[1]))
        this.add(path, 'invalid_value', `${value} is outside ${type.range[0]}..${type.range[1]} (${name})`);
      if (type.values !== undefined && !type.values.includes(value)) this.add(path, 'invalid_value', `${show(value)} is not one of ${show(type.values)} (${name})`);
    }
    if (typeName === 'timestamp_t' && typeof value === 'number' && value > 0 && value < SMALLEST_PLAUSIBLE_MS)
      this.add(path, 'timestamp_in_seconds', `${caption} ${value} reads as epoch seconds; timestamp_t is epoch milliseconds`);
    return true;
  }

  private hasBaseType(value: Json, base: string): boolean {
    switch (base) {
      case 'string_t':
        return typeof value === 'string';
      case 'integer_t':
        return Number.isInteger(value) && (value as number) >= INT32[0] && (value as number) <= INT32[1];
      case 'long_t':
        return Number.isSafeInteger(value);
      case 'float_t':
        return typeof value === 'number' && Number.isFinite(value);
      case 'boolean_t':
        return typeof value === 'boolean';
      default:
        return false;
    }
  }

  private regex(source: string): RegExp {
    let regex = this.regexes.get(source);
    if (regex === undefined) {
      regex = new RegExp(source);
      this.regexes.set(source, regex);
    }
    return regex;
  }
}

/** The class-level rule the attribute tables cannot say: type_uid = class_uid * 100 + activity_id, and its caption. */
function checkClassification(finding: JsonObject, schema: ResolvedClass, add: (issue: OcsfIssue) => void): void {
  const { class_uid: classUid, activity_id: activityId, type_uid: typeUid, type_name: typeName } = finding;
  if (typeof classUid === 'number' && typeof activityId === 'number' && typeof typeUid === 'number' && typeUid !== classUid * 100 + activityId)
    add({ path: 'type_uid', code: 'type_uid', message: `type_uid must be class_uid * 100 + activity_id = ${classUid * 100 + activityId}, got ${typeUid}` });
  const caption = schema.class.attributes.type_uid.enum?.[String(typeUid)]?.caption;
  if (typeof typeName === 'string' && caption !== undefined && activityId !== Number(OTHER) && typeName !== caption)
    add({ path: 'type_name', code: 'type_uid', message: `type_name must be "${caption}", the caption of type_uid ${show(typeUid)}; got ${show(typeName)}` });
}

/** `a.b`, `a[].b`, `a[0].b` → every value that path reaches; an array met without an index stands for each of its elements. */
export function valuesAtPath(root: unknown, name: string): unknown[] {
  let current: unknown[] = [root];
  for (const segment of name.split('.')) {
    const match = /^([^[\]]+)(?:\[(\d*)\])?$/.exec(segment);
    if (match === null) return [];
    const [, key, index] = match;
    const next: unknown[] = [];
    for (const value of current) {
      if (!isObject(value) || absent(value[key])) continue;
      const child = value[key];
      if (index !== undefined && index !== '') {
        if (Array.isArray(child) && !absent(child[Number(index)])) next.push(child[Number(index)]);
      } else if (Array.isArray(child)) next.push(...child.filter((element) => !absent(element)));
      else if (index === undefined) next.push(child);
    }
    current = next;
  }
  return current.flatMap((value) => (Array.isArray(value) ? value : [value]));
}

function checkObservables(finding: JsonObject, add: (issue: OcsfIssue) => void): void {
  const observables = finding.observables;
  if (!Array.isArray(observables)) return;
  observables.forEach((observable, index) => {
    if (!isObject(observable) || typeof observable.name !== 'string') return;
    const path = `observables[${index}]`;
    const found = valuesAtPath(finding, observable.name);
    if (found.length === 0) {
      add({ path: `${path}.name`, code: 'observable_name', message: `"${observable.name}" leads to nothing in the finding` });
      return;
    }
    const value = observable.value;
    if (absent(value)) return;
    const holds = found.some((candidate) => candidate === value || (typeof candidate !== 'object' && String(candidate) === String(value)));
    if (!holds) add({ path: `${path}.value`, code: 'observable_value', message: `"${observable.name}" holds ${show(found.length === 1 ? found[0] : found)}, not ${show(value)}` });
  });
}

/** Every way `finding` departs from OCSF 1.8.0 Detection Finding; [] when it conforms. */
export function validateOcsfFinding(finding: unknown, schema: ResolvedClass = loadResolvedDetectionFinding()): OcsfIssue[] {
  const metadata = isObject(finding) ? finding.metadata : undefined;
  const declared = isObject(metadata) && Array.isArray(metadata.profiles) ? metadata.profiles.filter((p): p is string => typeof p === 'string') : [];
  const validator = new FindingValidator(schema, new Set(declared));
  validator.checkObject(finding, schema.class, '', `${schema.class.caption} (${schema.class.name})`);
  if (!isObject(finding)) return validator.issues;
  const known = new Set([...schema.class.profiles, ...Object.keys(schema.profiles)]);
  declared.forEach((profile, index) => {
    if (!known.has(profile))
      validator.issues.push({ path: `metadata.profiles[${index}]`, code: 'unknown_profile', message: `${schema.class.caption} has no profile "${profile}"` });
  });
  const add = (issue: OcsfIssue): void => void validator.issues.push(issue);
  checkClassification(finding, schema, add);
  checkObservables(finding, add);
  return validator.issues;
}

/** Issues one per line, for assertion messages. */
export function formatOcsfIssues(issues: readonly OcsfIssue[]): string {
  return issues.map((issue) => `  ${issue.path} [${issue.code}] ${issue.message}`).join('\n');
}
