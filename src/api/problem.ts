import type { FastifyReply } from 'fastify';

/** An RFC 9457 problem details document. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** Each member concerned: a JSON Pointer to it, a stable code when a rule was broken, and what is wrong. */
  readonly errors?: readonly { readonly pointer: string; readonly code?: string; readonly detail: string }[];
}

export function problem(
  reply: FastifyReply,
  status: number,
  title: string,
  detail: string,
  errors?: Problem['errors'],
): FastifyReply {
  const body: Problem = {
    type: 'about:blank',
    title,
    status,
    detail,
    ...(errors === undefined ? {} : { errors }),
  };
  return reply.code(status).type('application/problem+json').header('cache-control', 'no-store').send(body);
}

/**
 * Nothing here that this token may see: one answer for an unknown address, a malformed id, another
 * organisation's record and one the token's account may not open, so the API never tells a caller
 * that a record exists where they may not see it.
 */
export function notFoundProblem(reply: FastifyReply): FastifyReply {
  return problem(reply, 404, 'Not found', 'There is nothing at this address that this token may see.');
}

/** Zod's issues as problem `errors`, each with a JSON Pointer to the member concerned. */
export function issuePointers(
  issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[],
): NonNullable<Problem['errors']> {
  return issues.map((issue) => ({ pointer: `/${issue.path.map(String).join('/')}`, detail: issue.message }));
}
