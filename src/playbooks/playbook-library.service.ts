import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { findAction } from '../../integrations/index.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { BUNDLED_PLAYBOOKS_DIR } from '../config/project-paths.js';
import type { CanonicalAlert, CanonicalObservable } from '../common/canonical-alert.js';
import type { CaseWorkflowInput, PinnedPlaybook } from '../../workflows/contracts/case-messages.js';
import type { Playbook, Step } from '../../workflows/language/playbook.types.js';
import { type PinnedReads, pinnedReadsOf } from '../../workflows/language/step-reads.js';
import { actionCatalogForValidation } from './action-catalog-view.js';
import { pinTemplateFiles } from './notify-templates.js';
import { selectPlaybook } from './playbook-selector.js';
import { type PlaybookSource, validatePlaybookSet } from './validation/index.js';

/** What PlaybookLibraryService.pinRun gives a run's workflow input. */
export type RunPins = Required<Pick<CaseWorkflowInput, 'playbook' | 'playbookHash' | 'subPlaybooks' | 'regularActions' | 'templates' | 'reads'>>;

export type PlaybookOrigin = 'bundled' | 'tenant';

export interface CatalogEntry {
  playbook: Playbook;
  /** SHA-256 of the playbook content: what a case pins. */
  hash: string;
  /** The file it was loaded from, or `tenant:<tenant id>/<id>@<version>` for a tenant's version. */
  file: string;
  /** `bundled`: from the playbooks folder, every tenant has it; `tenant`: a tenant's own stored version. */
  origin: PlaybookOrigin;
  /** Tenant versions only. */
  tenantId?: string;
  /** The YAML text, when known (bundled files and stored versions keep it). */
  yaml?: string;
  createdBy?: string;
  createdAt?: string;
}

/** A stored tenant version as the catalogue reads it. */
export interface TenantVersionRow {
  tenant_id: string;
  playbook_id: string;
  version: string;
  hash: string;
  source: string;
  content: Playbook;
  created_by: string;
  created_at: Date | string;
}

/** Postgres channel on which a process that changed a tenant's playbooks tells the others (payload: tenant id). */
export const PLAYBOOKS_CHANNEL = 'vigil_playbooks';
/** Safety net for missed notifications: every process re-reads the active tenant playbooks this often. */
const FULL_REFRESH_MS = 60_000;
const LISTEN_RETRY_MS = 1_000;

function collectActionKeys(steps: Step[], into: Set<string>): void {
  for (const step of steps) {
    if (step.kind === 'action') into.add(step.action);
    if (step.kind === 'parallel') for (const branch of step.branches) collectActionKeys(branch, into);
    if (step.kind === 'foreach' || step.kind === 'loop') collectActionKeys(step.steps, into);
  }
}

/** Ids of the playbooks a step list runs as sub-playbooks (directly). */
function collectSubPlaybookIds(steps: Step[], into: Set<string>): void {
  for (const step of steps) {
    if (step.kind === 'playbook') into.add(step.playbook);
    if (step.kind === 'parallel') for (const branch of step.branches) collectSubPlaybookIds(branch, into);
    if (step.kind === 'foreach' || step.kind === 'loop') collectSubPlaybookIds(step.steps, into);
  }
}

function isPlaybookFile(name: string): boolean {
  return (name.endsWith('.yaml') || name.endsWith('.yml')) && !/\.test\.ya?ml$/.test(name);
}

