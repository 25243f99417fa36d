#!/usr/bin/env node
// Writes playbooks/playbook.schema.json from the zod playbook schema. Run after `npm run build`;
// a unit test fails while the committed file differs from what this writes.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(root, 'dist', 'src', 'playbooks', 'playbook-json-schema.js');

let renderPlaybookJsonSchema;
try {
  ({ renderPlaybookJsonSchema } = await import(pathToFileURL(compiled).href));
} catch (error) {
  console.error(`cannot load ${path.relative(root, compiled)} (run \`npm run build\` first): ${error.message}`);
  process.exit(1);
}

const target = path.join(root, 'playbooks', 'playbook.schema.json');
await writeFile(target, renderPlaybookJsonSchema(), 'utf8');
console.log(`wrote ${path.relative(root, target)}`);
