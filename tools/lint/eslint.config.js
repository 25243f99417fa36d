// Vigil's lint rules. Kept in tools/lint with its own TypeScript 6 (typescript-eslint needs the classic
// compiler API; Vigil itself builds with TypeScript 7). Run through `npm run lint` or `npm test`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * What deterministic workflow code may not import: Node built-ins, I/O libraries and the non-workflow Temporal SDK.
 * Which folders workflows/ may import (at any depth) is a layer rule in dependency-rules.cjs.
 */
const WORKFLOW_FENCE = {
  paths: ['axios', 'pg', 'typeorm', 'handlebars', 'nodemailer', 'smtp-server', 'yaml', 'zod', 'reflect-metadata', 'rxjs'].map((name) => ({
    name,
    message: 'workflows/ is deterministic: do I/O and parsing in activities.',
  })),
  patterns: [
    { regex: '^node:', message: 'workflows/ may not use Node modules.' },
    { regex: '^(fs|path|crypto|http|https|net|os|child_process|timers|worker_threads|process|util|stream|events|dns|url)(/.*)?$', message: 'workflows/ may not use Node modules.' },
    { regex: '^@nestjs/', message: 'workflows/ may not use NestJS.' },
    { regex: '^@temporalio/(client|worker|activity|testing)$', message: 'workflows/ imports only @temporalio/workflow (and @temporalio/common).' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tools/**', '.tools/**', '.data/**', 'scripts/**', 'bin/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    files: ['src/**/*.ts', 'integrations/**/*.ts', 'workflows/**/*.ts'],
    ignores: ['src/main.ts', 'src/config/**', 'integrations/simulator/main.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through src/config (one validated schema).' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', WORKFLOW_FENCE],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'No I/O in workflows.' }, { name: 'require', message: 'No require in workflows.' }],
    },
  },
);
