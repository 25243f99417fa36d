import { VigilError } from '../errors/vigil-error.js';

/**
 * Opaque page cursors: base64url JSON of the last row's sort key, tagged with what issued it
 * (endpoint and sort), so a cursor is refused by a list it does not belong to.
 */
export interface PageCursor {
  kind: string;
  values: unknown[];
}

export function encodeCursor(kind: string, values: unknown[]): string {
  return Buffer.from(JSON.stringify({ k: kind, v: values }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, kind: string): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new VigilError('invalid_cursor', 'the cursor is not one this endpoint issued');
  }
  const c = parsed as { k?: unknown; v?: unknown } | null;
  if (!c || typeof c !== 'object' || c.k !== kind || !Array.isArray(c.v)) {
    throw new VigilError('invalid_cursor', 'the cursor is not one this endpoint issued (or was made for another sort order)', { expected: kind });
  }
  return { kind, values: c.v };
}
