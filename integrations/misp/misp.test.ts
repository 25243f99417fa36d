import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { addSightingAction } from './add-sighting.action.js';
import { searchAttributesAction } from './search-attributes.action.js';

describe('misp adapters', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('search_attributes: POST /attributes/restSearch with JSON body and Authorization key', async () => {
    const out = await run(searchAttributesAction, { value: '203.0.113.77', type: 'ip-dst', toIds: true }, h.context('misp'));
    assert.equal(out.matched, true);
    assert.equal(out.count, 1);
    const a = out.attributes[0];
    assert.ok(a);
    assert.deepEqual(
      { value: a.value, type: a.type, category: a.category, toIds: a.toIds, eventId: a.eventId, eventInfo: a.eventInfo, tags: a.tags, timestamp: a.timestamp },
      {
        value: '203.0.113.77',
        type: 'ip-dst',
        category: 'Network activity',
        toIds: true,
        eventId: '42',
        eventInfo: 'Vigil simulator: known-bad infrastructure',
        tags: ['tlp:amber'],
        timestamp: '2025-01-01T00:00:00.000Z',
      },
    );
    const [call] = await h.calls('misp');
    assert.ok(call);
    assert.equal(call.method, 'POST');
    assert.equal(call.path, '/attributes/restSearch');
    assert.equal(call.headers['authorization'], '[REDACTED]');
    assert.equal(call.headers['accept'], 'application/json');
    assert.match(call.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(call.body, { returnFormat: 'json', value: '203.0.113.77', limit: 50, page: 1, type: 'ip-dst', to_ids: true });
    assertNoSecrets(call, SIMULATOR_CREDENTIALS.misp);
  });

  test('search_attributes: a clean indicator matches nothing', async () => {
    const out = await run(searchAttributesAction, { value: 'example.com' }, h.context('misp'));
    assert.deepEqual(out, { matched: false, count: 0, attributes: [] });
  });

  test('add_sighting: POST /sightings/add with values, type and source', async () => {
    const out = await run(addSightingAction, { value: 'bad-c2.example.net' }, h.context('misp'));
    assert.deepEqual(out, { added: true, message: '1 sighting successfully added.' });
    const [call] = await h.calls('misp');
    const body = call?.body as Record<string, unknown>;
    assert.equal(call?.path, '/sightings/add');
    assert.deepEqual(body['values'], ['bad-c2.example.net']);
    assert.equal(body['type'], '0');
    assert.equal(body['source'], 'Vigil');
    assert.equal(typeof body['timestamp'], 'number');
    const state = await h.state();
    assert.deepEqual(state['misp']?.['sightings'], { 'bad-c2.example.net': 1 });
  });

  test('add_sighting: no matching attribute → added false, not an error', async () => {
    const out = await run(addSightingAction, { value: 'example.org', type: 'false_positive' }, h.context('misp'));
    assert.equal(out.added, false);
    assert.match(out.message, /No valid attributes/);
  });

  test('bad key → MISP answers 403: vendor_forbidden, not retryable', async () => {
    const err = await expectIntegrationError(run(searchAttributesAction, { value: '1.1.1.1' }, h.context('misp', { secrets: { apiKey: 'wrong-misp-key' } })), {
      code: 'vendor_forbidden',
      retryable: false,
      httpStatus: 403,
    });
    assert.match(err.message, /Authentication failed/);
  });
});
