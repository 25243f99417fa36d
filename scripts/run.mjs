#!/usr/bin/env node
// `npm run start:api`, `start:worker`, `start:app`, `migration:check`: one Vigil process, after installing and building
// what is missing. Temporal, PostgreSQL and the simulator are expected to be running (see `npm run temporal`).
import { spawn } from 'node:child_process';
import { MAIN, prepareCode } from './lib/stack.mjs';

const command = process.argv[2] ?? 'all';
prepareCode();
const child = spawn(process.execPath, ['--enable-source-maps', MAIN, command], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
