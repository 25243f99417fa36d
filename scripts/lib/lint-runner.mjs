// Vigil's lint: ESLint (code rules, the workflow sandbox), dependency-cruiser (the layers) and Prettier (format), all from
// tools/lint, installed there on first use. Used by `npm run lint` and `npm test`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureDependencies, projectRoot } from './process-tools.mjs';

const lintDir = path.join(projectRoot, 'tools', 'lint');
/** The folders whose imports the layer rules check. */
export const LAYERED_FOLDERS = ['src', 'workflows', 'integrations', 'test', 'bench'];
export const DEPENDENCY_RULES = path.join(lintDir, 'dependency-rules.cjs');

/** What the formatter checks (its settings: .prettierrc.json, .prettierignore). */
export const FORMATTED = ['src/**/*.ts', 'workflows/**/*.ts', 'integrations/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.mjs', 'bin/**/*.mjs', 'tools/lint/*.{js,cjs}'];

export function depcruiseBin() {
  ensureDependencies(lintDir);
  return path.join(lintDir, 'node_modules', '.bin', 'depcruise');
}

/** Runs the linters and the format check; `inherit` prints as they go, otherwise their output is returned. */
export function runLint({ inherit = false, eslintArgs = [] } = {}) {
  ensureDependencies(lintDir);
  const stdio = inherit ? 'inherit' : 'pipe';
  const eslint = spawnSync(path.join(lintDir, 'node_modules', '.bin', 'eslint'), ['--config', path.join(lintDir, 'eslint.config.js'), ...eslintArgs, '.'], {
    cwd: projectRoot,
    stdio,
    encoding: 'utf8',
  });
  const layers = spawnSync(depcruiseBin(), [...LAYERED_FOLDERS, '--config', DEPENDENCY_RULES, '--output-type', 'err'], { cwd: projectRoot, stdio, encoding: 'utf8' });
  const format = spawnSync(path.join(lintDir, 'node_modules', '.bin', 'prettier'), ['--check', '--log-level', 'warn', ...FORMATTED], { cwd: projectRoot, stdio, encoding: 'utf8' });
  return {
    format: { ok: format.status === 0, output: `${format.stdout ?? ''}${format.stderr ?? ''}` },
    eslint: { ok: eslint.status === 0, output: `${eslint.stdout ?? ''}${eslint.stderr ?? ''}` },
    layers: { ok: layers.status === 0, output: `${layers.stdout ?? ''}${layers.stderr ?? ''}` },
  };
}
