import { z } from 'zod';
import { singleLine, textRule } from '../lib/text.schema.ts';
import { channelMethodIds } from '../policy/index.ts';
import { sensitivities } from './channels.methods.ts';

/**
 * The questions the API and the CLI put to the method policy and the subject-line checker. Both
 * edges validate with these schemas and call the same service, so they give the same answer.
 */

const address = (label: string) =>
  z
    .string({ error: `Enter ${label} as text, like name@example.gov.uk` })
    .max(320, `${label.charAt(0).toUpperCase()}${label.slice(1)} must be 320 characters or fewer`)
    .superRefine(textRule(label, singleLine));

export const methodAdviceRequest = z
  .strictObject({
    /** The address the practitioner sends from. */
    from: address('the email address you send from').optional(),
    /** The recipient's address. */
    to: address('the recipient’s email address').optional(),
    method: z.enum(channelMethodIds, { error: `Select a method: ${channelMethodIds.join(', ')}` }).optional(),
    /** `none`: the information identifies no one. */
    sensitivity: z
      .enum(['none', ...sensitivities], {
        error: 'Select the sensitivity: none, personal, special-category or confidential',
      })
      .optional(),
    people: z
      .number({ error: 'Enter the number of people the information identifies, like 1' })
      .int('Enter the number of people as a whole number, like 1')
      .min(0, 'The number of people must be 0 or more')
      .max(100_000_000, 'The number of people must be 100,000,000 or fewer')
      .optional(),
    passwordProtected: z
      .boolean({ error: 'Say whether an attachment is password-protected: true or false' })
      .optional(),
  })
  .superRefine((request, context) => {
    if (request.sensitivity === 'none' && request.people !== undefined && request.people > 0) {
      context.addIssue({
        code: 'custom',
        path: ['sensitivity'],
        message:
          'The information identifies people, so it is personal information: select personal, special-category or confidential',
      });
    }
  });

export type MethodAdviceRequest = z.output<typeof methodAdviceRequest>;

export const subjectCheckRequest = z.strictObject({
  subject: z
    .string({ error: 'Enter the subject line' })
    .max(1000, 'The subject line must be 1000 characters or fewer')
    .superRefine(textRule('the subject line', singleLine)),
  /** The names of the people the message is about. */
  names: z
    .array(
      z
        .string({ error: 'Enter each name as text' })
        .trim()
        .min(1, 'Enter each name, like Jayden Smith')
        .max(200, 'Each name must be 200 characters or fewer')
        .superRefine(textRule('each name', singleLine)),
      { error: 'Enter the names as a list' },
    )
    .max(50, 'Enter 50 names or fewer')
    .optional(),
});

export type SubjectCheckRequest = z.output<typeof subjectCheckRequest>;
