import type { NextFunction, Request, Response } from 'express';
import { errorBody } from '../errors/error-body.js';

declare module 'express' {
  interface Request {
    /** The request body exactly as received (needed for HMAC checks and NDJSON). */
    rawBody?: Buffer;
  }
}

/**
 * Reads every request body as bytes, up to `limit`. JSON is parsed later, by the handler that knows
 * what it expects (and with the payload guard), so a bad body is answered by Vigil's own error shape.
 */
export function rawBodyMiddleware(limit: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
      next();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      res.status(413).json(errorBody('payload_too_large', `body exceeds ${limit} bytes`, { limit, length: declared }));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        res.status(413).json(errorBody('payload_too_large', `body exceeds ${limit} bytes`, { limit }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      req.rawBody = Buffer.concat(chunks);
      next();
    });
    req.on('error', () => {
      if (!failed && !res.headersSent) res.status(400).json(errorBody('bad_request', 'could not read the request body'));
      failed = true;
    });
  };
}
