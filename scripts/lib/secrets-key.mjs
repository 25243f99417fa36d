// Development and tests only: the key that encrypts connection secrets when VIGIL_SECRETS_KEYS is not set.
// It is generated once into .data/secrets.key (git-ignored) and handed to Vigil by environment; production
// sets VIGIL_SECRETS_KEYS itself (Vigil refuses to start in production without it).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './process-tools.mjs';

export const DEV_SECRETS_KEY_FILE = path.join(projectRoot, '.data', 'secrets.key');

/** The value for VIGIL_SECRETS_KEYS: the environment's when set, else the development key (created on first use). */
export function developmentSecretsKeys() {
  if (process.env.VIGIL_SECRETS_KEYS) return process.env.VIGIL_SECRETS_KEYS;
  mkdirSync(path.dirname(DEV_SECRETS_KEY_FILE), { recursive: true });
  try {
    const stamp = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    writeFileSync(DEV_SECRETS_KEY_FILE, `dev-${stamp}:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  return readFileSync(DEV_SECRETS_KEY_FILE, 'utf8').trim();
}
