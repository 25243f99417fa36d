import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import { startSimulator } from '../../integrations/simulator/simulator.js';
import { type AppConfig, loadConfig } from '../../src/config/config.schema.js';
import { createApi } from '../../src/main.js';
import { bundleWorkflows, createVigilWorker } from '../../src/composition/worker-factory.js';
import { hashKey, newKeyValue } from '../../src/tenants/api-keys.service.js';

export interface TestTenant {
  id: string;
  slug: string;
  /** An admin key of this tenant. */
  key: string;
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export interface TestStack {
  config: AppConfig;
  api: NestExpressApplication;
  url: string;
  simulatorUrl: string;
  db: DataSource;
  createTenant(role?: string): Promise<TestTenant>;
  createKey(tenantId: string, role: string): Promise<string>;
  startWorker(): Promise<RunningWorker>;
  stop(): Promise<void>;
}

/** The workflow bundle `npm test` made once for the whole run, or a fresh one when a file runs alone. */
export async function workflowBundle(): Promise<{ codePath: string } | { code: string }> {
  const prebuilt = process.env['VIGIL_TEST_WORKFLOW_BUNDLE'];
  if (prebuilt) return { codePath: prebuilt };
  const bundle = await bundleWorkflows();
  return { code: bundle.code };
}

/**
 * A real Vigil for one test file: the API on an ephemeral port, its own Temporal task queue, the
 * vendor simulator in process, the test database. Tenants are created per test, so files never share data.
 */
export async function startTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  const simulator = await startSimulator({ host: '127.0.0.1', port: 0, smtpPort: 0 });
  const taskQueue = `vigil-test-${randomUUID()}`;
  // Connections: a test key (random per run, never in code) and the simulator for tenants without their own; set in
  // process.env so worker processes a test spawns read the same.
  process.env['VIGIL_SECRETS_KEYS'] ??= `test:${randomBytes(32).toString('base64')}`;
  process.env['VIGIL_SIMULATOR_CONNECTIONS'] ??= 'true';
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    VIGIL_API_PORT: '0',
    VIGIL_TASK_QUEUE: taskQueue,
    VIGIL_SIMULATOR_URL: simulator.url,
    VIGIL_OUTBOX_POLL_MS: '200',
    VIGIL_STICKY_TIMEOUT_MS: '1000',
    VIGIL_CASE_IDLE_TIMEOUT: '1m',
    VIGIL_LOG_LEVEL: process.env['VIGIL_LOG_LEVEL'] ?? 'error',
    ...env,
  });
  const api = await createApi(config);
  await api.listen(0, '127.0.0.1');
  const port = (api.getHttpServer().address() as AddressInfo).port;
  const db = api.get(DataSource);
  const workers: RunningWorker[] = [];

  async function createKey(tenantId: string, role: string): Promise<string> {
    const key = newKeyValue();
    await db.query(`INSERT INTO api_keys (tenant_id, name, role, key_hash, key_prefix) VALUES ($1, $2, $3, $4, $5)`, [
      tenantId,
      `test ${role}`,
      role,
      hashKey(key),
      key.slice(0, 8),
    ]);
    return key;
  }

  return {
    config,
    api,
    url: `http://127.0.0.1:${port}`,
    simulatorUrl: simulator.url,
    db,
    createKey,
    async createTenant(role = 'admin') {
      const slug = `t-${randomBytes(6).toString('hex')}`;
      const rows: Array<{ id: string }> = await db.query(`INSERT INTO tenants (slug, name) VALUES ($1, $1) RETURNING id`, [slug]);
      const id = rows[0]!.id;
      return { id, slug, key: await createKey(id, role) };
    },
    async startWorker() {
      const { worker, connection }: { worker: Worker; connection: NativeConnection } = await createVigilWorker({
        config,
        app: api,
        taskQueue,
        workflowBundle: await workflowBundle(),
      });
      const running = worker.run();
      const handle: RunningWorker = {
        worker,
        async stop() {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running;
          await connection.close();
        },
      };
      workers.push(handle);
      return handle;
    },
    async stop() {
      for (const w of workers) await w.stop().catch(() => undefined);
      await api.close();
      await simulator.close();
    },
  };
}

/** Polls `fn` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small JSON HTTP client over real HTTP. */
export async function http<T = unknown>(
  method: string,
  url: string,
  options: { key?: string; body?: unknown; raw?: string | Buffer; contentType?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers['authorization'] = `Bearer ${options.key}`;
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export interface PlaybookStack {
  stack: TestStack;
  /** A Temporal client on the stack's server, for reading histories. */
  client: Client;
  stop(): Promise<void>;
}

/**
 * A test stack whose playbooks folder holds `playbooks` (a name without extension is a playbook,
 * `<name>.yaml`; a path with one, such as `templates/note.txt`, is written as it is), with a worker
 * running and a Temporal client: the set-up of every file that drives playbooks end to end.
 */
export async function startPlaybookStack(playbooks: Record<string, string>, env: Record<string, string> = {}): Promise<PlaybookStack & { dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-playbooks-'));
  for (const [name, text] of Object.entries(playbooks)) {
    const file = path.join(dir, path.extname(name) ? name : `${name}.yaml`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const stack = await startTestStack({ VIGIL_PLAYBOOKS_DIR: dir, ...env });
  await stack.startWorker();
  const connection = await Connection.connect({ address: stack.config.temporal.address });
  return {
    dir,
    stack,
    client: new Client({ connection }),
    async stop() {
      await connection.close();
      await stack.stop();
    },
  };
}
