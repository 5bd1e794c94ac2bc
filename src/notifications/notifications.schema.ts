import { z } from 'zod';
import { pageNumber } from '../lib/fields.ts';

export const notificationsListQuery = z.strictObject({
  page: pageNumber,
  done: z.enum(['read', 'all-read']).optional(),
});

export const notificationParams = z.strictObject({ id: z.uuid() });
