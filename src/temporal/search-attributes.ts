import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Registered on the dev server by scripts/lib/temporal-server.mjs; keep the two lists in step.
export const SA_TENANT = defineSearchAttributeKey('VigilTenant', SearchAttributeType.KEYWORD);
export const SA_CASE_ID = defineSearchAttributeKey('VigilCaseId', SearchAttributeType.KEYWORD);
export const SA_SEVERITY = defineSearchAttributeKey('VigilSeverity', SearchAttributeType.INT);
export const SA_PLAYBOOK = defineSearchAttributeKey('VigilPlaybook', SearchAttributeType.KEYWORD);
