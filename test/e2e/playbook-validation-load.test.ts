import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_PLAYBOOK_BYTES, MAX_PLAYBOOK_DEPTH, MAX_PLAYBOOK_NODES, MAX_REPORTED_ERRORS } from '../../src/playbooks/validation/index.js';
import { MAX_CACAO_STEPS } from '../../src/playbooks/cacao/cacao-import.js';
import { containHost, ref } from '../support/cacao-test-documents.js';
import { http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';
import { deeplyNestedPlaybook, playbookWithUnknownKeys, SMALL_PLAYBOOK_HEAD } from '../support/fixtures.js';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}
interface Report {
  valid: boolean;
  errors: Array<{ line: number; column: number; path: string; code: string; message: string }>;
  omittedErrors?: number;
}

const YAML = 'text/yaml';

describe('playbook validation under load: off the event loop, within bounds', () => {
  let stack: TestStack;
  let tenant: TestTenant;

  before(async () => {
    // A body limit above the playbook's, so the playbook's own bound on bytes is what answers.
    stack = await startTestStack({ VIGIL_MAX_BODY_BYTES: String(4 * 1024 * 1024) });
    tenant = await stack.createTenant();
  });
  after(async () => {
    await stack?.stop();
  });

  async function storedCount(): Promise<number> {
    const rows: Array<{ n: string }> = await stack.db.query('SELECT count(*) AS n FROM playbook_versions WHERE tenant_id = $1', [tenant.id]);
    return Number(rows[0]!.n);
  }

  test('while a large playbook is being validated, /healthz answers first and keeps answering', async () => {
    let validated = false;
    const validation = http<Report>('POST', `${stack.url}/api/v1/playbooks/validate`, { key: tenant.key, raw: playbookWithUnknownKeys(40_000), contentType: YAML }).finally(() => {
      validated = true;
    });
    // Health checks one after another while the validation is in flight. Validating on the event loop
    // would hold them all for the whole validation (over a minute for 40,000 keys before the fix).
    let answeredBefore = 0;
    let longestGap = 0;
    let last = Date.now();
    while (!validated) {
      const health = await http<{ status: string }>('GET', `${stack.url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(health.body, { status: 'ok' });
      if (!validated) answeredBefore += 1;
      longestGap = Math.max(longestGap, Date.now() - last);
      last = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const res = await validation;
    assert.ok(answeredBefore >= 1, 'no health check was answered before the validation response');
    assert.ok(longestGap < 2_000, `a health check waited ${longestGap} ms`);
    assert.equal(res.status, 200);
    assert.equal(res.body.valid, false);
    assert.equal(res.body.errors.length, MAX_REPORTED_ERRORS);
    assert.equal(res.body.omittedErrors, 40_000 - MAX_REPORTED_ERRORS);
    assert.deepEqual(res.body.errors[0], { file: 'playbook.yaml', line: 8, column: 1, path: 'k0', code: 'schema', message: "unknown field 'k0'" });
  });

  test('too deep, too many keys, too many bytes: 413 playbook_too_large in the error shape, nothing stored', async () => {
    const deep = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks/validate`, { key: tenant.key, raw: deeplyNestedPlaybook(MAX_PLAYBOOK_DEPTH), contentType: YAML });
    assert.equal(deep.status, 413);
    assert.deepEqual(deep.body, {
      error: {
        code: 'playbook_too_large',
        message: `the playbook nests deeper than ${MAX_PLAYBOOK_DEPTH} levels`,
        details: { bound: 'depth', limit: MAX_PLAYBOOK_DEPTH, line: 8 + MAX_PLAYBOOK_DEPTH, column: 2 * MAX_PLAYBOOK_DEPTH + 1 },
      },
    });

    const many = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks`, { key: tenant.key, raw: playbookWithUnknownKeys(MAX_PLAYBOOK_NODES / 2), contentType: YAML });
    assert.equal(many.status, 413);
    assert.equal(many.body.error.code, 'playbook_too_large');
    assert.equal(many.body.error.details['bound'], 'nodes');
    assert.equal(many.body.error.details['limit'], MAX_PLAYBOOK_NODES);

    const createDeep = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks`, { key: tenant.key, body: { yaml: deeplyNestedPlaybook(MAX_PLAYBOOK_DEPTH) } });
    assert.equal(createDeep.status, 413);
    assert.equal(createDeep.body.error.details['bound'], 'depth');

    const wide = `${SMALL_PLAYBOOK_HEAD}description: "${'x'.repeat(MAX_PLAYBOOK_BYTES)}"\n`;
    const big = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks/validate`, { key: tenant.key, raw: wide, contentType: YAML });
    assert.equal(big.status, 413);
    assert.deepEqual(big.body.error.details, { bound: 'bytes', limit: MAX_PLAYBOOK_BYTES });
    assert.equal(big.body.error.code, 'playbook_too_large');

    assert.equal(await storedCount(), 0);
  });

  test('a CACAO document over the bounds is refused before it is converted, nothing stored', async () => {
    const doc = containHost();
    for (let i = 0; i <= MAX_CACAO_STEPS; i += 1) doc.workflow[ref('action', 1000 + i)] = { type: 'action', name: `step ${i}` };
    const res = await http<ErrorBody>('POST', `${stack.url}/api/v1/playbooks/import/cacao?activate=true`, { key: tenant.key, body: doc });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'playbook_too_large');
    assert.match(res.body.error.message, /steps; the most Vigil imports is 2000$/);
    assert.equal(await storedCount(), 0);
  });
});
