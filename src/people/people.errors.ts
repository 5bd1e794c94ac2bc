import { NotFoundError, ReasonRequiredError, RuleError } from '../lib/errors.ts';

/** Stable codes for the people capability's refusals: the pages show the message, logs and the API the code. */
export const peopleErrorCodes = {
  notFound: 'PERSON.NOT_FOUND',
  reasonRequired: 'PERSON.REASON_REQUIRED',
  nhsNumberTaken: 'PERSON.NHS_NUMBER_TAKEN',
  alreadyAllocated: 'PERSON.ALREADY_ALLOCATED',
  alreadyLinked: 'PERSON.ALREADY_LINKED',
  relativeNotFound: 'PERSON.RELATIVE_NOT_FOUND',
  relativeAmbiguous: 'PERSON.RELATIVE_AMBIGUOUS',
  ownRelative: 'PERSON.OWN_RELATIVE',
  notAllocatable: 'PERSON.NOT_ALLOCATABLE',
  managersOnly: 'PERSON.MANAGERS_ONLY',
  notOwnTeam: 'PERSON.NOT_OWN_TEAM',
  ownReason: 'PERSON.OWN_REASON',
  alreadyReviewed: 'PERSON.ALREADY_REVIEWED',
} as const;

export type PeopleErrorCode = (typeof peopleErrorCodes)[keyof typeof peopleErrorCodes];

/**
 * No such person, or one of another organisation: answered exactly like a record that does not
 * exist (404). `kind` is kept for callers that tell the two refusals apart.
 */
export class PersonNotFoundError extends NotFoundError {
  override readonly name: string = 'PersonNotFoundError';
  readonly kind = 'not-found';
  readonly code = peopleErrorCodes.notFound;

  constructor() {
    super('no such person');
  }
}

/**
 * The person is of the viewer's organisation, but the viewer has no legitimate relationship to
 * their record: they may open it only after recording a reason (break-glass, invariant 4).
 */
export class PersonReasonRequiredError extends ReasonRequiredError {
  override readonly name: string = 'PersonReasonRequiredError';
  readonly kind = 'needs-reason';
  readonly code = peopleErrorCodes.reasonRequired;
}

/** Either refusal of need-to-know: the person does not exist for the viewer, or needs a reason first. */
export type PersonAccessError = PersonNotFoundError | PersonReasonRequiredError;

/**
 * `error instanceof PersonAccessError` holds for both refusals, so that callers which treat them
 * alike (a person left out of a list, a decision naming someone the viewer cannot open) need not
 * name the two classes.
 */
export const PersonAccessError = {
  [Symbol.hasInstance](value: unknown): value is PersonAccessError {
    return value instanceof PersonNotFoundError || value instanceof PersonReasonRequiredError;
  },
};

/** A rule the answers break, with the form field it concerns: a rule error with one problem. */
export class PeopleRuleError extends RuleError {
  override readonly name: string = 'PeopleRuleError';

  constructor(code: PeopleErrorCode, field: string, message: string) {
    super([{ field, code, message }]);
  }
}

/**
 * A unique index that answers a rule, not a fault (two people typing at once): the rule it stands
 * for, or undefined for any other error.
 */
export function uniqueRuleOf(error: unknown): PeopleRuleError | undefined {
  const constraint =
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    error.code === '23505' &&
    'constraint' in error
      ? error.constraint
      : undefined;
  if (constraint === 'people_organisation_nhs_number_key')
    return new PeopleRuleError(
      peopleErrorCodes.nhsNumberTaken,
      'nhsNumber',
      'A record with this NHS number already exists: search for it instead',
    );
  if (constraint === 'allocations_open_key')
    return new PeopleRuleError(
      peopleErrorCodes.alreadyAllocated,
      'userId',
      'They are already allocated to this person',
    );
  if (constraint === 'person_relationships_pair_key')
    return new PeopleRuleError(
      peopleErrorCodes.alreadyLinked,
      'relationship',
      'These two people are already linked',
    );
  return undefined;
}

/** Runs the work, answering a unique-index violation as the rule it stands for. */
export async function withUniqueRules<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw uniqueRuleOf(error) ?? error;
  }
}
