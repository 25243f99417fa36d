/** The baseline of the ingest benchmark: a workflow that does nothing, so its start measures Temporal alone. */
export async function trivialWorkflow(): Promise<string> {
  return 'ok';
}
