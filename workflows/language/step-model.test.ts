import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Step } from './playbook.types.js';
import { stepExits, stepIdsIn, stepLists, stepRoutes } from './step-model.js';

describe('stepRoutes', () => {
  test('every explicit route, with the field that declares it', () => {
    assert.deepEqual(stepRoutes({ id: 'a', kind: 'set', vars: {} }), []);
    assert.deepEqual(stepRoutes({ id: 'a', kind: 'set', vars: {}, next: 'z', onFailure: { goto: 'f' } }), [
      { field: ['next'], target: 'z' },
      { field: ['onFailure', 'goto'], target: 'f' },
    ]);
    assert.deepEqual(stepRoutes({ id: 'c', kind: 'condition', if: 'true', then: 't', else: 'e' }), [
      { field: ['then'], target: 't' },
      { field: ['else'], target: 'e' },
    ]);
    assert.deepEqual(stepRoutes({ id: 's', kind: 'switch', on: 'vars.x', cases: { high: 'h', low: 'l' }, default: 'd' }), [
      { field: ['cases', 'high'], target: 'h' },
      { field: ['cases', 'low'], target: 'l' },
      { field: ['default'], target: 'd' },
    ]);
    const approval: Step = { id: 'ok', kind: 'approval', question: 'Contain?', levels: [{ roles: ['lead'], timeout: '1h' }], defaultOutcome: 'reject', onReject: 'r' };
    assert.deepEqual(stepRoutes(approval), [{ field: ['onReject'], target: 'r' }]);
    // onFailure: continue is not a route to a step.
    assert.deepEqual(stepRoutes({ id: 'w', kind: 'wait', duration: '5m', onFailure: 'continue' }), []);
  });
});

describe('stepExits', () => {
  test('a step that does not route goes on with its next, else the following step', () => {
    assert.deepEqual(stepExits({ id: 'a', kind: 'status', status: 'triaged' }), ['following']);
    assert.deepEqual(stepExits({ id: 'a', kind: 'status', status: 'triaged', next: 'z' }), [{ field: ['next'], target: 'z' }]);
  });

  test('an end step goes nowhere, unless a when can skip it', () => {
    assert.deepEqual(stepExits({ id: 'e', kind: 'end' }), []);
    assert.deepEqual(stepExits({ id: 'e', kind: 'end', when: 'vars.done', next: 'z' }), [{ field: ['next'], target: 'z' }]);
  });

  test('a when adds the continuation before the kind’s own exits', () => {
    assert.deepEqual(stepExits({ id: 'c', kind: 'condition', if: 'vars.x', then: 't', else: 'e', when: 'vars.y' }), [
      'following',
      { field: ['then'], target: 't' },
      { field: ['else'], target: 'e' },
    ]);
  });

  test('a condition without else and a switch without default continue', () => {
    assert.deepEqual(stepExits({ id: 'c', kind: 'condition', if: 'vars.x', then: 't', next: 'n' }), [
      { field: ['then'], target: 't' },
      { field: ['next'], target: 'n' },
    ]);
    assert.deepEqual(stepExits({ id: 's', kind: 'switch', on: 'vars.x', cases: { a: 'ta' } }), [{ field: ['cases', 'a'], target: 'ta' }, 'following']);
    assert.deepEqual(stepExits({ id: 's', kind: 'switch', on: 'vars.x', cases: { a: 'ta' }, default: 'd', next: 'n' }), [
      { field: ['cases', 'a'], target: 'ta' },
      { field: ['default'], target: 'd' },
    ]);
  });

  test('an approval continues for each outcome it does not route', () => {
    const base: Step = { id: 'ok', kind: 'approval', question: 'Contain?', levels: [{ roles: ['lead'], timeout: '1h' }], defaultOutcome: 'reject' };
    assert.deepEqual(stepExits(base), ['following', 'following']);
    assert.deepEqual(stepExits({ ...base, onApprove: 'go', next: 'n' }), [
      { field: ['onApprove'], target: 'go' },
      { field: ['next'], target: 'n' },
    ]);
  });

  test('onFailure: continue goes on with the following step, not next; goto routes', () => {
    assert.deepEqual(stepExits({ id: 'a', kind: 'action', action: 'x.y', next: 'n', onFailure: 'continue' }), [{ field: ['next'], target: 'n' }, 'following']);
    assert.deepEqual(stepExits({ id: 'a', kind: 'action', action: 'x.y', onFailure: { goto: 'f' } }), ['following', { field: ['onFailure', 'goto'], target: 'f' }]);
    assert.deepEqual(stepExits({ id: 'a', kind: 'action', action: 'x.y', onFailure: 'fail' }), ['following']);
  });

  test('nested lists are not exits: a parallel, foreach or loop step continues after its body', () => {
    const loop: Step = { id: 'l', kind: 'loop', while: 'true', maxIterations: 3, steps: [{ id: 'in', kind: 'end' }] };
    assert.deepEqual(stepExits(loop), ['following']);
    assert.deepEqual(stepLists(loop), [{ field: ['steps'], steps: [{ id: 'in', kind: 'end' }] }]);
    assert.deepEqual(stepIdsIn([loop, { id: 'after', kind: 'end' }]), ['l', 'in', 'after']);
  });
});
