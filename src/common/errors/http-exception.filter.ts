import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { errorBody } from './error-body.js';
import { VigilError } from './vigil-error.js';

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  limit?: number;
  length?: number;
}

/** Maps every error to `{error:{code,message,details}}`; only a genuine bug becomes a 500, and its details stay in the log. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof VigilError) {
      res.status(exception.status).json(errorBody(exception.code, exception.message, exception.details));
      return;
    }
    const parserError = exception as BodyParserError;
    if (parserError?.type === 'entity.too.large') {
      res.status(413).json(errorBody('payload_too_large', `body exceeds ${parserError.limit} bytes`, { limit: parserError.limit, length: parserError.length }));
      return;
    }
    if (parserError?.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('invalid_json', 'body is not valid JSON'));
      return;
    }
    if (parserError?.type === 'encoding.unsupported' || parserError?.type === 'charset.unsupported') {
      res.status(415).json(errorBody('unsupported_media_type', 'unsupported body encoding'));
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : status >= 500 ? 'internal' : 'bad_request';
      res.status(status).json(errorBody(code, status === 404 ? 'no such route' : exception.message));
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    res.status(500).json(errorBody('internal', 'internal error'));
  }
}
