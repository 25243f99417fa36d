#!/usr/bin/env node
// `npm run ocsf:report`: runs every normaliser over every alert fixture (shared and test/fixtures/alerts/)
// and checks each finding against OCSF 1.8.0 Detection Finding with the validator built from the official
// schema files. Reads the compiled code in dist/ (the npm script builds it first). Prints, per source,
// how many findings were checked and how many are valid, then the distinct issue kinds, then one line of
// JSON with the same figures. Options: --verbose prints every issue of every finding.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const compiled = path.join(root, 'dist', 'test', 'support', 'ocsf-conformance.js');
if (!existsSync(compiled)) {
  process.stderr.write(`${path.relative(root, compiled)} is missing: run npm run build first\n`);
  process.exit(2);
}
const { listAlertFixtures, checkFixture, summarise } = await import(pathToFileURL(compiled).href);
const verbose = process.argv.includes('--verbose');

const results = listAlertFixtures().map((fixture) => checkFixture(fixture));
const summary = summarise(results);

const out = (line = '') => process.stdout.write(`${line}\n`);
out('OCSF 1.8.0 Detection Finding conformance, per source (findings valid / checked):');
const width = Math.max(...Object.keys(summary.sources).map((s) => s.length));
for (const [source, figures] of Object.entries(summary.sources).sort(([a], [b]) => a.localeCompare(b)))
  out(
    `  ${source.padEnd(width)}  ${String(figures.valid).padStart(3)} / ${String(figures.checked).padEnd(3)} valid   (${figures.fixtures} fixture${figures.fixtures === 1 ? '' : 's'})`,
  );
out(`  ${'all'.padEnd(width)}  ${String(summary.valid).padStart(3)} / ${String(summary.checked).padEnd(3)} valid`);
for (const result of results) {
  if (result.fixture.source === undefined) out(`  ! ${result.fixture.label}: no normaliser claims it`);
  if (result.failures.length > 0) out(`  ! ${result.fixture.label}: ${result.failures.length} item(s) refused by the normaliser`);
}
out();
out('Distinct issue kinds (findings having it):');
for (const [kind, count] of Object.entries(summary.issueKinds).sort(([a, x], [b, y]) => y - x || a.localeCompare(b))) out(`  ${String(count).padStart(3)}  ${kind}`);
if (verbose)
  for (const result of results)
    for (const finding of result.findings) {
      if (finding.issues.length === 0) continue;
      out();
      out(`${result.fixture.label} item ${finding.index} (${finding.uid}):`);
      for (const issue of finding.issues) out(`  ${issue.path} [${issue.code}] ${issue.message}`);
    }
out(
  JSON.stringify({
    ocsf: '1.8.0',
    class_uid: 2004,
    checked: summary.checked,
    valid: summary.valid,
    sources: summary.sources,
    issue_codes: summary.issueCodes,
    issue_kinds: summary.issueKinds,
  }),
);
