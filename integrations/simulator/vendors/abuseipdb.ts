import { isIP } from 'node:net';
import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { json, queryValue, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';
import { ipVerdict } from '../verdicts.js';

function errors(status: number, detail: string, parameter?: string): SimResponse {
  return json(status, { errors: [{ detail, status, ...(parameter ? { source: { parameter } } : {}) }] });
}

const RATE_HEADERS = { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '999' };

export const abuseIpdbSimulator: VendorSimulator = {
  name: 'abuseipdb',
  errorBody: (status, message) => ({ errors: [{ detail: message, status }] }),
  handle(req: SimRequest): SimResponse {
    if (req.headers['key'] !== SIMULATOR_CREDENTIALS.abuseipdb.apiKey) {
      return errors(401, 'Authentication failed. Your API key is either missing, incorrect, or revoked. Note: The APIv2 key differs from the APIv1 key.');
    }
    if (req.path !== '/api/v2/check' || req.method !== 'GET') return errors(404, 'The requested endpoint does not exist.');
    const ip = queryValue(req.query, 'ipAddress') ?? '';
    if (isIP(ip) === 0) return errors(422, 'The ip address must be a valid IPv4 or IPv6 address (e.g. 8.8.8.8 or 2001:4860:4860::8888).', 'ipAddress');
    const maxAge = queryValue(req.query, 'maxAgeInDays');
    if (maxAge !== undefined && !(/^\d+$/.test(maxAge) && Number(maxAge) >= 1 && Number(maxAge) <= 365)) {
      return errors(422, 'The max age in days must be between 1 and 365.', 'maxAgeInDays');
    }
    const verdict = ipVerdict(ip);
    const score = verdict === 'malicious' ? 100 : verdict === 'suspicious' ? 37 : 0;
    const reports = verdict === 'malicious' ? 57 : verdict === 'suspicious' ? 4 : 0;
    return json(
      200,
      {
        data: {
          ipAddress: ip,
          isPublic: true,
          ipVersion: isIP(ip),
          isWhitelisted: verdict === 'clean' ? null : false,
          abuseConfidenceScore: score,
          countryCode: 'ZZ',
          usageType: verdict === 'malicious' ? 'Data Center/Web Hosting/Transit' : 'Fixed Line ISP',
          isp: 'Example Networks',
          domain: 'example.net',
          hostnames: [],
          isTor: false,
          totalReports: reports,
          numDistinctUsers: Math.ceil(reports / 3),
          lastReportedAt: reports > 0 ? '2025-01-01T00:00:00+00:00' : null,
        },
      },
      RATE_HEADERS,
    );
  },
};
