#!/usr/bin/env node
// `npm test`: the whole suite on real parts. Installs and builds what is missing, lints, starts the Temporal dev
// server (or reuses one), creates and migrates the test database, checks that entities match the migrations,
// bundles the workflows once, then runs every test file (unit, integration, e2e) with node's test runner.
// Ends with the line `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { runLint } from './lib/lint-runner.mjs';
import { log, projectRoot, stopAll } from './lib/process-tools.mjs';
import { prepareCode, runMainCommand, startTemporal } from './lib/stack.mjs';

const t0 = Date.now();
let passed = 0;
let failed = 0;
let temporal;

function check(name, ok, detail = '') {
  if (ok) passed += 1;
  else failed += 1;
  process.stdout.write(`${ok ? '✔' : '✖'} ${name}${detail ? `: ${detail}` : ''}\n`);
}

function findTests(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, out);
    else if (entry.name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

/**
 * The shared fixtures: VIGIL_FIXTURES_DIR, else ../shared/fixtures beside the project, else beside the
 * checkout this one was cloned from (a clone of a local checkout has no ../shared of its own).
 */
function findFixtures() {
  const candidates = [process.env.VIGIL_FIXTURES_DIR, path.join(projectRoot, '..', 'shared', 'fixtures')];
  const origin = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd: projectRoot, encoding: 'utf8' });
  if (origin.status === 0 && path.isAbsolute(origin.stdout.trim())) candidates.push(path.join(origin.stdout.trim(), '..', 'shared', 'fixtures'));
  const found = candidates.find((dir) => dir && existsSync(path.join(dir, 'alerts')));
  if (!found) log('warning: no shared fixtures found (set VIGIL_FIXTURES_DIR); fixture tests will fail');
  return found ?? candidates[1];
}

async function finish() {
  if (temporal?.child) await stopAll([temporal.child], 5_000);
  process.stdout.write(`\nnpm test took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed > 0 ? 1 : 0);
}

try {
  prepareCode();
  const filter = process.argv.slice(2);

  if (filter.length === 0) {
    const lint = runLint();
    if (!lint.eslint.ok) process.stdout.write(lint.eslint.output);
    check('lint (eslint with the workflow sandbox fence)', lint.eslint.ok);
    if (!lint.layers.ok) process.stdout.write(lint.layers.output);
    check('layers (dependency-cruiser: tools/lint/dependency-rules.cjs)', lint.layers.ok);
    if (!lint.format.ok) process.stdout.write(lint.format.output);
    check('format (prettier --check; npm run format writes it)', lint.format.ok);
  }

  temporal = await startTemporal({ ui: false, dbName: 'temporal-test.db' });
  log(`Temporal dev server ${temporal.reused ? 'reused' : `started in ${temporal.startMs} ms`}`);
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: process.env.VIGIL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/vigil_test',
    TEMPORAL_ADDRESS: temporal.address,
    VIGIL_LOG_LEVEL: process.env.VIGIL_LOG_LEVEL ?? 'warn',
    // A key for connection secrets made for this run only, and the vendor simulator for tenants without connections.
    VIGIL_SECRETS_KEYS: process.env.VIGIL_SECRETS_KEYS ?? `test-run:${randomBytes(32).toString('base64')}`,
    VIGIL_SIMULATOR_CONNECTIONS: process.env.VIGIL_SIMULATOR_CONNECTIONS ?? 'true',
  };
  Object.assign(process.env, env);
  process.env.VIGIL_FIXTURES_DIR = findFixtures();
  try {
    runMainCommand('migration-check', env);
    check('migrations match the entities', true);
  } catch (error) {
    check('migrations match the entities', false, error.message);
  }

  // One workflow bundle for the whole run; each test worker loads it instead of bundling again.
  const bundlePath = path.join(projectRoot, 'dist', 'workflow-bundle.js');
  const { bundleWorkflows } = await import(path.join(projectRoot, 'dist', 'src', 'composition', 'worker-factory.js'));
  const bundle = await bundleWorkflows();
  mkdirSync(path.dirname(bundlePath), { recursive: true });
  writeFileSync(bundlePath, bundle.code);
  process.env.VIGIL_TEST_WORKFLOW_BUNDLE = bundlePath;

  let files = findTests(path.join(projectRoot, 'dist')).sort();
  if (filter.length > 0) files = files.filter((f) => filter.some((p) => f.includes(p)));
  log(`running ${files.length} test files`);
  const stream = run({ files, concurrency: 2, timeout: 300_000 });
  stream.on('test:pass', (e) => {
    if (e.details?.type !== 'suite' && e.nesting >= 0 && !e.skip && !e.todo) passed += 1;
  });
  stream.on('test:fail', (e) => {
    if (e.details?.type !== 'suite') failed += 1;
  });
  await new Promise((resolve, reject) => {
    stream
      .compose(spec)
      .on('data', (chunk) => process.stdout.write(chunk))
      .on('end', resolve)
      .on('error', reject);
  });
} catch (error) {
  check('test set-up', false, error.message);
}
await finish();
