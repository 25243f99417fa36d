import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.schema.js';

test('defaults give a working development configuration', () => {
  const c = loadConfig({});
  assert.equal(c.databaseUrl, 'postgres://postgres@127.0.0.1:5432/vigil');
  assert.equal(c.temporal.address, '127.0.0.1:7233');
  assert.equal(c.api.port, 3000);
  assert.equal(c.api.maxBodyBytes, 1024 * 1024);
  assert.equal(c.adminKey, undefined);
});

test('every bad variable is reported by name in one error', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'mysql://x', VIGIL_API_PORT: 'eighty', VIGIL_ADMIN_KEY: 'short', TEMPORAL_ADDRESS: 'nohostport' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const names = error.problems.map((p) => p.split(':')[0]);
      assert.deepEqual(names.sort(), ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'VIGIL_ADMIN_KEY', 'VIGIL_API_PORT']);
      return true;
    },
  );
});

test('metrics: off by default, a short scrape token refused by name, ports parsed', () => {
  assert.deepEqual(loadConfig({}).metrics, { token: undefined, workerPort: undefined, workerHost: '127.0.0.1', temporalPort: undefined });
  const token = 'x'.repeat(32);
  assert.deepEqual(loadConfig({ VIGIL_METRICS_TOKEN: token, VIGIL_WORKER_METRICS_PORT: '9464', VIGIL_TEMPORAL_METRICS_PORT: '9465' }).metrics, {
    token,
    workerPort: 9464,
    workerHost: '127.0.0.1',
    temporalPort: 9465,
  });
  assert.throws(
    () => loadConfig({ VIGIL_METRICS_TOKEN: 'short', VIGIL_WORKER_METRICS_PORT: 'nine' }),
    (error: unknown) => error instanceof ConfigError && ['VIGIL_METRICS_TOKEN', 'VIGIL_WORKER_METRICS_PORT'].every((n) => error.problems.some((p) => p.startsWith(n))),
  );
});
