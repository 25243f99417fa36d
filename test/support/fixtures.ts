import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The shared fixtures folder: `../shared/fixtures` beside the project, or `VIGIL_FIXTURES_DIR`. */
export const FIXTURES_DIR = path.resolve(process.env['VIGIL_FIXTURES_DIR'] ?? path.join(process.cwd(), '..', 'shared', 'fixtures'));

export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES_DIR, ...parts);
}

export function readFixtureJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as unknown;
}

/**
 * A playbook with two mistakes, for the validator's answers: an action key with a typo (line 8,
 * `steps[0].action`) and a summary reading a variable nothing sets (line 14, `steps[1].summary`).
 */
export const BROKEN_PLAYBOOK = `id: broken
name: Broken
version: "1"
steps:
  - id: look
    kind: action
    name: Look up
    action: virustotal.get_ip_reportt
    with:
      ip: "{{lookup observables.ip 0}}"
  - id: done
    kind: end
    status: resolved
    summary: "{{vars.nothing}}"
`;

/** The smallest valid playbook, as text that more keys can be appended to. */
export const SMALL_PLAYBOOK_HEAD = 'id: big\nname: Big\nversion: "1"\nsteps:\n  - id: done\n    kind: end\n    status: triaged\n';

/** A playbook with `count` unknown top-level keys. */
export function playbookWithUnknownKeys(count: number): string {
  let text = SMALL_PLAYBOOK_HEAD;
  for (let i = 0; i < count; i += 1) text += `k${i}: 1\n`;
  return text;
}

/** A playbook whose deepest mapping is at depth `levels + 1` (the top-level mapping is depth 1). */
export function deeplyNestedPlaybook(levels: number): string {
  let text = SMALL_PLAYBOOK_HEAD + 'description:\n';
  for (let i = 1; i < levels; i += 1) text += `${'  '.repeat(i)}k${i}:\n`;
  return text + `${'  '.repeat(levels)}leaf: 1\n`;
}

/** Vigil's own test data, stored in the repository under test/fixtures (official examples and schemas with their sources). */
export const PROJECT_FIXTURES_DIR = path.resolve(process.cwd(), 'test', 'fixtures');

export function readProjectFixtureJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(path.join(PROJECT_FIXTURES_DIR, ...parts), 'utf8')) as unknown;
}
