import { z } from 'zod';
import { safetySettingsShape } from './connection-settings.js';
import { VENDORS } from './vendor-profiles.js';

const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ACTION_KEY = /^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$/;

const secretValue = z.string().min(1, { error: 'a secret cannot be empty' }).max(16_384);
const secretName = z.string().regex(SECRET_NAME, { error: 'a secret name is a letter, then letters, digits or _' });

const settingsSchema = z
  .looseObject(safetySettingsShape)
  .refine((s) => JSON.stringify(s).length <= 32_768, { error: 'settings are limited to 32 KiB of JSON' })
  .meta({ description: "Vendor settings (see the integrations guide) and Vigil's safety settings." });

const baseUrlSchema = z
  .url({ protocol: /^https?$/, error: 'baseUrl is an http(s) URL' })
  .max(2048)
  .meta({ description: 'The vendor API base URL, e.g. `https://api.crowdstrike.com`.' });

const enabledActionsSchema = z
  .array(z.string().regex(ACTION_KEY, { error: 'an action key is vendor.action_name' }))
  .max(200)
  .nullable()
  .meta({ description: 'Action keys this connection may run; null (the default) allows every action of the vendor.' });

export const createConnectionBody = z
  .strictObject({
    vendor: z.enum(VENDORS as [string, ...string[]]).meta({ description: 'The vendor, as in the action keys (`crowdstrike`, `virustotal`, …). One connection per vendor.' }),
    name: z.string().trim().min(1).max(200).optional().meta({ description: 'A label; defaults to the vendor.' }),
    baseUrl: baseUrlSchema,
    settings: settingsSchema.optional(),
    enabledActions: enabledActionsSchema.optional(),
    secrets: z.record(secretName, secretValue).default({}).meta({ description: 'Secret values by name; write-only: never returned.' }),
  })
  .meta({ id: 'CreateConnection' });

export const updateConnectionBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    baseUrl: baseUrlSchema.optional(),
    settings: settingsSchema.optional().meta({ description: 'Replaces the settings.' }),
    enabledActions: enabledActionsSchema.optional(),
    secrets: z.record(secretName, secretValue.nullable()).optional().meta({ description: 'Sets the named secrets (null removes one); secrets not named are kept.' }),
  })
  .meta({ id: 'UpdateConnection' });

export type CreateConnectionBody = z.output<typeof createConnectionBody>;
export type UpdateConnectionBody = z.output<typeof updateConnectionBody>;

export const connectionViewSchema = z
  .object({
    id: z.string(),
    vendor: z.string(),
    name: z.string(),
    baseUrl: z.string(),
    settings: z.record(z.string(), z.unknown()),
    enabledActions: z.array(z.string()).nullable(),
    secrets: z.object({
      set: z.array(z.string()).meta({ description: 'Names of the secrets that are set; values are never shown.' }),
      missing: z.array(z.string()).meta({ description: "Secret names some of the vendor's actions need that are not set." }),
      keyId: z.string().meta({ description: 'The encryption key id the secrets are stored under.' }),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Connection' });

export type ConnectionView = z.output<typeof connectionViewSchema>;

export const rotateResultSchema = z.object({ keyId: z.string(), rotated: z.number().int(), unchanged: z.number().int() }).meta({ id: 'SecretsRotation' });
export type RotateResult = z.output<typeof rotateResultSchema>;

export const emptyBody = z.strictObject({});
