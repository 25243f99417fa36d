import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/config/project-paths.js';

// The layer rules (tools/lint/dependency-rules.cjs) run on a small tree planted in a temporary folder: each
// forbidden import must be refused by name, and the allowed ones must pass.
const RULES = path.join(PROJECT_ROOT, 'tools', 'lint', 'dependency-rules.cjs');
const DEPCRUISE = path.join(PROJECT_ROOT, 'tools', 'lint', 'node_modules', '.bin', 'depcruise');
const roots: string[] = [];

function plant(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'vigil-layers-'));
  roots.push(root);
  const all: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true } }),
    'workflows/language/playbook.types.ts': 'export interface Step { id: string }\n',
    'workflows/case.workflow.ts':
      "import type { Step } from './language/playbook.types.js';\nimport type { CaseRow } from '../src/cases/case-rows.js';\nexport function caseWorkflow(s: Step, c: CaseRow): string { return s.id + c.id; }\n",
    'src/cases/case-rows.ts': 'export interface CaseRow { id: string }\nexport const CASE_TABLE = "cases";\n',
    'src/cases/index.ts': "export { CASE_TABLE, type CaseRow } from './case-rows.js';\n",
    'src/alerts/alert-ingest.service.ts': "import { CASE_TABLE } from '../cases/index.js';\nexport const table = CASE_TABLE;\n",
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

function violations(root: string): string[] {
  const r = spawnSync(DEPCRUISE, ['src', 'workflows', '--config', RULES, '--output-type', 'json'], { cwd: root, encoding: 'utf8' });
  assert.ok(r.stdout, `dependency-cruiser printed nothing: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return report.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('layer rules (npm run lint)', () => {
  test('the allowed shape passes: types from src/ in a workflow, features through their index', () => {
    assert.deepEqual(violations(plant({})), []);
  });

  test('a workflow importing runtime code from src/ is refused', () => {
    const root = plant({ 'workflows/bad.workflow.ts': "import { CASE_TABLE } from '../src/cases/case-rows.js';\nexport const t = CASE_TABLE;\n" });
    assert.deepEqual(violations(root), ['workflows-no-runtime-from-src: workflows/bad.workflow.ts -> src/cases/case-rows.ts']);
  });

  test('a Node module in workflow code is refused', () => {
    const root = plant({ 'workflows/clock.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n" });
    assert.deepEqual(violations(root), ['workflows-sandbox-packages: workflows/clock.ts -> fs']);
  });

  test('the language importing the interpreter is refused', () => {
    const root = plant({
      'workflows/interpreter/run.ts': 'export const RUN = 1;\n',
      'workflows/language/uses-run.ts': "import { RUN } from '../interpreter/run.js';\nexport const r = RUN;\n",
    });
    assert.deepEqual(violations(root), ['language-is-the-bottom: workflows/language/uses-run.ts -> workflows/interpreter/run.ts']);
  });

  test("a feature reaching past another feature's index is refused", () => {
    const root = plant({ 'src/alerts/peek.ts': "import { CASE_TABLE } from '../cases/case-rows.js';\nexport const t = CASE_TABLE;\n" });
    assert.deepEqual(violations(root), ['features-through-their-index: src/alerts/peek.ts -> src/cases/case-rows.ts']);
  });

  test('a value import circle is refused; a circle of type imports alone is not one', () => {
    const root = plant({
      'src/outbox/outbox-relay.service.ts': "import { KIND } from './outbox-payload.js';\nexport const RELAY = KIND;\n",
      'src/outbox/outbox-payload.ts': "import { RELAY } from './outbox-relay.service.js';\nexport const KIND = 'a';\nexport const r = () => RELAY;\n",
      'src/cases/case-view.ts': "import type { CaseRowType } from './case-row-type.js';\nexport interface CaseView { row: CaseRowType }\n",
      'src/cases/case-row-type.ts': "import type { CaseView } from './case-view.js';\nexport interface CaseRowType { view?: CaseView }\n",
    });
    const found = violations(root);
    assert.equal(found.length, 1, found.join('; '));
    assert.match(found[0]!, /^no-import-cycles: src\/outbox\/outbox-(relay\.service|payload)\.ts -> src\/outbox\/outbox-(relay\.service|payload)\.ts$/);
  });

  test('production code importing a test helper is refused', () => {
    const root = plant({
      'test/support/stack.ts': 'export const STACK = 1;\n',
      'src/cases/uses-test.ts': "import { STACK } from '../../test/support/stack.js';\nexport const s = STACK;\n",
    });
    assert.deepEqual(violations(root), ['no-test-code-in-production: src/cases/uses-test.ts -> test/support/stack.ts']);
  });
});
