import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validateDeclared } from '../api/validation.ts';
import { newRequestRecord, runInRequest } from '../lib/request-context.ts';
import { declaredEvents } from './access.ts';

/**
 * Holds every route to what it declares in its config (src/web/access.ts): an API route's parameters
 * and body are parsed before its handler runs; a request may write only the audit events its route
 * allows, and a successful one must have written one of those a list declares; an API route's
 * successful answer must match its response schema.
 * When `enforcing` (tests), a lapse answers 500 so that a test fails; otherwise it is logged as an
 * error and the answer stands.
 */
export function holdToDeclarations(app: FastifyInstance, options: { readonly enforcing: boolean }): void {
  const { enforcing } = options;
  // Only a request that reached the handler is held to the declaration: a refusal, or a redirect to
  // sign in, before it did nothing to record.
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function declared(request, reply) {
      if (request.requestRecord !== undefined) request.requestRecord.handlerReached = true;
      return handler.call(this, request, reply);
    };
  });
  // First of all, so that the rest of the request runs inside its record: the audit service notes
  // there each action it writes, and the answer is checked against the route's declaration below.
  app.decorateRequest('requestRecord', undefined);
  app.addHook('onRequest', (request, _reply, done) => {
    const record = newRequestRecord();
    request.requestRecord = record;
    runInRequest(record, done);
  });
  // Reading the body leaves the request's async context, so the record is entered again after it.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.requestRecord === undefined) return done();
    runInRequest(request.requestRecord, done);
  });
  // Each API route's declared parameters and body, checked once for every route (src/api/validation.ts).
  app.addHook('preValidation', validateDeclared);
  app.addHook('onSend', async (request, reply, payload) => {
    const broken = [
      unaudited(request, reply),
      ...(enforcing ? [unlikeDeclared(request, reply, payload)] : []),
    ]
      .filter((finding) => finding !== undefined)
      .join('; ');
    if (broken === '') return payload;
    request.log.error({ route: `${request.method} ${String(request.routeOptions.url)}` }, broken);
    if (!enforcing) return payload;
    if (payload instanceof Readable) payload.destroy();
    reply.code(500).type('text/plain; charset=utf-8');
    return broken;
  });
}

/**
 * What is wrong with the audit events a request wrote, against its route's declaration: a successful
 * request wrote none of the events a list declares (any one is enough), so every change and every
 * read of a person's record keeps its event (invariants 2 and 4); or a route declaring `none` or
 * `sometimes` wrote an event it does not name, so a declaration never hides what a route records.
 */
function unaudited(request: FastifyRequest, reply: FastifyReply): string | undefined {
  const declared = request.routeOptions.config.audit;
  const record = request.requestRecord;
  if (declared === undefined || record === undefined) return undefined;
  const route = `${request.method} ${String(request.routeOptions.url)}`;
  const allowed = declaredEvents(declared);
  const undeclared = [...record.auditActions].filter((action) => !allowed.includes(action));
  // A route that declares a list may write more besides (a recorded decision also notifies);
  // 'none' and 'sometimes' say everything it may write.
  if (!Array.isArray(declared) && undeclared.length > 0)
    return `${route} wrote audit events it does not declare (${undeclared.join(', ')})`;
  if (!Array.isArray(declared) || reply.statusCode >= 400) return undefined;
  if (!record.handlerReached || record.nothingToAudit) return undefined;
  if (allowed.some((action) => record.auditActions.has(action))) return undefined;
  return `${route} succeeded without writing the audit event it declares (${allowed.join(', ')})`;
}

/** What is wrong when an API route's successful answer does not match the schema it declares. */
function unlikeDeclared(request: FastifyRequest, reply: FastifyReply, payload: unknown): string | undefined {
  const success = request.routeOptions.config.api?.success;
  if (success === undefined || reply.statusCode !== success.status || typeof payload !== 'string')
    return undefined;
  let sent: unknown;
  try {
    sent = JSON.parse(payload);
  } catch {
    return `${request.method} ${String(request.routeOptions.url)} answered something other than JSON`;
  }
  const checked = success.schema.safeParse(sent);
  if (checked.success) return undefined;
  const members = checked.error.issues.map(
    (issue) => `/${issue.path.map(String).join('/')}: ${issue.message}`,
  );
  return `${request.method} ${String(request.routeOptions.url)} answered unlike its declared response schema (${members.join('; ')})`;
}
