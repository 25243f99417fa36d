/**
 * Every CACAO 2.0 example playbook OASIS and SOARCA publish (test/fixtures/cacao, sources in its
 * README) goes through Vigil's import, and every export Vigil writes (of those imports and of every
 * bundled playbook) is checked against the official CACAO 2.0 JSON schemas (draft-07) with ajv.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { importCacao } from '../../src/playbooks/cacao/cacao-import.js';
import { exportCacao } from '../../src/playbooks/cacao/cacao-export.js';
import { actionCatalogForValidation } from '../../src/playbooks/action-catalog-view.js';
import { loadPlaybookDirectory } from '../../src/playbooks/validation/playbook-loading.js';
import { PROJECT_FIXTURES_DIR } from '../support/fixtures.js';

const CACAO_DIR = path.join(PROJECT_FIXTURES_DIR, 'cacao');
const SCHEMAS_DIR = path.join(CACAO_DIR, 'schemas');
const PLAYBOOK_SCHEMA_ID = 'https://raw.githubusercontent.com/oasis-open/cacao-json-schemas/main/schemas/playbook.json';
const NOW = new Date('2026-01-01T00:00:00.000Z');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? jsonFiles(full) : entry.name.endsWith('.json') ? [full] : [];
  });
}

function playbookSchema(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // ajv-formats is CommonJS: its default export arrives as the module object or as the function.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
  addFormats(ajv);
  for (const file of jsonFiles(SCHEMAS_DIR)) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as object);
  const validate = ajv.getSchema(PLAYBOOK_SCHEMA_ID);
  assert.ok(validate, 'the official playbook schema compiles');
  return validate;
}

function schemaErrors(validate: ValidateFunction, doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/**
 * What each published example is expected to do. `imports`: Vigil imports it. `invalid`: it breaks
 * CACAO 2.0 (the JSON Pointers of the errors Vigil reports, a 422 invalid_cacao over HTTP).
 */
const EXPECTED: Record<string, { imports: true } | { invalid: string[] }> = {
  'oasis/basic-example-1.json': { imports: true },
  'oasis/spec-3.1-example.json': { imports: true },
  'oasis/locky-bart-mbc-examples.json': { imports: true },
  // The layout extension's example leaves out the commands of its actions and the switch variable.
  'oasis/playbook--aa1898b6-5251-49b4-aeb7-fd5e912583ff.json': {
    invalid: [
      '/workflow/action--4005472a-0b74-48c6-b04b-45bb8cf2b1ae/commands',
      '/workflow/action--63483dce-6122-4975-8c7c-795d2453243d/commands',
      '/workflow/action--9a4ef680-ba51-4c1b-9b2d-715caf06ef3a/commands',
      '/workflow/action--9ae9e500-155e-4f63-a76e-a43856063f55/commands',
      '/workflow/switch-condition--72c55a11-5091-4714-8050-baa854d72eda/switch',
    ],
  },
  'soarca/examples-http-playbook.json': { imports: true },
  'soarca/examples-manual-playbook.json': { imports: true },
  'soarca/examples-openc2-playbook.json': { imports: true },
  'soarca/examples-powershell-playbook.json': { imports: true },
  'soarca/examples-ssh-playbook.json': { imports: true },
  // Modified before created, and SOARCA's own agent naming instead of CACAO identifiers.
  'soarca/examples-fin-playbook.json': {
    invalid: ['/agent_definitions/soarca-fin-pong-f896bb3b-bb37-429e-8ece-2d4286cf326d', '/modified', '/workflow/action--2fd6bca0-24ed-4d74-8eae-da126a84f7c4/agent'],
  },
  // SOARCA's test playbooks predate CACAO 2.0's start step: workflow_start names an action, workflow_exception a missing step.
  'soarca/test-integration-api-routes-playbook.json': { invalid: ['/workflow_exception', '/workflow_start'] },
  'soarca/test-playbooks-changed-playbook.json': { invalid: ['/workflow'] },
  'soarca/test-playbooks-infinite_playbook.json': { invalid: ['/workflow_exception', '/workflow_start'] },
  'soarca/test-playbooks-invalid_email_playbook.json': { invalid: ['/workflow_exception', '/workflow_start'] },
  'soarca/test-playbooks-invalid_playbook.json': { invalid: ['/workflow_exception', '/workflow_start'] },
  'soarca/test-playbooks-missing_step_playbook.json': {
    invalid: ['/workflow/action--2190f685-1857-44ac-ad0e-0ded6c6ef3ce/on_completion', '/workflow_exception', '/workflow_start'],
  },
  'soarca/test-playbooks-parallels_playbook.json': { invalid: ['/workflow_exception', '/workflow_start'] },
  'soarca/test-playbooks-playbook.json': { invalid: ['/workflow_exception', '/workflow_start'] },
};

