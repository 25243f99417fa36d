/**
 * MITRE ATT&CK references as OCSF `attacks[]`. Vendors name tactics in every spelling
 * ("Command and Control", "CommandAndControl", "command-and-control", "COMMAND_AND_CONTROL")
 * and send techniques as ids or sub-technique ids; this module turns all of them into
 * `TA\d{4}` / `T\d{4}` / `T\d{4}.\d{3}` refs and drops what is not enterprise ATT&CK.
 */
import type { AttackRef } from '../../common/canonical-alert.js';

export interface AttackTactic {
  uid: string;
  /** Absent only for a well-formed `TA` id that is not in the table (a tactic newer than it). */
  name?: string;
}

/** The 14 enterprise tactics. */
export const ATTACK_TACTICS: ReadonlyArray<Required<AttackTactic>> = [
  { uid: 'TA0043', name: 'Reconnaissance' },
  { uid: 'TA0042', name: 'Resource Development' },
  { uid: 'TA0001', name: 'Initial Access' },
  { uid: 'TA0002', name: 'Execution' },
  { uid: 'TA0003', name: 'Persistence' },
  { uid: 'TA0004', name: 'Privilege Escalation' },
  { uid: 'TA0005', name: 'Defense Evasion' },
  { uid: 'TA0006', name: 'Credential Access' },
  { uid: 'TA0007', name: 'Discovery' },
  { uid: 'TA0008', name: 'Lateral Movement' },
  { uid: 'TA0009', name: 'Collection' },
  { uid: 'TA0011', name: 'Command and Control' },
  { uid: 'TA0010', name: 'Exfiltration' },
  { uid: 'TA0040', name: 'Impact' },
];

const BY_UID = new Map(ATTACK_TACTICS.map((t) => [t.uid, t]));

function nameKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]/g, '');
}

const BY_NAME = new Map<string, AttackTactic>(ATTACK_TACTICS.map((t) => [nameKey(t.name), t]));
// Spellings seen in the wild that the plain key does not reach.
for (const [alias, uid] of [
  ['recon', 'TA0043'],
  ['commandcontrol', 'TA0011'],
  ['c2', 'TA0011'],
  ['defenceevasion', 'TA0005'],
] as const) {
  const tactic = BY_UID.get(uid);
  if (tactic !== undefined) BY_NAME.set(alias, tactic);
}

const TACTIC_ID = /^TA\d{4}$/i;
const TECHNIQUE_ID = /^T(\d{4})(?:[./](\d{3}))?$/i;

export function isTacticId(value: string): boolean {
  return TACTIC_ID.test(value.trim());
}

export function isTechniqueId(value: string): boolean {
  return TECHNIQUE_ID.test(value.trim());
}

/**
 * A tactic from its id (`TA0011`) or its name in any spelling. `PreAttack`, ICS/mobile tactics
 * and anything unknown give `undefined`, so callers simply skip them.
 */
export function resolveTactic(idOrName: string): AttackTactic | undefined {
  const text = idOrName.trim();
  if (TACTIC_ID.test(text)) return BY_UID.get(text.toUpperCase()) ?? { uid: text.toUpperCase() };
  return BY_NAME.get(nameKey(text));
}

/** `T1059.001` → technique `T1059` + sub_technique `T1059.001`; `T1105` → technique only. `T1059/001` is accepted too. */
export function parseTechniqueId(id: string): Pick<AttackRef, 'technique' | 'sub_technique'> | undefined {
  const m = TECHNIQUE_ID.exec(id.trim());
  if (m === null) return undefined;
  const parent = `T${m[1]}`;
  if (m[2] === undefined) return { technique: { uid: parent } };
  return { technique: { uid: parent }, sub_technique: { uid: `${parent}.${m[2]}` } };
}

function partsEqual(a: { uid: string } | undefined, b: { uid: string } | undefined): boolean {
  return a === undefined || (b !== undefined && a.uid === b.uid);
}

