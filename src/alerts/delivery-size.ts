/**
 * A cheap upper bound of how many items a delivery carries, read before any normaliser walks it, so a
 * huge batch is refused without normalising it: the length of a top-level list, of the list inside a
 * known wrapper (`alerts`, `value`, `findings`, `resources`, `context.alerts`, an Elastic summary's
 * `alerts.<state>.data`), or the number of non-blank lines of an NDJSON text. Other bodies count as one.
 */
export function deliveryItemCount(body: unknown): number {
  if (typeof body === 'string') {
    let lines = 0;
    let start = 0;
    while (start <= body.length) {
      let end = body.indexOf('\n', start);
      if (end === -1) end = body.length;
      if (body.slice(start, end).trim() !== '') lines += 1;
      start = end + 1;
    }
    return lines;
  }
  if (Array.isArray(body)) return body.length;
  if (!body || typeof body !== 'object') return 1;
  const o = body as Record<string, unknown>;
  let most = 1;
  for (const key of ['alerts', 'value', 'findings', 'resources']) {
    const list = o[key];
    if (Array.isArray(list)) most = Math.max(most, list.length);
  }
  const context = o['context'];
  if (context && typeof context === 'object' && Array.isArray((context as Record<string, unknown>)['alerts'])) {
    most = Math.max(most, ((context as Record<string, unknown>)['alerts'] as unknown[]).length);
  }
  const summary = o['alerts'];
  if (summary && typeof summary === 'object' && !Array.isArray(summary)) {
    let total = 0;
    for (const state of Object.values(summary as Record<string, unknown>)) {
      const data = state && typeof state === 'object' ? (state as Record<string, unknown>)['data'] : undefined;
      if (Array.isArray(data)) total += data.length;
    }
    most = Math.max(most, total);
  }
  return most;
}
