import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { http, startTestStack, type TestStack } from '../support/stack.js';

const METHODS = ['get', 'post', 'put', 'delete', 'patch', 'all', 'options', 'head'];

/** Every route the running API serves, as `METHOD /openapi/{path}`, read from Nest's controller metadata. */
function servedRoutes(stack: TestStack): string[] {
  const out = new Set<string>();
  for (const module of stack.api.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const cls = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!cls) continue;
      const base = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, cls) ?? '');
      for (const name of Object.getOwnPropertyNames(cls.prototype)) {
        const handler = (cls.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as number | undefined;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (method === undefined || paths === undefined) continue;
        for (const b of base) {
          for (const p of ([] as string[]).concat(paths)) {
            const full = `/${[b, p]
              .map((s) => s.replace(/^\/+|\/+$/g, ''))
              .filter(Boolean)
              .join('/')}`.replace(/:(\w+)/g, '{$1}');
            out.add(`${METHODS[method]!.toUpperCase()} ${full}`);
          }
        }
      }
    }
  }
  return [...out].sort();
}

describe('API docs: /docs and /docs-json', () => {
  let stack: TestStack;

  before(async () => {
    stack = await startTestStack({ VIGIL_OUTBOX_ENABLED: 'false' });
  });
  after(async () => {
    await stack?.stop();
  });

  test('/docs serves Swagger UI from the installed package, without an API key and without a CDN', async () => {
    const page = await fetch(`${stack.url}/docs`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /<script src="\/docs\/swagger-ui-bundle\.js"><\/script>/);
    assert.doesNotMatch(html, /https?:\/\//, 'every asset is served by Vigil itself');
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-ui.css', 'vigil-initializer.js']) {
      const res = await fetch(`${stack.url}/docs/${asset}`);
      assert.equal(res.status, 200, asset);
      const body = await res.text();
      assert.ok(body.length > (asset === 'vigil-initializer.js' ? 100 : 10_000), asset);
    }
    const init = await (await fetch(`${stack.url}/docs/vigil-initializer.js`)).text();
    assert.match(init, /url: '\/docs-json'/);
    const missing = await http<{ error: { code: string } }>('GET', `${stack.url}/docs/..%2Fpackage.json`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
  });

  test('/docs-json is OpenAPI 3.1 without an API key, and documents exactly the routes the API serves', async () => {
    const res = await http<{ openapi: string; paths: Record<string, Record<string, unknown>> }>('GET', `${stack.url}/docs-json`);
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    const documented = Object.entries(res.body.paths)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const served = servedRoutes(stack);
    assert.ok(served.includes('PATCH /api/v1/cases/{id}'), 'the route scan found the case routes');
    assert.deepEqual(
      served.filter((r) => !documented.includes(r)),
      [],
      'routes served but not documented: add a RouteDoc list beside the controller and register it in src/openapi/route-docs.ts',
    );
    assert.deepEqual(
      documented.filter((r) => !served.includes(r)),
      [],
      'documented routes that the API does not serve',
    );
  });

  test('the documented errors are what the API answers', async () => {
    const unauthorized = await http<{ error: { code: string; message: string; details: Record<string, unknown> } }>('GET', `${stack.url}/api/v1/cases`);
    assert.equal(unauthorized.status, 401);
    assert.deepEqual(Object.keys(unauthorized.body.error).sort(), ['code', 'details', 'message']);
    const doc = await http<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>('GET', `${stack.url}/docs-json`);
    assert.ok(doc.body.paths['/api/v1/cases']!['get']!.responses['401']);
    assert.ok(doc.body.paths['/api/v1/cases/{id}']!['patch']!.responses['409']);
  });
});
