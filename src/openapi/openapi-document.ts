import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../common/errors/vigil-error.js';
import type { RouteDoc } from '../common/http/route-doc.js';

/** OpenAPI 3.1 document (only the parts Vigil writes). */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers?: Array<{ url: string }>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
  security: Array<Record<string, string[]>>;
}

type JsonSchema = Record<string, unknown>;

/** The one error shape, `{"error":{"code","message","details"}}`. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().meta({ description: 'Stable machine-readable code; see the error table in the API description.' }),
    message: z.string().meta({ description: 'What went wrong, for people.' }),
    details: z
      .union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))])
      .meta({ description: 'Structured context: the offending field, allowed values, …; a list of findings for `cacao_unsupported`' }),
  }),
});

/** Codes every route that needs an API key may answer with. */
const AUTH_ERRORS: ErrorCode[] = ['unauthorized', 'forbidden'];

const ERROR_EXAMPLES: Partial<Record<ErrorCode, { message: string; details: Record<string, unknown> | Array<Record<string, unknown>> }>> = {
  unauthorized: { message: 'invalid or revoked API key', details: {} },
  forbidden: { message: 'role viewer may not do this', details: { role: 'viewer', allowed: ['admin', 'analyst'] } },
  not_found: { message: 'case 0b5c9a4e-6a0e-4c55-9a7e-2f0d7d1d3b11 not found', details: { id: '0b5c9a4e-6a0e-4c55-9a7e-2f0d7d1d3b11' } },
  invalid_body: { message: 'the body does not match the schema', details: { issues: [{ path: 'status', message: 'Invalid option' }] } },
  invalid_query: { message: 'the query does not match the schema', details: { issues: [{ path: 'limit', message: 'Too big: expected number to be <=200' }] } },
  invalid_params: { message: 'a path parameter is malformed', details: { issues: [{ path: 'id', message: 'Invalid UUID' }] } },
  invalid_json: { message: 'body is not valid JSON', details: {} },
  invalid_cursor: { message: 'the cursor is not one this endpoint issued', details: {} },
  invalid_transition: {
    message: 'a case in status new cannot move to resolved',
    details: { from: 'new', to: 'resolved', allowed: ['triaged', 'in_progress', 'contained', 'on_hold', 'false_positive', 'closed'] },
  },
  resolution_required: { message: 'closing a case needs a resolution: one of true_positive, benign_positive, false_positive', details: {} },
  severity_below_alerts: { message: 'severity 2 is below the highest alert severity 4', details: { severityId: 2, minimum: 4 } },
  case_merged: { message: 'case was merged into another case', details: { mergedInto: '5d1f0f8e-8a57-4a0f-a2f3-1a8f6f0e1c2d' } },
  conflict: { message: 'conflicting state', details: {} },
  unavailable: { message: 'Temporal is not reachable', details: {} },
  unsupported_media_type: { message: "content type 'text/plain' is not accepted here; send application/json", details: { contentType: 'text/plain' } },
  payload_too_large: { message: 'body exceeds 1048576 bytes', details: { limit: 1048576 } },
  cacao_unsupported: {
    message: 'the CACAO document uses what Vigil does not run: WITHIN',
    details: [
      {
        pointer: '/workflow/if-condition--2a4c5e1f-0b7d-4c38-9f1e-6d3a2b8c4e5f/condition',
        construct: 'WITHIN',
        message: 'WITHIN qualifies a stream of observations in time; a Vigil condition is evaluated once, on the case as it is',
      },
    ],
  },
  playbook_too_large: { message: 'the playbook nests deeper than 64 levels', details: { bound: 'depth', limit: 64, line: 12, column: 9 } },
};

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete json['$schema'];
  return json;
}

function parametersOf(schema: z.ZodObject | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const props = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => {
    const { description, example, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description !== undefined ? { description } : {}),
      ...(example !== undefined ? { example } : {}),
      schema: rest,
    };
  });
}

