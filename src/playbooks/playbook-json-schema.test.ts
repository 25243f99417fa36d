import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildPlaybookJsonSchema, renderPlaybookJsonSchema } from './playbook-json-schema.js';

// Compiled to dist/src/playbooks/, so the project root is three folders up.
const COMMITTED = fileURLToPath(new URL('../../../playbooks/playbook.schema.json', import.meta.url));

describe('playbook JSON Schema', () => {
  test('the committed playbooks/playbook.schema.json is up to date (regenerate: node scripts/generate-playbook-schema.mjs)', () => {
    assert.equal(readFileSync(COMMITTED, 'utf8'), renderPlaybookJsonSchema());
  });

  test('is draft 2020-12 with titles, strict objects and the step union', () => {
    const schema = buildPlaybookJsonSchema();
    assert.equal(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(schema['title'], 'Vigil playbook');
    assert.equal(schema['additionalProperties'], false);
    assert.deepEqual(schema['required'], ['id', 'name', 'version', 'steps']);
    const defs = schema['$defs'] as Record<string, Record<string, unknown>>;
    const step = defs['Step'];
    const options = step['oneOf'] as Record<string, unknown>[];
    assert.equal(options.length, 13);
    const kinds = options.map((option) => (option['properties'] as Record<string, Record<string, unknown>>)['kind']['const']);
    assert.deepEqual(kinds, ['action', 'condition', 'switch', 'parallel', 'foreach', 'loop', 'approval', 'wait', 'set', 'notify', 'playbook', 'end', 'status']);
    for (const option of options) {
      assert.equal(option['additionalProperties'], false);
      assert.equal(typeof option['title'], 'string');
    }
    assert.equal(defs['Duration']['pattern'], '^[1-9][0-9]*(ms|s|m|h|d)$');
    assert.equal(defs['StepId']['pattern'], '^[a-z][a-z0-9_]*$');
  });
});
