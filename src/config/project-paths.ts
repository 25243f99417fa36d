import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, whether running from src (tests) or dist/src (compiled). */
function findRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const parts = here.split(path.sep);
  const distAt = parts.lastIndexOf('dist');
  if (distAt > 0) return parts.slice(0, distAt).join(path.sep) || path.sep;
  return path.resolve(here, '..', '..');
}

export const PROJECT_ROOT = findRoot();
export const BUNDLED_PLAYBOOKS_DIR = path.join(PROJECT_ROOT, 'playbooks');
/** The shared fixtures beside the project (`../shared/fixtures`), unless VIGIL_FIXTURES_DIR names another place. */
export const DEFAULT_FIXTURES_DIR = path.join(PROJECT_ROOT, '..', 'shared', 'fixtures');
