import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ATTACK_TACTICS, AttackCollector, parseTechniqueId, resolveTactic, splitAttackList } from './attack.js';

describe('resolveTactic', () => {
  test('knows all 14 enterprise tactics by id and by name', () => {
    assert.equal(ATTACK_TACTICS.length, 14);
    for (const t of ATTACK_TACTICS) {
      assert.equal(resolveTactic(t.uid)?.name, t.name);
      assert.equal(resolveTactic(t.name)?.uid, t.uid);
    }
  });

  test('accepts every spelling of a tactic name', () => {
    for (const s of ['Command and Control', 'CommandAndControl', 'command-and-control', 'COMMAND_AND_CONTROL', 'Command_And_Control', 'Command & Control']) {
      assert.equal(resolveTactic(s)?.uid, 'TA0011', s);
    }
    for (const s of ['Defense Evasion', 'DefenseEvasion', 'DEFENSE_EVASION', 'defense-evasion']) {
      assert.equal(resolveTactic(s)?.uid, 'TA0005', s);
    }
    assert.equal(resolveTactic('InitialAccess')?.uid, 'TA0001');
    assert.equal(resolveTactic('ta0040')?.uid, 'TA0040');
  });

  test('skips PreAttack, ICS/vendor tactics and junk', () => {
    assert.equal(resolveTactic('PreAttack'), undefined);
    assert.equal(resolveTactic('ImpairProcessControl'), undefined);
    assert.equal(resolveTactic('CSTA0004'), undefined);
    assert.equal(resolveTactic('Machine Learning'), undefined);
  });
});

describe('parseTechniqueId', () => {
  test('splits a sub-technique into parent and sub', () => {
    assert.deepEqual(parseTechniqueId('T1059.001'), { technique: { uid: 'T1059' }, sub_technique: { uid: 'T1059.001' } });
    assert.deepEqual(parseTechniqueId('t1059/001'), { technique: { uid: 'T1059' }, sub_technique: { uid: 'T1059.001' } });
    assert.deepEqual(parseTechniqueId('T1105'), { technique: { uid: 'T1105' } });
  });

  test('refuses non-ATT&CK ids', () => {
    assert.equal(parseTechniqueId('CST0007'), undefined);
    assert.equal(parseTechniqueId('T105'), undefined);
    assert.equal(parseTechniqueId('TA0002'), undefined);
  });
});

describe('AttackCollector', () => {
  test('pairs a tactic with a sub-technique and keeps both names', () => {
    const c = new AttackCollector('v18');
    c.add({ tactic: 'Execution', technique: 'T1059.001', techniqueName: 'PowerShell', parentTechniqueName: 'Command and Scripting Interpreter' });
    assert.deepEqual(c.toArray(), [
      {
        tactic: { uid: 'TA0002', name: 'Execution' },
        technique: { uid: 'T1059', name: 'Command and Scripting Interpreter' },
        sub_technique: { uid: 'T1059.001', name: 'PowerShell' },
        version: 'v18',
      },
    ]);
  });

  test('drops refs covered by a more specific one and exact duplicates', () => {
    const c = new AttackCollector();
    c.add({ tactic: 'TA0043', technique: 'T1595.001' });
    c.add({ tactic: 'TA0043', technique: 'T1595' });
    c.add({ tactic: 'TA0043' });
    c.add({ technique: 'T1595.001' });
    c.add({ technique: 'T1105' });
    c.add({ technique: 'T1105' });
    assert.deepEqual(
      c.toArray().map((a) => `${a.tactic?.uid ?? ''}|${a.technique?.uid ?? ''}|${a.sub_technique?.uid ?? ''}`),
      ['TA0043|T1595|T1595.001', '|T1105|'],
    );
  });

  test('addUnpaired pairs only one tactic with one technique', () => {
    const one = new AttackCollector();
    one.addUnpaired(['Credential Access'], ['T1110']);
    assert.deepEqual(one.toArray(), [{ tactic: { uid: 'TA0006', name: 'Credential Access' }, technique: { uid: 'T1110' } }]);

    const many = new AttackCollector();
    many.addUnpaired(['Execution', 'CommandAndControl', 'PreAttack'], ['T1059', 'T1105', 'bogus']);
    assert.deepEqual(
      many.toArray().map((a) => `${a.tactic?.uid ?? ''}|${a.technique?.uid ?? ''}`),
      ['TA0002|', 'TA0011|', '|T1059', '|T1105'],
    );
  });

  test('ignores refs with nothing ATT&CK in them', () => {
    const c = new AttackCollector();
    assert.equal(c.add({ tactic: 'CSTA0004', technique: 'CST0007' }), false);
    assert.deepEqual(c.toArray(), []);
  });

  test('splitAttackList splits Splunk multivalue text', () => {
    assert.deepEqual(splitAttackList('T1059.001\nT1105, TA0011|T1003'), ['T1059.001', 'T1105', 'TA0011', 'T1003']);
  });
});
