import { z } from 'zod';
import { decisionResult } from '../approvals/index.js';
import type { RouteDoc } from '../common/http/route-doc.js';
import { ADMIN_ROLES, READ_ROLES } from '../common/auth/principal.js';
import { connectionViewSchema, createConnectionBody, rotateResultSchema, updateConnectionBody } from './connection.schemas.js';
import { CONNECTION_ROLES } from './connections.controller.js';
import { createProtectedAssetBody, protectedAssetViewSchema } from './protected-assets.service.js';

const idParams = z.object({ id: z.uuid().meta({ description: 'Object id.' }) });

const integrationItem = z
  .object({
    key: z.string(),
    vendor: z.string(),
    title: z.string(),
    docUrl: z.string(),
    kind: z.enum(['enrichment', 'containment', 'notification', 'ticketing', 'utility']),
    secrets: z.array(z.string()).meta({ description: 'Secret names the action needs from its connection.' }),
    inverse: z.string().nullable().meta({ description: 'Containment: the action that undoes this one (takes the same input).' }),
    inputSchema: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema of the parameters (`with:` of an action step).' }),
    outputSchema: z.record(z.string(), z.unknown()),
    connection: z.enum(['tenant', 'simulator']).nullable().meta({ description: 'What it runs with for this tenant: its own connection, the development simulator, or nothing.' }),
    connected: z.boolean().meta({ description: 'A step using this action can run: there is a connection and it enables the action.' }),
  })
  .meta({ id: 'Integration' });

const exampleConnection = {
  id: '3c1f0e2d-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
  vendor: 'crowdstrike',
  name: 'Falcon EU',
  baseUrl: 'https://api.eu-1.crowdstrike.com',
  settings: { memberCid: '0123456789abcdef0123456789abcdef', rateLimitPerMinute: 300, maxConcurrent: 5 },
  enabledActions: null,
  secrets: { set: ['clientId', 'clientSecret'], missing: [], keyId: 'main' },
  createdAt: '2026-03-02T10:00:00.000Z',
  updatedAt: '2026-03-02T10:00:00.000Z',
};

const exampleAsset = {
  id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  kind: 'host',
  pattern: 'dc-*',
  reason: 'domain controllers',
  createdBy: 'user:lead@example.com',
  createdAt: '2026-03-02T10:00:00.000Z',
};

