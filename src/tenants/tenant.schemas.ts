import { z } from 'zod';
import { ROLES } from '../common/auth/principal.js';

const role = z.enum(ROLES as ['admin', 'author', 'analyst', 'viewer', 'ingest']).meta({ description: 'admin, author, analyst, viewer or ingest' });
const uuid = z.uuid();
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const tenantIdParams = z.strictObject({ id: z.string().meta({ description: 'Tenant id or slug' }) });
export const objectIdParams = z.strictObject({ id: z.string().meta({ description: 'Object id (uuid)' }) });

export const createTenantBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  slug: z
    .string()
    .regex(SLUG, 'lowercase letters, digits and dashes, 1–63 characters')
    .refine((s) => !UUID_SHAPE.test(s), 'a slug may not look like a tenant id')
    .optional()
    .meta({ description: 'Short stable name (`acme`); derived from the name when omitted.' }),
});
export type CreateTenantBody = z.output<typeof createTenantBody>;

export const tenantView = z.object({
  id: uuid,
  slug: z.string(),
  name: z.string(),
  status: z.enum(['active', 'suspended']),
  createdAt: z.iso.datetime(),
});
export type TenantView = z.output<typeof tenantView>;
export const tenantList = z.object({ items: z.array(tenantView) });

export const createApiKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role,
  userId: uuid.optional().meta({ description: "The user the key acts for: actions are attributed to `user:<id>`; the key holds the user's role." }),
  msspOperator: z.boolean().optional().meta({ description: 'Provider tenant only, and only an MSSP operator may grant it.' }),
});
export type CreateApiKeyBody = z.output<typeof createApiKeyBody>;

export const apiKeyView = z.object({
  id: uuid,
  tenantId: uuid,
  name: z.string(),
  role,
  prefix: z.string().meta({ description: 'First characters of the key, to tell keys apart.' }),
  userId: uuid.nullable(),
  msspOperator: z.boolean(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiKeyView = z.output<typeof apiKeyView>;
export const createdApiKey = apiKeyView.extend({ key: z.string().meta({ description: 'The key itself: shown once, never again.' }) });
export type CreatedApiKey = z.output<typeof createdApiKey>;
export const apiKeyList = z.object({ items: z.array(apiKeyView) });

export const createUserBody = z.strictObject({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  role,
  msspOperator: z.boolean().optional().meta({ description: 'Provider tenant only, and only an MSSP operator may grant it.' }),
});
export type CreateUserBody = z.output<typeof createUserBody>;

export const userView = z.object({
  id: uuid,
  tenantId: uuid,
  email: z.string(),
  name: z.string(),
  role,
  msspOperator: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type UserView = z.output<typeof userView>;
export const userList = z.object({ items: z.array(userView) });

export const emptyBody = z.strictObject({});
