import { z } from 'zod';
import { multiline, optionalText, requiredText, singleLine, textRule, ukPostcode } from '../lib/fields.ts';
import { compactNhsNumber, isValidNhsNumber } from '../lib/nhs-number.ts';
import { relationships, type Relationship } from './people.table.ts';
import { compactUpn, isValidUpn } from '../lib/upn.ts';

/** Ids in the address. A malformed one is a page that does not exist (404), never a 500. */
export const personParams = z.strictObject({ personId: z.uuid() });
export const allocationParams = z.strictObject({ personId: z.uuid(), allocationId: z.uuid() });
export const grantParams = z.strictObject({ grantId: z.uuid() });

/** Which change the record page confirms in its banner: a flag, never personal data. */
export const personPageQuery = z.object({
  done: z
    .enum(['created', 'updated', 'relative-added', 'allocated', 'allocation-ended', 'reason-recorded'])
    .optional()
    .catch(undefined),
});
export type PersonOutcome = NonNullable<z.output<typeof personPageQuery>['done']>;

export const accessReviewsQuery = z.object({ done: z.enum(['reviewed']).optional().catch(undefined) });

export const earliestDateOfBirth = '1900-01-01';

/** A name as people write it: letters (any alphabet), spaces, hyphens, apostrophes and full stops. */
function personName(label: string, max: number) {
  return requiredText(label, max).refine(
    (value) => /^[\p{L}\p{M}][\p{L}\p{M}' ’.-]*$/u.test(value) && !/\s{2,}/.test(value),
    `${capitalise(label)} must only include letters, spaces, hyphens and apostrophes`,
  );
}

function optionalPersonName(label: string, max: number) {
  return optionalText(label, max).refine(
    (value) => value === null || /^[\p{L}\p{M}][\p{L}\p{M}' ’.-]*$/u.test(value),
    `${capitalise(label)} must only include letters, spaces, hyphens and apostrophes`,
  );
}

const nhsNumber = z
  .string({ error: 'NHS number must be text' })
  .max(40, 'Enter an NHS number in the correct format, like 999 123 4567')
  .optional()
  .transform((value) => compactNhsNumber(value ?? ''))
  .superRefine((value, context) => {
    if (value === '') return;
    if (!/^\d{10}$/.test(value))
      context.addIssue({ code: 'custom', message: 'NHS number must be 10 digits, like 999 123 4567' });
    else if (!isValidNhsNumber(value))
      context.addIssue({
        code: 'custom',
        message: 'Enter a valid NHS number: check you have typed it correctly',
      });
  })
  .transform((value) => (value === '' ? null : value));

const localReference = optionalText('case reference', 50).refine(
  (value) => value === null || /^[A-Za-z0-9][A-Za-z0-9/_.-]*$/.test(value),
  'Case reference must only include letters, numbers, hyphens, slashes, full stops and underscores',
);

const upn = z
  .string({ error: 'Unique pupil number must be text' })
  .max(40, 'Unique pupil number must be 13 characters, like A123456789012')
  .optional()
  .transform((value) => compactUpn(value ?? ''))
  .superRefine((value, context) => {
    if (value === '') return;
    if (!/^[A-Z]\d{11}[0-9A-Z]$/.test(value))
      context.addIssue({
        code: 'custom',
        message:
          'Unique pupil number must be a letter then 11 digits then a digit or letter, like A123456789012',
      });
    else if (!isValidUpn(value))
      context.addIssue({
        code: 'custom',
        message: 'Enter a valid unique pupil number: check you have typed it correctly',
      });
  })
  .transform((value) => (value === '' ? null : value));

const optionalPostcode = z
  .string({ error: 'Postcode must be text' })
  .max(20, 'Enter a full UK postcode, like SN1 2JH')
  .optional()
  .transform((value, context): string | null => {
    const text = value?.trim() ?? '';
    if (text === '') return null;
    const parsed = ukPostcode.safeParse(text);
    if (parsed.success) return parsed.data;
    context.addIssue({
      code: 'custom',
      message: parsed.error.issues[0]?.message ?? 'Enter a full UK postcode, like SN1 2JH',
    });
    return z.NEVER;
  });

const datePart = z
  .string({ error: 'Date of birth must be a real date' })
  .max(10, 'Date of birth must be a real date')
  .optional();

/**
 * A GOV.UK date input (three boxes, `dateOfBirth-day`, `-month`, `-year`) as yyyy-mm-dd, or null
 * when all three are empty. Every problem is reported on `dateOfBirth`; the route links it to the
 * first box.
 */
export function dateOfBirthField(today: string) {
  return z
    .object({ day: datePart, month: datePart, year: datePart })
    .transform((answers, context): string | null => {
      const day = answers.day?.trim() ?? '';
      const month = answers.month?.trim() ?? '';
      const year = answers.year?.trim() ?? '';
      if (day === '' && month === '' && year === '') return null;
      const issue = (message: string) => {
        context.addIssue({ code: 'custom', message });
        return null;
      };
      const missing = [
        day === '' ? 'day' : undefined,
        month === '' ? 'month' : undefined,
        year === '' ? 'year' : undefined,
      ].filter((part) => part !== undefined);
      if (missing.length > 0) return issue(`Date of birth must include a ${missing.join(' and ')}`);
      if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d+$/.test(year))
        return issue('Date of birth must be a real date');
      if (year.length !== 4) return issue('Year must include 4 numbers');
      const date = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
      const parsed = new Date(`${date}T00:00:00Z`);
      if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date)
        return issue('Date of birth must be a real date');
      if (date > today) return issue('Date of birth must be today or in the past');
      if (date < earliestDateOfBirth)
        return issue('Date of birth must be the same as or after 1 January 1900');
      return date;
    });
}