export const INTEGRATION_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/connections',
    summary: "The tenant's integration connections",
    description: 'Secrets are write-only: a connection shows which secret names are set and which its actions still need, never a value.',
    tags: ['integrations'],
    auth: CONNECTION_ROLES,
    tenantScoped: true,
    responses: { 200: { description: 'The connections, by vendor.', schema: z.object({ items: z.array(connectionViewSchema) }), example: { items: [exampleConnection] } } },
  },
  {
    method: 'post',
    path: '/api/v1/connections',
    summary: 'Connect a vendor',
    description:
      "One connection per vendor. Secrets are encrypted (AES-256-GCM, `VIGIL_SECRETS_KEYS`) before they are stored and are only ever decrypted inside the worker's activities. Settings carry the vendor's options (see the integrations guide) and Vigil's safety settings: `rateLimitPerMinute`, `rateLimitBurst`, `maxConcurrent`, `cacheTtlSeconds`.",
    tags: ['integrations'],
    auth: CONNECTION_ROLES,
    tenantScoped: true,
    body: {
      schema: createConnectionBody,
      example: {
        vendor: 'crowdstrike',
        name: 'Falcon EU',
        baseUrl: 'https://api.eu-1.crowdstrike.com',
        settings: { rateLimitPerMinute: 300 },
        secrets: { clientId: 'a1b2…', clientSecret: 's3cr…' },
      },
    },
    responses: { 201: { description: 'The connection (without secret values).', schema: connectionViewSchema, example: exampleConnection } },
    errors: ['invalid_body', 'invalid_json', 'conflict', 'unavailable'],
  },
  {
    method: 'post',
    path: '/api/v1/connections/rotate',
    summary: 'Re-encrypt every connection of the tenant with the current key',
    description: 'Put the new key first in `VIGIL_SECRETS_KEYS` (keep the old one after it), restart, call this for each tenant, then drop the old key.',
    tags: ['integrations'],
    auth: ADMIN_ROLES,
    tenantScoped: true,
    responses: { 200: { description: 'How many connections were re-encrypted.', schema: rotateResultSchema, example: { keyId: 'k2026', rotated: 4, unchanged: 0 } } },
    errors: ['invalid_body', 'invalid_json', 'unavailable'],
  },
  {
    method: 'get',
    path: '/api/v1/connections/{id}',
    summary: 'One connection',
    tags: ['integrations'],
    auth: CONNECTION_ROLES,
    tenantScoped: true,
    params: idParams,
    responses: { 200: { description: 'The connection.', schema: connectionViewSchema, example: exampleConnection } },
    errors: ['not_found'],
  },
  {
    method: 'patch',
    path: '/api/v1/connections/{id}',
    summary: 'Change a connection',
    description: 'Fields left out are kept. `secrets` sets the named secrets and keeps the others; a secret set to null is removed.',
    tags: ['integrations'],
    auth: CONNECTION_ROLES,
    tenantScoped: true,
    params: idParams,
    body: { schema: updateConnectionBody, example: { settings: { maxConcurrent: 2 }, secrets: { clientSecret: 'n3w…' } } },
    responses: { 200: { description: 'The connection.', schema: connectionViewSchema, example: exampleConnection } },
    errors: ['invalid_body', 'invalid_json', 'not_found', 'unavailable'],
  },
  {
    method: 'delete',
    path: '/api/v1/connections/{id}',
    summary: 'Remove a connection',
    tags: ['integrations'],
    auth: CONNECTION_ROLES,
    tenantScoped: true,
    params: idParams,
    responses: { 204: { description: 'Removed.' } },
    errors: ['not_found'],
  },
  {
    method: 'get',
    path: '/api/v1/integrations',
    summary: 'The action catalogue, as this tenant can use it',
    description: 'Every action with its parameter and output JSON Schemas, its inverse, the secrets it needs, and whether the tenant has a connection that runs it.',
    tags: ['integrations'],
    auth: READ_ROLES,
    tenantScoped: true,
    responses: { 200: { description: 'The catalogue.', schema: z.object({ items: z.array(integrationItem) }) } },
  },
  {
    method: 'post',
    path: '/api/v1/integrations/slack/interactions',
    summary: 'Slack interactivity: a click on an approval button',
    description:
      "Set this as the Request URL of the Slack app's interactivity. The request must carry Slack's signature (`X-Slack-Signature`, `X-Slack-Request-Timestamp`, at most 5 minutes old) made with the signing secret of the Slack connection of the tenant the button's approval token belongs to; the token then decides once, as the approver it names.",
    tags: ['integrations'],
    auth: 'public',
    body: { schema: z.string().meta({ description: '`payload=<url-encoded block_actions JSON>`, exactly as Slack sends it.' }), contentType: 'application/x-www-form-urlencoded' },
    responses: { 200: { description: 'The decision was handed to the run.', schema: decisionResult } },
    errors: ['bad_request', 'invalid_signature', 'link_expired', 'link_used', 'conflict', 'forbidden', 'not_found', 'unavailable'],
  },
  {
    method: 'get',
    path: '/api/v1/protected-assets',
    summary: 'Assets containment must not touch',
    tags: ['integrations'],
    auth: READ_ROLES,
    tenantScoped: true,
    responses: { 200: { description: 'The protected assets.', schema: z.object({ items: z.array(protectedAssetViewSchema) }), example: { items: [exampleAsset] } } },
  },
  {
    method: 'post',
    path: '/api/v1/protected-assets',
    summary: 'Protect a host, user, address or domain',
    description:
      "A containment action aimed at it fails with `protected_asset` (not retried) unless the step carries an override: an approval guarding that step, approved by people, for that action. Patterns are exact (case-insensitive), `*` wildcards, or for `ip` an IPv4 address or CIDR network (overlaps count). Hosts match the identifiers the action takes, and the host name of the alert's device when the action names that device.",
    tags: ['integrations'],
    auth: CONNECTION_ROLES,
    tenantScoped: true,
    body: { schema: createProtectedAssetBody, example: { kind: 'host', pattern: 'dc-*', reason: 'domain controllers' } },
    responses: { 201: { description: 'The protected asset.', schema: protectedAssetViewSchema, example: exampleAsset } },
    errors: ['invalid_body', 'invalid_json', 'conflict'],
  },
  {
    method: 'delete',
    path: '/api/v1/protected-assets/{id}',
    summary: 'Stop protecting an asset',
    tags: ['integrations'],
    auth: CONNECTION_ROLES,
    tenantScoped: true,
    params: idParams,
    responses: { 204: { description: 'Removed.' } },
    errors: ['not_found'],
  },
];
