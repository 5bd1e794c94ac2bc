import { apiScopeDescriptions, apiScopes } from '../lib/api-scopes.ts';
import { z } from 'zod';
import type { Access, RouteRule } from '../web/access.ts';
import { apiDocsPaths } from './docs.paths.ts';

/**
 * The OpenAPI 3.1 document of Safeshare's JSON API, built from the app's own route table: every
 * `/api` route declares its summary, its request body (the Zod schema the shell validates it with)
 * and its response (the Zod schema its answers are checked against in tests), so the document
 * cannot drift from the code. `docs/api/openapi.json` is this document; a test keeps it
 * current (`npm run openapi` rewrites it).
 */
/** Every POST takes an Idempotency-Key (src/api/idempotency.ts). */
const idempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'A key of your own for this request, such as a UUID (1 to 255 printable characters). A retry with the same key and request gets the first answer again, marked Idempotent-Replayed: true, and records nothing twice. Keys are per token and kept 24 hours.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[!-~]+$' },
};

/** The title and version the document is published with, at /api/openapi.json and in docs/api/openapi.json. */
export const apiDocumentInfo = { title: 'Safeshare API', version: 'v1' } as const;

/**
 * The documentation's own two pages (GET only) are not operations on data, so the document leaves
 * them out; every other /api route must have its description.
 */
const documentationUrls = new Set<string>(Object.values(apiDocsPaths));

function isDocumentation(rule: RouteRule): boolean {
  return rule.method === 'GET' && documentationUrls.has(rule.url);
}

export function openApiDocument(
  rules: readonly RouteRule[],
  info: { readonly title: string; readonly version: string },
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const rule of [...rules]
    .filter((candidate) => candidate.url.startsWith('/api/') && !isDocumentation(candidate))
    .sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))) {
    const api = rule.api;
    if (api === undefined) throw new Error(`${rule.method} ${rule.url} has no API description`);
    const path = rule.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: Record<string, unknown>[] = [...rule.url.matchAll(/:([A-Za-z]+)/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string', format: 'uuid' },
    }));
    if (api.query !== undefined) {
      const query = jsonSchema(api.query, 'input') as {
        properties?: Record<string, unknown>;
        required?: readonly string[];
      };
      for (const [name, schema] of Object.entries(query.properties ?? {}))
        parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
    const post = rule.method === 'POST';
    if (post) parameters.push(idempotencyKeyParameter);
    paths[path] = {
      ...paths[path],
      [rule.method.toLowerCase()]: {
        summary: api.summary,
        ...(api.description === undefined ? {} : { description: api.description }),
        'x-safeshare-access': describeAccess(rule.access),
        // OpenAPI 3.1 lets a bearer scheme's requirement name the roles it needs: here, the token's scope.
        security: [{ bearer: api.scope === 'any' ? [] : [api.scope] }],
        'x-safeshare-scope': api.scope,
        ...(parameters.length === 0 ? {} : { parameters }),
        ...(api.body === undefined
          ? {}
          : {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: jsonSchema(api.body, 'input') } },
              },
            }),
        responses: {
          [String(api.success.status)]: {
            description: api.success.description,
            content: {
              [api.success.contentType ?? 'application/json']: {
                schema: jsonSchema(api.success.schema, 'output'),
              },
            },
          },
          ...(api.body === undefined
            ? {}
            : { '400': problemResponse('The body is not valid: each member named in errors') }),
          '401': problemResponse('No valid bearer token'),
          '403': problemResponse(
            'The token’s member of staff may not use this, or the token lacks the scope it needs',
          ),
          '404': problemResponse('Nothing at this address that the token may see'),
          ...(post
            ? {
                '409': problemResponse(
                  'A request with this Idempotency-Key is still being processed: retry shortly with the same key',
                ),
                '422': problemResponse(
                  api.body === undefined
                    ? 'The Idempotency-Key was used for a different request; nothing was changed'
                    : 'The request breaks a rule of the source policy (each problem named in errors, with its code), or the Idempotency-Key was used for a different request; nothing was changed',
                ),
              }
            : {}),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description:
        'Safeshare’s JSON API for case-management systems. Bearer API tokens issued by administrators; errors are RFC 9457 problem details.',
    },
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: `An API token issued in Safeshare by an administrator, with one or more scopes: ${apiScopes.map((scope) => `${scope} (${apiScopeDescriptions[scope]})`).join('; ')}. Reference data (organisations, method advice, the subject-line check) needs no scope.`,
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['pointer', 'detail'],
                properties: { pointer: { type: 'string' }, detail: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}

/** A request is described as what may be sent (`input`), a response as what is answered (`output`). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  // The document's own dialect (OpenAPI 3.1) applies; a per-schema $schema would only repeat it.
  const converted: Record<string, unknown> = {
    ...z.toJSONSchema(schema, { io, unrepresentable: 'any' }),
  };
  delete converted['$schema'];
  return converted;
}

function problemResponse(description: string) {
  return {
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}

function describeAccess(access: Access): string {
  return typeof access === 'string' ? access : access.join(', ');
}
