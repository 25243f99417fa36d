import { readFile, writeFile } from 'node:fs/promises';
import { parseJsonSafely } from '../common/http/payload-guard.js';
import { BUNDLED_PLAYBOOKS_DIR } from '../config/project-paths.js';
import { cacaoPlaybookId } from '../playbooks/index.js';
import { importCacao } from '../playbooks/index.js';
import { actionCatalogForValidation } from '../playbooks/index.js';
import { formatPlaybookError, validateWithBundled } from '../playbooks/index.js';
import { loadPlaybookDirectory } from '../playbooks/index.js';
import { playbookYaml } from '../playbooks/index.js';
import { type CliIo, EXIT_FAILED, EXIT_OK } from './cli-io.js';

/**
 * `vigil playbook import-cacao <file> [-o out.yaml]`: the Vigil YAML on stdout (or in `out`), warnings
 * on stderr, exit 1 when the CACAO document is invalid. A valid document whose playbook Vigil would
 * still refuse (an action it has no integration for) is written anyway, with those errors as warnings,
 * so the author can finish it by hand.
 */
export async function importCacaoCommand(file: string, out: string | undefined, io: CliIo, bundledDir = BUNDLED_PLAYBOOKS_DIR): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    io.err(`${file}: cannot read the file: ${(error as Error).message}`);
    return EXIT_FAILED;
  }
  const parsed = parseJsonSafely(text);
  if (!parsed.ok) {
    io.err(`${file}: not a CACAO JSON document: ${parsed.error.message}`);
    return EXIT_FAILED;
  }
  const bundled = await loadPlaybookDirectory(bundledDir, actionCatalogForValidation());
  const imported = importCacao(parsed.value, {
    resolvePlaybookId: (cacaoId) => bundled.playbooks.find((p) => cacaoPlaybookId(p.playbook.id) === cacaoId)?.playbook.id,
  });
  if (!imported.ok && imported.unsupported) {
    for (const u of imported.unsupported) io.err(`${file}: ${u.pointer} ${u.construct}: ${u.message}`);
    io.err(`${imported.unsupported.length} construct(s) Vigil does not run: the CACAO document is refused`);
    return EXIT_FAILED;
  }
  if (!imported.ok) {
    for (const e of imported.errors) io.err(`${file}: ${e.path || '/'} ${e.message}`);
    io.err(`${imported.errors.length} error(s): the CACAO document is not valid`);
    return EXIT_FAILED;
  }
  for (const warning of imported.warnings) io.err(`warning: ${warning}`);
  const yaml = playbookYaml(imported.playbook);

  // Check the result as Vigil will when it is loaded.
  const { errors } = await validateWithBundled([{ file: out ?? '<stdout>', text: yaml }], bundledDir);
  for (const e of errors) io.err(`warning: ${formatPlaybookError(e)} (Vigil refuses the playbook until this is fixed)`);

  if (out) {
    await writeFile(out, yaml);
    io.err(`wrote ${out} (playbook ${imported.playbook.id})`);
  } else {
    io.out(yaml);
  }
  return EXIT_OK;
}
