import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { accountEvidence, accountUser, principalUser } from './accounts.js';

describe('accounts in OCSF places', () => {
  test('accountUser: a person with domain, a UPN also as e-mail, nobody for a machine account', () => {
    assert.deepEqual(accountUser('CORP\\jdoe', undefined, { uid: 'S-1-5-21-1' }), { name: 'jdoe', uid: 'S-1-5-21-1', domain: 'CORP' });
    assert.deepEqual(accountUser('JDoe@Corp.Example'), { name: 'JDoe@Corp.Example', domain: 'Corp.Example', email_addr: 'jdoe@corp.example' });
    assert.equal(accountUser('DC01$', 'CORP'), undefined);
    assert.equal(accountUser('-'), undefined);
  });

  test('accountEvidence: {user} for a person, {device} named after the computer for a machine account', () => {
    assert.deepEqual(accountEvidence('asmith', 'CORP'), { user: { name: 'asmith', domain: 'CORP' } });
    assert.deepEqual(accountEvidence('CORP\\WS-0142$'), { device: { type_id: 0, type: 'Unknown', hostname: 'WS-0142', domain: 'CORP' } });
  });

  test('principalUser merges the spellings of one cloud principal', () => {
    assert.deepEqual(principalUser('arn:aws:sts::123456789012:assumed-role/Admin/bob', 'ASIAZ3EXAMPLE7KEY123'), {
      name: 'bob',
      uid: 'arn:aws:sts::123456789012:assumed-role/Admin/bob',
      credential_uid: 'ASIAZ3EXAMPLE7KEY123',
    });
    assert.deepEqual(principalUser('serviceAccount:sa@p-1.iam.gserviceaccount.com'), { name: 'sa@p-1.iam.gserviceaccount.com', email_addr: 'sa@p-1.iam.gserviceaccount.com' });
    assert.deepEqual(principalUser('ci-uploader'), { name: 'ci-uploader' });
    assert.equal(principalUser('principal://iam.googleapis.com/locations/global/workforcePools/p/subject/x'), undefined);
  });
});