const examples = ['oasis', 'soarca'].flatMap((dir) => readdirSync(path.join(CACAO_DIR, dir)).map((name) => `${dir}/${name}`)).sort();

describe('CACAO 2.0: the published examples and the official schemas', () => {
  const validate = playbookSchema();

  test('every stored example has an expected outcome', () => {
    assert.deepEqual(examples, Object.keys(EXPECTED).sort());
  });

  test('each example imports, or is refused with the errors it has', () => {
    const outcomes: Record<string, unknown> = {};
    for (const name of examples) {
      const result = importCacao(JSON.parse(readFileSync(path.join(CACAO_DIR, name), 'utf8')));
      outcomes[name] = result.ok
        ? { imports: true }
        : result.unsupported
          ? { unsupported: result.unsupported }
          : { invalid: [...new Set(result.errors.map((e) => e.path))].sort() };
    }
    assert.deepEqual(outcomes, EXPECTED);
    const imported = Object.values(EXPECTED).filter((o) => 'imports' in o).length;
    process.stdout.write(`# CACAO examples: ${examples.length} found, ${imported} imported, ${examples.length - imported} refused as invalid CACAO 2.0\n`);
  });

  test('the export of every imported example validates against the official schemas', () => {
    let valid = 0;
    for (const name of examples.filter((n) => 'imports' in EXPECTED[n]!)) {
      const result = importCacao(JSON.parse(readFileSync(path.join(CACAO_DIR, name), 'utf8')));
      assert.ok(result.ok, name);
      assert.deepEqual(schemaErrors(validate, exportCacao(result.playbook, { now: NOW })), [], name);
      valid += 1;
    }
    process.stdout.write(`# exports of imported examples valid against the official schemas: ${valid}\n`);
  });

  test('the export of every bundled playbook (playbooks/*.yaml) validates against the official schemas', async () => {
    const bundled = await loadPlaybookDirectory(path.resolve('playbooks'), actionCatalogForValidation());
    assert.deepEqual(bundled.errors, []);
    assert.ok(bundled.playbooks.length > 0);
    for (const { playbook } of bundled.playbooks) assert.deepEqual(schemaErrors(validate, exportCacao(playbook, { now: NOW })), [], playbook.id);
    process.stdout.write(`# exports of bundled playbooks valid against the official schemas: ${bundled.playbooks.length}\n`);
  });

  test('the schemas can fail: an export without its workflow_start is refused', () => {
    const result = importCacao(JSON.parse(readFileSync(path.join(CACAO_DIR, 'oasis/basic-example-1.json'), 'utf8')));
    assert.ok(result.ok);
    const doc = exportCacao(result.playbook, { now: NOW }) as unknown as Record<string, unknown>;
    delete doc['workflow_start'];
    assert.ok(schemaErrors(validate, doc).length > 0);
  });

  test('how the published examples themselves fare against the official schemas', () => {
    const failing = examples.filter((name) => schemaErrors(validate, JSON.parse(readFileSync(path.join(CACAO_DIR, name), 'utf8'))).length > 0);
    process.stdout.write(`# published examples valid against the official schemas: ${examples.length - failing.length} of ${examples.length}; failing: ${failing.join(', ')}\n`);
    for (const name of failing) assert.ok('invalid' in EXPECTED[name]!, `${name} fails the official schemas but Vigil imports it`);
  });
});
