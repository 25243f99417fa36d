import { isIP } from 'node:net';

/**
 * Deterministic verdicts, so playbooks and tests can aim at a known outcome:
 *
 * - IPv4 in 203.0.113.0/24 → malicious; in 198.51.100.0/24 → suspicious; in 192.0.2.0/24 →
 *   unknown (never observed); any other address → clean.
 * - File hashes starting with `bad` (or the EICAR test file's MD5/SHA-1/SHA-256) → malicious;
 *   starting with `dead` → suspicious; starting with `000000` → unknown (not found); else clean.
 * - Domains and URL hosts whose first label starts with `bad`, `evil` or `malware` → malicious;
 *   with `sus` or `phish` → suspicious; with `unknown` → unknown (not found); else clean.
 *   A URL whose host is an IP address follows the IP rules.
 */
export type Verdict = 'malicious' | 'suspicious' | 'clean' | 'unknown';

const EICAR_HASHES = new Set(['44d88612fea8a8f36de82e1278abb02f', '3395856ce81f2b7382dee72602f798b642f14140', '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f']);

function ipv4Prefix24(ip: string): string {
  return ip.split('.').slice(0, 3).join('.');
}

export function ipVerdict(ip: string): Verdict {
  if (isIP(ip) !== 4) return isIP(ip) === 6 ? 'clean' : 'unknown';
  switch (ipv4Prefix24(ip)) {
    case '203.0.113':
      return 'malicious';
    case '198.51.100':
      return 'suspicious';
    case '192.0.2':
      return 'unknown';
    default:
      return 'clean';
  }
}

export function hashVerdict(hash: string): Verdict {
  const h = hash.toLowerCase();
  if (h.startsWith('bad') || EICAR_HASHES.has(h)) return 'malicious';
  if (h.startsWith('dead')) return 'suspicious';
  if (h.startsWith('000000')) return 'unknown';
  return 'clean';
}

export function domainVerdict(domain: string): Verdict {
  const d = domain.toLowerCase().replace(/\.$/, '');
  if (isIP(d) !== 0) return ipVerdict(d);
  const label = d.split('.')[0] ?? '';
  if (/^(bad|evil|malware)/.test(label)) return 'malicious';
  if (/^(sus|phish)/.test(label)) return 'suspicious';
  if (label.startsWith('unknown')) return 'unknown';
  return 'clean';
}

export function urlVerdict(url: string): Verdict {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return domainVerdict(host);
  } catch {
    return 'unknown';
  }
}

/** Verdict for any indicator value (IP, hash, URL or domain), used by MISP. */
export function indicatorVerdict(value: string): { verdict: Verdict; kind: 'ip' | 'hash' | 'url' | 'domain' | 'other' } {
  const v = value.trim();
  if (isIP(v) !== 0) return { verdict: ipVerdict(v), kind: 'ip' };
  if (/^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/i.test(v)) return { verdict: hashVerdict(v), kind: 'hash' };
  if (/^https?:\/\//i.test(v)) return { verdict: urlVerdict(v), kind: 'url' };
  if (/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(v)) return { verdict: domainVerdict(v), kind: 'domain' };
  return { verdict: 'unknown', kind: 'other' };
}

/** Identifiers that name nothing (users, hosts, issues) start with one of these. */
export function isUnknownIdentifier(id: string): boolean {
  return /^(unknown|missing)/i.test(id);
}
