import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ERROR_STATUS } from '../common/errors/vigil-error.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { ROUTE_DOCS } from './route-docs.js';

describe('OpenAPI route docs', () => {
  test('every example validates against the schema it illustrates', () => {
    for (const route of ROUTE_DOCS) {
      const name = `${route.method.toUpperCase()} ${route.path}`;
      if (route.body?.example !== undefined) {
        const parsed = route.body.schema.safeParse(route.body.example);
        assert.ok(parsed.success, `${name} body example: ${parsed.success ? '' : parsed.error.message}`);
      }
      for (const [status, response] of Object.entries(route.responses)) {
        if (response.example === undefined || !response.schema) continue;
        const parsed = response.schema.safeParse(response.example);
        assert.ok(parsed.success, `${name} ${status} example: ${parsed.success ? '' : parsed.error.message}`);
      }
    }
  });

  test('path parameters match the path template', () => {
    for (const route of ROUTE_DOCS) {
      const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = Object.keys(route.params?.shape ?? {}).sort();
      assert.deepEqual(declared, inPath, `${route.method.toUpperCase()} ${route.path}`);
    }
  });

  test('the document lists every route once, with the error shape for every error status', () => {
    const doc = buildOpenApiDocument(ROUTE_DOCS, { version: '1.2.3' });
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.version, '1.2.3');
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    assert.equal(operations.length, ROUTE_DOCS.length);
    assert.equal(new Set(operations).size, operations.length);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item) as Array<
        [string, { responses: Record<string, { content?: Record<string, { schema?: unknown; examples?: Record<string, { value: { error: { code: string } } }> }> }> }]
      >) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          const json = response.content?.['application/json'];
          assert.deepEqual(json?.schema, { $ref: '#/components/schemas/Error' }, `${method} ${path} ${status}`);
          for (const ex of Object.values(json?.examples ?? {})) assert.equal(String(ERROR_STATUS[ex.value.error.code as keyof typeof ERROR_STATUS]), status);
        }
      }
    }
    assert.deepEqual(Object.keys((doc.components['schemas']!['Error'] as { properties: Record<string, unknown> }).properties), ['error']);
  });

  test('request schemas are strict: unknown fields are refused in the document too', () => {
    const doc = buildOpenApiDocument(ROUTE_DOCS, { version: '0' });
    const patch = (doc.paths['/api/v1/cases/{id}']!['patch'] as { requestBody: { content: Record<string, { schema: Record<string, unknown> }> } }).requestBody.content[
      'application/json'
    ]!.schema;
    assert.equal(patch['additionalProperties'], false);
    assert.deepEqual(Object.keys(patch['properties'] as Record<string, unknown>).sort(), ['assignee', 'resolution', 'severity', 'status', 'tags']);
    const list = doc.paths['/api/v1/cases']!['get'] as { parameters: Array<{ name?: string; in?: string; $ref?: string }> };
    assert.deepEqual(
      list.parameters.filter((p) => p.in === 'query').map((p) => p.name),
      ['status', 'minSeverity', 'assignee', 'tag', 'source', 'createdFrom', 'createdTo', 'q', 'sla', 'sort', 'order', 'cursor', 'limit'],
    );
    assert.ok(list.parameters.some((p) => p.$ref === '#/components/parameters/TenantHeader'));
  });
});
