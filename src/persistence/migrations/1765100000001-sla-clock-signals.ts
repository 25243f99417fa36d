import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Facts that move a case's SLA clocks, whatever writes them: a case change, a comment, a vote, a merge, a containment. */
const CASE_CHANGED = `OLD.status IS DISTINCT FROM NEW.status OR OLD.severity_id IS DISTINCT FROM NEW.severity_id OR OLD.assignee IS DISTINCT FROM NEW.assignee OR OLD.merged_into IS DISTINCT FROM NEW.merged_into`;
const EVENT_KINDS = `('comment_added', 'approval_decided', 'approval_vote', 'case_merged')`;

/**
 * The durable hand-off of SLA clock signals. Each fact that changes a case's clocks is followed, in
 * the transaction that writes it, by an `sla_clocks` outbox row for the case; the relay turns the rows
 * of a case into one signal-with-start of its clock workflow (`sla:<caseId>`). Triggers rather than
 * an insert beside every write: the facts come from ingest's one statement, the case API, playbook
 * status steps, approval votes and the containment ledger, and a path added later cannot forget one.
 * A case remembers the task queue of the deployment that opened it, so test stacks (and
 * deployments) sharing a database only signal their own workflows.
 */
export class SlaClockSignals1765100000001 implements MigrationInterface {
  name = 'SlaClockSignals1765100000001';

  async up(q: QueryRunner): Promise<void> {
    // NULL: the case makes no SLA promise (a dry run of the vigil command): no clock signal is ever written for it.
    await q.query(`ALTER TABLE "cases" ADD "task_queue" text DEFAULT 'vigil'`);
    // Clocks run only where a promise is made: the tenant or the provider (MSSP-wide) has an SLA policy, or the case
    // already has clocks (which must hear the fact that stops them). Elsewhere a case costs no clock workflow at all;
    // writing a policy later re-plans the tenant's open cases (vigil_sla_replan), which starts their clocks.
    await q.query(`
      CREATE FUNCTION vigil_sla_applies(p_tenant uuid, p_case uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT EXISTS (SELECT 1 FROM sla_policies p WHERE p.tenant_id = p_tenant)
            OR EXISTS (SELECT 1 FROM sla_policies p JOIN tenants t ON t.id = p.tenant_id WHERE t.slug = 'default')
            OR EXISTS (SELECT 1 FROM case_sla_clocks k WHERE k.tenant_id = p_tenant AND k.case_id = p_case)
      $$`);
    await q.query(`
      CREATE FUNCTION vigil_sla_signal(p_tenant uuid, p_case uuid, p_reason text) RETURNS integer LANGUAGE sql AS $$
        WITH ins AS (
          INSERT INTO outbox (tenant_id, case_id, kind, task_queue, payload)
          SELECT c.tenant_id, c.id, 'sla_clocks', c.task_queue, jsonb_build_object('reason', p_reason) FROM cases c WHERE c.tenant_id = p_tenant AND c.id = p_case AND c.task_queue IS NOT NULL AND vigil_sla_applies(p_tenant, p_case)
          RETURNING 1)
        SELECT count(*)::int FROM ins
      $$`);
    // Every open case of the tenants (a policy, calendar or escalation change re-plans them; the MSSP-wide rows re-plan every tenant).
    await q.query(`
      CREATE FUNCTION vigil_sla_replan(p_tenants uuid[], p_reason text) RETURNS integer LANGUAGE sql AS $$
        WITH ins AS (
          INSERT INTO outbox (tenant_id, case_id, kind, task_queue, payload)
          SELECT c.tenant_id, c.id, 'sla_clocks', c.task_queue, jsonb_build_object('reason', p_reason) FROM cases c
          WHERE c.tenant_id = ANY(p_tenants) AND c.task_queue IS NOT NULL AND c.merged_into IS NULL AND c.status NOT IN ('resolved', 'closed', 'false_positive')
          RETURNING 1)
        SELECT count(*)::int FROM ins
      $$`);
    await q.query(`
      CREATE FUNCTION vigil_cases_sla_signal() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF vigil_sla_applies(NEW.tenant_id, NEW.id) THEN
          INSERT INTO outbox (tenant_id, case_id, kind, task_queue, payload)
          VALUES (NEW.tenant_id, NEW.id, 'sla_clocks', NEW.task_queue, jsonb_build_object('reason', CASE WHEN TG_OP = 'INSERT' THEN 'opened' ELSE 'case_changed' END));
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION vigil_case_fact_sla_signal() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM vigil_sla_signal(NEW.tenant_id, NEW.case_id, TG_ARGV[0]);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER cases_sla_opened AFTER INSERT ON cases FOR EACH ROW WHEN (NEW.task_queue IS NOT NULL) EXECUTE FUNCTION vigil_cases_sla_signal()`);
    await q.query(
      `CREATE TRIGGER cases_sla_changed AFTER UPDATE ON cases FOR EACH ROW WHEN (NEW.task_queue IS NOT NULL AND (${CASE_CHANGED})) EXECUTE FUNCTION vigil_cases_sla_signal()`,
    );
    await q.query(
      `CREATE TRIGGER case_events_sla_fact AFTER INSERT ON case_events FOR EACH ROW WHEN (NEW.kind IN ${EVENT_KINDS}) EXECUTE FUNCTION vigil_case_fact_sla_signal('timeline')`,
    );
    await q.query(
      `CREATE TRIGGER containment_sla_fact AFTER INSERT ON containment_actions FOR EACH ROW WHEN (NEW.status = 'succeeded' AND NEW.case_id IS NOT NULL AND NEW.reverts_id IS NULL) EXECUTE FUNCTION vigil_case_fact_sla_signal('contained')`,
    );
    await q.query(
      `CREATE TRIGGER containment_sla_fact_update AFTER UPDATE ON containment_actions FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status = 'succeeded' AND NEW.case_id IS NOT NULL AND NEW.reverts_id IS NULL) EXECUTE FUNCTION vigil_case_fact_sla_signal('contained')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER containment_sla_fact_update ON containment_actions`);
    await q.query(`DROP TRIGGER containment_sla_fact ON containment_actions`);
    await q.query(`DROP TRIGGER case_events_sla_fact ON case_events`);
    await q.query(`DROP TRIGGER cases_sla_changed ON cases`);
    await q.query(`DROP TRIGGER cases_sla_opened ON cases`);
    await q.query(`DROP FUNCTION vigil_case_fact_sla_signal()`);
    await q.query(`DROP FUNCTION vigil_cases_sla_signal()`);
    await q.query(`DROP FUNCTION vigil_sla_replan(uuid[], text)`);
    await q.query(`DROP FUNCTION vigil_sla_signal(uuid, uuid, text)`);
    await q.query(`DROP FUNCTION vigil_sla_applies(uuid, uuid)`);
    await q.query(`ALTER TABLE "cases" DROP COLUMN "task_queue"`);
  }
}
