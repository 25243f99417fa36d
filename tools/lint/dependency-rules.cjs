// Vigil's layers as dependency-cruiser rules: each folder README's "may import" line, checked by
// `npm run lint` (scripts/lint.mjs). Paths are relative to the project root.
//
//   workflows/language   the playbook language: pure, imports only itself (and jsep)
//   workflows/contracts  what workflows and the worker agree on: imports the language
//   workflows/**         deterministic: Temporal's workflow API, its own files, and types from elsewhere
//   integrations/        vendor adapters: nothing of Vigil's internals
//   src/<feature>/       reaches another feature only through that feature's index.ts
//   src/composition/     the one place that wires everything together
//   test/                anything; nothing in the production tree imports test/
const PRODUCTION = '^(src|workflows|integrations)/';
const TEST_FILE = '\\.test\\.ts$';
/** Folders under src/ that every feature may use directly: configuration, errors, the entities and migrations. */
const SHARED_KERNEL = '^src/(config|common|persistence)/';

module.exports = {
  forbidden: [
    {
      name: 'no-import-cycles',
      comment: 'No value import circles anywhere: a circle means two modules are one, or one is in the wrong layer. (A circle of type imports alone is erased at compile time.)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'workflows-no-runtime-from-src',
      comment: 'workflows/ is replayed deterministically: it may import only the types of src/ and integrations/ code.',
      severity: 'error',
      from: { path: '^workflows/', pathNot: TEST_FILE },
      to: { path: '^(src|integrations)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-sandbox-packages',
      comment: 'workflows/ may use only @temporalio/workflow, @temporalio/common, jsep and re2js (pure JavaScript RE2) at run time: no Node modules, no I/O libraries.',
      severity: 'error',
      from: { path: '^workflows/', pathNot: TEST_FILE },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown', 'core'],
        dependencyTypesNot: ['type-only'],
        pathNot: '^node_modules/(@temporalio/(workflow|common)|jsep|re2js)/',
      },
    },
    {
      name: 'language-is-the-bottom',
      comment: 'The playbook language imports nothing but itself: workflows and src/playbooks both build on it.',
      severity: 'error',
      from: { path: '^workflows/language/', pathNot: TEST_FILE },
      to: { path: '^(workflows/(?!language/)|src/|integrations/)' },
    },
    {
      name: 'contracts-above-language-only',
      comment: 'Contracts name types the workflow and the worker share; they import only the language and each other.',
      severity: 'error',
      from: { path: '^workflows/contracts/', pathNot: TEST_FILE },
      to: { path: '^(workflows/(?!(contracts|language)/)|src/|integrations/)' },
    },
    {
      name: 'integrations-know-nothing-of-vigil',
      comment: 'Vendor adapters stay free of Vigil internals (no src/, no workflows/).',
      severity: 'error',
      from: { path: '^integrations/', pathNot: TEST_FILE },
      to: { path: '^(src|workflows)/' },
    },
    {
      name: 'features-through-their-index',
      comment: 'A src/ feature reaches another only through what that feature exports (its index.ts).',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: ['^src/composition/', SHARED_KERNEL, TEST_FILE] },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/composition/', SHARED_KERNEL] },
    },
    {
      name: 'composition-at-the-top',
      comment: 'Only the entry points (src/main.ts, the vigil command in src/cli/) import the composition folder.',
      severity: 'error',
      from: { path: PRODUCTION, pathNot: ['^src/composition/', '^src/main\\.ts$', '^src/cli/', TEST_FILE] },
      to: { path: '^src/composition/' },
    },
    {
      name: 'kernel-depends-on-no-feature',
      comment: "Configuration, errors and persistence sit below every feature (an entity may name a feature's type).",
      severity: 'error',
      from: { path: SHARED_KERNEL, pathNot: TEST_FILE },
      to: { path: '^src/', pathNot: SHARED_KERNEL, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-test-code-in-production',
      comment: 'Test helpers live under test/; production code never imports them or a test file.',
      severity: 'error',
      from: { path: PRODUCTION, pathNot: TEST_FILE },
      to: { path: ['^test/', TEST_FILE] },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|tools|\\.tools|\\.data)/' },
    moduleSystems: ['es6'],
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
