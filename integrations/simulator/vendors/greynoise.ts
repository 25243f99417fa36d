import { isIP } from 'node:net';
import { SIMULATOR_CREDENTIALS } from '../credentials.js';
import { json, type SimRequest, type SimResponse, type VendorSimulator } from '../sim-types.js';
import { ipVerdict } from '../verdicts.js';

export const greyNoiseSimulator: VendorSimulator = {
  name: 'greynoise',
  errorBody: (_status, message) => ({ message }),
  handle(req: SimRequest): SimResponse {
    const key = req.headers['key'];
    if (key !== SIMULATOR_CREDENTIALS.greynoise.apiKey) return json(401, { message: 'Authentication required: the API key provided is not valid' });
    const m = /^\/v3\/community\/([^/]+)$/.exec(req.path);
    if (!m?.[1] || req.method !== 'GET') return json(404, { message: 'Not found' });
    const ip = decodeURIComponent(m[1]);
    if (isIP(ip) !== 4) return json(400, { message: 'Request is not a valid routable IPv4 address' });
    const verdict = ipVerdict(ip);
    if (verdict === 'unknown') {
      return json(404, { ip, noise: false, riot: false, message: 'IP not observed scanning the internet or contained in RIOT data set.' });
    }
    if (verdict === 'clean') {
      return json(200, {
        ip,
        noise: false,
        riot: true,
        classification: 'benign',
        name: 'Example Business Service',
        link: `https://viz.greynoise.io/riot/${ip}`,
        last_seen: '2025-01-01',
        message: 'Success',
      });
    }
    return json(200, {
      ip,
      noise: true,
      riot: false,
      classification: verdict === 'malicious' ? 'malicious' : 'unknown',
      name: 'unknown',
      link: `https://viz.greynoise.io/ip/${ip}`,
      last_seen: '2025-01-01',
      message: 'Success',
    });
  },
};
