import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { apiDocsPaths } from './docs.paths.ts';
import { apiDocumentInfo, openApiDocument } from './openapi.ts';

/** Anyone may have them: the document holds the shapes of requests and answers, no personal data and no secret. */
const config = { access: 'public', audit: 'none' } as const;
/** Seconds a browser or proxy may keep the document: briefly, since the next release may change it. */
const documentMaxAge = 300;

/**
 * The JSON API's documentation over HTTP: the OpenAPI 3.1 document, built from this running app's
 * own route table (the function that writes docs/api/openapi.json), and a page that shows it with
 * Swagger UI, served from Safeshare's own assets under the strict CSP (src/web/web.plugin.ts). Both
 * are public, so that a council's integrator can read them before an administrator has issued a token.
 */
export async function apiDocsRoutes(app: FastifyInstance): Promise<void> {
  // Built on the first request, when every route of the app has been registered, and kept.
  let published: { readonly text: string; readonly etag: string } | undefined;

  app.get(apiDocsPaths.document, { config }, async (request, reply) => {
    if (published === undefined) {
      const text = `${JSON.stringify(openApiDocument(app.routeRules, apiDocumentInfo), null, 2)}\n`;
      published = { text, etag: `"${createHash('sha256').update(text).digest('base64url')}"` };
    }
    reply.header('cache-control', `public, max-age=${documentMaxAge}`).header('etag', published.etag);
    if (request.headers['if-none-match'] === published.etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(published.text);
  });

  app.get(apiDocsPaths.page, { config }, async (_request, reply) =>
    reply.render('api/views/docs.njk', {
      pageTitle: 'API documentation',
      documentPath: apiDocsPaths.document,
    }),
  );
}
