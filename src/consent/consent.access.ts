import type { Viewer } from '../auth/index.ts';
import { NotFoundError, ReasonRequiredError } from '../lib/errors.ts';
import { PersonAccessError, type PeopleService, type PersonSummary } from '../people/index.ts';

/**
 * The people capability's need-to-know check (invariant 4), answered as the one family of domain
 * errors: another organisation's person (or none) is not found; an unallocated one of the viewer's
 * own organisation needs a recorded reason first, which the person's page asks for.
 */
export async function requireConsentPerson(
  people: Pick<PeopleService, 'requireAccess'>,
  viewer: Viewer,
  personId: string,
): Promise<PersonSummary> {
  try {
    return await people.requireAccess(viewer, personId);
  } catch (error) {
    if (error instanceof PersonAccessError)
      throw error.kind === 'needs-reason'
        ? new ReasonRequiredError(personId)
        : new NotFoundError('no such person');
    throw error;
  }
}
