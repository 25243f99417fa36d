import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for `GET /api/v1/alerts`: the newest-first keyset order per tenant (and per tenant and source),
 * and two GIN indexes over text keys computed from the finding, for the observable, ATT&CK and rule filters.
 * Every key starts with the tenant id (`<tenant>|…`): the planner's statistics then see that a value common
 * in other tenants is rare in this one (without it, one tenant's filter on such a value walked all of that
 * tenant's rows: 7 s on 200,000 rows).
 *
 * - `vigil_observable_keys(tenant, observables)`: one key per observable value, `ci:<lower(value)>` for
 *   hostnames/domains (type_id 1), e-mail addresses (5) and hashes (8), else `cs:<value>`. It reads only
 *   `type_id` and `value`, which the finding's observables keep in every shape, and takes the list itself,
 *   so a later column of observables can be indexed with the same function.
 * - `vigil_alert_finding_keys(tenant, finding)`: `attack:<id>` for each tactic, technique and sub-technique id
 *   and the parent technique of each sub-technique (so T1059 finds T1059.001), and `rule:<uid>` /
 *   `rule:<name>` of `finding_info.analytic`.
 *
 * The queries (src/alerts/alert-queries.repository.ts) spell the same expressions, so the planner uses
 * these indexes. Built CONCURRENTLY, outside a transaction, so ingest keeps writing during the build on a
 * big table; each step can run again after a failed build (the index is dropped and rebuilt).
 */
export class AlertReadIndexes1764900000000 implements MigrationInterface {
  name = 'AlertReadIndexes1764900000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION vigil_observable_keys(tenant uuid, observables jsonb) RETURNS text[]
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT tenant::text || CASE WHEN o->>'type_id' IN ('1', '5', '8') THEN '|ci:' || lower(o->>'value') ELSE '|cs:' || (o->>'value') END), '{}')
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(observables) = 'array' THEN observables ELSE '[]'::jsonb END) AS o
        WHERE jsonb_typeof(o) = 'object' AND o->>'value' IS NOT NULL
      $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION vigil_alert_finding_keys(tenant uuid, finding jsonb) RETURNS text[]
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT tenant::text || '|' || k), '{}') FROM (
          SELECT 'attack:' || upper(id) AS k
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(finding->'finding_info'->'attacks') = 'array' THEN finding->'finding_info'->'attacks' ELSE '[]'::jsonb END) AS a,
               LATERAL unnest(ARRAY[a->'tactic'->>'uid', a->'technique'->>'uid', a->'sub_technique'->>'uid', split_part(a->'technique'->>'uid', '.', 1), split_part(a->'sub_technique'->>'uid', '.', 1)]) AS id
          WHERE jsonb_typeof(a) = 'object' AND id IS NOT NULL AND id <> ''
          UNION ALL
          SELECT 'rule:' || r
          FROM unnest(ARRAY[finding->'finding_info'->'analytic'->>'uid', finding->'finding_info'->'analytic'->>'name']) AS r
          WHERE jsonb_typeof(finding->'finding_info'->'analytic') = 'object' AND r IS NOT NULL AND r <> ''
        ) AS keys
      $$`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "alerts_tenant_event_idx"`);
    await q.query(`CREATE INDEX CONCURRENTLY "alerts_tenant_event_idx" ON "alerts" ("tenant_id", "event_time", "id")`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "alerts_tenant_source_event_idx"`);
    await q.query(`CREATE INDEX CONCURRENTLY "alerts_tenant_source_event_idx" ON "alerts" ("tenant_id", "source", "event_time", "id")`);
    // fastupdate off: with GIN's pending list, concurrent ingest transactions queue on its metapage lock (measured with
    // npm run bench:ingest: new alerts to 202 fell from 450/s without these indexes to 300/s with the pending list, 424/s without it).
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "alerts_observable_keys_idx"`);
    await q.query(
      `CREATE INDEX CONCURRENTLY "alerts_observable_keys_idx" ON "alerts" USING gin (vigil_observable_keys(tenant_id, finding->'observables')) WITH (fastupdate = off)`,
    );
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS "alerts_finding_keys_idx"`);
    await q.query(`CREATE INDEX CONCURRENTLY "alerts_finding_keys_idx" ON "alerts" USING gin (vigil_alert_finding_keys(tenant_id, finding)) WITH (fastupdate = off)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "alerts_finding_keys_idx"`);
    await q.query(`DROP INDEX IF EXISTS "alerts_observable_keys_idx"`);
    await q.query(`DROP INDEX IF EXISTS "alerts_tenant_source_event_idx"`);
    await q.query(`DROP INDEX IF EXISTS "alerts_tenant_event_idx"`);
    await q.query(`DROP FUNCTION IF EXISTS vigil_alert_finding_keys(uuid, jsonb)`);
    await q.query(`DROP FUNCTION IF EXISTS vigil_observable_keys(uuid, jsonb)`);
  }
}