const dateKeys = { day: 'dateOfBirth-day', month: 'dateOfBirth-month', year: 'dateOfBirth-year' } as const;

/** Gathers the three date boxes into one `dateOfBirth` answer, so that its errors sit beside the others. */
export function withDateOfBirth(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const answers = body as Record<string, unknown>;
  const boxes = new Set<string>(Object.values(dateKeys));
  const rest = Object.fromEntries(Object.entries(answers).filter(([key]) => !boxes.has(key)));
  return {
    ...rest,
    dateOfBirth: { day: answers[dateKeys.day], month: answers[dateKeys.month], year: answers[dateKeys.year] },
  };
}

/** The fields of a person's details, shared by the create, edit and add-a-family-member forms. */
function personShape(today: string) {
  return { ...detailsShape(), dateOfBirth: dateOfBirthField(today) };
}

/** Every field of a person's details but the date of birth, which a form and the API each take in their own way. */
function detailsShape() {
  return {
    givenNames: personName('given names', 100),
    familyName: personName('family name', 100),
    knownAs: optionalPersonName('known as name', 100),
    nhsNumber,
    localReference,
    upn,
    externalId: optionalText('other system’s reference', 100),
    addressLine1: optionalText('address line 1', 100),
    addressLine2: optionalText('address line 2', 100),
    town: optionalText('town or city', 60),
    postcode: optionalPostcode,
  };
}

export interface PersonDetails {
  readonly givenNames: string;
  readonly familyName: string;
  readonly knownAs: string | null;
  readonly dateOfBirth: string | null;
  readonly nhsNumber: string | null;
  readonly localReference: string | null;
  readonly upn: string | null;
  readonly externalId: string | null;
  readonly addressLine1: string | null;
  readonly addressLine2: string | null;
  readonly town: string | null;
  readonly postcode: string | null;
}

/** A date of birth as the API takes it: yyyy-mm-dd, from 1 January 1900 to today (London). */
function apiDateOfBirth(today: () => string) {
  return z
    .string({ error: 'Date of birth must be a date written yyyy-mm-dd' })
    .max(10, 'Date of birth must be a date written yyyy-mm-dd')
    .pipe(z.iso.date({ error: 'Date of birth must be a real date written yyyy-mm-dd' }))
    .refine((date) => date <= today(), 'Date of birth must be today or in the past')
    .refine(
      (date) => date >= earliestDateOfBirth,
      'Date of birth must be the same as or after 1 January 1900',
    )
    .optional()
    .transform((date) => date ?? null);
}

/** A person's details as the API takes them: the form's rules, the date of birth as yyyy-mm-dd. */
export function personApiBody(today: () => string) {
  return z
    .strictObject({ ...detailsShape(), dateOfBirth: apiDateOfBirth(today) })
    .transform((answers): PersonDetails => answers);
}

/** A search over the API: a name, NHS number, case reference or UPN, and/or a date of birth. */
export function searchApiBody(today: () => string) {
  return z
    .strictObject({
      query: z
        .string({ error: 'Query must be text' })
        .trim()
        .min(1, 'Query must not be empty: leave it out to search by date of birth')
        .max(100, 'Query must be 100 characters or fewer')
        .superRefine(textRule('query', singleLine))
        .refine((value) => /[\p{L}\p{N}]/u.test(value), 'Query must include letters or numbers')
        .optional()
        .transform((value) => value ?? null),
      dateOfBirth: apiDateOfBirth(today),
    })
    .refine((criteria) => criteria.query !== null || criteria.dateOfBirth !== null, {
      error: 'Send a query, a date of birth, or both',
      path: ['query'],
    });
}

/** Adding or changing a person. `today` (London) bounds the date of birth. */
export function personForm(today: string) {
  return z
    .preprocess(withDateOfBirth, z.strictObject(personShape(today)))
    .transform((answers): PersonDetails => answers);
}

