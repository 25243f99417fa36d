import { z } from 'zod';
import type { RouteDoc } from '../common/http/route-doc.js';
import { READ_ROLES } from '../common/auth/principal.js';
import { playbookJsonBodySchema } from './playbooks.controller.js';

const idParams = z.object({ id: z.string().meta({ description: 'Playbook id (`edr-malware`).' }) });

const playbookError = z.object({
  file: z.string().meta({ description: 'The name the playbook was validated under (`playbook.yaml`, or the `file` given).' }),
  line: z.number().int().meta({ description: '1-based line.' }),
  column: z.number().int(),
  path: z.string().meta({ description: 'Where in the playbook: `steps[2].with.ip`.' }),
  code: z.string().meta({ description: '`unknown_action`, `schema`, `invalid_template`, …' }),
  message: z.string(),
});

const trigger = z.object({
  sources: z.array(z.string()).optional(),
  minSeverity: z.number().int().optional(),
  tactics: z.array(z.string()).optional(),
  techniques: z.array(z.string()).optional(),
  observableTypes: z.array(z.string()).optional(),
  tenants: z.array(z.string()).optional(),
});

const playbookSummary = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  hash: z.string().meta({ description: 'SHA-256 of the playbook content: what a case pins.' }),
  source: z.enum(['bundled', 'tenant']).meta({ description: "`bundled`: from the playbooks folder, every tenant has it; `tenant`: this tenant's own version." }),
  description: z.string().nullable(),
  priority: z.number().int(),
  triggers: z.array(trigger),
  active: z.boolean().meta({ description: 'True when this is what runs for the tenant (a bundled playbook the tenant overrides is inactive).' }),
  createdBy: z.string().nullable(),
  createdAt: z.string().nullable(),
});

const playbookDetail = playbookSummary.extend({
  yaml: z.string().nullable(),
  content: z.record(z.string(), z.unknown()).meta({ description: 'The validated playbook as the interpreter runs it.' }),
  bundled: z.object({ version: z.string(), hash: z.string(), overridden: z.boolean() }).nullable(),
  versions: z.array(z.object({ version: z.string(), hash: z.string(), active: z.boolean(), createdBy: z.string(), createdAt: z.string() })),
});

const stored = z.object({ playbook: playbookSummary, created: z.boolean().meta({ description: 'False when the same content was already stored: it is (re)activated.' }) });
const validation = z.object({
  valid: z.boolean(),
  errors: z.array(playbookError).meta({ description: 'At most 100 errors, in source order.' }),
  omittedErrors: z.number().int().optional().meta({ description: 'How many errors there are beyond those listed; absent when all are listed.' }),
  playbook: z.object({ id: z.string(), name: z.string(), version: z.string(), hash: z.string() }).optional(),
});
const cacaoImport = validation.extend({
  yaml: z.string().meta({ description: 'The Vigil playbook the CACAO document converts to.' }),
  warnings: z.array(z.string()),
  stored: stored.optional(),
});
const cacaoDocument = z.record(z.string(), z.unknown()).meta({ description: 'An OASIS CACAO 2.0 playbook (JSON).' });

const HASH = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
const exampleSummary = {
  id: 'vpn-triage',
  name: 'VPN triage',
  version: '1.0',
  hash: HASH,
  source: 'tenant' as const,
  description: null,
  priority: 100,
  triggers: [{ sources: ['generic'], techniques: ['T1133'] }],
  active: true,
  createdBy: 'user:3f0c1e0a-1c1b-4a53-8f0e-2b7d1c0a9e11',
  createdAt: '2026-03-02T10:15:00.000Z',
};
const exampleYaml = 'id: vpn-triage\nname: VPN triage\nversion: "1.0"\npriority: 100\nsteps:\n  - id: done\n    kind: end\n    status: triaged\n';
const exampleError = {
  file: 'playbook.yaml',
  line: 8,
  column: 13,
  path: 'steps[0].action',
  code: 'unknown_action',
  message: "no action 'virustotal.get_ip_reportt' in the integration catalogue; did you mean 'virustotal.get_ip_report'?",
};

const BODY_DESCRIPTION = 'The playbook YAML, as `text/yaml` (the whole body) or as JSON `{"yaml": "…", "file": "name.yaml"}` (shown here).';

