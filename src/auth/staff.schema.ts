import { z } from 'zod';
import { checkboxes, emailAddress, optionalText, requiredText } from '../web/fields.ts';
import { maximumPasswordLength, passwordProblem } from './passwords.ts';
import { isRole, type Role } from './roles.ts';

/** An id in the address. A malformed one is a page that does not exist (404), never a 500. */
export const staffParams = z.strictObject({ id: z.uuid() });

/** The organisation filter on the staff list; an empty choice means every organisation. */
export const staffListQuery = z.strictObject({
  organisationId: z
    .string({ error: 'Select an organisation from the list' })
    .optional()
    .transform((value) => (value === undefined || value === '' ? undefined : value))
    .pipe(z.uuid({ error: 'Select an organisation from the list' }).optional()),
});

/** Which change the staff member's page confirms in its banner: a flag, never personal data. */
export const staffPageQuery = z.object({
  done: z.enum(['created', 'updated', 'password-reset', 'mfa-reset', 'deactivated', 'reactivated']).optional().catch(undefined),
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
  organisationId: z
    .string({ error: 'Select an organisation' })
    .min(1, 'Select an organisation')
    .pipe(z.uuid({ error: 'Select an organisation from the list' })),
  // Checked as a whole, so that every problem with the roles is reported on the one field.
  roles: checkboxes(z.unknown())
    .refine((chosen) => chosen.every((role) => typeof role === 'string' && isRole(role)), 'Select roles from the list')
    .refine((chosen) => chosen.length > 0, 'Select at least one role')
    .transform((chosen) => [...new Set(chosen.filter((role): role is Role => typeof role === 'string' && isRole(role)))]),
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

/** Confirmation pages carry no answers of their own: only the CSRF token, removed before parsing. */
export const confirmationForm = z.strictObject({});

/** The fields of each form in page order, so an error about anything else links to the first one. */
export const createFields = ['displayName', 'email', 'jobTitle', 'organisationId', 'roles', 'lineManagerId', 'password'] as const;
export const editFields = ['displayName', 'jobTitle', 'organisationId', 'roles', 'lineManagerId'] as const;
