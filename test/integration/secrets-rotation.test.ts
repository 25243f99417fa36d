import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startSimulator } from '../../integrations/simulator/simulator.js';
import { ActionRunner } from '../../src/activities/action-runner.js';
import { ConnectionResolver } from '../../src/integration-runtime/connection-resolver.js';
import { http, startTestStack, type TestStack } from '../support/stack.js';
import { simulatorCalls, simulatorConnectionBody } from '../support/integrations-fixtures.js';

const OLD = `old:${randomBytes(32).toString('base64')}`;
const NEW = `new:${randomBytes(32).toString('base64')}`;

let simulator: Awaited<ReturnType<typeof startSimulator>>;
const stacks: TestStack[] = [];

async function stackWithKeys(keys: string): Promise<TestStack> {
  const stack = await startTestStack({ VIGIL_SECRETS_KEYS: keys, VIGIL_SIMULATOR_CONNECTIONS: 'false' });
  stacks.push(stack);
  return stack;
}

before(async () => {
  // One simulator for every stack of this file: the connection points at it across restarts.
  simulator = await startSimulator({ host: '127.0.0.1', port: 0, smtpPort: 0 });
});
after(async () => {
  for (const s of stacks) await s.stop().catch(() => undefined);
  await simulator?.close();
});

test('rotation: new key first, POST /connections/rotate re-encrypts every connection, the old key can then go', async () => {
  // 1. Written under the old key.
  const a = await stackWithKeys(OLD);
  const tenant = await a.createTenant();
  const body = simulatorConnectionBody(simulator.url, 'virustotal');
  const created = await http<{ id: string; secrets: { keyId: string } }>('POST', `${a.url}/api/v1/connections`, { key: tenant.key, body });
  assert.equal(created.status, 201);
  assert.equal(created.body.secrets.keyId, 'old');
  const apiKey = (body['secrets'] as Record<string, string>)['apiKey']!;
  await a.stop();

  // 2. The new key is current, the old one still decrypts: nothing breaks before the rotation.
  const b = await stackWithKeys(`${NEW},${OLD}`);
  const lookup = (stack: TestStack, n: number) =>
    stack.api.get(ActionRunner).run({ tenantId: tenant.id, action: 'virustotal.get_ip_report', params: { ip: `203.0.113.${n}` }, scope: {}, idempotencyKey: `rot-${n}` });
  await lookup(b, 1);
  const author = await b.createKey(tenant.id, 'author');
  assert.equal((await http('POST', `${b.url}/api/v1/connections/rotate`, { key: author })).status, 403, 'only admins rotate');
  const rotated = await http<{ keyId: string; rotated: number; unchanged: number }>('POST', `${b.url}/api/v1/connections/rotate`, { key: tenant.key });
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
  assert.deepEqual(rotated.body, { keyId: 'new', rotated: 1, unchanged: 0 });
  const rows: Array<{ secrets_key_id: string }> = await b.db.query('SELECT secrets_key_id FROM integration_connections WHERE tenant_id = $1', [tenant.id]);
  assert.deepEqual(rows, [{ secrets_key_id: 'new' }]);
  const view = await http<{ secrets: { keyId: string; set: string[] } }>('GET', `${b.url}/api/v1/connections/${created.body.id}`, { key: tenant.key });
  assert.deepEqual(view.body.secrets, { set: ['apiKey'], missing: [], keyId: 'new' });
  const again = await http<{ rotated: number; unchanged: number }>('POST', `${b.url}/api/v1/connections/rotate`, { key: tenant.key });
  assert.deepEqual([again.body.rotated, again.body.unchanged], [0, 1]);
  await b.stop();

  // 3. Only the new key left: still decrypts, and the vendor accepts the secret.
  const c = await stackWithKeys(NEW);
  const resolved = await c.api.get(ConnectionResolver).resolve(tenant.id, 'virustotal');
  assert.equal(resolved.context.secrets['apiKey'], apiKey);
  await lookup(c, 2);
  const calls = await simulatorCalls(simulator.url, 'virustotal');
  assert.deepEqual(
    calls.filter((x) => /203\.0\.113\.[12]$/.test(x.path)).map((x) => x.status),
    [200, 200],
  );
  await c.stop();

  // 4. A deployment that lost the new key cannot read the rotated secrets, and says which key is missing.
  const d = await stackWithKeys(OLD);
  await assert.rejects(lookup(d, 3), /encrypted with key new, which VIGIL_SECRETS_KEYS no longer holds/);
});
