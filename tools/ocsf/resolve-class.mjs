#!/usr/bin/env node
// Resolves one OCSF event class from the official schema files (a git checkout of ocsf/ocsf-schema at a
// tag) into one self-contained JSON document: the class with every attribute fully described, and every
// object it reaches. It follows the rules the OCSF server applies when it compiles the schema:
//   - `extends` chains for classes and objects (the child's definitions win, merged key by key);
//   - `$include` of profiles (each included attribute is tagged with the profile's name; a class that
//     names the attribute itself with `"profile": null` makes it part of the class proper);
//   - each attribute is the dictionary's definition merged under the class's or object's (type, is_array,
//     enum, caption, sibling, observable; requirement and enum values from the class or object win);
//   - the synthetic Date/Time profile: every timestamp_t attribute gets a `<name>_dt` datetime_t sibling;
//   - `category_uid`, `class_uid` and `type_uid` enums (type_uid = class_uid * 100 + activity_id);
//   - the `observable.type_id` enum, from the `observable` numbers on dictionary types, dictionary
//     attributes, objects, object attributes and class attributes of the whole schema.
// Only data is read from the schema repository; descriptions are dropped to keep the fixture small.
//
// Usage: node tools/ocsf/resolve-class.mjs [--repo <ocsf-schema git dir>] [--ref 1.8.0] [--class detection_finding] [--out <file>]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    repo: { type: 'string', default: process.env.OCSF_SCHEMA_REPO ?? '/work/.mirror/ocsf+ocsf-schema/repo' },
    ref: { type: 'string', default: '1.8.0' },
    class: { type: 'string', default: 'detection_finding' },
    out: { type: 'string' },
  },
});

