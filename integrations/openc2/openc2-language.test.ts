/**
 * Vigil's OpenC2 command matrices against OASIS's own text: Table 2.3-1 of the SLPF specification
 * and of the Endpoint Response draft, copied into test/fixtures/openc2 (sources in its README).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { PROJECT_FIXTURES_DIR } from '../../test/support/fixtures.js';
import { OPENC2_PROFILE_PAIRS, openC2CommandProblems } from './openc2-language.js';

/** Action → targets of a Markdown command matrix: actions across the top, targets down the side, "valid" where a pair is. */
function matrix(file: string, targetName: (name: string) => string = (name) => name): Record<string, string[]> {
  const rows = readFileSync(path.join(PROJECT_FIXTURES_DIR, 'openc2', file), 'utf8')
    .split('\n')
    .filter((line) => line.trim().startsWith('|'))
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim()),
    );
  const actions = rows[0]!.slice(1).map((a) => a.toLowerCase());
  const pairs: Record<string, string[]> = {};
  for (const row of rows.slice(2)) {
    const target = targetName(row[0]!.replace(/\*\*/g, ''));
    row.slice(1).forEach((cell, i) => {
      if (cell.toLowerCase() === 'valid') (pairs[actions[i]!] ??= []).push(target);
    });
  }
  return pairs;
}

function sorted(pairs: Record<string, readonly string[]>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(pairs)
      .map(([action, targets]) => [action, [...targets].sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** The targets Table 2.1.2-2 of the ER draft puts in the `er` namespace. */
function erTargets(): Set<string> {
  const text = readFileSync(path.join(PROJECT_FIXTURES_DIR, 'openc2', 'er-targets.md'), 'utf8');
  return new Set([...text.matchAll(/^\|\s*\d+\s*\|\s*\*\*([a-z_]+)\*\*/gm)].map((m) => m[1]!));
}

describe('OpenC2 command matrices against the OASIS profile texts', () => {
  test('SLPF: Table 2.3-1 of oc2slpf-v1.0-cs01', () => {
    assert.deepEqual(sorted(OPENC2_PROFILE_PAIRS['slpf']!), sorted(matrix('slpf-command-matrix.md')));
  });

  test("ER: Table 2.3-1 of the Endpoint Response draft, its own targets in the er namespace, plus 'scan device' (§2.3.X.1)", () => {
    const own = erTargets();
    assert.deepEqual([...own].sort(), ['account', 'registry_entry', 'service']);
    const table = matrix('er-command-matrix.md', (name) => (own.has(name) ? `er:${name}` : name));
    assert.deepEqual(sorted(OPENC2_PROFILE_PAIRS['er']!), sorted({ ...table, scan: ['device'] }));
  });

  test('every pair of the matrices passes the command check; a pair outside a profile does not', () => {
    let checked = 0;
    for (const [profile, pairs] of Object.entries(OPENC2_PROFILE_PAIRS))
      for (const [action, targets] of Object.entries(pairs))
        for (const target of targets) {
          assert.deepEqual(openC2CommandProblems({ action, target: { [target]: {} }, actuator: { [profile]: {} } }), [], `${profile}: ${action} ${target}`);
          checked += 1;
        }
    assert.ok(checked > 30);
    assert.equal(openC2CommandProblems({ action: 'contain', target: { ipv4_net: '10.0.0.0/8' }, actuator: { er: {} } }).length, 1);
    assert.equal(openC2CommandProblems({ action: 'investigate', target: { device: {} }, actuator: { er: {} } }).length, 1);
  });
});
