import type { Request } from 'express';
import type { z } from 'zod';
import { VigilError } from '../errors/vigil-error.js';
import { parseJsonSafely } from './payload-guard.js';

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json$/;

function issuesOf(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/**
 * Reads a JSON request body and validates it with `schema` (strict objects refuse unknown fields).
 * An empty body counts as `{}` when `emptyAsObject` (action endpoints such as suspend or revert).
 */
export function parseBody<S extends z.ZodType>(schema: S, req: Request, options: { emptyAsObject?: boolean } = {}): z.output<S> {
  const raw = (req.rawBody ?? Buffer.alloc(0)).toString('utf8');
  let value: unknown;
  if (raw.trim() === '') {
    if (!options.emptyAsObject) throw new VigilError('invalid_json', 'the body is empty');
    value = {};
  } else {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!JSON_TYPE.test(type)) {
      throw new VigilError('unsupported_media_type', `content type '${type || '(none)'}' is not accepted here; send application/json`, { contentType: type || null });
    }
    const parsed = parseJsonSafely(raw);
    if (!parsed.ok) throw new VigilError(parsed.error.code === 'too_large' ? 'payload_too_large' : parsed.error.code, parsed.error.message, parsed.error.details);
    value = parsed.value;
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new VigilError('invalid_body', 'the body does not match the schema', { issues: issuesOf(result.error) });
  return result.data;
}

/** Validates the query string (repeated parameters arrive as arrays) with a strict schema. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query ?? {});
  if (!result.success) throw new VigilError('invalid_query', 'the query does not match the schema', { issues: issuesOf(result.error) });
  return result.data;
}

/** Validates path parameters with a strict schema: a malformed id is the caller's error (400 naming it), not an unknown resource. */
export function parseParams<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  const result = schema.safeParse(params ?? {});
  if (!result.success) throw new VigilError('invalid_params', 'a path parameter is malformed', { issues: issuesOf(result.error) });
  return result.data;
}
