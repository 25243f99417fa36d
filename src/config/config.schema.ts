import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * Every environment variable Vigil reads, validated once at boot. Nothing else in Vigil reads
 * `process.env`; services receive the parsed `AppConfig` by injection.
 */
const port = z.coerce.number().int().min(0).max(65535);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const url = z.string().url();

/** `keyId:base64key[,keyId:base64key…]`: each key decodes to 32 bytes (AES-256); ids are unique. */
function parseSecretsKeys(text: string, ctx: z.RefinementCtx): Array<{ id: string; key: string }> {
  const keys: Array<{ id: string; key: string }> = [];
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const value = colon > 0 ? entry.slice(colon + 1) : '';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id) || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value) || Buffer.from(value, 'base64').length !== 32) {
      ctx.addIssue({ code: 'custom', message: `entry ${keys.length + 1} is not keyId:base64 of a 32-byte key` });
      return z.NEVER;
    }
    if (keys.some((k) => k.id === id)) {
      ctx.addIssue({ code: 'custom', message: `key id ${id} appears twice` });
      return z.NEVER;
    }
    keys.push({ id, key: Buffer.from(value, 'base64').toString('base64') });
  }
  if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'names no key' });
  return keys;
}

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/vigil'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: url.default('http://127.0.0.1:8233'),
  VIGIL_TASK_QUEUE: z.string().min(1).default('vigil'),
  VIGIL_API_HOST: z.string().min(1).default('127.0.0.1'),
  VIGIL_API_PORT: port.default(3000),
  VIGIL_PUBLIC_URL: url.optional(),
  /** When set, an admin API key with exactly this value exists for tenant `default`. */
  VIGIL_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  VIGIL_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  VIGIL_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  VIGIL_MAX_BATCH_ALERTS: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Fallback poll of the outbox; the relay is woken at once on commit, so this only matters after a failure. */
  VIGIL_OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  VIGIL_OUTBOX_BATCH: z.coerce.number().int().min(1).max(5000).default(500),
  /** How long a claimed outbox row stays with its relay; a relay that died holding rows leaves them to others after this. */
  VIGIL_OUTBOX_LEASE_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  VIGIL_OUTBOX_ENABLED: bool.default(true),
  VIGIL_PLAYBOOKS_DIR: z.string().min(1).optional(),
  /** The shared fixtures (vendor payloads, CACAO playbooks) that playbook tests may name as `shared:alerts/…`. */
  VIGIL_FIXTURES_DIR: z.string().min(1).optional(),
  /** `vigil playbook test`: the database its throwaway tenants and cases go to. */
  VIGIL_TEST_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/vigil_test'),
  VIGIL_SIMULATOR_URL: url.default('http://127.0.0.1:4010'),
  /** Development and tests: tenants without a connection of their own for a vendor use the simulator's. */
  VIGIL_SIMULATOR_CONNECTIONS: bool.default(false),
  /** Keys that encrypt connection secrets, `keyId:base64key[,keyId:base64key…]` (32-byte keys); the first encrypts, all decrypt. Required in production. */
  VIGIL_SECRETS_KEYS: z.string().transform(parseSecretsKeys).optional(),
  /** Signs approval links (HMAC-SHA256), at least 32 characters. Required in production; elsewhere a random per-process key is used. */
  VIGIL_LINK_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long a case workflow stays open after its playbook finished, waiting for more alerts. */
  VIGIL_CASE_IDLE_TIMEOUT: z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/)
    .default('7d'),
  /** Worker: seconds a sticky workflow task may wait for its worker before going to any worker. */
  VIGIL_STICKY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  VIGIL_WORKER_MAX_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(100),
  VIGIL_WORKER_MAX_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(100),
  VIGIL_WORKER_MAX_WORKFLOW_TASKS: z.coerce.number().int().min(1).max(1000).default(40),
  VIGIL_WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(2000),
  /** Bearer token a Prometheus scraper sends to `/metrics` (API and worker); MSSP operator keys work too. Unset: operator keys only. */
  VIGIL_METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Worker: serve its own `/metrics` (same access as the API's) on this port; unset: no metrics server in the worker. */
  VIGIL_WORKER_METRICS_PORT: port.optional(),
  VIGIL_WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Loopback port where the Temporal SDK's own Prometheus exporter listens; Vigil's `/metrics` of that process appends its series. Unset: off. */
  VIGIL_TEMPORAL_METRICS_PORT: port.optional(),
});

export type EnvConfig = z.infer<typeof configSchema>;

