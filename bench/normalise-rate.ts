/**
 * The normalise-only part of `npm run bench:ingest`: how many alerts per second each source's normaliser
 * turns into canonical OCSF findings on one core, in process (no HTTP, no database), beside `JSON.parse`
 * of the same payload bytes measured in the same run, the cheapest thing ingest must do with a body anyway.
 *
 * Payloads are the alert fixtures (shared ones and test/fixtures/alerts/<source>/<shape>.json). Each
 * measurement loops over a source's payloads for a fixed time after a warm-up; the normaliser gets the
 * already-parsed body, as the API hands it over (NDJSON text bodies stay text, as they arrive).
 */
import { performance } from 'node:perf_hooks';
import { getNormalizer } from '../src/alerts/normalizers/index.js';
import { listAlertFixtures } from '../test/support/ocsf-conformance.js';

export interface NormaliseRate {
  payloads: number;
  /** Alerts one pass over the payloads yields. */
  alertsPerPass: number;
  bytesPerPass: number;
  /** Alerts normalised per second (normaliser only, body already parsed). */
  normaliseAlertsPerSecond: number;
  /** Payloads parsed per second by JSON.parse, and the same expressed in alerts (payload rate × alerts per payload). */
  jsonParsePayloadsPerSecond: number;
  jsonParseAlertsPerSecond: number;
  /** normalise / JSON.parse, both in alerts per second. */
  ratio: number;
}

export interface NormaliseRates {
  msPerMeasurement: number;
  sources: Record<string, NormaliseRate>;
}

const NOW = Date.UTC(2030, 0, 1);

/** Calls `pass` until `ms` have gone by (after a warm-up of a fifth of that); returns passes per second. */
function passesPerSecond(ms: number, pass: () => void): number {
  const warmUntil = performance.now() + ms / 5;
  while (performance.now() < warmUntil) pass();
  let passes = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    pass();
    passes += 1;
    elapsed = performance.now() - t0;
  } while (elapsed < ms);
  return passes / (elapsed / 1000);
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** Measures every source that has at least one fixture yielding alerts; `ms` per measurement (two per source). */
export function measureNormaliseRates(ms = 500): NormaliseRates {
  const bySource = new Map<string, { texts: string[]; bodies: unknown[] }>();
  for (const fixture of listAlertFixtures()) {
    if (fixture.source === undefined) continue;
    const entry = bySource.get(fixture.source) ?? { texts: [], bodies: [] };
    entry.texts.push(fixture.text);
    entry.bodies.push(fixture.body);
    bySource.set(fixture.source, entry);
  }
  const sources: Record<string, NormaliseRate> = {};
  let sink = 0;
  for (const [source, { texts, bodies }] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
    const normalizer = getNormalizer(source as Parameters<typeof getNormalizer>[0]);
    const alertsPerPass = bodies.reduce<number>((sum, body) => sum + normalizer.normalize(body, NOW).alerts.length, 0);
    if (alertsPerPass === 0) continue;
    const normalisePasses = passesPerSecond(ms, () => {
      for (const body of bodies) sink += normalizer.normalize(body, NOW).alerts.length;
    });
    const parsePasses = passesPerSecond(ms, () => {
      for (const text of texts) sink += JSON.parse(text) === null ? 0 : 1;
    });
    const normaliseAlertsPerSecond = normalisePasses * alertsPerPass;
    const jsonParseAlertsPerSecond = parsePasses * alertsPerPass;
    sources[source] = {
      payloads: bodies.length,
      alertsPerPass,
      bytesPerPass: texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0),
      normaliseAlertsPerSecond: round(normaliseAlertsPerSecond),
      jsonParsePayloadsPerSecond: round(parsePasses * texts.length),
      jsonParseAlertsPerSecond: round(jsonParseAlertsPerSecond),
      ratio: Math.round((normaliseAlertsPerSecond / jsonParseAlertsPerSecond) * 1000) / 1000,
    };
  }
  if (sink < 0) throw new Error('unreachable: keeps the measured work observable');
  return { msPerMeasurement: ms, sources };
}

/** The figures as table lines for the benchmark's report. */
export function normaliseRateLines(rates: NormaliseRates): string[] {
  const lines = [`normalise-only, one core, in process (${rates.msPerMeasurement} ms per measurement), beside JSON.parse of the same bytes:`];
  for (const [source, r] of Object.entries(rates.sources))
    lines.push(
      `  ${source.padEnd(12)} ${String(r.payloads).padStart(2)} payload(s), ${String(r.alertsPerPass).padStart(3)} alert(s), ${String(r.bytesPerPass).padStart(6)} B   ` +
        `normalise ${r.normaliseAlertsPerSecond.toFixed(0).padStart(8)} alerts/s   JSON.parse ${r.jsonParseAlertsPerSecond.toFixed(0).padStart(8)} alerts/s   ratio ${r.ratio.toFixed(3)}`,
    );
  return lines;
}
