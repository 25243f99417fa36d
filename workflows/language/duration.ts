/**
 * Vigil's one duration grammar: a positive whole number and a unit (`250ms`, `30s`, `5m`, `2h`, `1d`).
 * `0s` is not a duration: a step that should not wait has no `wait`, and a zero timeout or expiry
 * would fire at once. The schema, the validator, the interpreter, the action runner and CACAO
 * import/export all read durations through this module.
 */
export const DURATION_PATTERN = /^[1-9][0-9]*(ms|s|m|h|d)$/;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration text; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^([1-9][0-9]*)(ms|s|m|h|d)$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : undefined;
}

/** The shortest duration text for milliseconds; undefined for zero, negative or fractional values. */
export function formatDuration(ms: number): string | undefined {
  if (!Number.isInteger(ms) || ms <= 0) return undefined;
  for (const unit of ['d', 'h', 'm', 's'] as const) if (ms % UNIT_MS[unit]! === 0) return `${ms / UNIT_MS[unit]!}${unit}`;
  return `${ms}ms`;
}
