import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VigilError } from '../common/errors/vigil-error.js';
import { encodeCursor } from '../common/http/cursor.js';
import { caseListSql, nextCaseCursor } from './case-list.query.js';
import { listCasesQuery } from './case.schemas.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const parse = (q: string) => listCasesQuery.parse(Object.fromEntries(new URLSearchParams(q)));

describe('case list SQL', () => {
  test('every filter is a bound parameter, scoped by tenant', () => {
    const { sql, params } = caseListSql(
      TENANT,
      parse('status=new,triaged&minSeverity=high&assignee=ana&tag=a,b&source=splunk&createdFrom=2026-01-01T00:00:00Z&q=50%25_off&limit=10'),
    );
    assert.match(
      sql,
      /WHERE tenant_id = \$1 AND status = ANY\(\$2::text\[\]\) AND severity_id >= \$3 AND assignee = \$4 AND tags @> \$5::text\[\] AND source = ANY\(\$6::text\[\]\) AND created_at >= \$7::timestamptz AND title ILIKE \$8/,
    );
    assert.match(sql, /ORDER BY created_at DESC, id DESC LIMIT \$9$/);
    assert.deepEqual(params, [TENANT, ['new', 'triaged'], 4, 'ana', ['a', 'b'], ['splunk'], '2026-01-01T00:00:00Z', '%50\\%\\_off%', 11]);
  });

  test('sorting by severity breaks ties by creation time, then id', () => {
    const { sql } = caseListSql(TENANT, parse('sort=severity&order=asc'));
    assert.match(sql, /ORDER BY severity_id ASC, created_at ASC, id ASC/);
  });

  test('a cursor continues after the last row, in the direction of the sort', () => {
    const q = parse('sort=severity&order=desc');
    const cursor = nextCaseCursor(q, { k0: '4', k1: '2026-01-02 10:00:00.123456+00', k2: '22222222-2222-4222-8222-222222222222' });
    const { sql, params } = caseListSql(TENANT, { ...q, cursor });
    assert.match(sql, /\(severity_id, created_at, id\) < \(\$2::smallint, \$3::timestamptz, \$4::uuid\)/);
    assert.deepEqual(params.slice(1, 4), ['4', '2026-01-02 10:00:00.123456+00', '22222222-2222-4222-8222-222222222222']);
  });

  test('a cursor of another sort, or with values of the wrong shape, is refused before any SQL', () => {
    const other = nextCaseCursor(parse('sort=updated_at'), { k0: '2026-01-02 10:00:00+00', k1: '22222222-2222-4222-8222-222222222222' });
    assert.throws(
      () => caseListSql(TENANT, { ...parse(''), cursor: other }),
      (e: unknown) => e instanceof VigilError && e.code === 'invalid_cursor',
    );
    const injected = encodeCursor('cases:created_at:desc', ["2026-01-02'); DROP TABLE cases; --", '22222222-2222-4222-8222-222222222222']);
    assert.throws(
      () => caseListSql(TENANT, { ...parse(''), cursor: injected }),
      (e: unknown) => e instanceof VigilError && e.code === 'invalid_cursor',
    );
  });

  test('query parsing: words and numbers for severity, lists, defaults', () => {
    assert.equal(parse('minSeverity=critical').minSeverity, 5);
    assert.equal(parse('minSeverity=2').minSeverity, 2);
    assert.deepEqual(listCasesQuery.parse({ status: ['new', 'closed,resolved'] }).status, ['new', 'closed', 'resolved']);
    const d = parse('');
    assert.deepEqual([d.sort, d.order, d.limit], ['created_at', 'desc', 50]);
    assert.equal(listCasesQuery.safeParse({ nope: '1' }).success, false);
  });
  test('sla=breached and sla=at_risk judge every clock at one bound instant', () => {
    const now = Date.parse('2026-12-08T10:00:00Z');
    const breached = caseListSql(TENANT, parse('sla=breached'), now);
    assert.match(
      breached.sql,
      /EXISTS \(SELECT 1 FROM case_sla_clocks s WHERE s.tenant_id = c.tenant_id AND s.case_id = c.id AND \(s.status = 'breached' OR \(s.stopped_at IS NULL AND s.due_at <= \$2::timestamptz\)\)\)/,
    );
    assert.equal(breached.params[1], '2026-12-08T10:00:00.000Z');
    const atRisk = caseListSql(TENANT, parse('sla=at_risk'), now);
    assert.equal((atRisk.sql.match(/\$2::timestamptz/g) ?? []).length, 2);
    assert.equal(listCasesQuery.safeParse({ sla: 'late' }).success, false);
  });

  test('sort=sla_due orders by the earliest open due instant (infinity when none), then id, and its cursor may hold infinity', () => {
    const q = parse('sort=sla_due&order=asc');
    assert.match(caseListSql(TENANT, q).sql, /ORDER BY coalesce\(\(SELECT min\(s.due_at\) .*stopped_at IS NULL\), 'infinity'::timestamptz\) ASC, id ASC/);
    const cursor = nextCaseCursor(q, { k0: 'infinity', k1: '22222222-2222-4222-8222-222222222222' });
    const { sql, params } = caseListSql(TENANT, { ...q, cursor });
    assert.match(sql, /\(coalesce\(.*'infinity'::timestamptz\), id\) > \(\$2::timestamptz, \$3::uuid\)/);
    assert.deepEqual(params.slice(1, 3), ['infinity', '22222222-2222-4222-8222-222222222222']);
  });
});
