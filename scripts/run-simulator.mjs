#!/usr/bin/env node
// `npm run simulator`: Vigil's vendor simulator on 127.0.0.1:4010 (VIGIL_SIMULATOR_HOST / VIGIL_SIMULATOR_PORT).
import { prepareCode, runForeground, SIMULATOR_MAIN } from './lib/stack.mjs';

prepareCode();
runForeground(SIMULATOR_MAIN);
