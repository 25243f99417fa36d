import { Duration } from 'luxon';

/**
 * SLA durations travel as ISO 8601 durations (`PT15M`, `PT4H`, `P2D`) and are stored as whole
 * seconds. Years and months are refused: their length depends on the date. A day is 24 hours
 * of working time.
 */

/** Longest accepted duration: ten years (the column holds seconds in an integer). */
export const MAX_DURATION_SECONDS = 10 * 366 * 24 * 3600;

/** Seconds in an ISO 8601 duration, or a reason it is not one Vigil accepts (`positive`: more than zero). */
export function parseDuration(value: string, options: { positive: boolean } = { positive: true }): { seconds: number } | { error: string } {
  const d = Duration.fromISO(value);
  if (!d.isValid) return { error: `'${value}' is not an ISO 8601 duration (e.g. PT15M, PT4H, P1D)` };
  if (d.years !== 0 || d.quarters !== 0 || d.months !== 0) return { error: 'years and months have no fixed length; use weeks, days, hours, minutes or seconds' };
  const ms = d.toMillis();
  if (!Number.isInteger(ms / 1000)) return { error: 'a duration is a whole number of seconds' };
  const seconds = ms / 1000;
  if (options.positive ? seconds <= 0 : seconds < 0) return { error: options.positive ? 'a duration must be positive' : 'a duration cannot be negative' };
  if (seconds > MAX_DURATION_SECONDS) return { error: 'a duration is at most ten years' };
  return { seconds };
}

/** The canonical ISO 8601 form of a number of seconds: `PT1H30M`, `P2DT4H`, `PT0S`. */
export function formatDuration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  if (!days && !time) return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}
