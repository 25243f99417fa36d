import { z } from 'zod';
import { defineAction, joinUrl } from '../core/define-action.js';
import { textToAdf } from './adf.js';
import { jiraIssueKey, jiraRequestConfig } from './jira-api.js';

const createdComment = z.object({ id: z.string(), self: z.string().optional(), created: z.string().optional() }).loose();

export const addCommentAction = defineAction({
  key: 'jira.add_comment',
  vendor: 'jira',
  title: 'Jira: add comment to issue',
  docUrl: 'https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/#api-rest-api-3-issue-issueidorkey-comment-post',
  kind: 'ticketing',
  input: z.strictObject({
    issueKey: z.string().regex(jiraIssueKey, 'expected an issue key such as SEC-123'),
    body: z.string().min(1).max(32000).describe('Plain text; converted to Atlassian Document Format'),
  }),
  output: z.object({ id: z.string(), issueKey: z.string(), created: z.string().nullable() }),
  secrets: ['email', 'apiToken'],
  describeTarget: (input) => `Jira issue ${input.issueKey}`,
  async run(input, ctx) {
    const res = await ctx.http.post<unknown>(
      joinUrl(ctx.connection.baseUrl, `/rest/api/3/issue/${encodeURIComponent(input.issueKey)}/comment`),
      { body: textToAdf(input.body) },
      jiraRequestConfig(ctx),
    );
    const comment = createdComment.parse(res.data);
    return { id: comment.id, issueKey: input.issueKey, created: comment.created ?? null };
  },
});