export const PLAYBOOK_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/playbooks',
    summary: 'Bundled and tenant playbooks',
    description:
      "One line per playbook: the bundled ones every tenant has, and the tenant's own active versions. A tenant playbook with a bundled id overrides it for the tenant (the bundled line is then `active: false`).",
    tags: ['playbooks'],
    auth: READ_ROLES,
    tenantScoped: true,
    responses: { 200: { description: 'The playbooks.', schema: z.object({ playbooks: z.array(playbookSummary) }), example: { playbooks: [exampleSummary] } } },
  },
  {
    method: 'post',
    path: '/api/v1/playbooks',
    summary: 'Store and activate a playbook version',
    description:
      "Validated like the bundled playbooks (schema, integration catalogue, templates, expressions, sub-playbooks among the tenant's playbooks). A valid playbook is stored and becomes the tenant's active version of its id (the previous one is deactivated; running cases keep the version they pinned). An invalid one answers 422 `invalid_playbook` with every error and nothing is stored. The same content again re-activates the stored version (200, `created: false`); the same id and version with other content is a 409.",
    tags: ['playbooks'],
    auth: ['admin', 'author'],
    tenantScoped: true,
    body: { schema: playbookJsonBodySchema, description: BODY_DESCRIPTION, example: { yaml: exampleYaml } },
    responses: {
      201: { description: 'Stored and activated.', schema: stored, example: { playbook: exampleSummary, created: true } },
      200: { description: 'This content was stored before: it is the active version again.', schema: stored, example: { playbook: exampleSummary, created: false } },
    },
    errors: ['invalid_playbook', 'playbook_too_large', 'conflict', 'invalid_body', 'invalid_json', 'unsupported_media_type'],
  },
  {
    method: 'post',
    path: '/api/v1/playbooks/validate',
    summary: 'Validate a playbook without storing it',
    tags: ['playbooks'],
    auth: ['admin', 'author', 'analyst'],
    tenantScoped: true,
    body: { schema: playbookJsonBodySchema, description: BODY_DESCRIPTION, example: { yaml: exampleYaml } },
    responses: {
      200: { description: 'Whether it is valid, and every error.', schema: validation, example: { valid: false, errors: [exampleError] } },
    },
    errors: ['playbook_too_large', 'invalid_body', 'invalid_json', 'unsupported_media_type'],
  },
  {
    method: 'post',
    path: '/api/v1/playbooks/import/cacao',
    summary: 'Import a CACAO 2.0 playbook',
    description:
      "Converts the CACAO document to a Vigil playbook and validates it. Without `activate` nothing is stored: the answer shows the YAML, its validation and the conversion warnings. With `activate=true` a valid result is stored and activated as by `POST /api/v1/playbooks` (201). An invalid CACAO document answers 422 `invalid_cacao` with each problem (JSON Pointer, code, message). A valid document that uses a construct Vigil refuses by design answers 422 `cacao_unsupported` whose `details` list each one as `{pointer, construct, message}`: conditions are STIX patterns with CACAO variables, translated into Vigil expressions (`__x__:value = 'y'` → `vars.x == 'y'`, `[ipv4-addr:value = '__ip__:value']` → `contains(observables.ip, vars.ip)`), except FOLLOWEDBY, WITHIN, REPEATS, START…STOP, ISSUBSET, ISSUPERSET, binary and hex literals. Vigil runs no shell: `bash`, `ssh`, `powershell` and other commands it cannot send become manual tasks that show an analyst the command to run by hand. See src/playbooks/cacao/README.md.",
    tags: ['playbooks'],
    auth: ['admin', 'author'],
    tenantScoped: true,
    query: z.object({ activate: z.enum(['true', 'false', '1', '0']).optional().meta({ description: 'Store and activate the result when it is valid.' }) }),
    body: { schema: cacaoDocument, description: 'The CACAO 2.0 playbook.' },
    responses: {
      200: {
        description: 'Converted (not stored).',
        schema: cacaoImport,
        example: { valid: true, errors: [], yaml: exampleYaml, warnings: [], playbook: { id: 'vpn-triage', name: 'VPN triage', version: '1.0', hash: HASH } },
      },
      201: { description: 'Converted, stored and activated.', schema: cacaoImport },
    },
    errors: ['invalid_cacao', 'cacao_unsupported', 'invalid_playbook', 'playbook_too_large', 'conflict', 'invalid_json', 'unsupported_media_type', 'invalid_query'],
  },
  {
    method: 'get',
    path: '/api/v1/playbooks/{id}',
    summary: 'One playbook, with its stored versions',
    description: "The version that runs for the tenant (its YAML and content), the bundled playbook with this id if any, and the tenant's stored versions, newest first.",
    tags: ['playbooks'],
    auth: READ_ROLES,
    tenantScoped: true,
    params: idParams,
    responses: {
      200: {
        description: 'The playbook.',
        schema: playbookDetail,
        example: {
          ...exampleSummary,
          yaml: exampleYaml,
          content: { id: 'vpn-triage', name: 'VPN triage', version: '1.0', priority: 100, steps: [{ id: 'done', kind: 'end', status: 'triaged' }] },
          bundled: null,
          versions: [{ version: '1.0', hash: HASH, active: true, createdBy: exampleSummary.createdBy, createdAt: exampleSummary.createdAt }],
        },
      },
    },
    errors: ['not_found'],
  },
  {
    method: 'get',
    path: '/api/v1/playbooks/{id}/export/cacao',
    summary: 'Export a playbook as CACAO 2.0',
    description:
      'The version that runs for the tenant, or the stored version with `hash`, as a CACAO 2.0 document that passes CACAO validation; Vigil details ride in its extension, so importing it back loses nothing.',
    tags: ['playbooks'],
    auth: READ_ROLES,
    tenantScoped: true,
    params: idParams,
    query: z.object({
      hash: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional()
        .meta({ description: "A stored version's hash (default: the active version)." }),
    }),
    responses: { 200: { description: 'The CACAO document.', schema: cacaoDocument } },
    errors: ['not_found', 'invalid_query'],
  },
];
