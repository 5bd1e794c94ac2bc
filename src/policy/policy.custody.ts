import { z } from 'zod';

const identifier = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens');

/**
 * Taking personal information off site (R4.3): the reasons a practitioner gives, and which of them
 * the organisation's local policy allows without the line manager's agreement (`standing`); every
 * other reason waits for the line manager to agree (R4.3.2). How long anything may stay off site.
 */
export const custodyPolicySchema = z.strictObject({
  reasons: z
    .array(
      z.strictObject({
        id: identifier,
        label: z.string().trim().min(1).max(200),
        /** Local policy allows it without the line manager's agreement. */
        standing: z.boolean(),
      }),
    )
    .min(1)
    .refine(
      (reasons) => new Set(reasons.map((reason) => reason.id)).size === reasons.length,
      'ids must be unique',
    ),
  /** The longest time anything may be off site before it must be back, in days. */
  maxDaysOff: z.number().int().min(1).max(90),
});
