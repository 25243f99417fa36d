import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { stringify } from 'yaml';
import { auditBy, recordAudit } from '../audit/index.js';
import type { RequestOrigin } from '../common/http/request-origin.js';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import type { Principal } from '../common/auth/principal.js';
import type { Playbook, PlaybookTrigger } from '../../workflows/language/playbook.types.js';
import { cacaoPlaybookId } from './cacao/cacao-export.js';
import type { CacaoPlaybook } from './cacao/cacao.types.js';
import { type CatalogEntry, PLAYBOOKS_CHANNEL, PlaybookLibraryService, type PlaybookOrigin, type TenantVersionRow } from './playbook-library.service.js';
import { ValidationPool } from './validation-pool.js';
import { MAX_PLAYBOOK_BYTES, type PlaybookTooLarge, type ValidationReport } from './validation/index.js';

export type { ValidationReport } from './validation/index.js';

/** The name errors of a posted playbook are reported under, unless the caller gives one. */
export const POSTED_PLAYBOOK_FILE = 'playbook.yaml';

export interface PlaybookSummary {
  id: string;
  name: string;
  version: string;
  hash: string;
  /** `bundled` (from the playbooks folder, every tenant has it) or `tenant` (this tenant's own version). */
  source: PlaybookOrigin;
  description: string | null;
  priority: number;
  triggers: PlaybookTrigger[];
  /** True when this is what runs for the tenant; a bundled playbook the tenant overrides is inactive. */
  active: boolean;
  createdBy: string | null;
  createdAt: string | null;
}

export interface PlaybookVersionSummary {
  version: string;
  hash: string;
  active: boolean;
  createdBy: string;
  createdAt: string;
}

export interface PlaybookDetail extends PlaybookSummary {
  yaml: string | null;
  content: Playbook;
  /** The bundled playbook with this id, if any, and whether the tenant overrides it. */
  bundled: { version: string; hash: string; overridden: boolean } | null;
  /** The tenant's stored versions, newest first. */
  versions: PlaybookVersionSummary[];
}

export interface StoredVersion {
  playbook: PlaybookSummary;
  /** False when the same content was already stored (it is (re)activated instead). */
  created: boolean;
}

export interface CacaoImportReport extends ValidationReport {
  yaml: string;
  warnings: string[];
  stored?: StoredVersion;
}

/** The YAML text Vigil writes for a playbook it produced itself (CACAO import): the schema comment, then the playbook. */
export function playbookYaml(playbook: Playbook): string {
  return `# yaml-language-server: $schema=./playbook.schema.json\n${stringify(playbook, { lineWidth: 0 })}`;
}

/** 413 `playbook_too_large`: the bound, its limit and where it was crossed; nothing was validated or stored. */
function tooLargeError(tooLarge: PlaybookTooLarge): VigilError {
  return new VigilError('playbook_too_large', tooLarge.message, tooLarge.details);
}

/** Every error of a report, listed or not. */
function errorCount(report: ValidationReport): number {
  return report.errors.length + (report.omittedErrors ?? 0);
}

/** `value` with the report's `omittedErrors` when it lists only some errors. */
function omitted<T extends object>(report: ValidationReport, value: T): T & { omittedErrors?: number } {
  return report.omittedErrors === undefined ? value : { ...value, omittedErrors: report.omittedErrors };
}

function summary(entry: CatalogEntry, active: boolean): PlaybookSummary {
  const p = entry.playbook;
  return {
    id: p.id,
    name: p.name,
    version: p.version,
    hash: entry.hash,
    source: entry.origin,
    description: p.description ?? null,
    priority: p.priority ?? 0,
    triggers: p.triggers ?? [],
    active,
    createdBy: entry.createdBy ?? null,
    createdAt: entry.createdAt ?? null,
  };
}

/**
 * Tenants' own playbook versions: validated with the same validator and integration catalogue as the
 * bundled playbooks, against the set the tenant runs (so sub-playbook references resolve), and stored
 * only when valid. Storing a version activates it and deactivates the tenant's previous version of that
 * id in one transaction; the catalogue is told at once, other processes by NOTIFY.
 */
