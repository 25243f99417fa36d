import { IntegrationError } from '../../integrations/core/action.js';
import { assertUrlAllowed, effectivePort, type HostResolver, systemResolver } from '../../integrations/core/host-guard.js';
import { VigilError } from '../common/errors/vigil-error.js';

/**
 * A connection's base URL passes the address guard that `http.request` applies: never a loopback,
 * private, link-local (cloud metadata) or unspecified address unless the connection opts in with
 * `settings.allowPrivateNetworks` (on-premises tools), never multicast. A name that does not resolve
 * here yet is accepted: nothing can be reached through it until it does.
 */
export async function assertBaseUrlAllowed(baseUrl: string, settings: Readonly<Record<string, unknown>>, resolver: HostResolver = systemResolver): Promise<void> {
  const url = new URL(baseUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  try {
    await assertUrlAllowed(url, { allowedHosts: [host], allowPrivateNetworks: settings['allowPrivateNetworks'] === true }, resolver);
  } catch (error) {
    if (!(error instanceof IntegrationError)) throw error;
    if (error.code === 'vendor_unreachable' || error.code === 'vendor_unavailable') return;
    const reason = error.message.replace(/^http: /, '');
    throw new VigilError('invalid_body', `baseUrl: ${reason}`, { issues: [{ path: 'baseUrl', message: reason }] });
  }
}

/** Where a base URL sends its secrets: host and port. Moving a connection elsewhere needs its secrets again. */
export function destinationOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.hostname.toLowerCase().replace(/\.$/, '')}:${effectivePort(url)}`;
}
