import { z } from 'zod';
import { maximumPasswordLength, passwordProblem } from './passwords.ts';

export const signInForm = z.strictObject({
  email: z
    .string({ error: 'Enter your email address' })
    .trim()
    .min(1, 'Enter your email address')
    .max(254, 'Email address must be 254 characters or fewer'),
  password: z
    .string({ error: 'Enter your password' })
    .min(1, 'Enter your password')
    .max(256, 'Password must be 256 characters or fewer'),
});

export const codeForm = z.strictObject({
  code: z
    .string({ error: 'Enter the 6-digit code from your authenticator app' })
    .transform((value) => value.replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app')),
});

/** The password the person chooses to replace one an administrator set: the usual rules apply. */
export const choosePasswordForm = z.strictObject({
  password: z
    .string({ error: 'Enter a new password' })
    .min(1, 'Enter a new password')
    .max(maximumPasswordLength, `Password must be ${maximumPasswordLength} characters or fewer`)
    .superRefine((value, context) => {
      const problem = passwordProblem(value);
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
    }),
});

export const nextQuery = z.object({
  next: z
    .string()
    .max(500)
    .regex(/^\/(?!\/)[^\s\\]*$/)
    .optional()
    .catch(undefined),
  expired: z.string().max(5).optional().catch(undefined),
});
