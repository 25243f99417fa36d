// Shared by Vigil's start, test and run scripts: logging, npm install on a fresh clone, the TypeScript build, child processes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function log(message) {
  process.stderr.write(`[vigil] ${message}\n`);
}

/** Runs `npm ci` (or `npm install` without a lock) in `dir` when its node_modules is missing or older than the lock file. */
export function ensureDependencies(dir = projectRoot) {
  const modules = path.join(dir, 'node_modules');
  const lock = path.join(dir, 'package-lock.json');
  const marker = path.join(modules, '.package-lock.json');
  const fresh = existsSync(marker) && (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs);
  if (fresh) return;
  log(`installing dependencies in ${path.relative(projectRoot, dir) || '.'}…`);
  const r = spawnSync('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm install failed in ${dir}`);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    // A folder's own time changes when a file in it is deleted or renamed away.
    if (entry.isDirectory()) newest = Math.max(newest, statSync(full).mtimeMs, newestMtime(full));
    else if (/\.(ts|json|yaml)$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** The top folders tsc compiles into dist/ (tsconfig.json `include`). */
const COMPILED_DIRS = ['src', 'workflows', 'integrations', 'test', 'playbooks', 'bench'];

/**
 * Deletes compiled files whose source is gone, so a moved or deleted test leaves no stale copy for the
 * runner to find. Files whose source exists are left alone: a run in progress keeps working.
 */
function removeOrphans() {
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.js(\.map)?$/.test(entry.name)) {
        const source = path.join(projectRoot, path.relative(path.join(projectRoot, 'dist'), full)).replace(/\.js(\.map)?$/, '.ts');
        if (!existsSync(source)) rmSync(full, { force: true });
      }
    }
  };
  for (const dir of COMPILED_DIRS) walk(path.join(projectRoot, 'dist', dir));
}

/** Compiles the project with TypeScript 7 into dist/ unless dist is newer than every source file. */
export function ensureBuild({ force = false } = {}) {
  const stamp = path.join(projectRoot, 'dist', '.build-stamp');
  if (!force && existsSync(stamp)) {
    const built = statSync(stamp).mtimeMs;
    const sources = COMPILED_DIRS.map((d) => path.join(projectRoot, d)).filter((d) => existsSync(d));
    const newest = Math.max(statSync(path.join(projectRoot, 'tsconfig.json')).mtimeMs, ...sources.map((d) => Math.max(statSync(d).mtimeMs, newestMtime(d))));
    if (built >= newest) return;
  }
  log('compiling TypeScript…');
  const tsc = path.join(projectRoot, 'node_modules', '.bin', 'tsc');
  const r = spawnSync(tsc, ['-p', 'tsconfig.json'], { cwd: projectRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the TypeScript build failed');
  removeOrphans();
  spawnSync('touch', [stamp]);
}

/** Starts a Node child on a compiled entry point, forwarding its output line by line with a prefix. */
export function startNode(name, entry, { env = {}, args = [], quiet = false } = {}) {
  const child = spawn(process.execPath, ['--enable-source-maps', entry, ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', quiet ? 'ignore' : 'inherit'],
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) log(`${name} exited with code ${code}`);
  });
  return child;
}

/** Stops children with SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(children, graceMs = 10_000) {
  const alive = children.filter((c) => c && c.exitCode === null && c.signalCode === null);
  await Promise.all(
    alive.map(
      (c) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
          c.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}
