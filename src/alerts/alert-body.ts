import type { Request } from 'express';
import { VigilError } from '../common/errors/vigil-error.js';
import type { AlertSource } from '../common/canonical-alert.js';
import { NDJSON_SOURCES } from './normalizers/index.js';
import { parseJsonSafely } from '../common/http/payload-guard.js';

const JSON_TYPES = /^application\/([a-z0-9.+-]+\+)?json$/;
/** Sources whose vendors deliver JSON lines or plain text: SNS posts `text/plain`; EVE, Falcon streams and Wazuh write NDJSON. */
const TEXT_SOURCES: ReadonlySet<string> = new Set(['guardduty', 'auto', ...NDJSON_SOURCES]);
const LINE_SOURCES: ReadonlySet<string> = new Set(['auto', ...NDJSON_SOURCES]);
const TEXT_TYPES = /^(text\/plain|application\/x-ndjson|application\/jsonl?|application\/json-seq)$/;

/**
 * Reads an alert delivery: checks the content type against what the source sends, then parses JSON
 * with the payload guard (no prototype keys, bounded nesting). NDJSON stays text for the normaliser.
 */
export function readAlertBody(req: Request, source: AlertSource | 'auto'): unknown {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const isJson = JSON_TYPES.test(type);
  const isText = TEXT_SOURCES.has(source) && TEXT_TYPES.test(type);
  if (!isJson && !isText) {
    throw new VigilError('unsupported_media_type', `content type '${type || '(none)'}' is not accepted here; send application/json`, {
      contentType: type || null,
    });
  }
  const text = (req.rawBody ?? Buffer.alloc(0)).toString('utf8');
  if (text.trim() === '') throw new VigilError('invalid_json', 'the body is empty');
  const parsed = parseJsonSafely(text);
  if (parsed.ok) return parsed.value;
  // Several JSON documents, one per line: hand the text to a line-oriented normaliser.
  if (parsed.error.code === 'invalid_json' && LINE_SOURCES.has(source) && text.includes('\n')) return text;
  throw new VigilError(parsed.error.code === 'too_large' ? 'payload_too_large' : parsed.error.code, parsed.error.message, parsed.error.details);
}
