// Vigil's lint: ESLint (code rules, the workflow sandbox), dependency-cruiser (the layers) and Prettier (format), all from
// tools/lint, installed there on first use. Used by `npm run lint`, `npm run format` and `npm test`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureDependencies, projectRoot } from './process-tools.mjs';

const lintDir = path.join(projectRoot, 'tools', 'lint');
/** The folders whose imports the layer rules check. */
export const LAYERED_FOLDERS = ['src', 'workflows', 'integrations', 'test', 'bench'];
export const DEPENDENCY_RULES = path.join(lintDir, 'dependency-rules.cjs');

/** What the formatter checks (its settings: .prettierrc.json, .prettierignore). */
export const FORMATTED = [
  'src/**/*.ts',
  'workflows/**/*.ts',
  'integrations/**/*.ts',
  'test/**/*.ts',
  'bench/**/*.ts',
  'scripts/**/*.mjs',
  'bin/**/*.mjs',
  'tools/lint/*.{js,cjs}',
  'tools/ocsf/*.mjs',
];

/** Runs one of tools/lint's commands in the project root; `inherit` prints as it goes, otherwise its output is returned. */
export function runLintTool(name, args, inherit) {
  const r = spawnSync(path.join(lintDir, 'node_modules', '.bin', name), args, { cwd: projectRoot, stdio: inherit ? 'inherit' : 'pipe', encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export function ensureLintTools() {
  ensureDependencies(lintDir);
}

/** Runs the linters and the format check. */
export function runLint({ inherit = false, eslintArgs = [] } = {}) {
  ensureLintTools();
  return {
    eslint: runLintTool('eslint', ['--config', path.join(lintDir, 'eslint.config.js'), ...eslintArgs, '.'], inherit),
    layers: runLintTool('depcruise', [...LAYERED_FOLDERS, '--config', DEPENDENCY_RULES, '--output-type', 'err'], inherit),
    format: runLintTool('prettier', ['--check', '--log-level', 'warn', ...FORMATTED], inherit),
  };
}