/** A is covered by B when every part A names, B names identically (B is at least as specific). */
function covers(b: AttackRef, a: AttackRef): boolean {
  return partsEqual(a.tactic, b.tactic) && partsEqual(a.technique, b.technique) && partsEqual(a.sub_technique, b.sub_technique);
}

function refKey(ref: AttackRef): string {
  return `${ref.tactic?.uid ?? ''}|${ref.technique?.uid ?? ''}|${ref.sub_technique?.uid ?? ''}`;
}

/** Accumulates refs from a vendor's fields and returns them deduplicated. */
export class AttackCollector {
  private readonly refs: AttackRef[] = [];

  constructor(private readonly version?: string) {}

  /**
   * Adds one ref. `tactic` is an id or a name; `technique` an id (sub-technique ids are split).
   * Anything that is not enterprise ATT&CK is ignored; returns whether something was added.
   */
  add(input: {
    /** Tactic id or name. */
    tactic?: string;
    /** Technique or sub-technique id. */
    technique?: string;
    /** The vendor's name for `technique` (for a sub-technique id, the sub-technique's name). */
    techniqueName?: string;
    /** The parent technique's name, when `technique` is a sub-technique id. */
    parentTechniqueName?: string;
  }): boolean {
    const ref: AttackRef = {};
    if (input.tactic !== undefined) {
      const tactic = resolveTactic(input.tactic);
      if (tactic !== undefined) ref.tactic = tactic.name === undefined ? { uid: tactic.uid } : { uid: tactic.uid, name: tactic.name };
    }
    if (input.technique !== undefined) {
      const parsed = parseTechniqueId(input.technique);
      if (parsed?.technique !== undefined) {
        ref.technique = { ...parsed.technique };
        const name = nonEmpty(input.techniqueName);
        if (parsed.sub_technique !== undefined) {
          ref.sub_technique = { ...parsed.sub_technique };
          if (name !== undefined) ref.sub_technique.name = name;
          const parentName = nonEmpty(input.parentTechniqueName);
          if (parentName !== undefined) ref.technique.name = parentName;
        } else if (name !== undefined) {
          ref.technique.name = name;
        }
      }
    }
    if (ref.tactic === undefined && ref.technique === undefined) return false;
    if (this.version !== undefined) ref.version = this.version;
    this.refs.push(ref);
    return true;
  }

  /**
   * Adds tactics and techniques that the vendor lists separately. They are paired only when
   * there is exactly one of each; otherwise a pairing would be a guess (MDE lists T1059.001
   * and T1105 under the one category "Execution"), so each is added on its own.
   */
  addUnpaired(tactics: readonly string[], techniques: readonly string[]): void {
    const known = tactics.filter((t) => resolveTactic(t) !== undefined);
    const ids = techniques.filter((t) => parseTechniqueId(t) !== undefined);
    if (known.length === 1 && ids.length === 1) {
      this.add({ tactic: known[0], technique: ids[0] });
      return;
    }
    for (const t of known) this.add({ tactic: t });
    for (const t of ids) this.add({ technique: t });
  }

  toArray(): AttackRef[] {
    const unique = new Map<string, AttackRef>();
    for (const ref of this.refs) {
      const key = refKey(ref);
      const prior = unique.get(key);
      if (prior === undefined) unique.set(key, ref);
      else mergeNames(prior, ref);
    }
    const list = [...unique.values()];
    const kept = list.filter((ref) => {
      const wider = list.find((other) => other !== ref && covers(other, ref));
      if (wider !== undefined) mergeNames(wider, ref);
      return wider === undefined;
    });
    return kept;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

function mergeNames(into: AttackRef, from: AttackRef): void {
  if (into.technique !== undefined && from.technique?.name !== undefined && into.technique.name === undefined) {
    into.technique.name = from.technique.name;
  }
  if (into.sub_technique !== undefined && from.sub_technique?.name !== undefined && into.sub_technique.name === undefined) {
    into.sub_technique.name = from.sub_technique.name;
  }
}

/** Splits free text that may hold several ATT&CK ids (Splunk multivalue fields, comma lists). */
export function splitAttackList(value: string): string[] {
  return value
    .split(/[\s,;|]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
