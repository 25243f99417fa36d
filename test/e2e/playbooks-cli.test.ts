import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { type RunningSimulator, startSimulator } from '../../integrations/simulator/simulator.js';
import { PROJECT_ROOT } from '../../src/config/project-paths.js';
import type { DryRunReport } from '../../src/cli/playbook-run.command.js';
import { BROKEN_PLAYBOOK, FIXTURES_DIR, fixturePath } from '../support/fixtures.js';

const BIN = path.join(PROJECT_ROOT, 'bin', 'vigil.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin/vigil.mjs` as a user would, with the test run's environment (test database, Temporal). */
function vigil(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the vigil command', () => {
  let scratch: string;

  before(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'vigil-cli-'));
  });
  after(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('validate: the bundled playbooks and their tests are valid (exit 0)', async () => {
    const run = await vigil(['playbook', 'validate', 'playbooks']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /6 playbook\(s\) and \d+ playbook test\(s\) valid/);
  });

  test('validate: every error as file:line:col path message, exit 1', async () => {
    const file = path.join(scratch, 'broken.yaml');
    await writeFile(file, BROKEN_PLAYBOOK);
    const run = await vigil(['playbook', 'validate', file, path.join(PROJECT_ROOT, 'playbooks', 'default.yaml')]);
    assert.equal(run.code, 1);
    assert.deepEqual(run.stdout.trim().split('\n'), [
      `${file}:8:13 steps[0].action no action 'virustotal.get_ip_reportt' in the integration catalogue; did you mean 'virustotal.get_ip_report'?`,
      `${file}:14:14 steps[1].summary template reads vars.nothing, but no set step or action output defines 'nothing'`,
    ]);
    assert.match(run.stderr, /2 error\(s\) in 1 file\(s\)/);
  });

  test('validate: a malformed playbook test file is reported with its line', async () => {
    const file = path.join(scratch, 'thing.test.yaml');
    await writeFile(file, 'playbook: default\nsource: generic\nalert: {}\nexpect:\n  status: done\n');
    const run = await vigil(['playbook', 'validate', file]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:11 expect\\.status `));
  });

  test('wrong usage exits 2 with the usage', async () => {
    const run = await vigil(['playbook', 'frobnicate']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown playbook command 'frobnicate'/);
    assert.match(run.stderr, /usage: vigil playbook/);
    const noDryRun = await vigil(['playbook', 'run', '--alert', 'x.json']);
    assert.equal(noDryRun.code, 2);
    assert.match(noDryRun.stderr, /only does dry runs: add --dry-run/);
  });

  test('import-cacao: every shared CACAO example converts and the result validates', async () => {
    const files = (await readdir(path.join(FIXTURES_DIR, 'cacao'))).filter((f) => f.endsWith('.json')).sort();
    assert.ok(files.length >= 4, `CACAO fixtures in ${FIXTURES_DIR}`);
    const runnable: string[] = [];
    for (const name of files) {
      const out = path.join(scratch, name.replace(/\.json$/, '.yaml'));
      const run = await vigil(['playbook', 'import-cacao', fixturePath('cacao', name), '-o', out]);
      assert.equal(run.code, 0, `${name}: ${run.stderr}`);
      const yaml = await readFile(out, 'utf8');
      assert.match(yaml, /^# yaml-language-server: \$schema=\.\/playbook\.schema\.json\nid: [a-z]/, name);
      if (name === 'soarca-openc2-playbook.json') {
        // SOARCA's own `openc2` command type is read as openc2-http: a generic OpenC2 command, runnable.
        assert.match(run.stderr, /warning: .*command type 'openc2' is not CACAO's; it is read as openc2-http/);
        assert.match(yaml, /action: openc2\.command/);
      }
      assert.doesNotMatch(run.stderr, /Vigil refuses/, name);
      runnable.push(out);
    }
    const check = await vigil(['playbook', 'validate', ...runnable]);
    assert.equal(check.code, 0, `the converted playbooks are valid: ${check.stdout}`);
    assert.match(check.stderr, new RegExp(`^${runnable.length} playbook\\(s\\) valid`));
    const stdout = await vigil(['playbook', 'import-cacao', fixturePath('cacao', 'basic-example-1.json')]);
    assert.equal(stdout.code, 0);
    assert.match(stdout.stdout, /kind: approval/, 'the ssh step becomes a manual task for an analyst');
    assert.match(stdout.stderr, /warning: .*ssh/);
  });

  test('import-cacao: an invalid CACAO document exits 1 naming each problem', async () => {
    const doc = JSON.parse(await readFile(fixturePath('cacao', 'spec-3.1-example.json'), 'utf8')) as Record<string, unknown>;
    delete doc['spec_version'];
    doc['workflow_start'] = 'start--00000000-0000-4000-8000-000000000000';
    const file = path.join(scratch, 'bad-cacao.json');
    await writeFile(file, JSON.stringify(doc));
    const run = await vigil(['playbook', 'import-cacao', file]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /bad-cacao\.json: \/spec_version /);
    assert.match(run.stderr, /bad-cacao\.json: \/workflow_start /);
  });

  test('test: runs playbook test files on Temporal, reports each, exit 1 when one fails', async () => {
    const wrong = path.join(scratch, 'wrong.test.yaml');
    const original = await readFile(path.join(PROJECT_ROOT, 'playbooks', 'default.test.yaml'), 'utf8');
    await writeFile(
      wrong,
      original.replace(`playbook: default.yaml`, `playbook: ${path.join(PROJECT_ROOT, 'playbooks', 'default.yaml')}`).replace('status: triaged', 'status: contained'),
    );
    const env: Record<string, string> = process.env['DATABASE_URL'] ? { VIGIL_TEST_DATABASE_URL: process.env['DATABASE_URL'] } : {};
    const run = await vigil(['playbook', 'test', path.join('playbooks', 'default.test.yaml'), wrong], env);
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.match(lines[0]!, /^✔ default triage enriches the first IP and triages \(playbooks\/default\.test\.yaml\) \d+\.\d s$/);
    assert.match(lines[1]!, /^✖ default triage enriches the first IP and triages \(.*wrong\.test\.yaml\) \d+\.\d s$/);
    assert.equal(lines[2], '    expected case status contained, got triaged');
    assert.equal(lines.at(-1), '1 passed, 1 failed');
  });

  describe('run --dry-run on the Temporal server', () => {
    let simulator: RunningSimulator;
    let db: pg.Client;

    before(async () => {
      simulator = await startSimulator({ host: '127.0.0.1', port: 0, smtpPort: 0 });
      db = new pg.Client({ connectionString: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/vigil_test' });
      await db.connect();
    });
    after(async () => {
      await simulator?.close();
      await db?.end();
    });

    /** A tenant of its own per run, so no enrichment cached by an earlier run answers for the simulator. */
    async function freshTenant(): Promise<string> {
      const slug = `dry-run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      await db.query('INSERT INTO tenants (slug, name) VALUES ($1, $1)', [slug]);
      return slug;
    }

    async function simulatorCalls(vendor: string): Promise<Array<{ method: string; path: string; query: Record<string, string> }>> {
      const res = await fetch(`${simulator.url}/_simulator/calls?vendor=${vendor}`);
      return (await res.json()) as Array<{ method: string; path: string; query: Record<string, string> }>;
    }

    test('brute force: enrichment really runs; the firewall block and the Slack message are shown, not sent', async () => {
      const alert = path.join(scratch, 'spray.json');
      await writeFile(
        alert,
        JSON.stringify({ title: 'Password spray against VPN', severity: 'high', techniques: ['T1110.003'], observables: [{ type: 'ip', value: '203.0.113.50' }] }),
      );
      const tenant = await freshTenant();
      const run = await vigil(['playbook', 'run', '--alert', alert, '--dry-run', '--json', '--tenant', tenant], { VIGIL_SIMULATOR_URL: simulator.url });
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as DryRunReport;
      assert.equal(report.playbook.id, 'brute-force');
      assert.equal(report.tenant, tenant);
      assert.equal(report.runStatus, 'completed');
      assert.equal(report.caseStatus, 'contained');
      assert.deepEqual(
        report.called.map((c) => c.action),
        ['abuseipdb.check_ip'],
      );
      assert.deepEqual(
        report.wouldSend.map((w) => [w.stepId, w.action]),
        [
          ['deny_ip', 'openc2.deny_ipv4'],
          ['tell_soc', 'slack.post_message'],
        ],
      );
      assert.deepEqual(report.wouldSend[0]!.input, { ipv4Net: '203.0.113.50', direction: 'ingress', durationMs: 86_400_000 });
      const lookups = await simulatorCalls('abuseipdb');
      assert.ok(
        lookups.some((c) => c.query['ipAddress'] === '203.0.113.50'),
        'the reputation lookup reached the simulator',
      );
      assert.deepEqual(await simulatorCalls('openc2'), [], 'no containment command reached the firewall');
      assert.deepEqual(await simulatorCalls('slack'), [], 'no message was posted');

      // Without --tenant: the dry-run tenant, and the report as text.
      const text = await vigil(['playbook', 'run', '--alert', alert, '--dry-run'], { VIGIL_SIMULATOR_URL: simulator.url });
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^dry run of playbook brute-force 1\.0\.0 \([0-9a-f]{12}\) for tenant vigil-dry-run$/m);
      assert.match(text.stdout, /✔ deny_ip: dry run: would call openc2\.deny_ipv4 on IPv4 203\.0\.113\.50/);
      assert.match(
        text.stdout,
        /would send \(NOT sent, dry run\):\n {2}deny_ip: openc2\.deny_ipv4 on IPv4 203\.0\.113\.50 \{"ipv4Net":"203\.0\.113\.50","direction":"ingress","durationMs":86400000\}/,
      );
      assert.deepEqual(await simulatorCalls('openc2'), []);
    });

    test('EDR malware with a certain verdict: host isolation is shown, the approval answered, nothing reaches Falcon', async () => {
      // The shared Falcon detection with a file hash the simulator's VirusTotal calls malicious (14 engines).
      const original = await readFile(fixturePath('alerts', 'crowdstrike_stream_detection_summary.json'), 'utf8');
      const badHash = `bad${'0'.repeat(61)}`;
      const alert = path.join(scratch, 'falcon.json');
      await writeFile(alert, original.replaceAll('9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3', badHash));
      const tenant = await freshTenant();
      const run = await vigil(
        ['playbook', 'run', '--alert', alert, '--dry-run', '--json', '--tenant', tenant, '--playbook', path.join(PROJECT_ROOT, 'playbooks', 'edr-malware.yaml')],
        {
          VIGIL_SIMULATOR_URL: simulator.url,
        },
      );
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as DryRunReport;
      assert.equal(report.alert.source, 'crowdstrike');
      assert.deepEqual(
        report.wouldSend.map((w) => [w.action, w.input]),
        [
          ['crowdstrike.contain_host', { deviceIds: ['4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c'] }],
          ['slack.post_message', report.wouldSend[1]?.input],
        ],
      );
      assert.deepEqual(report.approvals, [{ stepId: 'confirm', decision: 'approve' }]);
      assert.ok(
        report.steps.some((s) => s.stepId === 'ask_isolation' && s.state === 'skipped'),
        'no approval before isolating: the verdict is certain',
      );
      const vt = await simulatorCalls('virustotal');
      assert.ok(
        vt.some((c) => c.path.includes(badHash)),
        'the hash lookup reached the simulator',
      );
      const falcon = await simulatorCalls('crowdstrike');
      assert.deepEqual(
        falcon.filter((c) => c.path.includes('devices-actions')),
        [],
        'no containment request reached Falcon',
      );
    });
  });
});
