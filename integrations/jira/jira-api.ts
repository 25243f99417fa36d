import type { AxiosRequestConfig } from 'axios';
import type { ActionContext } from '../core/action.js';
import { secret } from '../core/define-action.js';

/** Jira Cloud REST v3 authenticates with basic auth of account email and API token. */
export function jiraRequestConfig(ctx: ActionContext): AxiosRequestConfig {
  return {
    auth: { username: secret(ctx, 'email'), password: secret(ctx, 'apiToken') },
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    signal: ctx.signal,
  };
}

export const jiraIssueKey = /^[A-Z][A-Z0-9_]{0,9}-\d{1,9}$/;
