import { z } from 'zod';
import { pageNumber } from '../lib/fields.ts';

export const outboxListQuery = z.strictObject({
  page: pageNumber,
});

export const outboxParams = z.strictObject({ id: z.uuid() });
