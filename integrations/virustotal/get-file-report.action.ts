import { z } from 'zod';
import { defineAction } from '../core/define-action.js';
import { fetchVirusTotalReport, virusTotalReportOutput } from './virustotal-report.js';

/** MD5, SHA-1 or SHA-256, the identifiers VirusTotal accepts for files. */
export const fileHash = z
  .string()
  .regex(/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/, 'expected an MD5, SHA-1 or SHA-256 hex digest')
  .describe('MD5, SHA-1 or SHA-256 of the file');

export const getFileReportAction = defineAction({
  key: 'virustotal.get_file_report',
  vendor: 'virustotal',
  title: 'VirusTotal: file report',
  docUrl: 'https://docs.virustotal.com/reference/file-info',
  kind: 'enrichment',
  input: z.strictObject({ hash: fileHash }),
  output: virusTotalReportOutput,
  secrets: ['apiKey'],
  describeTarget: (input) => `file ${input.hash.toLowerCase()}`,
  run: (input, ctx) => fetchVirusTotalReport(ctx, 'file', 'files', input.hash.toLowerCase()),
});
