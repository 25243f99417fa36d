import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { findAction } from '../../integrations/core/catalog.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { BUNDLED_PLAYBOOKS_DIR } from '../config/project-paths.js';
import type { CanonicalAlert } from '../alerts/canonical-alert.js';
import type { Playbook, Step } from '../../workflows/playbook.types.js';
import { actionCatalogForValidation } from './action-catalog-view.js';
import { selectPlaybook } from './playbook-selector.js';
import { loadPlaybookDirectory } from './playbook-validator.js';

export interface CatalogEntry {
  playbook: Playbook;
  /** SHA-256 of the playbook content: what a case pins. */
  hash: string;
  file: string;
}

function collectActionKeys(steps: Step[], into: Set<string>): void {
  for (const step of steps) {
    if (step.kind === 'action') into.add(step.action);
    if (step.kind === 'parallel') for (const branch of step.branches) collectActionKeys(branch, into);
    if (step.kind === 'foreach' || step.kind === 'loop') collectActionKeys(step.steps, into);
  }
}

/**
 * The playbooks Vigil can run: read from the playbooks folder at boot, validated before any is used
 * (an invalid playbook is logged and never activated). Keeps every version it has loaded by hash,
 * so a case keeps the content it pinned.
 */
@Injectable()
export class PlaybookCatalog implements OnModuleInit {
  private readonly logger = new Logger('PlaybookCatalog');
  private active: CatalogEntry[] = [];
  private readonly byHashMap = new Map<string, CatalogEntry>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
  }

  async reload(): Promise<void> {
    const dir = this.config.playbooksDir ?? BUNDLED_PLAYBOOKS_DIR;
    const loaded = await loadPlaybookDirectory(dir, actionCatalogForValidation());
    for (const e of loaded.errors) this.logger.error(`invalid playbook ${e.file}:${e.line}:${e.column} ${e.path} — ${e.message}`);
    this.active = loaded.playbooks.map((p) => ({ playbook: p.playbook, hash: p.hash, file: p.file }));
    for (const entry of this.active) this.byHashMap.set(entry.hash, entry);
    this.logger.log(`${this.active.length} playbook(s) active from ${dir}`);
  }

  list(): readonly CatalogEntry[] {
    return this.active;
  }

  select(alert: CanonicalAlert, source: string, tenantSlug: string): CatalogEntry | undefined {
    return selectPlaybook(this.active, alert, source, tenantSlug);
  }

  byHash(hash: string): CatalogEntry | undefined {
    return this.byHashMap.get(hash);
  }

  byId(id: string): CatalogEntry | undefined {
    return this.active.find((e) => e.playbook.id === id);
  }

  /** Actions of the playbook that must run as regular activities: anything but enrichment and utility. */
  regularActions(playbook: Playbook): string[] {
    const keys = new Set<string>();
    collectActionKeys(playbook.steps, keys);
    return [...keys].filter((k) => {
      const kind = findAction(k)?.kind;
      return kind !== undefined && kind !== 'enrichment' && kind !== 'utility';
    });
  }
}
