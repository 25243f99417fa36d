import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { isRecord, json, type SimContext, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';
import { isUnknownIdentifier } from '../verdicts.js';

const ISSUE_TYPES = ['Task', 'Bug', 'Story', 'Epic', 'Incident', 'Sub-task'];
const PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'];

function jiraError(status: number, errorMessages: string[], errors: Record<string, string> = {}): SimResponse {
  return json(status, { errorMessages, errors });
}

function isAdfDoc(value: unknown): boolean {
  return isRecord(value) && value['type'] === 'doc' && value['version'] === 1 && Array.isArray(value['content']);
}

function basicAuthOk(header: string | undefined): boolean {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  return decoded === `${SIMULATOR_CREDENTIALS.jira.email}:${SIMULATOR_CREDENTIALS.jira.apiToken}`;
}

function createIssue(req: SimRequest, ctx: SimContext): SimResponse {
  const fields = isRecord(req.body) && isRecord(req.body['fields']) ? req.body['fields'] : undefined;
  if (!fields) return jiraError(400, ['Request body must contain fields.'], {});
  const errors: Record<string, string> = {};
  const project = isRecord(fields['project']) ? fields['project'] : {};
  const projectKey = typeof project['key'] === 'string' ? project['key'] : '';
  if (!/^[A-Z][A-Z0-9_]{1,9}$/.test(projectKey) || isUnknownIdentifier(projectKey)) errors['project'] = 'valid project is required';
  const summary = fields['summary'];
  if (typeof summary !== 'string' || summary.trim() === '') errors['summary'] = 'You must specify a summary of the issue.';
  else if (summary.length > 255) errors['summary'] = 'Summary must be less than 255 characters.';
  const issueType = isRecord(fields['issuetype']) ? fields['issuetype']['name'] : undefined;
  if (typeof issueType !== 'string' || !ISSUE_TYPES.includes(issueType)) errors['issuetype'] = 'Specify a valid issue type';
  if (fields['description'] !== undefined && !isAdfDoc(fields['description']))
    errors['description'] = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
  if (fields['priority'] !== undefined) {
    const p = isRecord(fields['priority']) ? fields['priority']['name'] : undefined;
    if (typeof p !== 'string' || !PRIORITIES.includes(p)) errors['priority'] = 'Specify a valid priority';
  }
  if (fields['labels'] !== undefined && !(Array.isArray(fields['labels']) && fields['labels'].every((l) => typeof l === 'string' && !/\s/.test(l)))) {
    errors['labels'] = 'The label must not contain spaces.';
  }
  if (Object.keys(errors).length > 0) return jiraError(400, [], errors);
  const n = (ctx.state.jiraCounters.get(projectKey) ?? 0) + 1;
  ctx.state.jiraCounters.set(projectKey, n);
  const id = String(ctx.state.jiraNextId++);
  const key = `${projectKey}-${n}`;
  const created = new Date(ctx.now()).toISOString();
  ctx.state.jiraIssues.set(key, { id, key, fields, comments: [], created });
  return json(201, { id, key, self: `${req.origin}/jira/rest/api/3/issue/${id}` });
}

function findIssue(ctx: SimContext, idOrKey: string): ReturnType<SimContext['state']['jiraIssues']['get']> {
  return ctx.state.jiraIssues.get(idOrKey) ?? [...ctx.state.jiraIssues.values()].find((i) => i.id === idOrKey);
}

export const jiraSimulator: VendorSimulator = {
  name: 'jira',
  errorBody: (_status, message) => ({ errorMessages: [message], errors: {} }),
  handle(req: SimRequest, ctx: SimContext): SimResponse {
    if (!basicAuthOk(req.headers['authorization'])) {
      return jiraError(401, ['You are not authenticated. Authentication required to perform this operation.']);
    }
    if (req.path === '/rest/api/3/issue' && req.method === 'POST') return createIssue(req, ctx);
    const m = /^\/rest\/api\/3\/issue\/([^/]+)(\/comment)?$/.exec(req.path);
    if (!m?.[1]) return jiraError(404, ['Not found']);
    const issue = findIssue(ctx, decodeURIComponent(m[1]));
    if (!issue) return jiraError(404, ['Issue does not exist or you do not have permission to see it.']);
    if (m[2] && req.method === 'POST') {
      const body = isRecord(req.body) ? req.body['body'] : undefined;
      if (!isAdfDoc(body)) return jiraError(400, [], { comment: 'Comment body is not valid!' });
      const id = String(ctx.state.jiraNextId++);
      const created = new Date(ctx.now()).toISOString();
      issue.comments.push({ id, body, created });
      ctx.state.jiraIssues.set(issue.key, issue);
      return json(201, {
        self: `${req.origin}/jira/rest/api/3/issue/${issue.id}/comment/${id}`,
        id,
        author: { accountId: '5b10ac8d82e05b22cc7d4ef5', emailAddress: SIMULATOR_CREDENTIALS.jira.email, displayName: 'Vigil', active: true },
        body,
        created,
        updated: created,
        jsdPublic: true,
      });
    }
    if (!m[2] && req.method === 'GET') {
      return json(200, {
        id: issue.id,
        key: issue.key,
        self: `${req.origin}/jira/rest/api/3/issue/${issue.id}`,
        fields: { ...issue.fields, created: issue.created, comment: { comments: issue.comments, total: issue.comments.length } },
      });
    }
    return jiraError(405, ['Method not allowed']);
  },
};
