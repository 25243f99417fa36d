import { z } from 'zod';
import { defineAction, joinUrl } from '../core/define-action.js';
import { textToAdf } from './adf.js';
import { jiraRequestConfig } from './jira-api.js';

const createdIssue = z.object({ id: z.string(), key: z.string(), self: z.string() }).loose();

export const createIssueAction = defineAction({
  key: 'jira.create_issue',
  vendor: 'jira',
  title: 'Jira: create issue',
  docUrl: 'https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post',
  kind: 'ticketing',
  input: z.strictObject({
    projectKey: z.string().regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'expected a Jira project key such as SEC'),
    summary: z.string().min(1).max(255),
    description: z.string().max(32000).optional().describe('Plain text; converted to Atlassian Document Format'),
    issueType: z.string().min(1).max(60).default('Task'),
    labels: z.array(z.string().regex(/^\S+$/, 'labels cannot contain spaces').max(255)).max(20).optional(),
    priority: z.string().min(1).max(60).optional().describe('Priority name, e.g. High'),
  }),
  output: z.object({ id: z.string(), key: z.string(), url: z.string(), self: z.string() }),
  secrets: ['email', 'apiToken'],
  describeTarget: (input) => `Jira project ${input.projectKey}`,
  async run(input, ctx) {
    const fields: Record<string, unknown> = {
      project: { key: input.projectKey },
      summary: input.summary,
      issuetype: { name: input.issueType },
    };
    if (input.description) fields['description'] = textToAdf(input.description);
    if (input.labels) fields['labels'] = input.labels;
    if (input.priority) fields['priority'] = { name: input.priority };
    const res = await ctx.http.post<unknown>(joinUrl(ctx.connection.baseUrl, '/rest/api/3/issue'), { fields }, jiraRequestConfig(ctx));
    const issue = createdIssue.parse(res.data);
    return { id: issue.id, key: issue.key, self: issue.self, url: joinUrl(ctx.connection.baseUrl, `/browse/${issue.key}`) };
  },
});
