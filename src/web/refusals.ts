import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem } from '../api/problem.ts';
import { NotFoundError, NotPermittedError, ReasonRequiredError, RuleError } from '../lib/errors.ts';
import { peoplePaths } from '../people/people.paths.ts';

/**
 * The one place a domain refusal becomes an answer (src/lib/errors.ts), for pages and API alike.
 * A page with a form catches its own rule errors to re-render the form beside them; anything that
 * reaches here is answered the same way everywhere: nothing has been changed.
 */
export function answerRefusal(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): FastifyReply | undefined {
  const api = request.url.startsWith('/api/');
  if (error instanceof NotFoundError) {
    if (api)
      return problem(reply, 404, 'Not found', 'There is nothing at this address that this token may see.');
    return reply.code(404).render('web/views/error.njk', {
      pageTitle: 'Page not found',
      heading: 'Page not found',
      paragraphs: [
        'If you typed the web address, check it is correct.',
        'If you pasted the web address, check you copied the entire address.',
      ],
      showHomeLink: true,
    });
  }
  if (error instanceof ReasonRequiredError && !api) {
    // The person's page asks for the reason first (invariant 4), then the practitioner comes back.
    // A refusal, though it answers below 400: the route did nothing it records.
    if (request.requestRecord !== undefined) request.requestRecord.nothingToAudit = true;
    return reply.redirect(peoplePaths.show(error.personId), 303);
  }
  if (error instanceof NotPermittedError) {
    if (api)
      return problem(reply, 403, 'Forbidden', "This token's account may not do this. Nothing was changed.");
    return reply.code(403).render('web/views/error.njk', {
      pageTitle: 'You cannot do this',
      heading: 'You cannot do this',
      paragraphs: [
        'Your roles, or your part in this case, do not allow it. Nothing has been changed. If you need to, ask your line manager.',
      ],
      showHomeLink: true,
    });
  }
  if (error instanceof RuleError) {
    if (api) {
      return problem(
        reply,
        422,
        'The request breaks a rule',
        'Correct the members named in errors and send it again. Nothing was changed.',
        error.problems.map((rule) => ({
          pointer: `/${rule.field.replaceAll('.', '/')}`,
          code: rule.code,
          detail: `${rule.code}: ${rule.message}`,
        })),
      );
    }
    return reply.code(400).render('web/views/error.njk', {
      pageTitle: 'There is a problem',
      heading: 'There is a problem',
      paragraphs: [
        ...error.problems.map((rule) => rule.message),
        'Nothing has been changed. Go back and try again.',
      ],
      showHomeLink: true,
    });
  }
  return undefined;
}
