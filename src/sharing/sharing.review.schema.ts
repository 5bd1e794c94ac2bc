import { z } from 'zod';
import type { Adviser } from '../policy/index.ts';
import { textRule } from '../lib/text.schema.ts';
import { multiline, requiredText } from '../lib/fields.ts';

/**
 * The forms of the advice and approval pages (R2.15, R2.16, R2.19, R2.20). Ids in the address are
 * checked here too: a malformed one is a page that does not exist (404), never a 500.
 */

export const decisionParams = z.strictObject({ id: z.uuid() });
export const adviceParams = z.strictObject({ adviceId: z.uuid() });
export const approvalParams = z.strictObject({ approvalId: z.uuid() });

/** Which change the inbox or queue confirms in its banner: a flag, never personal data. */
export const adviceInboxQuery = z.object({ done: z.enum(['answered']).optional().catch(undefined) });
export const approvalQueueQuery = z.object({
  done: z.enum(['approved', 'refused']).optional().catch(undefined),
});

export const maxQuestionLength = 4000;
export const maxAnswerLength = 4000;
export const maxReasonLength = 2000;

/** Who to ask (from the policy pack), the question, and whether the adviser may know who the people are. */
export function askAdviceForm(advisers: readonly Adviser[]) {
  const message = 'Select who you want to ask for advice';
  return z
    .strictObject({
      adviser: z
        .string({ error: message })
        .max(60, message)
        .refine((value): value is Adviser => (advisers as readonly string[]).includes(value), message),
      /** With "supervisor": the colleague who supervises the practitioner (R2.15). */
      supervisorId: z
        .string({ error: 'Select your supervisor from the list' })
        .optional()
        .transform((value) => (value === undefined || value === '' ? undefined : value))
        .pipe(z.uuid({ error: 'Select your supervisor from the list' }).optional()),
      question: requiredText('your question', maxQuestionLength, multiline),
      shareIdentities: z.enum(['yes', 'no'], {
        error: 'Select yes if the adviser needs to know who the information is about',
      }),
    })
    .superRefine((answers, context) => {
      if (answers.adviser === 'supervisor' && answers.supervisorId === undefined)
        context.addIssue({
          code: 'custom',
          path: ['supervisorId'],
          message: 'Select your supervisor from the list',
        });
    });
}

export const answerAdviceForm = z.strictObject({
  answer: requiredText('your advice', maxAnswerLength, multiline),
});

/** Approve or refuse; the reason is required for a refusal and optional for an approval. */
export const decideApprovalForm = z
  .strictObject({
    decision: z.enum(['approve', 'refuse'], { error: 'Select whether you approve or refuse this request' }),
    reason: z
      .string({ error: 'The reason must be text' })
      .trim()
      .max(maxReasonLength, `The reason must be ${String(maxReasonLength)} characters or fewer`)
      .superRefine(textRule('the reason', multiline))
      .optional()
      .transform((value) => (value === undefined || value === '' ? null : value)),
  })
  .superRefine((answers, context) => {
    if (answers.decision === 'refuse' && answers.reason === null)
      context.addIssue({
        code: 'custom',
        path: ['reason'],
        message: 'Enter the reason you are refusing this request',
      });
  });
