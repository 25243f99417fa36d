import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { resolveAction } from './resolve.action.js';
import { triggerAction } from './trigger.action.js';

interface Alert {
  dedupKey: string;
  status: string;
  events: number;
}

async function alerts(h: SimulatorHarness): Promise<Alert[]> {
  return ((await h.state())['pagerduty']?.['alerts'] ?? []) as Alert[];
}

describe('pagerduty adapters', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('trigger: POST /v2/enqueue with routing_key, event_action, dedup_key and payload', async () => {
    const out = await run(
      triggerAction,
      {
        summary: 'Ransomware beacon on WS-0142',
        source: 'WS-0142',
        severity: 'critical',
        dedupKey: 'case-42',
        customDetails: { case: 42 },
        links: [{ href: 'https://vigil.example.com/cases/42', text: 'Case 42' }],
      },
      h.context('pagerduty'),
    );
    assert.deepEqual(out, { status: 'success', message: 'Event processed', dedupKey: 'case-42' });
    const [call] = await h.calls('pagerduty');
    assert.equal(call?.method, 'POST');
    assert.equal(call?.path, '/v2/enqueue');
    const body = call?.body as Record<string, unknown>;
    assert.equal(body['routing_key'], '[REDACTED]', 'the routing key is a secret even in the body');
    assert.equal(body['event_action'], 'trigger');
    assert.equal(body['dedup_key'], 'case-42');
    assert.equal(body['client'], 'Vigil');
    assert.deepEqual(body['links'], [{ href: 'https://vigil.example.com/cases/42', text: 'Case 42' }]);
    const payload = body['payload'] as Record<string, unknown>;
    assert.deepEqual(
      { summary: payload['summary'], source: payload['source'], severity: payload['severity'], custom: payload['custom_details'] },
      { summary: 'Ransomware beacon on WS-0142', source: 'WS-0142', severity: 'critical', custom: { case: 42 } },
    );
    assert.match(String(payload['timestamp']), /^\d{4}-\d{2}-\d{2}T/);
    assertNoSecrets(call, SIMULATOR_CREDENTIALS.pagerduty);
  });

  test('without a dedupKey, retries of the same step share one derived key (one alert)', async () => {
    const input = { summary: 'Beacon', source: 'WS-1', severity: 'error' };
    const first = await run(triggerAction, input, h.context('pagerduty', { idempotencyKey: 'wf-1/notify' }));
    const retry = await run(triggerAction, input, h.context('pagerduty', { idempotencyKey: 'wf-1/notify' }));
    const other = await run(triggerAction, input, h.context('pagerduty', { idempotencyKey: 'wf-2/notify' }));
    assert.equal(first.dedupKey, retry.dedupKey);
    assert.notEqual(first.dedupKey, other.dedupKey);
    assert.match(first.dedupKey, /^vigil-[0-9a-f]{32}$/);
    const state = await alerts(h);
    assert.equal(state.length, 2);
    assert.equal(state.find((a) => a.dedupKey === first.dedupKey)?.events, 2);
  });

  test('resolve: event_action resolve with the dedup_key', async () => {
    await run(triggerAction, { summary: 'x', source: 'y', severity: 'info', dedupKey: 'case-7' }, h.context('pagerduty'));
    const out = await run(resolveAction, { dedupKey: 'case-7' }, h.context('pagerduty'));
    assert.equal(out.dedupKey, 'case-7');
    const body = (await h.calls('pagerduty'))[1]?.body as Record<string, unknown>;
    assert.deepEqual({ action: body['event_action'], key: body['dedup_key'], payload: body['payload'] }, { action: 'resolve', key: 'case-7', payload: undefined });
    assert.equal((await alerts(h))[0]?.status, 'resolved');
  });

  test('wrong routing key → 400 invalid event, not retryable', async () => {
    const err = await expectIntegrationError(run(resolveAction, { dedupKey: 'k' }, h.context('pagerduty', { secrets: { routingKey: 'R0WRONGROUTINGKEY000000000000000' } })), {
      code: 'vendor_bad_request',
      retryable: false,
      httpStatus: 400,
    });
    assert.match(err.message, /routing_key/);
    assert.ok(!err.message.includes('R0WRONGROUTINGKEY'));
  });

  test('429 throttle event → retryable', async () => {
    await h.fault({ vendor: 'pagerduty', kind: 'status', status: 429, times: 1 });
    const err = await expectIntegrationError(run(resolveAction, { dedupKey: 'k' }, h.context('pagerduty')), { code: 'vendor_rate_limited', retryable: true, httpStatus: 429 });
    assert.match(err.message, /too quickly/);
  });

  test('severity must be one of PagerDuty’s four', async () => {
    await expectIntegrationError(run(triggerAction, { summary: 'x', source: 'y', severity: 'high' }, h.context('pagerduty')), { code: 'invalid_input', retryable: false });
  });
});
