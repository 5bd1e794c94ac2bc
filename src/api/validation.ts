import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { issuePointers, notFoundProblem, problem } from './problem.ts';

/**
 * Checks an API request against what its route declares (`config.api`), once, before the handler
 * runs: parameters that do not parse answer 404 (an address with nothing at it), a body that does
 * not parse answers 400 problem+json with a pointer to each member; either way the handler never
 * runs and nothing is changed. What parses replaces what was sent, so handlers read only the parsed
 * value, through `paramsOf` and `bodyOf`.
 */
export async function validateDeclared(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  const api = request.routeOptions.config.api;
  if (api === undefined) return undefined;
  if (api.params !== undefined) {
    const params = await api.params.safeParseAsync(request.params);
    if (!params.success) return notFoundProblem(reply);
    request.params = params.data;
  }
  for (const part of ['query', 'body'] as const) {
    const schema = api[part];
    if (schema === undefined) continue;
    const parsed = await schema.safeParseAsync(request[part]);
    if (!parsed.success) {
      return problem(
        reply,
        400,
        `The request${part === 'query' ? '’s query' : ''} is not valid`,
        'Correct the members named in errors and send it again. Nothing was changed.',
        issuePointers(parsed.error.issues),
      );
    }
    request[part] = parsed.data;
  }
  return undefined;
}

/** The request body, as parsed by the schema the route declares as `api.body`. */
export function bodyOf<Schema extends z.ZodType>(request: FastifyRequest, schema: Schema): z.output<Schema> {
  if (request.routeOptions.config.api?.body !== schema) throw undeclared(request, 'body');
  // validateDeclared replaced the body with this very schema's output before the handler ran.
  return request.body as z.output<Schema>;
}

/** The query parameters, as parsed by the schema the route declares as `api.query`. */
export function queryOf<Schema extends z.ZodObject>(
  request: FastifyRequest,
  schema: Schema,
): z.output<Schema> {
  if (request.routeOptions.config.api?.query !== schema) throw undeclared(request, 'query');
  // validateDeclared replaced the query with this very schema's output before the handler ran.
  return request.query as z.output<Schema>;
}

/** The path parameters, as parsed by the schema the route declares as `api.params`. */
export function paramsOf<Schema extends z.ZodType>(
  request: FastifyRequest,
  schema: Schema,
): z.output<Schema> {
  if (request.routeOptions.config.api?.params !== schema) throw undeclared(request, 'params');
  // validateDeclared replaced the parameters with this very schema's output before the handler ran.
  return request.params as z.output<Schema>;
}

function undeclared(request: FastifyRequest, part: 'body' | 'params' | 'query'): Error {
  return new Error(
    `${String(request.routeOptions.method)} ${String(request.routeOptions.url)} reads ${part} that its route does not declare`,
  );
}