export function tenantEntry(row: TenantVersionRow): CatalogEntry {
  return {
    playbook: row.content,
    hash: row.hash,
    file: `tenant:${row.tenant_id}/${row.playbook_id}@${row.version}`,
    origin: 'tenant',
    tenantId: row.tenant_id,
    yaml: row.source,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

const VERSION_COLUMNS = 'pv.tenant_id, pv.playbook_id, pv.version, pv.hash, pv.source, pv.content, pv.created_by, pv.created_at';

/**
 * The playbooks Vigil can run. Bundled playbooks come from the playbooks folder at boot, validated
 * before any is used (an invalid one is logged and never activated); every tenant has them. A tenant's
 * own active version (stored by the playbook API) overrides the bundled playbook with the same id for
 * that tenant. Selection runs in the ingest transaction, so it reads only memory: the active tenant
 * versions are loaded at boot and refreshed when a process announces a change (LISTEN/NOTIFY), with a
 * periodic re-read as a safety net. Content by hash is immutable, so it is cached for good; a case keeps
 * the content it pinned even after a newer version is activated.
 */
@Injectable()
export class PlaybookLibraryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('PlaybookLibraryService');
  private bundled: CatalogEntry[] = [];
  private readonly bundledByHash = new Map<string, CatalogEntry>();
  /** Tenant versions by `tenantId:hash`: active ones and any read back for a pinned case. */
  private readonly tenantByHash = new Map<string, CatalogEntry>();
  /** What each loaded playbook's steps read (pinRun), kept as long as the playbook object is. */
  private readonly pinnedReads = new WeakMap<Playbook, PinnedReads>();
  /** Active tenant versions by tenant id. */
  private tenantActive = new Map<string, CatalogEntry[]>();
  private tenantIdBySlug = new Map<string, string>();
  /** Bundled + active tenant versions, per tenant id, built on first use after a change. */
  private readonly effective = new Map<string, CatalogEntry[]>();
  private listener: pg.Client | undefined;
  private listenerReady = false;
  private stopped = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(DataSource) private readonly db?: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    if (!this.db) return;
    await this.reloadTenants();
    this.listen();
    this.refreshTimer = setInterval(() => {
      this.reloadTenants().catch((error: unknown) => this.logger.warn(`re-reading tenant playbooks failed: ${String(error)}`));
    }, FULL_REFRESH_MS);
    this.refreshTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.refreshTimer);
    clearTimeout(this.retryTimer);
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
  }

  /** The folder of bundled playbooks. */
  get bundledDir(): string {
    return this.config.playbooksDir ?? BUNDLED_PLAYBOOKS_DIR;
  }

  /** (Re)loads the bundled playbooks folder. */
  async reload(): Promise<void> {
    const dir = this.bundledDir;
    const sources: PlaybookSource[] = [];
    try {
      const names = (await readdir(dir, { withFileTypes: true }))
        .filter((e) => e.isFile() && isPlaybookFile(e.name))
        .map((e) => e.name)
        .sort();
      for (const name of names) sources.push({ file: path.join(dir, name), text: await readFile(path.join(dir, name), 'utf8') });
    } catch (error) {
      this.logger.error(`cannot read the playbook folder ${dir}: ${String(error)}`);
    }
    const loaded = validatePlaybookSet(sources, actionCatalogForValidation());
    for (const e of loaded.errors) this.logger.error(`invalid playbook ${e.file}:${e.line}:${e.column} ${e.path} — ${e.message}`);
    const texts = new Map(sources.map((s) => [s.file, s.text]));
    this.bundled = loaded.playbooks.map((p) => ({ playbook: p.playbook, hash: p.hash, file: p.file, origin: 'bundled', yaml: texts.get(p.file) }));
    for (const entry of this.bundled) this.bundledByHash.set(entry.hash, entry);
    this.effective.clear();
    this.logger.log(`${this.bundled.length} bundled playbook(s) active from ${dir}`);
  }

  /** Re-reads every tenant's active versions. */
  async reloadTenants(): Promise<void> {
    if (!this.db) return;
    const rows: Array<TenantVersionRow & { slug: string }> = await this.db.query(
      `SELECT ${VERSION_COLUMNS}, t.slug FROM playbook_versions pv JOIN tenants t ON t.id = pv.tenant_id WHERE pv.active ORDER BY pv.playbook_id`,
    );
    const active = new Map<string, CatalogEntry[]>();
    const slugs = new Map<string, string>();
    for (const row of rows) {
      const entry = tenantEntry(row);
      this.tenantByHash.set(`${row.tenant_id}:${row.hash}`, entry);
      const list = active.get(row.tenant_id);
      if (list) list.push(entry);
      else active.set(row.tenant_id, [entry]);
      slugs.set(row.slug, row.tenant_id);
    }
    this.tenantActive = active;
    this.tenantIdBySlug = slugs;
    this.effective.clear();
  }

  /** Re-reads one tenant's active versions: after this process changed them, or when another process says it did. */
  async refreshTenant(tenantId: string): Promise<void> {
    if (!this.db) return;
    const rows: Array<TenantVersionRow & { slug: string }> = await this.db.query(
      `SELECT ${VERSION_COLUMNS}, t.slug FROM tenants t LEFT JOIN playbook_versions pv ON pv.tenant_id = t.id AND pv.active WHERE t.id = $1 ORDER BY pv.playbook_id`,
      [tenantId],
    );
    const entries: CatalogEntry[] = [];
    for (const row of rows) {
      if (row.hash === null) continue;
      const entry = tenantEntry(row);
      this.tenantByHash.set(`${tenantId}:${row.hash}`, entry);
      entries.push(entry);
    }
    for (const [slug, id] of this.tenantIdBySlug) if (id === tenantId) this.tenantIdBySlug.delete(slug);
    if (entries.length > 0) {
      this.tenantActive.set(tenantId, entries);
      this.tenantIdBySlug.set(rows[0]!.slug, tenantId);
    } else {
      this.tenantActive.delete(tenantId);
    }
    this.effective.delete(tenantId);
  }

  private listen(): void {
    if (this.stopped || !this.db) return;
    const client = new pg.Client({ connectionString: this.config.databaseUrl });
    const retry = (why: string): void => {
      if (this.stopped || this.listener !== client) return;
      this.listener = undefined;
      this.listenerReady = false;
      this.logger.warn(`playbook change listener lost (${why}); reconnecting`);
      client.end().catch(() => undefined);
      this.retryTimer = setTimeout(() => this.listen(), LISTEN_RETRY_MS);
      this.retryTimer.unref();
    };
    this.listener = client;
    client.on('notification', (message) => {
      if (message.channel !== PLAYBOOKS_CHANNEL || !message.payload) return;
      this.refreshTenant(message.payload).catch((error: unknown) => this.logger.warn(`refreshing tenant playbooks failed: ${String(error)}`));
    });
    client.on('error', (error) => retry(error.message));
    client.on('end', () => retry('connection ended'));
    client
      .connect()
      .then(() => client.query(`LISTEN ${PLAYBOOKS_CHANNEL}`))
      // Anything changed while the listener was down is read now.
      .then(() => this.reloadTenants())
      .then(() => {
        this.listenerReady = client === this.listener;
      })
      .catch((error: unknown) => retry(error instanceof Error ? error.message : String(error)));
  }

  /** True while this process hears other processes' playbook changes. */
  get listening(): boolean {
    return this.listenerReady;
  }

  /** Bundled playbooks, as loaded from the folder. */
  bundledEntries(): readonly CatalogEntry[] {
    return this.bundled;
  }

  /** A tenant's own active versions (from the cache). */
  tenantEntries(tenantId: string): readonly CatalogEntry[] {
    return this.tenantActive.get(tenantId) ?? [];
  }

  /** What runs for a tenant: its own active versions, and the bundled playbooks whose id it does not override. Without a tenant: the bundled set. */
  list(tenantId?: string): readonly CatalogEntry[] {
    if (tenantId === undefined) return this.bundled;
    const cached = this.effective.get(tenantId);
    if (cached) return cached;
    const own = this.tenantActive.get(tenantId) ?? [];
    const overridden = new Set(own.map((e) => e.playbook.id));
    const merged = [...this.bundled.filter((e) => !overridden.has(e.playbook.id)), ...own];
    this.effective.set(tenantId, merged);
    return merged;
  }

  /** The playbook for a new case's first alert, among the tenant's effective playbooks. Memory only. */
  select(alert: CanonicalAlert, source: string, tenantSlug: string, observables: readonly CanonicalObservable[]): CatalogEntry | undefined {
    const tenantId = this.tenantIdBySlug.get(tenantSlug);
    return selectPlaybook(tenantId ? this.list(tenantId) : this.bundled, alert, source, tenantSlug, observables);
  }

  /**
   * The exact content a case pinned: bundled by hash, else the tenant's stored version (read from the
   * database when not cached, also after it was deactivated).
   */
  async byHash(hash: string, tenantId?: string): Promise<CatalogEntry | undefined> {
    const bundled = this.bundledByHash.get(hash);
    if (bundled) return bundled;
    if (tenantId !== undefined) {
      const cached = this.tenantByHash.get(`${tenantId}:${hash}`);
      if (cached) return cached;
    } else {
      for (const [key, entry] of this.tenantByHash) if (key.endsWith(`:${hash}`)) return entry;
    }
    if (!this.db) return undefined;
    const rows: TenantVersionRow[] = await this.db.query(
      `SELECT ${VERSION_COLUMNS} FROM playbook_versions pv WHERE pv.hash = $1 AND ($2::uuid IS NULL OR pv.tenant_id = $2::uuid) LIMIT 1`,
      [hash, tenantId ?? null],
    );
    const row = rows[0];
    if (!row) return undefined;
    const entry = tenantEntry(row);
    this.tenantByHash.set(`${row.tenant_id}:${row.hash}`, entry);
    return entry;
  }

  /** The playbook with this id that runs for the tenant (its own active version first), or the bundled one. */
  byId(id: string, tenantId?: string): CatalogEntry | undefined {
    return this.list(tenantId).find((e) => e.playbook.id === id);
  }

  /**
   * The playbooks `playbook` runs as sub-playbooks, transitively, as the tenant would run them now:
   * the relay pins them with the run (workflows read nothing), like the playbook itself.
   */
  subPlaybooks(playbook: Playbook, tenantId?: string): Record<string, PinnedPlaybook> {
    const pinned: Record<string, PinnedPlaybook> = {};
    const visit = (p: Playbook): void => {
      const ids = new Set<string>();
      collectSubPlaybookIds(p.steps, ids);
      for (const id of ids) {
        if (Object.hasOwn(pinned, id)) continue;
        // Validation guarantees it existed; one removed since makes the step fail with a clear message.
        const entry = this.byId(id, tenantId);
        if (!entry) continue;
        pinned[id] = { playbook: entry.playbook, hash: entry.hash };
        visit(entry.playbook);
      }
    };
    visit(playbook);
    return pinned;
  }

  /** The templates folder next to the bundled playbooks (notify steps name files in it). */
  get templatesDir(): string {
    return path.join(this.bundledDir, 'templates');
  }

  /**
   * Everything a run pins besides its playbook: the sub-playbooks it runs, which of its actions run
   * as regular activities, and the contents of the template files its notify steps name.
   */
  async pinRun(playbook: Playbook, hash: string, subPlaybooks: Record<string, PinnedPlaybook>, templatesDir = this.templatesDir): Promise<RunPins> {
    const subs = Object.values(subPlaybooks).map((s) => s.playbook);
    const pinnedSubs: Record<string, PinnedPlaybook> = {};
    for (const [id, sub] of Object.entries(subPlaybooks)) pinnedSubs[id] = { ...sub, reads: this.readsOf(sub.playbook) };
    return {
      playbook,
      playbookHash: hash,
      reads: this.readsOf(playbook),
      subPlaybooks: pinnedSubs,
      regularActions: this.regularActions(playbook, subs),
      templates: await pinTemplateFiles(templatesDir, [playbook.steps, ...subs.map((s) => s.steps)]),
    };
  }

  /** What each step's templates read, as pinned with a run; once per loaded playbook, not per delivery. */
  private readsOf(playbook: Playbook): PinnedReads {
    let reads = this.pinnedReads.get(playbook);
    if (!reads) {
      reads = pinnedReadsOf(playbook.steps);
      this.pinnedReads.set(playbook, reads);
    }
    return reads;
  }

  /** Actions of the playbook (and of the sub-playbooks it runs) that must run as regular activities: anything but enrichment and utility. */
  regularActions(playbook: Playbook, subPlaybooks: readonly Playbook[] = []): string[] {
    const keys = new Set<string>();
    collectActionKeys(playbook.steps, keys);
    for (const sub of subPlaybooks) collectActionKeys(sub.steps, keys);
    return [...keys].filter((k) => {
      const kind = findAction(k)?.kind;
      return kind !== undefined && kind !== 'enrichment' && kind !== 'utility';
    });
  }
}