@Injectable()
export class PlaybookVersionsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(PlaybookLibraryService) private readonly catalog: PlaybookLibraryService,
    @Inject(ValidationPool) private readonly pool: ValidationPool,
  ) {}

  /**
   * Validates a playbook text as it would run for this tenant: alone, then with the tenant's other playbooks.
   * On a validation thread; a text over a bound is refused with 413 `playbook_too_large`.
   */
  async validate(tenantId: string, text: string, file = POSTED_PLAYBOOK_FILE): Promise<ValidationReport & { content?: Playbook }> {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_PLAYBOOK_BYTES) {
      throw tooLargeError({ message: `the playbook is ${bytes} bytes; the most Vigil accepts is ${MAX_PLAYBOOK_BYTES}`, details: { bound: 'bytes', limit: MAX_PLAYBOOK_BYTES } });
    }
    const others = this.catalog
      .list(tenantId)
      .filter((e) => e.yaml !== undefined)
      .map((e) => ({ id: e.playbook.id, file: this.label(e), text: e.yaml! }));
    const outcome = await this.pool.validate(text, file, others);
    if (outcome.tooLarge) throw tooLargeError(outcome.tooLarge);
    return outcome.content ? { ...outcome.report, content: outcome.content } : outcome.report;
  }

  private label(entry: CatalogEntry): string {
    return entry.origin === 'bundled' ? `bundled:${path.basename(entry.file)}` : `tenant:${entry.playbook.id}@${entry.playbook.version}`;
  }

  /** Stores and activates a valid playbook; refuses an invalid one with every error and stores nothing. */
  async create(principal: Principal, text: string, file = POSTED_PLAYBOOK_FILE, origin: RequestOrigin = { ip: null, userAgent: null }): Promise<StoredVersion> {
    const report = await this.validate(principal.tenantId, text, file);
    if (!report.valid || !report.content || !report.playbook) {
      throw new VigilError('invalid_playbook', `the playbook has ${errorCount(report)} error(s); nothing was stored`, omitted(report, { errors: report.errors }));
    }
    const playbook = report.content;
    const hash = report.playbook.hash;
    const tenantId = principal.tenantId;
    const created = await this.db.transaction(async (m) => {
      // One writer per tenant and playbook id at a time, so "deactivate the previous, activate this" cannot interleave.
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`playbook:${tenantId}:${playbook.id}`]);
      const same: Array<{ id: string; active: boolean }> = await m.query(`SELECT id, active FROM playbook_versions WHERE tenant_id = $1 AND hash = $2`, [tenantId, hash]);
      if (same[0]?.active) return false;
      if (!same[0]) {
        const clash: Array<{ hash: string }> = await m.query(`SELECT hash FROM playbook_versions WHERE tenant_id = $1 AND playbook_id = $2 AND version = $3`, [
          tenantId,
          playbook.id,
          playbook.version,
        ]);
        if (clash[0]) {
          throw new VigilError('conflict', `version ${playbook.version} of playbook ${playbook.id} already exists with other content: change \`version\``, {
            id: playbook.id,
            version: playbook.version,
            hash: clash[0].hash,
          });
        }
      }
      await m.query(`UPDATE playbook_versions SET active = false WHERE tenant_id = $1 AND playbook_id = $2 AND active`, [tenantId, playbook.id]);
      if (same[0]) {
        // The same content again: that stored version becomes the active one (a roll-back).
        await m.query(`UPDATE playbook_versions SET active = true WHERE id = $1`, [same[0].id]);
      } else {
        await m.query(`INSERT INTO playbook_versions (tenant_id, playbook_id, version, hash, source, content, active, created_by) VALUES ($1, $2, $3, $4, $5, $6, true, $7)`, [
          tenantId,
          playbook.id,
          playbook.version,
          hash,
          text,
          JSON.stringify(playbook),
          principal.actor,
        ]);
      }
      await recordAudit(m, auditBy(principal, origin, 'playbook.activated', `playbook:${playbook.id}`, { version: playbook.version, hash, stored: !same[0] }));
      await m.query(`SELECT pg_notify($1, $2)`, [PLAYBOOKS_CHANNEL, tenantId]);
      return !same[0];
    });
    await this.catalog.refreshTenant(tenantId);
    const entry = await this.catalog.byHash(hash, tenantId);
    return { playbook: summary(entry!, true), created };
  }

  /** Bundled and tenant playbooks, one line each; `active` tells which runs for the tenant. */
  list(tenantId: string): PlaybookSummary[] {
    const own = this.catalog.tenantEntries(tenantId);
    const overridden = new Set(own.map((e) => e.playbook.id));
    const bundled = this.catalog.bundledEntries().map((e) => summary(e, !overridden.has(e.playbook.id)));
    return [...bundled, ...own.map((e) => summary(e, true))].sort((a, b) => a.id.localeCompare(b.id) || a.source.localeCompare(b.source));
  }

  async get(tenantId: string, id: string): Promise<PlaybookDetail> {
    const rows: Array<TenantVersionRow & { active: boolean }> = await this.db.query(
      `SELECT tenant_id, playbook_id, version, hash, source, content, active, created_by, created_at FROM playbook_versions
       WHERE tenant_id = $1 AND playbook_id = $2 ORDER BY created_at DESC, version DESC`,
      [tenantId, id],
    );
    const bundled = this.catalog.bundledEntries().find((e) => e.playbook.id === id);
    const effective = this.catalog.byId(id, tenantId);
    if (!effective && !bundled && rows.length === 0) throw notFound('playbook', id);
    const shown = effective ?? bundled!;
    return {
      ...summary(shown, effective !== undefined),
      yaml: shown.yaml ?? null,
      content: shown.playbook,
      bundled: bundled ? { version: bundled.playbook.version, hash: bundled.hash, overridden: effective !== undefined && effective.origin === 'tenant' } : null,
      versions: rows.map((r) => ({ version: r.version, hash: r.hash, active: r.active, createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString() })),
    };
  }

  /** The playbook that runs for the tenant with this id, or a stored version of it by hash. */
  async entry(tenantId: string, id: string, hash?: string): Promise<CatalogEntry> {
    if (hash !== undefined) {
      const pinned = await this.catalog.byHash(hash, tenantId);
      if (!pinned || pinned.playbook.id !== id) throw notFound('playbook version', `${id}@${hash}`);
      return pinned;
    }
    const entry = this.catalog.byId(id, tenantId);
    if (!entry) throw notFound('playbook', id);
    return entry;
  }

  async exportCacao(tenantId: string, id: string, hash?: string): Promise<CacaoPlaybook> {
    const entry = await this.entry(tenantId, id, hash);
    const modified = entry.createdAt ? new Date(entry.createdAt) : new Date();
    return this.pool.exportCacao(entry.playbook, modified);
  }

  /** CACAO → Vigil YAML, validated like any posted playbook; stored and activated only when asked and valid. */
  async importCacao(principal: Principal, doc: unknown, activate: boolean, origin?: RequestOrigin): Promise<CacaoImportReport> {
    // The first visible playbook with a CACAO id answers for it, as a search of the list in order would.
    const cacaoIds = new Map<string, string>();
    for (const e of this.catalog.list(principal.tenantId)) {
      const cacaoId = cacaoPlaybookId(e.playbook.id);
      if (!cacaoIds.has(cacaoId)) cacaoIds.set(cacaoId, e.playbook.id);
    }
    const outcome = await this.pool.importCacao(doc, [...cacaoIds]);
    if (outcome.tooLarge) throw tooLargeError(outcome.tooLarge);
    const imported = outcome.imported;
    if (!imported.ok && imported.unsupported) {
      const constructs = [...new Set(imported.unsupported.map((u) => u.construct))].join(', ');
      throw new VigilError(
        'cacao_unsupported',
        `the CACAO document uses what Vigil does not run: ${constructs}`,
        imported.unsupported.map((u) => ({ ...u })),
      );
    }
    if (!imported.ok) {
      throw new VigilError('invalid_cacao', `the CACAO document has ${imported.errors.length} error(s)`, { errors: imported.errors });
    }
    const yaml = playbookYaml(imported.playbook);
    const file = `${imported.playbook.id}.yaml`;
    const report = await this.validate(principal.tenantId, yaml, file);
    const base: CacaoImportReport = omitted(report, { valid: report.valid, errors: report.errors, playbook: report.playbook, yaml, warnings: imported.warnings });
    if (!activate) return base;
    if (!report.valid) {
      throw new VigilError(
        'invalid_playbook',
        `the imported playbook has ${errorCount(report)} error(s); nothing was stored`,
        omitted(report, { errors: report.errors, warnings: imported.warnings, yaml }),
      );
    }
    return { ...base, stored: await this.create(principal, yaml, file, origin) };
  }
}
