/**
 * Where accounts and cloud principals go in a finding, as vendors spell them: a person's account
 * (`DOMAIN\user`, a UPN, a plain name) is an OCSF `user` with its domain (a UPN is also its e-mail);
 * a Windows machine account (`DC01$`) is a host acting on the network, so it becomes a `device`
 * evidence rather than a user; a cloud principal (GCP principal e-mail, AWS ARN, access key id) is a
 * `user` whose ARN is its uid and whose access key is its `credential_uid`. The parsing is in
 * `observables.ts` (`parseAccount`, `parseCloudPrincipal`), so observables spell them the same way.
 */
import type { OcsfEvidence, OcsfUser } from '../../common/canonical-alert.js';
import { device, user } from './evidence.js';
import { parseAccount, parseCloudPrincipal } from './observables.js';

/** The person an account names, or `undefined` for a machine account or a placeholder. */
export function accountUser(value: unknown, domain?: unknown, extra: { uid?: unknown } = {}): OcsfUser | undefined {
  const account = parseAccount(value, domain);
  if (account === undefined || account.machine) return undefined;
  return user({ name: account.upn ?? account.name, domain: account.domain, email_addr: account.upn, uid: extra.uid });
}

/** An account as evidence: `{user}` for a person, `{device}` (its computer name) for a machine account. */
export function accountEvidence(value: unknown, domain?: unknown): OcsfEvidence | undefined {
  const account = parseAccount(value, domain);
  if (account === undefined) return undefined;
  if (account.machine) {
    const host = device({ hostname: account.host, domain: account.domain });
    return host === undefined ? undefined : { device: host };
  }
  const person = accountUser(value, domain);
  return person === undefined ? undefined : { user: person };
}

/**
 * A cloud principal as an OCSF user: GCP e-mails (service accounts included) as name and e-mail, AWS
 * ARNs as uid (the user or session name as name), an access key id as `credential_uid`. Several
 * spellings of one principal (its ARN, its key, its user name) merge into one user.
 */
export function principalUser(...values: unknown[]): OcsfUser | undefined {
  let name: string | undefined;
  let email: string | undefined;
  let uid: string | undefined;
  let credential: string | undefined;
  for (const value of values) {
    const p = parseCloudPrincipal(value);
    if (p === undefined) {
      // A plain user name (no scheme, no path) still names the principal; URIs such as `principal://…` do not.
      if (name === undefined && typeof value === 'string' && /^[^\s:/]+$/.test(value.trim())) name = parseAccount(value)?.name;
      continue;
    }
    name ??= p.user;
    email ??= p.email;
    uid ??= p.resource_uid;
    credential ??= p.credential_uid;
  }
  const u = user({ name, email_addr: email, uid });
  if (u === undefined && credential === undefined) return undefined;
  return { ...u, ...(credential === undefined ? {} : { credential_uid: credential }) };
}
