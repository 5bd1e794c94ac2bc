import { z } from 'zod';
import {
  checkboxes,
  dateFieldNames,
  dateParts,
  emailAddress,
  optionalText,
  readDate,
  requiredText,
} from '../lib/fields.ts';
import { maximumPasswordLength, passwordProblem } from './passwords.ts';
import { isRole, type Role } from '../lib/roles.ts';
import { earliestTrainingDate } from './training.ts';

/** An id in the address. A malformed one is a page that does not exist (404), never a 500. */
export const staffParams = z.strictObject({ id: z.uuid() });

/** Which change the staff member's page confirms in its banner: a flag, never personal data. */
export const staffPageQuery = z.object({
  done: z
    .enum([
      'created',
      'updated',
      'password-reset',
      'mfa-reset',
      'deactivated',
      'reactivated',
      'training-recorded',
    ])
    .optional()
    .catch(undefined),
});

export type StaffOutcome = NonNullable<z.output<typeof staffPageQuery>['done']>;

const password = z
  .string({ error: 'Enter a password' })
  .min(1, 'Enter a password')
  .max(maximumPasswordLength, `Password must be ${maximumPasswordLength} characters or fewer`)
  .superRefine((value, context) => {
    const problem = passwordProblem(value);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  });

const detailFields = {
  displayName: requiredText('full name', 120),
  jobTitle: optionalText('job title', 120),
  // Not on the forms: staff belong to the administrator's own organisation (ADR 0011). One sent by
  // hand must still be an id, and the service refuses any but the administrator's own.
  organisationId: z
    .string({ error: 'Select an organisation from the list' })
    .pipe(z.uuid({ error: 'Select an organisation from the list' }))
    .optional(),
  // Checked as a whole, so that every problem with the roles is reported on the one field.
  roles: checkboxes(z.unknown())
    .refine(
      (chosen) => chosen.every((role) => typeof role === 'string' && isRole(role)),
      'Select roles from the list',
    )
    .refine((chosen) => chosen.length > 0, 'Select at least one role')
    .transform((chosen) => [
      ...new Set(chosen.filter((role): role is Role => typeof role === 'string' && isRole(role))),
    ]),
  lineManagerId: z
    .string({ error: 'Select a line manager from the list' })
    .transform((value) => (value === '' ? null : value))
    .pipe(z.uuid({ error: 'Select a line manager from the list' }).nullable())
    .optional()
    .transform((value) => value ?? null),
};

export const staffEditForm = z.strictObject(detailFields);

export const staffCreateForm = z.strictObject({
  displayName: detailFields.displayName,
  email: emailAddress,
  jobTitle: detailFields.jobTitle,
  organisationId: detailFields.organisationId,
  roles: detailFields.roles,
  lineManagerId: detailFields.lineManagerId,
  password,
});

export const resetPasswordForm = z.strictObject({ password });

/** The date input on the data protection training page (R1.1, R2.2). */
export const trainingDateField = 'completedOn';
export const trainingFields = dateFieldNames(trainingDateField);

/** When someone completed data protection training: a real date, not in the future, not before 2000. */
export function trainingForm(context: { readonly today: string }) {
  return z.strictObject(dateParts(trainingDateField)).transform((raw, ctx): { completedOn: string } => {
    const problem = (message: string) => {
      ctx.addIssue({ code: 'custom', path: [trainingDateField], message });
      return z.NEVER;
    };
    const answer = readDate(raw, trainingDateField);
    if (answer.kind === 'blank') return problem('Enter the date they completed data protection training');
    if (answer.kind === 'invalid') return problem('Date they completed the training must be a real date');
    if (answer.value > context.today)
      return problem('Date they completed the training must be today or in the past');
    if (answer.value < earliestTrainingDate)
      return problem('Date they completed the training must be on or after 1 January 2000');
    return { completedOn: answer.value };
  });
}

/** Confirmation pages carry no answers of their own: only the CSRF token, removed before parsing. */
export const confirmationForm = z.strictObject({});

/** The fields of each form in page order, so an error about anything else links to the first one. */
export const createFields = [
  'displayName',
  'email',
  'jobTitle',
  'roles',
  'lineManagerId',
  'password',
] as const;
export const editFields = ['displayName', 'jobTitle', 'roles', 'lineManagerId'] as const;
