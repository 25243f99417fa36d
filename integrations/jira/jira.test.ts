import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { addCommentAction } from './add-comment.action.js';
import { textToAdf } from './adf.js';
import { createIssueAction } from './create-issue.action.js';

describe('jira adapters', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('textToAdf: paragraphs and hard breaks, no empty text nodes', () => {
    assert.deepEqual(textToAdf('Line one\nLine two\n\n\nSecond paragraph'), {
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'Line one' }, { type: 'hardBreak' }, { type: 'text', text: 'Line two' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'Second paragraph' }] },
      ],
    });
  });

  test('create_issue: POST /rest/api/3/issue, basic auth, ADF description', async () => {
    const out = await run(
      createIssueAction,
      { projectKey: 'SEC', summary: 'Contain WS-0142', description: 'Beacon to 203.0.113.7\nSeen 3 times', issueType: 'Incident', labels: ['vigil', 'case-42'], priority: 'High' },
      h.context('jira'),
    );
    assert.equal(out.key, 'SEC-1');
    assert.equal(out.url, `${h.url}/jira/browse/SEC-1`);
    assert.match(out.self, /\/jira\/rest\/api\/3\/issue\/\d+$/);
    const [call] = await h.calls('jira');
    assert.equal(call?.method, 'POST');
    assert.equal(call?.path, '/rest/api/3/issue');
    assert.equal(call?.headers['authorization'], '[REDACTED]');
    assert.deepEqual(call?.body, {
      fields: {
        project: { key: 'SEC' },
        summary: 'Contain WS-0142',
        issuetype: { name: 'Incident' },
        description: textToAdf('Beacon to 203.0.113.7\nSeen 3 times'),
        labels: ['vigil', 'case-42'],
        priority: { name: 'High' },
      },
    });
    assertNoSecrets(call, { apiToken: SIMULATOR_CREDENTIALS.jira.apiToken });
  });

  test('add_comment: POST /rest/api/3/issue/{key}/comment with an ADF body', async () => {
    const issue = await run(createIssueAction, { projectKey: 'SEC', summary: 'x' }, h.context('jira'));
    const out = await run(addCommentAction, { issueKey: issue.key, body: 'Host contained by Vigil.' }, h.context('jira'));
    assert.equal(out.issueKey, issue.key);
    assert.match(out.id, /^\d+$/);
    const call = (await h.calls('jira'))[1];
    assert.equal(call?.path, `/rest/api/3/issue/${issue.key}/comment`);
    assert.deepEqual(call?.body, { body: textToAdf('Host contained by Vigil.') });
    const issues = (await h.state())['jira']?.['issues'] as Array<{ key: string; comments: unknown[] }>;
    assert.equal(issues[0]?.comments.length, 1);
  });

  test('unknown issue → not found; invalid issue type → 400 with Jira’s field error', async () => {
    await expectIntegrationError(run(addCommentAction, { issueKey: 'SEC-999', body: 'x' }, h.context('jira')), { code: 'vendor_not_found', retryable: false, httpStatus: 404 });
    const err = await expectIntegrationError(run(createIssueAction, { projectKey: 'SEC', summary: 'x', issueType: 'Chore' }, h.context('jira')), {
      code: 'vendor_bad_request',
      retryable: false,
      httpStatus: 400,
    });
    assert.match(err.message, /issuetype: Specify a valid issue type/);
  });

  test('bad API token → vendor_unauthorized, not retryable', async () => {
    const err = await expectIntegrationError(run(createIssueAction, { projectKey: 'SEC', summary: 'x' }, h.context('jira', { secrets: { apiToken: 'wrong-jira-token' } })), {
      code: 'vendor_unauthorized',
      retryable: false,
      httpStatus: 401,
    });
    assert.ok(!err.message.includes('wrong-jira-token'));
  });

  test('injected 502 → retryable', async () => {
    await h.fault({ vendor: 'jira', kind: 'status', status: 502 });
    await expectIntegrationError(run(createIssueAction, { projectKey: 'SEC', summary: 'x' }, h.context('jira')), { code: 'vendor_unavailable', retryable: true, httpStatus: 502 });
  });
});
