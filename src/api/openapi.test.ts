import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testApp } from '../../test/support/harness.ts';
import { apiDocsPaths } from './docs.paths.ts';
import { apiDocumentInfo, openApiDocument } from './openapi.ts';

const documentFile = path.resolve('docs', 'api', 'openapi.json');

describe('the API document (docs/api/openapi.json)', () => {
  it('describes every /api route of the app, with its request and response schemas, and is up to date', async () => {
    const context = await testApp();
    // Every /api route but the documentation's own pages (src/api/docs.routes.ts).
    const documentation = new Set<string>(Object.values(apiDocsPaths));
    const rules = context.app.routeRules.filter(
      (rule) => rule.url.startsWith('/api/') && !documentation.has(rule.url),
    );
    const document = openApiDocument(context.app.routeRules, apiDocumentInfo);
    const operations = Object.entries(document.paths).flatMap(([route, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${route}`),
    );
    expect(operations.sort()).toEqual(
      rules.map((rule) => `${rule.method} ${rule.url.replace(/:([A-Za-z]+)/g, '{$1}')}`).sort(),
    );
    const decisions = document.paths['/api/v1/decisions']?.['post'] as {
      requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } };
    };
    expect(Object.keys(decisions.requestBody.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['request', 'people', 'recipients', 'lawfulBasis', 'outcome']),
    );
    const created = document.paths['/api/v1/decisions']?.['post'] as {
      responses: Record<
        string,
        { content: Record<string, { schema: { properties?: Record<string, unknown> } }> }
      >;
    };
    expect(
      Object.keys(created.responses['201']?.content['application/json']?.schema.properties ?? {}),
    ).toEqual(expect.arrayContaining(['id', 'reference', 'status', 'outcome', 'policy', 'consent', 'links']));
    // Every success answer is described by the schema its route declares, none left as "anything".
    const undescribed = Object.entries(document.paths).flatMap(([route, methods]) =>
      Object.entries(
        methods as Record<
          string,
          { responses: Record<string, { content?: Record<string, { schema?: object }> }> }
        >,
      )
        .filter(([, operation]) =>
          Object.entries(operation.responses).some(
            ([status, response]) =>
              status.startsWith('2') &&
              Object.values(response.content ?? {}).some(
                (media) => Object.keys(media.schema ?? {}).length === 0,
              ),
          ),
        )
        .map(([method]) => `${method.toUpperCase()} ${route}`),
    );
    expect(undescribed).toEqual([]);
    const text = `${JSON.stringify(document, null, 2)}\n`;
    // Read before anything is written, so the comparison is always with the document as committed.
    const committed = await readFile(documentFile, 'utf8');
    if (process.env['UPDATE_OPENAPI'] === '1') await writeFile(documentFile, text);
    // When this fails, the API changed: run `npm run openapi` and commit docs/api/openapi.json.
    else expect(committed).toBe(text);
  });

  it('refuses an API route without a description, so none goes undocumented', () => {
    expect(() =>
      openApiDocument([{ method: 'GET', url: '/api/v1/secret', access: 'staff', audit: 'none' }], {
        title: 'Safeshare API',
        version: 'v1',
      }),
    ).toThrow(/no API description/);
  });
});