const git = (...gitArgs) => execFileSync('git', ['-C', args.repo, ...gitArgs], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const readJson = (file) => JSON.parse(git('show', `${args.ref}:${file}`));
const listFiles = (folder) =>
  git('ls-tree', '-r', '--name-only', args.ref, '--', folder)
    .split('\n')
    .filter((f) => f.endsWith('.json'));

const isPlainObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Key-by-key merge where `over` wins; an explicit `null` in `over` wins too (it clears, e.g. `"profile": null`). */
function deepMerge(base, over) {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = key in out ? deepMerge(out[key], value) : value;
  return out;
}

const commit = git('rev-parse', `${args.ref}^{commit}`).trim();
const version = readJson('version.json').version;
const dictionary = readJson('dictionary.json');
const dictAttributes = dictionary.attributes;
const dictTypes = dictionary.types.attributes;
const categories = readJson('categories.json').attributes;

const profileFiles = new Map(listFiles('profiles').map((f) => [f, readJson(f)]));
const rawObjects = new Map();
for (const file of listFiles('objects')) {
  const object = readJson(file);
  rawObjects.set(object.name, object);
}
const eventFiles = listFiles('events');
const rawEvents = new Map();
for (const file of eventFiles) {
  const event = readJson(file);
  rawEvents.set(event.name, { ...event, file });
}

/** The attributes of one definition with its `$include`s applied (profile attributes tagged with the profile). */
function ownAttributes(definition) {
  const { $include: includes = [], ...own } = definition.attributes ?? {};
  let merged = {};
  for (const file of includes) {
    const included = profileFiles.get(file) ?? readJson(file);
    const isProfile = included.meta === 'profile';
    const tagged = {};
    for (const [name, attribute] of Object.entries(included.attributes ?? {})) tagged[name] = isProfile ? { ...attribute, profile: included.name } : attribute;
    merged = deepMerge(merged, tagged);
  }
  return deepMerge(merged, own);
}

/** Follows `extends` from the root down; returns the merged attributes, profiles and constraints. */
function flatten(definition, lookup) {
  const parent = definition.extends ? lookup(definition.extends) : undefined;
  if (definition.extends && parent === undefined) throw new Error(`${definition.name} extends unknown ${definition.extends}`);
  const base = parent ? flatten(parent, lookup) : { attributes: {}, profiles: [], constraints: undefined };
  return {
    attributes: deepMerge(base.attributes, ownAttributes(definition)),
    profiles: [...new Set([...base.profiles, ...(definition.profiles ?? [])])],
    constraints: definition.constraints ?? base.constraints,
  };
}

const SCALAR = (type) => type.endsWith('_t');

/** One attribute as the validator needs it: the dictionary's definition under the class's or object's. */
function describeAttribute(owner, name, local) {
  const dict = dictAttributes[name];
  if (dict === undefined && local.type === undefined) throw new Error(`${owner}.${name} is in no dictionary and has no type`);
  const merged = deepMerge(dict ?? {}, local);
  const out = { caption: merged.caption, type: merged.type, requirement: merged.requirement ?? 'optional' };
  if (merged.is_array === true) out.is_array = true;
  if (merged.sibling) out.sibling = merged.sibling;
  if (merged.profile) out.profile = merged.profile;
  if (merged.observable !== undefined) out.observable = merged.observable;
  if (merged['@deprecated']) out.deprecated = merged['@deprecated'].since ?? true;
  if (merged.enum) out.enum = Object.fromEntries(Object.entries(merged.enum).map(([key, value]) => [key, { caption: value.caption }]));
  return out;
}

/** Adds the Date/Time profile's `<name>_dt` attribute beside each timestamp_t attribute, as the OCSF server does. */
function addDatetimeAttributes(attributes) {
  for (const [name, attribute] of Object.entries({ ...attributes })) {
    const isTimestamp = attribute.type === 'timestamp_t';
    if (!isTimestamp || attributes[`${name}_dt`]) continue;
    const dt = { caption: attribute.caption, type: 'datetime_t', requirement: 'optional', profile: 'datetime' };
    if (attribute.is_array) dt.is_array = true;
    attributes[`${name}_dt`] = dt;
  }
}

function resolveAttributes(owner, flat) {
  const attributes = {};
  for (const [name, local] of Object.entries(flat.attributes).sort(([a], [b]) => a.localeCompare(b))) attributes[name] = describeAttribute(owner, name, local);
  addDatetimeAttributes(attributes);
  return attributes;
}

// ---- the observable.type_id enum, built from the whole schema ----
const observableEnum = {};
function addObservable(id, caption, source) {
  const key = String(id);
  if (observableEnum[key] && observableEnum[key].caption !== caption) throw new Error(`observable ${key} claimed twice: ${observableEnum[key].caption} and ${caption}`);
  observableEnum[key] = { caption, source };
}
for (const [name, type] of Object.entries(dictTypes)) if (type.observable !== undefined) addObservable(type.observable, type.caption, `dictionary type ${name}`);
for (const [name, attribute] of Object.entries(dictAttributes))
  if (attribute.observable !== undefined) addObservable(attribute.observable, attribute.caption, `dictionary attribute ${name}`);
for (const object of rawObjects.values()) {
  if (object.observable !== undefined) addObservable(object.observable, object.caption, `object ${object.name}`);
  for (const [name, attribute] of Object.entries(object.attributes ?? {}))
    if (isPlainObject(attribute) && attribute.observable !== undefined)
      addObservable(attribute.observable, `${object.caption} Object: ${name}`, `object attribute ${object.name}.${name}`);
}
for (const event of rawEvents.values())
  for (const [name, attribute] of Object.entries(event.attributes ?? {}))
    if (isPlainObject(attribute) && attribute.observable !== undefined)
      addObservable(attribute.observable, `${event.caption} Class: ${name}`, `class attribute ${event.name}.${name}`);

// ---- the class ----
const rawClass = rawEvents.get(args.class);
if (rawClass === undefined) throw new Error(`no event class named ${args.class} at ${args.ref}`);
const lookupEvent = (name) => rawEvents.get(name);
const classFlat = flatten(rawClass, lookupEvent);
const categoryKey = [rawClass, ...chain(rawClass, lookupEvent)].map((e) => e.category).find((c) => c !== undefined && c !== 'other');
const category = categories[categoryKey];
const classUid = category.uid * 1000 + rawClass.uid;
const classAttributes = resolveAttributes(args.class, classFlat);

function chain(definition, lookup) {
  const out = [];
  for (let parent = definition.extends && lookup(definition.extends); parent; parent = parent.extends && lookup(parent.extends)) out.push(parent);
  return out;
}

classAttributes.category_uid.enum = { [category.uid]: { caption: category.caption } };
classAttributes.class_uid.enum = { [classUid]: { caption: rawClass.caption } };
classAttributes.type_uid.enum = Object.fromEntries(
  Object.entries(classAttributes.activity_id.enum).map(([activity, value]) => [String(classUid * 100 + Number(activity)), { caption: `${rawClass.caption}: ${value.caption}` }]),
);

// ---- every object the class reaches ----
const objects = {};
const pending = Object.values(classAttributes).map((a) => a.type);
while (pending.length > 0) {
  const type = pending.pop();
  if (SCALAR(type) || type === 'object' || objects[type]) continue;
  const raw = rawObjects.get(type);
  if (raw === undefined) throw new Error(`unknown object type ${type}`);
  const flat = flatten(raw, (name) => rawObjects.get(name));
  const resolved = {
    caption: raw.caption,
    extends: chain(raw, (name) => rawObjects.get(name)).map((o) => o.name),
    profiles: flat.profiles,
    attributes: resolveAttributes(type, flat),
  };
  if (flat.constraints) resolved.constraints = flat.constraints;
  if (raw.observable !== undefined) resolved.observable = raw.observable;
  if (raw['@deprecated']) resolved.deprecated = raw['@deprecated'].since ?? true;
  if (type === 'observable') resolved.attributes.type_id.enum = deepMerge(resolved.attributes.type_id.enum, observableEnum);
  objects[type] = resolved;
  for (const attribute of Object.values(resolved.attributes)) pending.push(attribute.type);
}

// ---- scalar types, with their base type and constraints ----
const types = {};
for (const [name, type] of Object.entries(dictTypes)) {
  const out = { caption: type.caption };
  if (type.type) out.type = type.type;
  for (const key of ['regex', 'max_len', 'range', 'values', 'observable']) if (type[key] !== undefined) out[key] = type[key];
  types[name] = out;
}

// ---- which attributes each profile brings, in the class and in each object ----
const profiles = {};
const noteProfiles = (owner, attributes) => {
  for (const [name, attribute] of Object.entries(attributes)) if (attribute.profile) (profiles[attribute.profile] ??= { attributes: [] }).attributes.push(`${owner}.${name}`);
};
noteProfiles(args.class, classAttributes);
for (const [name, object] of Object.entries(objects)) noteProfiles(name, object.attributes);
for (const [name, profile] of Object.entries(profiles)) {
  const file = [...profileFiles.values()].find((p) => p.name === name);
  profile.caption = file?.caption ?? (name === 'datetime' ? 'Date/Time' : name);
}

const sortKeys = (record) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
const resolved = {
  source: { repository: 'https://github.com/ocsf/ocsf-schema', ref: args.ref, commit, version },
  generated_by: 'tools/ocsf/resolve-class.mjs',
  class: {
    name: args.class,
    caption: rawClass.caption,
    uid: classUid,
    category: { name: categoryKey, uid: category.uid, caption: category.caption },
    extends: chain(rawClass, lookupEvent).map((e) => e.name),
    profiles: classFlat.profiles,
    attributes: classAttributes,
  },
  objects: sortKeys(objects),
  types,
  profiles: sortKeys(profiles),
  observable_type_ids: Object.fromEntries(Object.entries(observableEnum).sort(([a], [b]) => Number(a) - Number(b))),
};

const text = JSON.stringify(resolved, null, 2) + '\n';
if (args.out) {
  mkdirSync(path.dirname(args.out), { recursive: true });
  writeFileSync(args.out, text);
  process.stderr.write(
    `${args.class} ${classUid} from ${args.ref} (${commit.slice(0, 12)}): ${Object.keys(classAttributes).length} attributes, ${Object.keys(objects).length} objects → ${args.out}\n`,
  );
} else process.stdout.write(text);
