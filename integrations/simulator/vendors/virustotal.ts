import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { json, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';
import { domainVerdict, hashVerdict, ipVerdict, urlVerdict, type Verdict } from '../verdicts.js';

const ERROR_CODES: Record<number, string> = {
  400: 'BadRequestError',
  401: 'WrongCredentialsError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  409: 'AlreadyExistsError',
  429: 'QuotaExceededError',
  503: 'TransientError',
  504: 'DeadlineExceededError',
};

function vtError(status: number, message: string, code = ERROR_CODES[status] ?? (status >= 500 ? 'TransientError' : 'BadRequestError')): SimResponse {
  return json(status, { error: { code, message } });
}

/** A fixed analysis date keeps responses deterministic (2025-01-01T00:00:00Z). */
const ANALYSIS_DATE = 1735689600;

function stats(verdict: Verdict): Record<string, number> {
  switch (verdict) {
    case 'malicious':
      return { malicious: 14, suspicious: 2, undetected: 9, harmless: 47, timeout: 0 };
    case 'suspicious':
      return { malicious: 0, suspicious: 3, undetected: 11, harmless: 58, timeout: 0 };
    default:
      return { malicious: 0, suspicious: 0, undetected: 8, harmless: 64, timeout: 0 };
  }
}

function reputation(verdict: Verdict): number {
  return verdict === 'malicious' ? -47 : verdict === 'suspicious' ? -6 : 12;
}

function objectBody(origin: string, type: string, collection: string, id: string, verdict: Verdict, extra: Record<string, unknown>): unknown {
  return {
    data: {
      id,
      type,
      links: { self: `${origin}/virustotal/api/v3/${collection}/${encodeURIComponent(id)}` },
      attributes: {
        last_analysis_date: ANALYSIS_DATE,
        last_analysis_stats: stats(verdict),
        reputation: reputation(verdict),
        total_votes: { harmless: verdict === 'clean' ? 3 : 0, malicious: verdict === 'malicious' ? 9 : 0 },
        tags: verdict === 'malicious' ? ['malware'] : [],
        ...extra,
      },
    },
  };
}

function decodeUrlId(id: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return undefined;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  return /^https?:\/\/\S+$/i.test(text) ? text : undefined;
}

export const virusTotalSimulator: VendorSimulator = {
  name: 'virustotal',
  errorBody: (status, message) => ({ error: { code: ERROR_CODES[status] ?? 'TransientError', message } }),
  handle(req: SimRequest): SimResponse {
    const key = req.headers['x-apikey'];
    if (key === undefined || key === '') return vtError(401, 'X-Apikey header is missing', 'AuthenticationRequiredError');
    if (key !== SIMULATOR_CREDENTIALS.virustotal.apiKey) return vtError(401, 'Wrong API key');
    if (req.method !== 'GET') return vtError(405, `Method ${req.method} not allowed`, 'BadRequestError');
    const m = /^\/api\/v3\/(files|ip_addresses|domains|urls)\/([^/]+)$/.exec(req.path);
    if (!m?.[1] || !m[2]) return vtError(404, `Resource not found: ${req.path}`, 'NotFoundError');
    const collection = m[1];
    const id = decodeURIComponent(m[2]);
    switch (collection) {
      case 'files': {
        if (!/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(id)) return vtError(400, `Invalid file hash "${id}"`, 'InvalidArgumentError');
        const verdict = hashVerdict(id);
        if (verdict === 'unknown') return vtError(404, `File "${id}" not found`);
        const h = id.toLowerCase();
        const sha256 = h.length === 64 ? h : createHash('sha256').update(h).digest('hex');
        return json(
          200,
          objectBody(req.origin, 'file', 'files', sha256, verdict, {
            sha256,
            md5: h.length === 32 ? h : createHash('md5').update(h).digest('hex'),
            sha1: h.length === 40 ? h : createHash('sha1').update(h).digest('hex'),
            meaningful_name: verdict === 'malicious' ? 'invoice_0423.exe' : 'setup.exe',
            size: 482_304,
            type_description: 'Win32 EXE',
          }),
        );
      }
      case 'ip_addresses': {
        if (isIP(id) === 0) return vtError(400, `"${id}" is not a valid IP address`, 'InvalidArgumentError');
        const verdict = ipVerdict(id);
        return json(
          200,
          objectBody(req.origin, 'ip_address', 'ip_addresses', id, verdict === 'unknown' ? 'clean' : verdict, {
            as_owner: verdict === 'malicious' ? 'BULLETPROOF-HOSTING-EXAMPLE' : 'EXAMPLE-NET',
            asn: verdict === 'malicious' ? 64500 : 64501,
            country: 'ZZ',
            network: id.includes('.') ? `${id.split('.').slice(0, 3).join('.')}.0/24` : `${id}/64`,
          }),
        );
      }
      case 'domains': {
        const verdict = domainVerdict(id);
        if (verdict === 'unknown') return vtError(404, `Domain "${id}" not found`);
        return json(
          200,
          objectBody(req.origin, 'domain', 'domains', id.toLowerCase(), verdict, {
            registrar: 'Example Registrar, Inc.',
            tld: id.split('.').pop() ?? '',
            categories: verdict === 'malicious' ? { Vigil: 'malware' } : {},
          }),
        );
      }
      default: {
        const url = decodeUrlId(id);
        if (url === undefined && !/^[0-9a-f]{64}$/.test(id)) return vtError(400, `Invalid URL identifier "${id}"`, 'InvalidArgumentError');
        const verdict = url ? urlVerdict(url) : 'clean';
        if (verdict === 'unknown') return vtError(404, `URL "${id}" not found`);
        const sha = url ? createHash('sha256').update(url).digest('hex') : id;
        return json(
          200,
          objectBody(req.origin, 'url', 'urls', sha, verdict, {
            url: url ?? null,
            last_final_url: url ?? null,
            title: verdict === 'malicious' ? 'Sign in to your account' : 'Example Domain',
          }),
        );
      }
    }
  },
};
