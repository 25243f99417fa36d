import { BUNDLED_PLAYBOOKS_DIR } from '../config/project-paths.js';
import { expandPaths, formatPlaybookError, validatePlaybookFiles } from '../playbooks/index.js';
import { isPlaybookTestFile, loadPlaybookTestFile } from '../playbooks/index.js';
import { type CliIo, EXIT_FAILED, EXIT_OK, UsageError } from './cli-io.js';

/**
 * `vigil playbook validate <files or folders…>`: every error as `file:line:col path message`, exit 1
 * when there is any. Playbooks are checked with the bundled playbooks beside them (sub-playbooks
 * resolve); `*.test.yaml` files are checked against the playbook test format.
 */
export async function validateCommand(paths: string[], io: CliIo, bundledDir = BUNDLED_PLAYBOOKS_DIR): Promise<number> {
  if (paths.length === 0) throw new UsageError('vigil playbook validate needs at least one file or folder');
  const files = await expandPaths(paths);
  const tests = files.filter((f) => isPlaybookTestFile(f));
  const playbooks = files.filter((f) => !isPlaybookTestFile(f));
  const { playbooks: valid, errors } = await validatePlaybookFiles(playbooks, bundledDir);
  const problems: Array<{ file: string; line: number; column: number; path: string; message: string }> = [...errors];
  let validTests = 0;
  for (const file of tests) {
    const loaded = await loadPlaybookTestFile(file);
    if (loaded.ok) validTests += 1;
    else problems.push(...loaded.errors);
  }
  for (const problem of problems) io.out(formatPlaybookError(problem));
  if (problems.length > 0) {
    io.err(`${problems.length} error(s) in ${new Set(problems.map((p) => p.file)).size} file(s)`);
    return EXIT_FAILED;
  }
  io.err(`${valid.length} playbook(s)${tests.length > 0 ? ` and ${validTests} playbook test(s)` : ''} valid`);
  return EXIT_OK;
}
