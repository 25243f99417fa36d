import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { fetchVirusTotalReport, virusTotalReportOutput } from './virustotal-report.js';

export const getIpReportAction = defineAction({
  key: 'virustotal.get_ip_report',
  vendor: 'virustotal',
  title: 'VirusTotal: IP address report',
  docUrl: 'https://docs.virustotal.com/reference/ip-info',
  kind: 'enrichment',
  input: z.strictObject({ ip: z.union([z.ipv4(), z.ipv6()]).describe('IPv4 or IPv6 address') }),
  output: virusTotalReportOutput,
  secrets: ['apiKey'],
  describeTarget: (input) => `IP ${input.ip}`,
  run: (input, ctx) => fetchVirusTotalReport(ctx, 'ip_address', 'ip_addresses', input.ip),
});
