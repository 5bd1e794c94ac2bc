import { z } from 'zod';

/** A list page number: 1 to 100,000, digits only; anything else is a page that does not exist (404). */
export const notificationsListQuery = z.strictObject({
  page: z
    .string()
    .regex(/^[1-9]\d{0,4}$/)
    .transform(Number)
    .optional()
    .transform((page) => page ?? 1),
  done: z.enum(['read', 'all-read']).optional(),
});

export const notificationParams = z.strictObject({ id: z.uuid() });
