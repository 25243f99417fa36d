import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderCounters } from './counter-sources.js';

describe('external counters as Prometheus text', () => {
  test('HELP, TYPE counter and one line per label set, label values escaped; bad names skipped', () => {
    let breaches = 2;
    const source = {
      counters: () => [
        {
          name: 'vigil_sla_breaches_total',
          help: 'SLA clocks that ran past their target',
          samples: () => [{ labels: { tenant: 'acme', clock: 'acknowledge', severity: '5' }, value: breaches }],
        },
        { name: 'vigil_sla_escalations_total', help: 'pages', samples: () => [{ labels: { tenant: 'a"b\\c\nd', level: '0' }, value: 1 }] },
        { name: 'not a name', help: 'x', samples: () => [{ labels: {}, value: 1 }] },
      ],
    };
    const text = renderCounters([source]);
    assert.match(text, /^# TYPE vigil_sla_breaches_total counter$/m);
    assert.match(text, /^vigil_sla_breaches_total\{tenant="acme",clock="acknowledge",severity="5"\} 2$/m);
    assert.match(text, /^vigil_sla_escalations_total\{tenant="a\\"b\\\\c\\nd",level="0"\} 1$/m);
    assert.doesNotMatch(text, /not a name/);
    breaches = 3;
    assert.match(renderCounters([source]), /^vigil_sla_breaches_total\{.*\} 3$/m, 'read at each scrape');
  });
});