export const personFields = [
  'givenNames',
  'familyName',
  'knownAs',
  'dateOfBirth-day',
  'dateOfBirth-month',
  'dateOfBirth-year',
  'nhsNumber',
  'localReference',
  'upn',
  'externalId',
  'addressLine1',
  'addressLine2',
  'town',
  'postcode',
] as const;

const relationshipChoice = z
  .string({ error: 'Select how they are related' })
  .min(1, 'Select how they are related')
  .refine(
    (value): value is Relationship => (relationships as readonly string[]).includes(value),
    'Select how they are related from the list',
  )
  .transform((value): Relationship => value);

const parentalResponsibility = z
  .enum(['yes', 'no'], { error: 'Select whether they have parental responsibility' })
  .transform((value) => value === 'yes');

/** Relationships that carry parental responsibility by definition (Children Act 1989 s14C for special guardians). */
const alwaysWithParentalResponsibility: readonly Relationship[] = [
  'carer_with_parental_responsibility',
  'special_guardian',
];

function checkResponsibility(
  relationship: Relationship,
  responsibility: boolean,
  field: string,
  context: z.RefinementCtx,
): void {
  if (alwaysWithParentalResponsibility.includes(relationship) && !responsibility) {
    context.addIssue({
      code: 'custom',
      message:
        'A carer with parental responsibility or special guardian has parental responsibility: select Yes',
      path: [field],
    });
  }
}

export type NewRelative =
  | {
      readonly kind: 'existing';
      readonly identifier: string;
      readonly relationship: Relationship;
      readonly parentalResponsibility: boolean;
    }
  | {
      readonly kind: 'new';
      readonly details: PersonDetails;
      readonly relationship: Relationship;
      readonly parentalResponsibility: boolean;
    };

/**
 * Adding a family member: the page has two forms, one for someone already in Safeshare (found by
 * NHS number or case reference) and one for someone new; a hidden `mode` says which was sent.
 */
export function relativeForm(today: string, mode: 'existing' | 'new') {
  if (mode === 'existing') {
    return z
      .strictObject({
        mode: z.literal('existing'),
        identifier: requiredText('their NHS number or case reference', 50),
        existingRelationship: relationshipChoice,
        existingParentalResponsibility: parentalResponsibility,
      })
      .superRefine((answers, context) =>
        checkResponsibility(
          answers.existingRelationship,
          answers.existingParentalResponsibility,
          'existingParentalResponsibility',
          context,
        ),
      )
      .transform((answers): NewRelative => ({
        kind: 'existing',
        identifier: answers.identifier,
        relationship: answers.existingRelationship,
        parentalResponsibility: answers.existingParentalResponsibility,
      }));
  }
  return z
    .preprocess(
      withDateOfBirth,
      z.strictObject({
        mode: z.literal('new'),
        relationship: relationshipChoice,
        parentalResponsibility,
        ...personShape(today),
      }),
    )
    .superRefine((answers, context) =>
      checkResponsibility(
        answers.relationship,
        answers.parentalResponsibility,
        'parentalResponsibility',
        context,
      ),
    )
    .transform((answers): NewRelative => {
      const details: PersonDetails = {
        givenNames: answers.givenNames,
        familyName: answers.familyName,
        knownAs: answers.knownAs,
        dateOfBirth: answers.dateOfBirth,
        nhsNumber: answers.nhsNumber,
        localReference: answers.localReference,
        upn: answers.upn,
        externalId: answers.externalId,
        addressLine1: answers.addressLine1,
        addressLine2: answers.addressLine2,
        town: answers.town,
        postcode: answers.postcode,
      };
      return {
        kind: 'new',
        details,
        relationship: answers.relationship,
        parentalResponsibility: answers.parentalResponsibility,
      };
    });
}

export const existingRelativeFields = [
  'identifier',
  'existingRelationship',
  'existingParentalResponsibility',
] as const;
export const newRelativeFields = ['relationship', 'parentalResponsibility', ...personFields] as const;

export const allocationForm = z.strictObject({
  userId: z
    .string({ error: 'Select a member of your team' })
    .min(1, 'Select a member of your team')
    .pipe(z.uuid({ error: 'Select a member of your team from the list' })),
});

export const minimumReasonLength = 10;
export const maximumReasonLength = 2000;

/** Break-glass: why the record is needed without an allocation. Audited and sent for review. */
export const reasonForm = z.strictObject({
  reason: z
    .string({ error: 'Enter why you need to open this record' })
    .trim()
    .min(1, 'Enter why you need to open this record')
    .min(minimumReasonLength, `Reason must be ${minimumReasonLength} characters or more`)
    .max(maximumReasonLength, `Reason must be ${maximumReasonLength} characters or fewer`)
    .superRefine(textRule('reason', multiline)),
});

/** Forms that only confirm an action carry no answers of their own. */
export const confirmationForm = z.strictObject({});

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
