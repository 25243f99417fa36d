import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { Origin, type RequestOrigin } from '../common/http/request-origin.js';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import { parseJsonSafely } from '../common/http/payload-guard.js';
import { CurrentPrincipal, type Principal, READ_ROLES, Roles } from '../common/auth/principal.js';
import type { CacaoPlaybook } from './cacao/cacao.types.js';
import { MAX_PLAYBOOK_BYTES } from './validation/index.js';
import {
  type CacaoImportReport,
  type PlaybookDetail,
  type PlaybookSummary,
  PlaybookVersionsService,
  POSTED_PLAYBOOK_FILE,
  type StoredVersion,
  type ValidationReport,
} from './playbook-versions.service.js';

const YAML_TYPES = /^(text\/yaml|text\/x-yaml|application\/yaml|application\/x-yaml|text\/plain)$/;
const JSON_TYPES = /^application\/([a-z0-9.+-]+\+)?json$/;

export const playbookJsonBodySchema = z.strictObject({
  yaml: z.string().min(1, 'the playbook text is empty').max(MAX_PLAYBOOK_BYTES),
  /** The name errors are reported under (default `playbook.yaml`). */
  file: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_.-]+$/, 'a plain file name')
    .optional(),
});
const ID_PATTERN = /^[a-z][a-z0-9_.-]{0,199}$/;
const hashQuery = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'a sha256 hex hash')
  .optional();
const activateQuery = z.enum(['true', 'false', '1', '0']).optional();

function contentType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string, code: 'invalid_body' | 'invalid_query' = 'invalid_body'): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new VigilError(code, `invalid ${what}`, { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })) });
  }
  return parsed.data;
}

/** An id that cannot name a playbook names none: 404 like any unknown id. */
function playbookId(id: string): string {
  if (!ID_PATTERN.test(id)) throw notFound('playbook', id);
  return id;
}

function readJson(req: Request): unknown {
  const text = (req.rawBody ?? Buffer.alloc(0)).toString('utf8');
  if (text.trim() === '') throw new VigilError('invalid_json', 'the body is empty');
  const parsed = parseJsonSafely(text);
  if (!parsed.ok) throw new VigilError(parsed.error.code === 'too_large' ? 'payload_too_large' : parsed.error.code, parsed.error.message, parsed.error.details);
  return parsed.value;
}

/** A playbook in the body: YAML text (`text/yaml`) or JSON `{ "yaml": "…" }`. */
function readPlaybookText(req: Request): { text: string; file: string } {
  const type = contentType(req);
  if (YAML_TYPES.test(type)) {
    const text = (req.rawBody ?? Buffer.alloc(0)).toString('utf8');
    if (text.trim() === '') throw new VigilError('invalid_body', 'the playbook text is empty');
    return { text, file: POSTED_PLAYBOOK_FILE };
  }
  if (JSON_TYPES.test(type)) {
    const body = parseOrThrow(playbookJsonBodySchema, readJson(req), 'body: expected {"yaml": "<playbook YAML>"}');
    return { text: body.yaml, file: body.file ?? POSTED_PLAYBOOK_FILE };
  }
  throw new VigilError('unsupported_media_type', `content type '${type || '(none)'}' is not accepted here; send text/yaml or application/json`, { contentType: type || null });
}

/** Playbooks of the caller's tenant: the bundled ones and its own versions. Every route is tenant-scoped. */
@Controller('api/v1/playbooks')
export class PlaybooksController {
  constructor(@Inject(PlaybookVersionsService) private readonly versions: PlaybookVersionsService) {}

  @Get()
  @Roles(...READ_ROLES)
  list(@CurrentPrincipal() principal: Principal): { playbooks: PlaybookSummary[] } {
    return { playbooks: this.versions.list(principal.tenantId) };
  }

  /** Validates, then stores and activates; 422 `invalid_playbook` with every error, and nothing stored, when invalid. */
  @Post()
  @Roles('admin', 'author')
  async create(@CurrentPrincipal() principal: Principal, @Origin() origin: RequestOrigin, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<StoredVersion> {
    const { text, file } = readPlaybookText(req);
    const stored = await this.versions.create(principal, text, file, origin);
    res.status(stored.created ? 201 : 200);
    return stored;
  }

  /** Never stores anything; 413 `playbook_too_large` over a bound of playbooks/README.md. */
  @Post('validate')
  @HttpCode(200)
  @Roles('admin', 'author', 'analyst')
  async validate(@CurrentPrincipal() principal: Principal, @Req() req: Request): Promise<ValidationReport> {
    const { text, file } = readPlaybookText(req);
    const { content: _content, ...report } = await this.versions.validate(principal.tenantId, text, file);
    return report;
  }

  /** CACAO 2.0 JSON → Vigil playbook; `?activate=true` also stores and activates it when valid. */
  @Post('import/cacao')
  @Roles('admin', 'author')
  async importCacao(
    @CurrentPrincipal() principal: Principal,
    @Origin() origin: RequestOrigin,
    @Req() req: Request,
    @Query('activate') activateText: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CacaoImportReport> {
    const activate = parseOrThrow(activateQuery, activateText, 'query: activate must be true or false', 'invalid_query');
    if (!JSON_TYPES.test(contentType(req))) {
      throw new VigilError('unsupported_media_type', 'send the CACAO playbook as application/json', { contentType: contentType(req) || null });
    }
    const report = await this.versions.importCacao(principal, readJson(req), activate === 'true' || activate === '1', origin);
    res.status(report.stored?.created ? 201 : 200);
    return report;
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<PlaybookDetail> {
    return this.versions.get(principal.tenantId, playbookId(id));
  }

  /** The playbook that runs for the tenant (or the stored version `?hash=`) as a CACAO 2.0 document. */
  @Get(':id/export/cacao')
  @Roles(...READ_ROLES)
  exportCacao(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query('hash') hash: string | undefined): Promise<CacaoPlaybook> {
    return this.versions.exportCacao(principal.tenantId, playbookId(id), parseOrThrow(hashQuery, hash, 'query: hash', 'invalid_query'));
  }
}
