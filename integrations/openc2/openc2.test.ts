import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { idempotencyUuid } from '../core/idempotency.js';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { allowIpv4Action } from './allow-ipv4.action.js';
import { deleteRuleAction } from './delete-rule.action.js';
import { denyIpv4Action } from './deny-ipv4.action.js';
import { commandAction } from './command.action.js';

interface Rule {
  ruleNumber: number;
  action: string;
  ipv4Net: string;
  direction: string;
}

async function rules(h: SimulatorHarness): Promise<Rule[]> {
  return ((await h.state())['openc2']?.['rules'] ?? []) as Rule[];
}

describe('openc2 SLPF adapters', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('deny_ipv4: the SLPF command over HTTPS, with media types and a request id', async () => {
    const ctx = h.context('openc2', { idempotencyKey: 'wf-9/block-c2' });
    const out = await run(denyIpv4Action, { ipv4Net: '203.0.113.0/24', direction: 'ingress', durationMs: 3_600_000 }, ctx);
    assert.equal(out.status, 200);
    assert.equal(out.ruleNumber, 1000);
    assert.equal(out.requestId, idempotencyUuid('wf-9/block-c2'));
    const [call] = await h.calls('openc2');
    assert.equal(call?.method, 'POST');
    assert.equal(call?.headers['content-type'], 'application/openc2-cmd+json;version=1.0');
    assert.equal(call?.headers['accept'], 'application/openc2-rsp+json;version=1.0');
    assert.equal(call?.headers['x-request-id'], idempotencyUuid('wf-9/block-c2'));
    assert.equal(call?.headers['authorization'], '[REDACTED]');
    assert.deepEqual(call?.body, {
      action: 'deny',
      target: { ipv4_net: '203.0.113.0/24' },
      args: { response_requested: 'complete', duration: 3_600_000, slpf: { direction: 'ingress' } },
      actuator: { slpf: { asset_id: 'vigil-sim-slpf' } },
    });
    assertNoSecrets(call, SIMULATOR_CREDENTIALS.openc2);
    assert.deepEqual(
      (await rules(h)).map((r) => `${r.action} ${r.ipv4Net} ${r.direction}`),
      ['deny 203.0.113.0/24 ingress'],
    );
  });

  test('deny twice returns the same rule (one rule on the actuator)', async () => {
    const first = await run(denyIpv4Action, { ipv4Net: '203.0.113.5' }, h.context('openc2'));
    const second = await run(denyIpv4Action, { ipv4Net: '203.0.113.5' }, h.context('openc2'));
    assert.equal(second.ruleNumber, first.ruleNumber);
    assert.equal((await rules(h)).length, 1);
    const [call] = await h.calls('openc2');
    assert.deepEqual(call?.body, {
      action: 'deny',
      target: { ipv4_net: '203.0.113.5' },
      args: { response_requested: 'complete' },
      actuator: { slpf: { asset_id: 'vigil-sim-slpf' } },
    });
  });

  test('allow_ipv4 (the inverse) replaces the deny rule', async () => {
    await run(denyIpv4Action, { ipv4Net: '203.0.113.5' }, h.context('openc2'));
    const allowed = await run(allowIpv4Action, { ipv4Net: '203.0.113.5' }, h.context('openc2'));
    assert.equal(allowed.status, 200);
    assert.deepEqual(
      (await rules(h)).map((r) => r.action),
      ['allow'],
    );
    assert.equal(((await h.calls('openc2'))[1]?.body as { action: string }).action, 'allow');
  });

  test('delete_rule: delete slpf:rule_number; deleting again is safe', async () => {
    const denied = await run(denyIpv4Action, { ipv4Net: '203.0.113.5' }, h.context('openc2'));
    assert.ok(denied.ruleNumber !== null);
    const deleted = await run(deleteRuleAction, { ruleNumber: denied.ruleNumber }, h.context('openc2'));
    assert.deepEqual({ status: deleted.status, already: deleted.alreadyInState }, { status: 200, already: false });
    const again = await run(deleteRuleAction, { ruleNumber: denied.ruleNumber }, h.context('openc2'));
    assert.deepEqual({ status: again.status, already: again.alreadyInState }, { status: 404, already: true });
    assert.deepEqual((await h.calls('openc2'))[1]?.body, {
      action: 'delete',
      target: { 'slpf:rule_number': denied.ruleNumber },
      args: { response_requested: 'complete' },
      actuator: { slpf: { asset_id: 'vigil-sim-slpf' } },
    });
    assert.equal((await rules(h)).length, 0);
  });

  test('an OpenC2 error status inside a 200 is a failure', async () => {
    const err = await expectIntegrationError(
      run(denyIpv4Action, { ipv4Net: '203.0.113.5' }, h.context('openc2', { settings: { asset_id: 'x' }, baseUrl: `${h.url}/openc2/nowhere` })),
      {
        code: 'vendor_not_found',
        retryable: false,
        httpStatus: 404,
      },
    );
    assert.match(err.message, /Not Found/);
  });

  test('bad token → vendor_unauthorized; 500 → retryable', async () => {
    await expectIntegrationError(run(denyIpv4Action, { ipv4Net: '203.0.113.5' }, h.context('openc2', { secrets: { bearerToken: 'wrong-openc2-token' } })), {
      code: 'vendor_unauthorized',
      retryable: false,
      httpStatus: 401,
    });
    await h.fault({ vendor: 'openc2', kind: 'status', status: 500, times: 1 });
    await expectIntegrationError(run(denyIpv4Action, { ipv4Net: '203.0.113.5' }, h.context('openc2')), { code: 'vendor_unavailable', retryable: true, httpStatus: 500 });
  });

  test('only IPv4 addresses or CIDR networks are accepted', async () => {
    await expectIntegrationError(run(denyIpv4Action, { ipv4Net: '203.0.113.0/33' }, h.context('openc2')), { code: 'invalid_input', retryable: false });
    await expectIntegrationError(run(denyIpv4Action, { ipv4Net: '2001:db8::/32' }, h.context('openc2')), { code: 'invalid_input', retryable: false });
  });

  test('openc2.command: any pair, as an OpenC2 message (HTTPS transfer 1.1) answered in an envelope', async () => {
    const ctx = h.context('openc2', { idempotencyKey: 'wf-1/generic' });
    const out = await run(commandAction, { request: { action: 'deny', target: { ipv4_net: '198.51.100.7' }, actuator: { slpf: {} } } }, ctx);
    assert.equal(out.status, 200);
    assert.deepEqual(out.results, { slpf: { rule_number: 1000 } });
    const [call] = await h.calls('openc2');
    assert.equal(call?.headers['content-type'], 'application/openc2+json;version=1.0');
    const body = call?.body as { headers: { request_id: string }; body: { openc2: { request: unknown } } };
    assert.equal(body.headers.request_id, idempotencyUuid('wf-1/generic'));
    assert.deepEqual(body.body.openc2.request, { action: 'deny', target: { ipv4_net: '198.51.100.7' }, actuator: { slpf: {} } });
    assert.deepEqual(
      (await rules(h)).map((r) => r.ipv4Net),
      ['198.51.100.7'],
    );
  });

  test('openc2.command: a valid ER pair the consumer does not implement answers 501; a pair outside the language is refused before sending', async () => {
    await expectIntegrationError(run(commandAction, { request: { action: 'contain', target: { device: { hostname: 'ws-1' } }, actuator: { er: {} } } }, h.context('openc2')), {
      code: 'vendor_not_implemented',
      retryable: false,
      httpStatus: 501,
    });
    const calls = (await h.calls('openc2')).length;
    await expectIntegrationError(run(commandAction, { request: { action: 'obliterate', target: { device: {} } } }, h.context('openc2')), {
      code: 'vendor_bad_request',
      retryable: false,
    });
    await expectIntegrationError(run(commandAction, { request: { action: 'contain', target: { ipv4_net: '1.2.3.4' }, actuator: { slpf: {} } } }, h.context('openc2')), {
      code: 'vendor_bad_request',
      retryable: false,
    });
    assert.equal((await h.calls('openc2')).length, calls, 'refused commands are not sent');
  });
});
