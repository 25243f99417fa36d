import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VigilError } from '../common/errors/vigil-error.js';
import { encodeCursor } from '../common/http/cursor.js';
import { alertListSql, nextAlertCursor } from './alert-queries.repository.js';
import { listAlertsQuery } from './alert-read.schemas.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const CASE = '22222222-2222-4222-8222-222222222222';
const parse = (q: string) => listAlertsQuery.parse(Object.fromEntries(new URLSearchParams(q)));

describe('alert list SQL', () => {
  test('every filter is a bound parameter, scoped by tenant, and the keys carry the tenant', () => {
    const { sql, params } = alertListSql(
      TENANT,
      parse(`source=splunk,ocsf&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&minSeverity=High&case=${CASE}&observable=Evil.Example&attack=t1059&rule=r'1&limit=10`),
    );
    assert.match(
      sql,
      /WHERE tenant_id = \$1 AND source = ANY\(\$2::text\[\]\) AND event_time >= \$3::timestamptz AND event_time < \$4::timestamptz AND severity_id BETWEEN \$5 AND 6/,
    );
    assert.match(
      sql,
      /AND case_id = \$6::uuid AND vigil_observable_keys\(tenant_id, finding->'observables'\) && ARRAY\[\$1::uuid::text \|\| '\|' \|\| 'cs:' \|\| \$7::text, \$1::uuid::text \|\| '\|' \|\| 'ci:' \|\| lower\(\$7::text\)\]/,
    );
    assert.match(sql, /AND vigil_alert_finding_keys\(tenant_id, finding\) @> ARRAY\[\$1::uuid::text \|\| '\|' \|\| \$8::text, \$1::uuid::text \|\| '\|' \|\| \$9::text\]/);
    assert.match(sql, /ORDER BY event_time DESC, id DESC LIMIT \$10$/);
    assert.deepEqual(params, [TENANT, ['splunk', 'ocsf'], '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', 4, CASE, 'Evil.Example', 'attack:T1059', "rule:r'1", 11]);
    assert.doesNotMatch(sql, /Evil|r'1/, 'no value is spliced into the text');
  });

  test('one source is an equality (the tenant+source index then gives the order); minSeverity 0 filters nothing', () => {
    const { sql, params } = alertListSql(TENANT, parse('source=splunk&minSeverity=unknown'));
    assert.match(sql, /WHERE tenant_id = \$1 AND source = \$2\s/);
    assert.doesNotMatch(sql, /severity_id BETWEEN/);
    assert.deepEqual(params, [TENANT, 'splunk', 51]);
  });

  test('a cursor continues after the last row, newest first', () => {
    const cursor = nextAlertCursor({ k0: '2026-01-02 10:00:00.123456+00', k1: CASE });
    const { sql, params } = alertListSql(TENANT, { ...parse(''), cursor });
    assert.match(sql, /\(event_time, id\) < \(\$2::timestamptz, \$3::uuid\)/);
    assert.deepEqual(params.slice(1, 3), ['2026-01-02 10:00:00.123456+00', CASE]);
  });

  test('a cursor of another list, or with values of the wrong shape, is refused before any SQL', () => {
    for (const cursor of [
      encodeCursor('cases:created_at:desc', ['2026-01-02 10:00:00+00', CASE]),
      encodeCursor('alerts:event_time:desc', ["2026-01-02'); DROP TABLE alerts; --", CASE]),
      encodeCursor('alerts:event_time:desc', ['2026-01-02 10:00:00+00']),
      encodeCursor('alerts:event_time:desc', [1, CASE]),
    ]) {
      assert.throws(
        () => alertListSql(TENANT, { ...parse(''), cursor }),
        (e: unknown) => e instanceof VigilError && e.code === 'invalid_cursor',
      );
    }
  });

  test('query parsing: severity names in any case, ATT&CK ids upper-cased, defaults, strictness', () => {
    assert.equal(parse('minSeverity=CRITICAL').minSeverity, 5);
    assert.equal(parse('minSeverity=2').minSeverity, 2);
    assert.equal(parse('attack=ta0011').attack, 'TA0011');
    assert.equal(parse('attack=t1059.001').attack, 'T1059.001');
    assert.equal(parse('').limit, 50);
    for (const bad of [{ minSeverity: 'other' }, { minSeverity: '99' }, { attack: 'T1059.1' }, { source: 'nope' }, { limit: '500' }, { severity: 'high' }]) {
      assert.equal(listAlertsQuery.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
