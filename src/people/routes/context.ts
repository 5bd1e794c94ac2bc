import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditTrailService } from '../../audit/index.ts';
import type { Viewer } from '../../auth/index.ts';
import type { Clock } from '../../lib/clock.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { londonToday } from '../../lib/time.ts';
import type { AuditDeclaration } from '../../web/access.ts';
import { viewerOf, type FormErrors } from '../../web/forms.ts';
import { formatNhsNumber } from '../../lib/nhs-number.ts';
import { PersonReasonRequiredError } from '../people.errors.ts';
import { breakGlassHours } from '../people.model.ts';
import { peoplePaths } from '../people.paths.ts';
import { maximumReasonLength, personParams } from '../people.schema.ts';
import type { PeopleService } from '../people.service.ts';

/** A consent in force for the person, as their record page sums it up. */
export interface ConsentStanding {
  readonly id: string;
  readonly status: 'given' | 'refused' | 'not_sought';
  readonly purposes: readonly string[];
  readonly givenOn: string;
  readonly reviewOn: string;
  readonly reviewOverdue: boolean;
}

export interface PeopleRouteOptions {
  readonly people: PeopleService;
  readonly clock: Clock;
  /**
   * The consent register's summary for the record page. The register sits above people (it
   * reads people's records), so the composition hands it in.
   */
  readonly consentStanding: (viewer: Viewer, personId: string) => Promise<readonly ConsentStanding[]>;
  /** Who has opened a record, read from the audit trail (R2.5: reads of a record are overseen). */
  readonly auditTrail: Pick<AuditTrailService, 'recordOpenings'>;
}

/** Who works with people's records. Within these roles, need-to-know decides which records (invariant 4). */
const caseworkers = ['practitioner', 'manager', 'dpo', 'caldicott_guardian'] as const;

/** A people page, with the audit events it writes when it succeeds. */
export function peoplePage(audit: AuditDeclaration) {
  return { access: caseworkers, audit };
}

/** A page for line managers only (allocations). */
export function managersPage(audit: AuditDeclaration) {
  return { access: ['manager'] as const, audit };
}

/** A page for those who review reasons for access: line managers and Data Protection Officers. */
export function reviewersPage(audit: AuditDeclaration) {
  return { access: ['manager', 'dpo'] as const, audit };
}

/** Helpers the templates call. */
export const display = {
  nhs: (digits: string | null) => (digits === null ? '' : formatNhsNumber(digits)),
};

export function fullName(person: { givenNames: string; familyName: string }): string {
  return `${person.givenNames} ${person.familyName}`;
}

/** The date-of-birth field of the person forms: an error about it links to its day (GOV.UK date input). */
export const dateFields = ['dateOfBirth'] as const;

/** Every error of a one-field form on that field, including a field it does not expect. */
export function onField(errors: FormErrors, field: string): FormErrors {
  const first = errors.summary[0];
  return {
    summary: errors.summary.map((entry) => ({ ...entry, href: `#${field}` })),
    fields: first === undefined ? {} : { [field]: { text: first.text } },
  };
}

export function renderNeedsReason(
  reply: FastifyReply,
  status: number,
  personId: string,
  values: Record<string, unknown> = {},
  errors?: FormErrors,
) {
  return reply.code(status).render('people/views/needs-reason.njk', {
    pageTitle: 'You do not have a legitimate relationship to this record',
    backLink: peoplePaths.index,
    action: peoplePaths.access(personId),
    maximumReasonLength,
    breakGlassHours,
    values,
    errors,
  });
}

/** What every person page works with: today's date in England, for the date-of-birth rules. */
export function peoplePages(options: PeopleRouteOptions) {
  const { people, clock, consentStanding, auditTrail } = options;
  return {
    people,
    consentStanding,
    auditTrail,
    today: () => londonToday(clock.now()),
  };
}

export type PeoplePages = ReturnType<typeof peoplePages>;

/**
 * Runs a page about the person the address names. A malformed id, an unknown person or another
 * organisation's propagates as not found (the app's error handler answers 404). A person the viewer
 * has no legitimate relationship to gets the form that asks for a reason (403, invariant 4): these
 * pages are the person's own, so the handler's redirect to the person's page would only come back
 * here.
 */
export async function aboutPerson(
  request: FastifyRequest,
  reply: FastifyReply,
  work: (personId: string, viewer: Viewer) => Promise<unknown>,
): Promise<unknown> {
  const params = personParams.safeParse({
    personId: (request.params as { personId?: unknown } | undefined)?.personId,
  });
  if (!params.success) throw new NotFoundError();
  const personId = params.data.personId;
  try {
    return await work(personId, viewerOf(request));
  } catch (error) {
    if (error instanceof PersonReasonRequiredError && error.personId === personId)
      return renderNeedsReason(reply, 403, personId);
    throw error;
  }
}
