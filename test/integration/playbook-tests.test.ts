import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BUNDLED_PLAYBOOKS_DIR } from '../../src/config/project-paths.js';
import { type PlaybookTestResult, PlaybookTestRunner } from '../../src/composition/playbook-test-runner.js';
import { workflowBundle } from '../support/stack.js';

const TEST_FILES = readdirSync(BUNDLED_PLAYBOOKS_DIR)
  .filter((name) => /\.test\.ya?ml$/.test(name))
  .sort();

function explain(result: PlaybookTestResult): string {
  return `${result.name}:\n  ${result.failures.join('\n  ')}\n  steps ${JSON.stringify(result.steps)}\n  calls ${JSON.stringify(result.calls)}`;
}

/** The default playbook's test with one thing changed. */
function defaultTest(
  expect: string,
  responses = `responses:
  abuseipdb.check_ip:
    output: { ip: 203.0.113.9, abuseConfidenceScore: 100, totalReports: 1, distinctReporters: 1, countryCode: null, isp: null, domain: null, usageType: null, isWhitelisted: null, isTor: false, lastReportedAt: null, verdict: malicious, link: "https://www.abuseipdb.com/check/203.0.113.9" }
`,
): string {
  return `name: self-test
playbook: ${path.join(BUNDLED_PLAYBOOKS_DIR, 'default.yaml')}
source: generic
alert: { title: Self-test, severity: high, observables: [{ type: ip, value: 203.0.113.9 }] }
${responses}expect:
${expect}`;
}

describe('playbook tests (playbooks/*.test.yaml) on the real Temporal server', () => {
  let runner: PlaybookTestRunner;
  let scratch: string;

  before(async () => {
    runner = await PlaybookTestRunner.start({ env: process.env, workflowBundle: await workflowBundle() });
    scratch = await mkdtemp(path.join(tmpdir(), 'vigil-playbook-tests-'));
  });
  after(async () => {
    await runner?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('every bundled playbook has a test file', () => {
    const playbooks = readdirSync(BUNDLED_PLAYBOOKS_DIR).filter((n) => n.endsWith('.yaml') && !n.endsWith('.test.yaml'));
    for (const file of playbooks) {
      const base = file.replace(/\.yaml$/, '');
      assert.ok(
        TEST_FILES.some((t) => t === `${base}.test.yaml`),
        `${file} has ${base}.test.yaml`,
      );
    }
  });

  for (const file of TEST_FILES) {
    test(file, async () => {
      const result = await runner.run(path.join(BUNDLED_PLAYBOOKS_DIR, file));
      assert.ok(result.passed, explain(result));
      assert.ok(result.steps.length > 0, 'the run took steps');
    });
  }

  test('self-test: a wrong expectation is reported as a failure, naming what differed', async () => {
    const file = path.join(scratch, 'wrong.test.yaml');
    await writeFile(file, defaultTest('  steps: [enrich_ip, triage]\n  status: resolved\n  actions: [virustotal.get_ip_report]\n'));
    const result = await runner.run(file);
    assert.equal(result.passed, false);
    assert.deepEqual(result.steps, ['enrich_ip', 'triage'], 'the run itself happened');
    assert.equal(result.status, 'triaged');
    assert.deepEqual(result.failures, [
      'expected case status resolved, got triaged',
      'expected actions [virustotal.get_ip_report], the run called [abuseipdb.check_ip {"ip":"203.0.113.9","maxAgeInDays":90}]',
    ]);
  });

  test('self-test: an action without a recorded response fails the test, naming the action and its parameters', async () => {
    const file = path.join(scratch, 'missing.test.yaml');
    await writeFile(file, defaultTest('  status: triaged\n', 'responses: {}\n'));
    const result = await runner.run(file);
    assert.equal(result.passed, false);
    assert.ok(result.failures.includes('no recorded response for abuseipdb.check_ip with params {"ip":"203.0.113.9","maxAgeInDays":90}'), result.failures.join('\n'));
  });

  test('self-test: a recorded response that does not match the output schema fails the test', async () => {
    const file = path.join(scratch, 'bad-output.test.yaml');
    await writeFile(file, defaultTest('  status: triaged\n', 'responses:\n  abuseipdb.check_ip:\n    output: { ip: 203.0.113.9 }\n'));
    const result = await runner.run(file);
    assert.equal(result.passed, false);
    assert.match(result.failures.join('\n'), /the recorded response for abuseipdb\.check_ip does not match the action's output schema: abuseConfidenceScore/);
  });

  test('a malformed test file is reported with its line', async () => {
    const file = path.join(scratch, 'malformed.test.yaml');
    await writeFile(file, 'name: x\nplaybook: default\nsource: nowhere\nalert: {}\nexpect: {}\n');
    const result = await runner.run(file);
    assert.equal(result.passed, false);
    assert.match(result.failures[0]!, /malformed\.test\.yaml:3:9 source /);
  });
});
