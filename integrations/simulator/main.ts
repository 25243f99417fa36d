import { startSimulator } from './simulator.js';

/** Runs the vendor simulator on VIGIL_SIMULATOR_HOST:VIGIL_SIMULATOR_PORT (SMTP on VIGIL_SIMULATOR_SMTP_PORT). */
function portFrom(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid port ${value}`);
  return n;
}

const host = process.env['VIGIL_SIMULATOR_HOST'] ?? '127.0.0.1';
const port = portFrom(process.env['VIGIL_SIMULATOR_PORT'], 4010);
const smtpPort = portFrom(process.env['VIGIL_SIMULATOR_SMTP_PORT'], 4025);

const simulator = await startSimulator({ host, port, smtpPort });
process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: 'vendor simulator listening', url: simulator.url, smtpPort: simulator.smtpPort })}\n`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  simulator
    .close()
    .then(() => {
      process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: 'vendor simulator stopped', signal })}\n`);
      process.exit(0);
    })
    .catch(() => process.exit(1));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
