#!/usr/bin/env node
// `npm run start:api`, `start:worker`, `start:app`, `migration:check`: one Vigil process, after installing and building
// what is missing. Temporal, PostgreSQL and the simulator are expected to be running (see `npm run temporal`).
import { MAIN, prepareCode, runForeground } from './lib/stack.mjs';
import { developmentSecretsKeys } from './lib/secrets-key.mjs';

const command = process.argv[2] ?? 'all';
prepareCode();
// Outside production the same development key as `npm start`, so both read each other's connections.
const env = process.env.NODE_ENV === 'production' ? process.env : { ...process.env, VIGIL_SECRETS_KEYS: developmentSecretsKeys() };
runForeground(MAIN, [command], env);
