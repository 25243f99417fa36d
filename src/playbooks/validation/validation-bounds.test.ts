import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { analyzePlaybookText, MAX_PLAYBOOK_DEPTH, MAX_PLAYBOOK_NODES, MAX_REPORTED_ERRORS, type PlaybookActionCatalog, validateForTenant, validatePlaybookText } from './index.js';
import { parsePlaybookYaml } from './yaml-parsing.js';
import { deeplyNestedPlaybook, playbookWithUnknownKeys, SMALL_PLAYBOOK_HEAD } from '../../../test/support/fixtures.js';

const ACTIONS = new Map<string, { input: z.ZodType; kind: string }>([['virustotal.get_ip_report', { input: z.object({ ip: z.string() }), kind: 'enrichment' }]]);
const catalog: PlaybookActionCatalog = { get: (key) => ACTIONS.get(key), keys: () => ACTIONS.keys() };

/** Top-level pairs in SMALL_PLAYBOOK_HEAD (id, name, version, steps) and in its one step (id, kind, status). */
const HEAD_PAIRS = 7;

describe('validating a large playbook', () => {
  test('30,000 unknown keys: each located once through an index built once, errors exact and capped', { timeout: 30_000 }, () => {
    const analysis = analyzePlaybookText(playbookWithUnknownKeys(30_000), 'big.yaml', catalog);
    assert.equal(analysis.exceeded, undefined);
    assert.ok(!analysis.result.ok);
    const errors = analysis.result.errors;
    assert.equal(errors.length, 30_000);
    assert.deepEqual(errors[0], { file: 'big.yaml', line: 8, column: 1, path: 'k0', code: 'schema', message: "unknown field 'k0'" });
    assert.deepEqual(errors[29_999], { file: 'big.yaml', line: 30_007, column: 1, path: 'k29999', code: 'schema', message: "unknown field 'k29999'" });
    // Every mapping is indexed at most once: the work of locating is the pairs in the file, not pairs × errors.
    assert.ok(analysis.map!.indexedPairs <= 30_000 + HEAD_PAIRS, `indexed ${analysis.map!.indexedPairs} pairs`);

    const half = analyzePlaybookText(playbookWithUnknownKeys(15_000), 'big.yaml', catalog);
    assert.ok(analysis.map!.indexedPairs <= 2.01 * half.map!.indexedPairs, `${analysis.map!.indexedPairs} pairs for 30,000 keys, ${half.map!.indexedPairs} for 15,000`);

    const outcome = validateForTenant(playbookWithUnknownKeys(30_000), 'big.yaml', [], catalog);
    assert.ok(!outcome.tooLarge);
    assert.equal(outcome.report.valid, false);
    assert.equal(outcome.report.errors.length, MAX_REPORTED_ERRORS);
    assert.equal(outcome.report.omittedErrors, 30_000 - MAX_REPORTED_ERRORS);
    assert.deepEqual(outcome.report.errors, errors.slice(0, MAX_REPORTED_ERRORS));
  });

  test('a report that lists every error says nothing about omitted ones', () => {
    const outcome = validateForTenant(playbookWithUnknownKeys(3), 'small.yaml', [], catalog);
    assert.ok(!outcome.tooLarge);
    assert.equal(outcome.report.errors.length, 3);
    assert.equal('omittedErrors' in outcome.report, false);
  });

  test('duplicate keys in a large mapping are the errors the yaml library reports, in its order', () => {
    let text = playbookWithUnknownKeys(3_000) + 'k10: 2\nsteps: []\n';
    text += 'description:\n  a: 1\n  a: 2\n';
    const ours = parsePlaybookYaml(text, new LineCounter()).errors.map((e) => [e.code, e.pos[0], e.message]);
    const library = parseDocument(text, { prettyErrors: false, uniqueKeys: true }).errors.map((e) => [e.code, e.pos[0], e.message]);
    assert.equal(ours.length, 3);
    assert.deepEqual(ours, library);
  });

  test('a small playbook with duplicate keys keeps the exact errors it had', () => {
    const text = 'id: a\nname: A\nversion: "1"\nsteps: []\nx:\n  y:\n    a: 1\n\n    a: 2\n  y: 3\na:\nb:\na:\n';
    const lines = new LineCounter();
    const ours = parsePlaybookYaml(text, lines).errors.map((e) => [e.code, e.pos[0]]);
    const library = parseDocument(text, { prettyErrors: false, uniqueKeys: true }).errors.map((e) => [e.code, e.pos[0]]);
    assert.deepEqual(ours, library);
    assert.equal(lines.lineStarts.length, text.split('\n').length);
  });
});

describe('the bounds on a playbook', () => {
  test('nesting deeper than the bound is refused before the schema pass, at the line that crosses it', () => {
    const fine = analyzePlaybookText(deeplyNestedPlaybook(MAX_PLAYBOOK_DEPTH - 1), 'deep.yaml', catalog);
    assert.equal(fine.exceeded, undefined);
    const deep = analyzePlaybookText(deeplyNestedPlaybook(MAX_PLAYBOOK_DEPTH), 'deep.yaml', catalog);
    assert.equal(deep.exceeded?.bound, 'depth');
    assert.ok(!deep.result.ok);
    assert.deepEqual(deep.result.errors, [
      {
        file: 'deep.yaml',
        line: 8 + MAX_PLAYBOOK_DEPTH,
        column: 2 * MAX_PLAYBOOK_DEPTH + 1,
        path: '',
        code: 'playbook_too_large',
        message: `the playbook nests deeper than ${MAX_PLAYBOOK_DEPTH} levels`,
      },
    ]);
    // Flow collections count the same, and hostile nesting cannot exhaust the stack.
    const flow = analyzePlaybookText(`${SMALL_PLAYBOOK_HEAD}x: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 'flow.yaml', catalog);
    assert.equal(flow.exceeded?.bound, 'depth');
  });

  test('more nodes than the bound is refused', () => {
    const analysis = analyzePlaybookText(playbookWithUnknownKeys(MAX_PLAYBOOK_NODES / 2), 'many.yaml', catalog);
    assert.equal(analysis.exceeded?.bound, 'nodes');
    assert.ok(!analysis.result.ok);
    assert.equal(analysis.result.errors[0].code, 'playbook_too_large');
    const outcome = validateForTenant(playbookWithUnknownKeys(MAX_PLAYBOOK_NODES / 2), 'many.yaml', [], catalog);
    assert.deepEqual(outcome.tooLarge?.details.bound, 'nodes');
  });

  test('a file over the byte bound keeps its old wording for the command line', () => {
    const result = validatePlaybookText(`${SMALL_PLAYBOOK_HEAD}description: "${'x'.repeat(1024 * 1024)}"\n`, 'huge.yaml', catalog);
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [{ file: 'huge.yaml', line: 1, column: 1, path: '', code: 'yaml_syntax', message: 'the file is larger than 1048576 bytes' }]);
  });
});
