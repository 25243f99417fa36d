import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The shared fixtures folder: `../shared/fixtures` beside the project, or `VIGIL_FIXTURES_DIR`. */
export const FIXTURES_DIR = path.resolve(process.env['VIGIL_FIXTURES_DIR'] ?? path.join(process.cwd(), '..', 'shared', 'fixtures'));

export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES_DIR, ...parts);
}

export function readFixtureJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as unknown;
}
