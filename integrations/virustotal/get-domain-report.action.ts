import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { fetchVirusTotalReport, virusTotalReportOutput } from './virustotal-report.js';

/** A DNS name of at least two labels (no scheme, no path). */
export const domainName = z
  .string()
  .max(253)
  .regex(/^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z0-9-]{2,63}\.?$/, 'expected a domain name such as example.com')
  .describe('Domain name, e.g. example.com');

export const getDomainReportAction = defineAction({
  key: 'virustotal.get_domain_report',
  vendor: 'virustotal',
  title: 'VirusTotal: domain report',
  docUrl: 'https://docs.virustotal.com/reference/domain-info',
  kind: 'enrichment',
  input: z.strictObject({ domain: domainName }),
  output: virusTotalReportOutput,
  secrets: ['apiKey'],
  describeTarget: (input) => `domain ${input.domain.toLowerCase()}`,
  run: (input, ctx) => {
    const domain = input.domain.toLowerCase().replace(/\.$/, '');
    return fetchVirusTotalReport(ctx, 'domain', 'domains', domain);
  },
});