function errorResponses(route: RouteDoc): Record<string, unknown> {
  const codes = [...(route.auth === 'public' ? [] : AUTH_ERRORS), ...(route.errors ?? [])];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_STATUS[code];
    const list = byStatus.get(status) ?? [];
    if (!list.includes(code)) list.push(code);
    byStatus.set(status, list);
  }
  const out: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus.entries()].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = {
      description: list.join(', '),
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          examples: Object.fromEntries(
            list.map((code) => {
              const ex = ERROR_EXAMPLES[code] ?? { message: code.replaceAll('_', ' '), details: {} };
              return [code, { value: { error: { code, ...ex } } }];
            }),
          ),
        },
      },
    };
  }
  return out;
}

function operationOf(route: RouteDoc): Record<string, unknown> {
  const roles = route.auth === 'public' ? 'Public: no API key.' : `Roles: ${route.auth.join(', ')}${route.msspOperator ? ' (MSSP operator keys only)' : ''}.`;
  const parameters = [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')];
  if (route.tenantScoped) parameters.push({ $ref: '#/components/parameters/TenantHeader' });
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(route.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.schema
        ? {
            content: {
              [r.contentType ?? 'application/json']: {
                schema: toSchema(r.schema, 'output'),
                ...(r.example !== undefined ? { example: r.example } : {}),
              },
            },
          }
        : {}),
    };
  }
  Object.assign(responses, errorResponses(route));
  return {
    operationId: `${route.method}${route.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: route.summary,
    description: [route.description, roles].filter(Boolean).join('\n\n'),
    tags: route.tags,
    ...(route.auth === 'public' ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.body.required ?? true,
            ...(route.body.description ? { description: route.body.description } : {}),
            content: {
              [route.body.contentType ?? 'application/json']: {
                schema: toSchema(route.body.schema, 'input'),
                ...(route.body.example !== undefined ? { example: route.body.example } : {}),
              },
            },
          },
        }
      : {}),
    responses,
  };
}

const TAGS: Array<{ name: string; description: string }> = [
  { name: 'alerts', description: 'Alert ingest from any source, normalised to OCSF Detection Findings.' },
  { name: 'cases', description: 'Cases: list, detail, status changes, comments, tasks, merge, revert.' },
  { name: 'tenants', description: 'Tenants, users and API keys (MSSP operators manage tenants).' },
  { name: 'audit', description: 'The append-only audit log of each tenant.' },
  { name: 'approvals', description: 'Human decisions playbook runs wait for: list, decide, signed one-time links.' },
  { name: 'health', description: 'Liveness, readiness and these docs.' },
];

/** Builds the OpenAPI document from the route docs; a route listed twice (same method and path) is an error. */
export function buildOpenApiDocument(routes: readonly RouteDoc[], options: { version: string; serverUrl?: string }): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    if (item[route.method]) throw new Error(`OpenAPI: ${route.method.toUpperCase()} ${route.path} is documented twice`);
    item[route.method] = operationOf(route);
  }
  const usedTags = new Set(routes.flatMap((r) => r.tags));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil API',
      version: options.version,
      description: [
        'Incident response orchestration for MDR teams. Send `Authorization: Bearer <API key>`; every key belongs to one tenant and holds one role there.',
        'MSSP operators (keys or users of the provider tenant `default` flagged `mssp_operator`) may act on any tenant by sending `X-Vigil-Tenant: <tenant slug or id>`.',
        'Errors always have the shape `{"error":{"code","message","details"}}`. Another tenant\'s objects answer 404, never 403.',
      ].join('\n\n'),
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: TAGS.filter((t) => usedTags.has(t.name)).concat([...usedTags].filter((t) => !TAGS.some((k) => k.name === t)).map((name) => ({ name, description: name }))),
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A Vigil API key (`vgl_…`).' } },
      parameters: {
        TenantHeader: {
          name: 'X-Vigil-Tenant',
          in: 'header',
          required: false,
          description: 'MSSP operators only: the slug or id of the tenant to act on. Other keys may only name their own tenant.',
          schema: { type: 'string' },
          example: 'acme',
        },
      },
      schemas: { Error: toSchema(errorBodySchema, 'output') },
    },
    security: [{ apiKey: [] }],
  };
}
