import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { formatPath } from '../validation/index.js';
import { type PlaybookTest, playbookTestSchema } from './playbook-test.schema.js';

/** A problem in a playbook test file, located like playbook errors. */
export interface PlaybookTestFileError {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export type PlaybookTestFile = { ok: true; file: string; dir: string; test: PlaybookTest } | { ok: false; file: string; errors: PlaybookTestFileError[] };

export function isPlaybookTestFile(name: string): boolean {
  return /\.test\.ya?ml$/.test(name);
}

/** The node at a data path, or the deepest one that exists. */
function nodeAt(root: unknown, segments: readonly PropertyKey[]): YamlNode | undefined {
  let node = root as YamlNode | undefined;
  for (const segment of segments) {
    let next: unknown;
    if (isMap(node)) next = node.items.find((pair) => String((pair.key as { value?: unknown } | null)?.value) === String(segment))?.value;
    else if (isSeq(node) && typeof segment === 'number') next = node.items[segment];
    if (next === undefined || next === null) break;
    node = next as YamlNode;
  }
  return node;
}

/** Reads and checks a playbook test file; errors name line, column and path like the playbook validator's. */
export function parsePlaybookTestText(text: string, file: string): PlaybookTestFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): { line: number; column: number } => {
    const { line, col } = lines.linePos(offset);
    return { line: Math.max(line, 1), column: Math.max(col, 1) };
  };
  if (doc.errors.length > 0) {
    return { ok: false, file, errors: doc.errors.map((e) => ({ file, ...at(e.pos[0]), path: '', message: e.message.split('\n')[0]! })) };
  }
  const parsed = playbookTestSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => {
      const node = nodeAt(doc.contents, issue.path);
      const where = node?.range ? at(node.range[0]) : { line: 1, column: 1 };
      const segments = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
      return { file, ...where, path: formatPath(segments), message: issue.message };
    });
    return { ok: false, file, errors };
  }
  return { ok: true, file, dir: path.dirname(file), test: parsed.data };
}

export async function loadPlaybookTestFile(file: string): Promise<PlaybookTestFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { ok: false, file, errors: [{ file, line: 0, column: 0, path: '', message: `cannot read the file: ${(error as Error).message}` }] };
  }
  return parsePlaybookTestText(text, file);
}
