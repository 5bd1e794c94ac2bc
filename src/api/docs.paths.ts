/**
 * Where the JSON API's own documentation is: the OpenAPI document and the page that shows it. They
 * describe the API rather than act on data, so the document leaves them out (src/api/openapi.ts).
 */
export const apiDocsPaths = { page: '/api/docs', document: '/api/openapi.json' } as const;
