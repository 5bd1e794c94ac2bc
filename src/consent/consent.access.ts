import type { FastifyReply } from 'fastify';
import type { Viewer } from '../auth/index.ts';
import { PersonAccessError, type PeopleService, type PersonSummary } from '../people/index.ts';
import { ConsentAccessError } from './consent.errors.ts';
import { consentPaths } from './consent.paths.ts';

/** The people capability's need-to-know check, answered in the consent register's terms. */
export async function requireConsentPerson(
  people: Pick<PeopleService, 'requireAccess'>,
  viewer: Viewer,
  personId: string,
): Promise<PersonSummary> {
  try {
    return await people.requireAccess(viewer, personId);
  } catch (error) {
    if (error instanceof PersonAccessError) throw new ConsentAccessError(error.kind, personId);
    throw error;
  }
}

/**
 * Need-to-know outcomes on a page: another organisation's person is a page that does not exist; an
 * unallocated one asks for a reason on the person's page.
 */
export async function guardedPage(reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ConsentAccessError) {
      if (error.kind === 'needs-reason') return reply.redirect(consentPaths.person(error.personId), 303);
      return reply.callNotFound();
    }
    throw error;
  }
}
