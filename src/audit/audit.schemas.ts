import { z } from 'zod';

const one = <T extends z.ZodType>(s: T) => s.optional();

export const auditListQuery = z.strictObject({
  actor: one(z.string().min(1).max(200)).meta({
    description: 'Exactly this actor: `user:<id>`, `api-key:<id>`, `playbook`, `system`.',
    example: 'user:3f0c1e0a-1c1b-4a53-8f0e-2b7d1c0a9e11',
  }),
  action: one(z.string().regex(/^[a-z_]+(\.[a-z_]+|\.\*)?$/, 'an action such as case.updated, or case.* for every case action')).meta({
    description: 'Exactly this action (`case.updated`), or every action on one kind of object (`case.*`).',
    example: 'case.*',
  }),
  target: one(z.string().min(1).max(200)).meta({ description: 'Exactly this target, e.g. `case:<id>`.' }),
  from: one(z.iso.datetime({ offset: true })).meta({ description: 'Entries at or after this time (ISO 8601).', example: '2026-01-01T00:00:00Z' }),
  to: one(z.iso.datetime({ offset: true })).meta({ description: 'Entries before this time (ISO 8601).' }),
  cursor: one(z.string().max(500)).meta({ description: '`nextCursor` of the previous page.' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditListQuery = z.output<typeof auditListQuery>;

export const auditRecord = z.object({
  id: z.string().meta({ description: 'Increasing sequence number.' }),
  at: z.iso.datetime(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  details: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export const auditPage = z.object({ items: z.array(auditRecord), nextCursor: z.string().nullable() });