export interface AppConfig {
  env: EnvConfig['NODE_ENV'];
  databaseUrl: string;
  databasePoolSize: number;
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl: string };
  api: { host: string; port: number; publicUrl: string; maxBodyBytes: number; maxBatchAlerts: number };
  adminKey: string | undefined;
  logLevel: EnvConfig['VIGIL_LOG_LEVEL'];
  outbox: { pollMs: number; batch: number; enabled: boolean; leaseMs: number };
  playbooksDir: string | undefined;
  fixturesDir: string | undefined;
  testDatabaseUrl: string;
  simulatorUrl: string;
  simulatorConnections: boolean;
  /** Connection-secret keys, current first (base64 32-byte keys); empty when none is configured. */
  secretsKeys: ReadonlyArray<{ id: string; key: string }>;
  caseIdleTimeout: string;
  /** Approval links: the HMAC key, and whether it is a random per-process key (development and tests only). */
  approvalLinks: { signingKey: string; ephemeralKey: boolean };
  worker: { stickyTimeoutMs: number; maxLocalActivities: number; maxActivities: number; maxWorkflowTasks: number; maxCachedWorkflows: number };
  /** Who may scrape (`token`), the worker's own metrics server, and the Temporal SDK exporter's loopback port. */
  metrics: { token: string | undefined; workerPort: number | undefined; workerHost: string; temporalPort: number | undefined };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment; throws ConfigError listing every problem by variable name. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.VIGIL_SECRETS_KEYS) {
    throw new ConfigError(['VIGIL_SECRETS_KEYS: required in production (keyId:base64 32-byte key), e.g. main:$(openssl rand -base64 32)']);
  }
  if (e.NODE_ENV === 'production' && !e.VIGIL_LINK_SIGNING_KEY) {
    throw new ConfigError(['VIGIL_LINK_SIGNING_KEY: required in production (signs approval links), e.g. $(openssl rand -hex 32)']);
  }
  return {
    env: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.VIGIL_TASK_QUEUE, uiUrl: e.TEMPORAL_UI_URL },
    api: {
      host: e.VIGIL_API_HOST,
      port: e.VIGIL_API_PORT,
      publicUrl: e.VIGIL_PUBLIC_URL ?? `http://${e.VIGIL_API_HOST}:${e.VIGIL_API_PORT}`,
      maxBodyBytes: e.VIGIL_MAX_BODY_BYTES,
      maxBatchAlerts: e.VIGIL_MAX_BATCH_ALERTS,
    },
    adminKey: e.VIGIL_ADMIN_KEY,
    logLevel: e.VIGIL_LOG_LEVEL,
    outbox: { pollMs: e.VIGIL_OUTBOX_POLL_MS, batch: e.VIGIL_OUTBOX_BATCH, enabled: e.VIGIL_OUTBOX_ENABLED, leaseMs: e.VIGIL_OUTBOX_LEASE_MS },
    playbooksDir: e.VIGIL_PLAYBOOKS_DIR,
    fixturesDir: e.VIGIL_FIXTURES_DIR,
    testDatabaseUrl: e.VIGIL_TEST_DATABASE_URL,
    simulatorUrl: e.VIGIL_SIMULATOR_URL,
    simulatorConnections: e.VIGIL_SIMULATOR_CONNECTIONS,
    secretsKeys: e.VIGIL_SECRETS_KEYS ?? [],
    caseIdleTimeout: e.VIGIL_CASE_IDLE_TIMEOUT,
    // Without a configured key, links die with the process and do not work across API replicas: fine for development only.
    approvalLinks: { signingKey: e.VIGIL_LINK_SIGNING_KEY ?? randomBytes(32).toString('hex'), ephemeralKey: e.VIGIL_LINK_SIGNING_KEY === undefined },
    worker: {
      stickyTimeoutMs: e.VIGIL_STICKY_TIMEOUT_MS,
      maxLocalActivities: e.VIGIL_WORKER_MAX_LOCAL_ACTIVITIES,
      maxActivities: e.VIGIL_WORKER_MAX_ACTIVITIES,
      maxWorkflowTasks: e.VIGIL_WORKER_MAX_WORKFLOW_TASKS,
      maxCachedWorkflows: e.VIGIL_WORKER_MAX_CACHED_WORKFLOWS,
    },
    metrics: { token: e.VIGIL_METRICS_TOKEN, workerPort: e.VIGIL_WORKER_METRICS_PORT, workerHost: e.VIGIL_WORKER_METRICS_HOST, temporalPort: e.VIGIL_TEMPORAL_METRICS_PORT },
  };
}

/** DI token for the parsed configuration. */
export const APP_CONFIG = Symbol('AppConfig');
