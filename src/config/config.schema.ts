import { z } from 'zod';

/**
 * Every environment variable Vigil reads, validated once at boot. Nothing else in Vigil reads
 * `process.env`; services receive the parsed `AppConfig` by injection.
 */
const port = z.coerce.number().int().min(0).max(65535);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const url = z.string().url();

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/vigil'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_URL: url.default('http://127.0.0.1:8233'),
  VIGIL_TASK_QUEUE: z.string().min(1).default('vigil'),
  VIGIL_API_HOST: z.string().min(1).default('127.0.0.1'),
  VIGIL_API_PORT: port.default(3000),
  VIGIL_PUBLIC_URL: url.optional(),
  /** When set, an admin API key with exactly this value exists for tenant `default`. */
  VIGIL_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  VIGIL_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  VIGIL_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  VIGIL_MAX_BATCH_ALERTS: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Fallback poll of the outbox; the relay is woken at once on commit, so this only matters after a failure. */
  VIGIL_OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  VIGIL_OUTBOX_BATCH: z.coerce.number().int().min(1).max(5000).default(500),
  VIGIL_OUTBOX_ENABLED: bool.default(true),
  VIGIL_PLAYBOOKS_DIR: z.string().min(1).optional(),
  VIGIL_SIMULATOR_URL: url.default('http://127.0.0.1:4010'),
  /** How long a case workflow stays open after its playbook finished, waiting for more alerts. */
  VIGIL_CASE_IDLE_TIMEOUT: z.string().regex(/^\d+(ms|s|m|h|d)$/).default('7d'),
  /** Worker: seconds a sticky workflow task may wait for its worker before going to any worker. */
  VIGIL_STICKY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  VIGIL_WORKER_MAX_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(100),
  VIGIL_WORKER_MAX_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(100),
  VIGIL_WORKER_MAX_WORKFLOW_TASKS: z.coerce.number().int().min(1).max(1000).default(40),
  VIGIL_WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(2000),
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
  outbox: { pollMs: number; batch: number; enabled: boolean };
  playbooksDir: string | undefined;
  simulatorUrl: string;
  caseIdleTimeout: string;
  worker: { stickyTimeoutMs: number; maxLocalActivities: number; maxActivities: number; maxWorkflowTasks: number; maxCachedWorkflows: number };
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
    outbox: { pollMs: e.VIGIL_OUTBOX_POLL_MS, batch: e.VIGIL_OUTBOX_BATCH, enabled: e.VIGIL_OUTBOX_ENABLED },
    playbooksDir: e.VIGIL_PLAYBOOKS_DIR,
    simulatorUrl: e.VIGIL_SIMULATOR_URL,
    caseIdleTimeout: e.VIGIL_CASE_IDLE_TIMEOUT,
    worker: {
      stickyTimeoutMs: e.VIGIL_STICKY_TIMEOUT_MS,
      maxLocalActivities: e.VIGIL_WORKER_MAX_LOCAL_ACTIVITIES,
      maxActivities: e.VIGIL_WORKER_MAX_ACTIVITIES,
      maxWorkflowTasks: e.VIGIL_WORKER_MAX_WORKFLOW_TASKS,
      maxCachedWorkflows: e.VIGIL_WORKER_MAX_CACHED_WORKFLOWS,
    },
  };
}

/** DI token for the parsed configuration. */
export const APP_CONFIG = Symbol('AppConfig');
