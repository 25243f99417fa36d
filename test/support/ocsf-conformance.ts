/**
 * Runs Vigil's normalisers over every alert fixture and checks each finding they produce with the OCSF
 * validator. Shared by the conformance test (test/unit/ocsf-conformance.test.ts), the report command
 * (tools/ocsf/conformance-report.mjs, over dist) and the normalise-only part of the ingest benchmark.
 *
 * Fixtures: the shared ones (`alerts/*.json` under VIGIL_FIXTURES_DIR or ../shared/fixtures; each one's
 * source is auto-detected) and `test/fixtures/alerts/<source>/<shape>.json` (the folder names the source).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ALERT_SOURCES, type AlertSource } from '../../src/common/canonical-alert.js';
import { PROJECT_ROOT } from '../../src/config/project-paths.js';
import { detectSource, getNormalizer } from '../../src/alerts/normalizers/index.js';
import type { NormalizeFailure } from '../../src/alerts/normalizers/index.js';
import { FIXTURES_DIR } from './fixtures.js';
import { validateOcsfFinding, type OcsfIssue } from './ocsf-validator.js';

export const LOCAL_ALERT_FIXTURES_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'alerts');

/** A fixed "now" so a normaliser falling back to the clock gives the same finding every run. */
const NOW = Date.UTC(2030, 0, 1);

export interface AlertFixture {
  /** Where it came from, for messages: `shared:alerts/wazuh_alert.json` or `test/fixtures/alerts/wazuh/bundled.json`. */
  label: string;
  /** The file's text as delivered (benchmarks parse it themselves). */
  text: string;
  /** Parsed JSON, or the text itself when it is not one JSON document (NDJSON). */
  body: unknown;
  /** The source it belongs to; undefined when nothing claims a shared fixture or a folder names no source. */
  source: AlertSource | undefined;
}

function readBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function jsonFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsonFilesUnder(full));
    else if (entry.name.endsWith('.json')) out.push(full);
  }
  return out;
}

const isSource = (name: string): name is AlertSource => (ALERT_SOURCES as readonly string[]).includes(name);

/** Every alert fixture, shared ones first, each with its source. */
export function listAlertFixtures(): AlertFixture[] {
  const fixtures: AlertFixture[] = [];
  for (const file of jsonFilesUnder(path.join(FIXTURES_DIR, 'alerts'))) {
    const text = readFileSync(file, 'utf8');
    const body = readBody(text);
    fixtures.push({ label: `shared:${path.relative(FIXTURES_DIR, file)}`, text, body, source: detectSource(body) });
  }
  for (const file of jsonFilesUnder(LOCAL_ALERT_FIXTURES_DIR)) {
    const folder = path.relative(LOCAL_ALERT_FIXTURES_DIR, file).split(path.sep)[0];
    const text = readFileSync(file, 'utf8');
    fixtures.push({ label: path.relative(PROJECT_ROOT, file), text, body: readBody(text), source: isSource(folder) ? folder : undefined });
  }
  return fixtures;
}

export interface CheckedFinding {
  /** The item's position in the delivery. */
  index: number;
  uid: string;
  issues: OcsfIssue[];
}

export interface FixtureConformance {
  fixture: AlertFixture;
  findings: CheckedFinding[];
  failures: NormalizeFailure[];
  /** A handshake delivery (SNS SubscriptionConfirmation and the like): no finding is due. */
  acknowledged: boolean;
}

/** Normalises one fixture with its source's normaliser and validates every finding. */
export function checkFixture(fixture: AlertFixture): FixtureConformance {
  if (fixture.source === undefined) return { fixture, findings: [], failures: [], acknowledged: false };
  const result = getNormalizer(fixture.source).normalize(structuredClone(fixture.body), NOW);
  const findings = result.alerts.map((item) => ({ index: item.index, uid: item.alert.finding_info?.uid ?? '?', issues: validateOcsfFinding(item.alert) }));
  return { fixture, findings, failures: result.failures, acknowledged: result.acknowledgement !== undefined };
}

export interface ConformanceSummary {
  /** Per source: findings checked and findings with no issue. */
  sources: Record<string, { fixtures: number; checked: number; valid: number }>;
  /** Issue code → how many times it was found, over all findings. */
  issueCodes: Record<string, number>;
  /** `code path` (array indexes dropped) → how many findings have it: the distinct kinds of issue. */
  issueKinds: Record<string, number>;
  checked: number;
  valid: number;
}

export function summarise(results: readonly FixtureConformance[]): ConformanceSummary {
  const summary: ConformanceSummary = { sources: {}, issueCodes: {}, issueKinds: {}, checked: 0, valid: 0 };
  for (const result of results) {
    const source = (summary.sources[result.fixture.source ?? 'undetected'] ??= { fixtures: 0, checked: 0, valid: 0 });
    source.fixtures += 1;
    for (const finding of result.findings) {
      source.checked += 1;
      summary.checked += 1;
      if (finding.issues.length === 0) {
        source.valid += 1;
        summary.valid += 1;
      }
      const kinds = new Set<string>();
      for (const issue of finding.issues) {
        summary.issueCodes[issue.code] = (summary.issueCodes[issue.code] ?? 0) + 1;
        kinds.add(`${issue.code} ${issue.path.replace(/\[\d+\]/g, '[]')}`);
      }
      for (const kind of kinds) summary.issueKinds[kind] = (summary.issueKinds[kind] ?? 0) + 1;
    }
  }
  return summary;
}
