import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { fetchVirusTotalReport, virusTotalReportOutput } from './virustotal-report.js';

/** VirusTotal's URL identifier form that needs no canonicalisation: unpadded base64url of the URL. */
export function virusTotalUrlId(url: string): string {
  return Buffer.from(url, 'utf8').toString('base64url').replace(/=+$/, '');
}

export const getUrlReportAction = defineAction({
  key: 'virustotal.get_url_report',
  vendor: 'virustotal',
  title: 'VirusTotal: URL report',
  docUrl: 'https://docs.virustotal.com/reference/url-info',
  kind: 'enrichment',
  input: z.strictObject({
    url: z
      .url({ protocol: /^https?$/ })
      .max(8192)
      .describe('Absolute http(s) URL'),
  }),
  output: virusTotalReportOutput,
  secrets: ['apiKey'],
  describeTarget: (input) => `URL ${input.url}`,
  run: (input, ctx) => fetchVirusTotalReport(ctx, 'url', 'urls', virusTotalUrlId(input.url), input.url),
});
