import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PROJECT_ROOT } from '../config/project-paths.js';
import { notFound } from '../common/errors/vigil-error.js';
import { Public } from '../common/auth/principal.js';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document.js';
import { ROUTE_DOCS } from './route-docs.js';

/** Swagger UI's files, served from the installed `swagger-ui-dist` package (no CDN). */
const SWAGGER_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-16x16.png': 'image/png',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Vigil API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="stylesheet" href="/docs/index.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/vigil-initializer.js"></script>
</body>
</html>
`;

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/docs-json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

function packageVersion(): string {
  try {
    return String((JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version ?? '0.0.0');
  } catch {
    return '0.0.0';
  }
}

/** `/docs` (Swagger UI) and `/docs-json` (OpenAPI 3.1, built from the zod schemas the routes validate with). */
@Controller()
export class OpenApiController {
  private document: OpenApiDocument | undefined;

  @Get('docs-json')
  @Public()
  json(): OpenApiDocument {
    // No `servers`: Swagger UI then calls the origin it was loaded from.
    this.document ??= buildOpenApiDocument(ROUTE_DOCS, { version: packageVersion() });
    return this.document;
  }

  @Get('docs')
  @Public()
  page(@Res() res: Response): void {
    res.type('html').send(PAGE);
  }

  @Get('docs/:file')
  @Public()
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (file === 'vigil-initializer.js') {
      res.type('text/javascript; charset=utf-8').send(INITIALIZER);
      return;
    }
    const type = Object.prototype.hasOwnProperty.call(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw notFound('file', file);
    res.setHeader('content-type', type);
    res.setHeader('cache-control', 'public, max-age=3600');
    res.sendFile(path.join(SWAGGER_DIR, file));
  }
}
