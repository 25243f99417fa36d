import { z } from 'zod';

/**
 * Query-string parameter shapes shared by the list routes. Express hands a parameter given once as a
 * string and one given several times as an array; these schemas accept both.
 */

/** A parameter given once, several times, or as a comma-separated list; empty items are dropped, at least one must remain. */
export function listParam<T extends z.ZodType<string, string>>(item: T) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
    .pipe(z.array(item).min(1));
}

/** A parameter that takes one value: given twice, it is refused by `inner` (it sees an array). */
export function singleParam<T extends z.ZodType>(inner: T) {
  return z.preprocess((v) => (Array.isArray(v) && v.length === 1 ? v[0] : v), inner);
}
