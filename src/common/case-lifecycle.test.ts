import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allowedTransitions, CASE_RESOLUTIONS, CASE_STATUSES, type CaseStatus, canTransition, checkTransition, FINISHED_STATUSES } from './case-lifecycle.js';

/** The table as the README documents it: every pair not listed here must be refused. */
const EXPECTED: Record<CaseStatus, CaseStatus[]> = {
  new: ['triaged', 'in_progress', 'contained', 'on_hold', 'false_positive', 'closed'],
  triaged: ['in_progress', 'contained', 'on_hold', 'resolved', 'false_positive', 'closed'],
  in_progress: ['contained', 'on_hold', 'resolved', 'false_positive', 'closed'],
  contained: ['in_progress', 'on_hold', 'resolved', 'closed'],
  on_hold: ['triaged', 'in_progress', 'contained', 'false_positive', 'closed'],
  resolved: ['in_progress', 'closed'],
  false_positive: ['triaged', 'closed'],
  closed: ['in_progress'],
};

describe('case lifecycle: every pair of statuses', () => {
  for (const from of CASE_STATUSES) {
    for (const to of CASE_STATUSES) {
      const allowed = EXPECTED[from].includes(to);
      test(`${from} → ${to}: ${allowed ? 'allowed' : 'refused'} for analysts`, () => {
        assert.equal(canTransition(from, to, 'analyst'), allowed);
        const check = checkTransition({ from, to, resolution: to === 'closed' ? 'true_positive' : null });
        assert.equal(check.ok, allowed);
        if (!check.ok && check.code === 'invalid_transition') assert.deepEqual(check.allowed, EXPECTED[from]);
        if (!allowed) assert.equal(!check.ok && check.code, 'invalid_transition');
      });
      // Playbooks follow the same table, but never reopen a finished case.
      const playbookAllowed = allowed && !(FINISHED_STATUSES.has(from) && !FINISHED_STATUSES.has(to));
      test(`${from} → ${to}: ${playbookAllowed ? 'allowed' : 'refused'} for playbooks`, () => {
        assert.equal(canTransition(from, to, 'playbook'), playbookAllowed);
      });
    }
  }

  test('no status moves to itself', () => {
    for (const s of CASE_STATUSES) assert.equal(allowedTransitions(s).includes(s), false, s);
  });

  test('every status can be closed, except closed itself', () => {
    for (const s of CASE_STATUSES) assert.equal(canTransition(s, 'closed'), s !== 'closed', s);
  });

  test('the table counts 31 allowed moves for analysts and 28 for playbooks', () => {
    assert.equal(
      CASE_STATUSES.reduce((n, s) => n + allowedTransitions(s, 'analyst').length, 0),
      31,
    );
    assert.equal(
      CASE_STATUSES.reduce((n, s) => n + allowedTransitions(s, 'playbook').length, 0),
      28,
    );
  });
});

describe('case lifecycle: resolutions', () => {
  test('closing needs a resolution, given now or already on the case', () => {
    const missing = checkTransition({ from: 'in_progress', to: 'closed' });
    assert.equal(missing.ok, false);
    assert.equal(!missing.ok && missing.code, 'resolution_required');
    for (const r of CASE_RESOLUTIONS) assert.deepEqual(checkTransition({ from: 'in_progress', to: 'closed', resolution: r }), { ok: true, resolution: r, reopens: false });
    assert.deepEqual(checkTransition({ from: 'resolved', to: 'closed', currentResolution: 'benign_positive' }), { ok: true, resolution: 'benign_positive', reopens: false });
  });

  test('false_positive carries the false_positive resolution and refuses another', () => {
    assert.deepEqual(checkTransition({ from: 'new', to: 'false_positive' }), { ok: true, resolution: 'false_positive', reopens: false });
    const wrong = checkTransition({ from: 'new', to: 'false_positive', resolution: 'true_positive' });
    assert.equal(!wrong.ok && wrong.code, 'invalid_resolution');
  });

  test('reopening drops the resolution and refuses a new one', () => {
    assert.deepEqual(checkTransition({ from: 'closed', to: 'in_progress', currentResolution: 'true_positive' }), { ok: true, resolution: null, reopens: true });
    assert.deepEqual(checkTransition({ from: 'false_positive', to: 'triaged', currentResolution: 'false_positive' }), { ok: true, resolution: null, reopens: true });
    const withOne = checkTransition({ from: 'closed', to: 'in_progress', resolution: 'true_positive' });
    assert.equal(!withOne.ok && withOne.code, 'invalid_resolution');
  });

  test('a resolution goes with resolving or closing only', () => {
    assert.deepEqual(checkTransition({ from: 'in_progress', to: 'resolved', resolution: 'true_positive' }), { ok: true, resolution: 'true_positive', reopens: false });
    assert.deepEqual(checkTransition({ from: 'in_progress', to: 'resolved' }), { ok: true, resolution: null, reopens: false });
    const early = checkTransition({ from: 'new', to: 'triaged', resolution: 'true_positive' });
    assert.equal(!early.ok && early.code, 'invalid_resolution');
  });

  test('a merged case (resolution `merged`) still needs a real resolution to be closed again', () => {
    const r = checkTransition({ from: 'in_progress', to: 'closed', currentResolution: 'merged' });
    assert.equal(!r.ok && r.code, 'resolution_required');
  });
});
