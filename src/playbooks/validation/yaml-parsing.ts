/**
 * Playbook YAML parsed in time linear in its size. The yaml library finds duplicate keys by comparing
 * each key with every earlier key of its mapping, which is quadratic: 30,000 keys cost seconds. So the
 * text is parsed without that check and duplicates are found with one set per mapping; small documents
 * that have duplicates are parsed again with the library's own check, so their errors stay exactly its.
 */
import { type Document, isScalar, type LineCounter, parseDocument, visit, YAMLParseError } from 'yaml';

/** Up to this many mapping pairs, a document with duplicate keys is parsed again by the library's own check. */
const EXACT_DUPLICATE_CHECK_PAIRS = 2_000;

export function parsePlaybookYaml(text: string, lineCounter: LineCounter): Document.Parsed {
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  let pairs = 0;
  const duplicates: YAMLParseError[] = [];
  visit(doc, {
    Map(_, map) {
      pairs += map.items.length;
      // The library's test: the same key node, or scalars with strictly equal values (1 and "1" differ).
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key)) continue;
        if (seen.has(key.value) && !Number.isNaN(key.value)) {
          const at = key.range?.[0] ?? 0;
          duplicates.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
        } else seen.add(key.value);
      }
    },
  });
  if (duplicates.length === 0) return doc;
  if (pairs <= EXACT_DUPLICATE_CHECK_PAIRS) {
    // The counter recorded the first parse's lines; the second records them again.
    lineCounter.lineStarts.length = 0;
    return parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  }
  // The library reports them as it composes, in source order; keep its other errors' order.
  duplicates.sort((a, b) => a.pos[0] - b.pos[0]);
  const merged: YAMLParseError[] = [];
  let d = 0;
  for (const error of doc.errors) {
    while (d < duplicates.length && duplicates[d].pos[0] < error.pos[0]) merged.push(duplicates[d++]);
    merged.push(error);
  }
  merged.push(...duplicates.slice(d));
  doc.errors.splice(0, doc.errors.length, ...merged);
  return doc;
}
