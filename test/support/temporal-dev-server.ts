import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../src/config/project-paths.js';

interface TemporalServerLib {
  startTemporalDevServer(options: { host: string; port: number; ui: boolean; dbFile: string; logFile?: string; timeoutMs?: number }): Promise<{
    address: string;
    child: ChildProcess | undefined;
    reused: boolean;
  }>;
  canConnect(host: string, port: number, timeoutMs?: number): Promise<boolean>;
}

async function lib(): Promise<TemporalServerLib> {
  return (await import(pathToFileURL(path.join(PROJECT_ROOT, 'scripts', 'lib', 'temporal-server.mjs')).href)) as TemporalServerLib;
}

/**
 * A Temporal dev server a test owns, so it may stop and start it: started with the exact flags of the
 * development server (scripts/lib/temporal-server.mjs: search attributes, lifted poll limits), headless,
 * on the first free port from `firstPort` (never the shared 7233), persisting to `dbFile` so a restart
 * keeps its workflows. Only ever stops its own process.
 */
export class OwnTemporalServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dbFile: string,
    private readonly logFile: string,
  ) {}

  static async start(options: { firstPort: number; dbFile: string; logFile: string }): Promise<OwnTemporalServer> {
    const { canConnect } = await lib();
    let port = options.firstPort;
    while (port === 7233 || (await canConnect('127.0.0.1', port))) port += 1;
    const server = new OwnTemporalServer(port, options.dbFile, options.logFile);
    await server.resume();
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the server (again), on the same port and database file. */
  async resume(): Promise<void> {
    const { startTemporalDevServer } = await lib();
    const started = await startTemporalDevServer({ host: '127.0.0.1', port: this.port, ui: false, dbFile: this.dbFile, logFile: this.logFile });
    if (started.reused || !started.child) throw new Error(`port ${this.port} is served by a Temporal server this test did not start`);
    this.child = started.child;
  }

  /** Stops this test's server process (SIGTERM, then SIGKILL after 5 s) and waits until its port is closed. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
    const { canConnect } = await lib();
    for (let i = 0; i < 100 && (await canConnect('127.0.0.1', this.port)); i++) await new Promise((r) => setTimeout(r, 50));
  }
}
