import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { actionCatalogForValidation } from './action-catalog-view.js';
import { type LoadedPlaybook, type PlaybookError, type PlaybookSource, validatePlaybookSet } from './validation/index.js';
import { isPlaybookTestFile } from './testing/playbook-test-file.js';

export function isYamlFile(name: string): boolean {
  return /\.ya?ml$/.test(name);
}

/** Files named on a command line: each file as given, each folder as its YAML files (sorted). */
export async function expandPaths(paths: readonly string[], keep: (name: string) => boolean = isYamlFile): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(p)).filter(keep).sort();
      out.push(...names.map((n) => path.join(p, n)));
    } else {
      out.push(p);
    }
  }
  return out;
}

async function folderSources(dir: string, except: ReadonlySet<string>): Promise<PlaybookSource[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const sources: PlaybookSource[] = [];
  for (const name of names.filter((n) => isYamlFile(n) && !isPlaybookTestFile(n)).sort()) {
    const file = path.join(dir, name);
    if (except.has(path.resolve(file))) continue;
    sources.push({ file, text: await readFile(file, 'utf8') });
  }
  return sources;
}

/**
 * Validates playbook files as Vigil would load them: each on its own, then together with the bundled
 * playbooks (so sub-playbooks they run resolve; a given file wins over a bundled playbook with its id).
 * Only errors in the given files are reported.
 */
export async function validatePlaybookFiles(files: readonly string[], bundledDir: string): Promise<{ playbooks: LoadedPlaybook[]; errors: PlaybookError[] }> {
  const given: PlaybookSource[] = [];
  const errors: PlaybookError[] = [];
  for (const file of files) {
    try {
      given.push({ file, text: await readFile(file, 'utf8') });
    } catch (error) {
      errors.push({ file, line: 0, column: 0, path: '', code: 'io_error', message: `cannot read the file: ${(error as Error).message}` });
    }
  }
  const checked = await validateWithBundled(given, bundledDir);
  return { playbooks: checked.playbooks, errors: [...errors, ...checked.errors] };
}

/** As `validatePlaybookFiles`, for texts that are not (yet) files. */
export async function validateWithBundled(given: readonly PlaybookSource[], bundledDir: string): Promise<{ playbooks: LoadedPlaybook[]; errors: PlaybookError[] }> {
  const resolved = new Set(given.map((g) => path.resolve(g.file)));
  const others = await folderSources(bundledDir, resolved);
  const set = validatePlaybookSet([...given, ...others], actionCatalogForValidation());
  const mine = new Set(given.map((g) => g.file));
  return { playbooks: set.playbooks.filter((p) => mine.has(p.file)), errors: set.errors.filter((e) => mine.has(e.file)) };
}

/** `file:line:col path message`, the format editors and CI annotations understand. */
export function formatPlaybookError(e: { file: string; line: number; column: number; path: string; message: string }): string {
  return `${e.file}:${e.line}:${e.column}${e.path ? ` ${e.path}` : ''} ${e.message}`;
}
