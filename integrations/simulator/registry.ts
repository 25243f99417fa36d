/**
 * Simulators running in this process, by base URL, so `simulatorConnections(url)` can point the
 * email connection at the SMTP port an in-process simulator actually bound (port 0 in tests).
 */
const smtpPorts = new Map<string, number>();

function normalise(url: string): string {
  return url.replace(/\/+$/, '');
}

export function registerSimulator(url: string, smtpPort: number): void {
  smtpPorts.set(normalise(url), smtpPort);
}

export function unregisterSimulator(url: string): void {
  smtpPorts.delete(normalise(url));
}

export function smtpPortFor(url: string): number | undefined {
  return smtpPorts.get(normalise(url));
}
