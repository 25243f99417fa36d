/**
 * Stable content fingerprints for sources that send no alert id (Splunk results, Vigil's
 * generic format without `sourceId`): the same content always gives the same uid, whatever
 * the key order the sender used.
 */
import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level. Iterative, so it is safe on payloads that have
 * already passed the payload guard's depth limit and on anything deeper.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Each stack entry is either a value to render or a literal piece of text.
  const stack: Array<{ text: string } | { value: unknown }> = [{ value }];
  while (stack.length > 0) {
    const top = stack.pop();
    if (top === undefined) break;
    if ('text' in top) {
      out.push(top.text);
      continue;
    }
    const v = top.value;
    if (v === null || typeof v !== 'object') {
      // `undefined`, functions and symbols do not occur in parsed JSON; render them as null.
      const rendered = typeof v === 'number' && !Number.isFinite(v) ? 'null' : JSON.stringify(v);
      out.push(rendered === undefined ? 'null' : rendered);
      continue;
    }
    if (Array.isArray(v)) {
      const pieces: Array<{ text: string } | { value: unknown }> = [{ text: '[' }];
      v.forEach((item, i) => {
        if (i > 0) pieces.push({ text: ',' });
        pieces.push({ value: item });
      });
      pieces.push({ text: ']' });
      for (let i = pieces.length - 1; i >= 0; i--) stack.push(pieces[i]);
      continue;
    }
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    const pieces: Array<{ text: string } | { value: unknown }> = [{ text: '{' }];
    keys.forEach((k, i) => {
      pieces.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` });
      pieces.push({ value: record[k] });
    });
    pieces.push({ text: '}' });
    for (let i = pieces.length - 1; i >= 0; i--) stack.push(pieces[i]);
  }
  return out.join('');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** sha256 of the canonical JSON of `value`, hex. */
export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
