#!/usr/bin/env node
// `npm run simulator`: Vigil's vendor simulator on 127.0.0.1:4010 (VIGIL_SIMULATOR_HOST / VIGIL_SIMULATOR_PORT).
import { spawn } from 'node:child_process';
import { prepareCode, SIMULATOR_MAIN } from './lib/stack.mjs';

prepareCode();
const child = spawn(process.execPath, ['--enable-source-maps', SIMULATOR_MAIN], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.once('exit', (code) => process.exit(code ?? 0));
