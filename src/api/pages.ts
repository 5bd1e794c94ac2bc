import { z } from 'zod';

/**
 * Cursor pagination for the API's lists: `?limit=` (1 to 100, 50 when left out) and `?cursor=` from
 * the previous page's `next`. A cursor is an opaque token naming the last item sent, so a page
 * never repeats or skips an item when newer ones arrive meanwhile.
 */
export const pageQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'limit must be a whole number from 1 to 100' })
    .int('limit must be a whole number from 1 to 100')
    .min(1, 'limit must be a whole number from 1 to 100')
    .max(100, 'limit must be a whole number from 1 to 100')
    .default(50),
  cursor: z
    .string()
    .max(400, 'cursor must be one this API gave')
    .regex(/^[A-Za-z0-9_-]+$/, 'cursor must be one this API gave')
    .optional(),
});

export interface Page<T> {
  readonly items: readonly T[];
  /** The cursor of the next page, or null on the last. */
  readonly next: string | null;
}

/**
 * One page of a list sorted by each item's key, greatest first (keys are unique): the items after
 * the cursor's key, and the cursor of the last item sent when more follow.
 */
export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  query: { readonly limit: number; readonly cursor?: string | undefined },
): Page<T> {
  const after =
    query.cursor === undefined ? undefined : Buffer.from(query.cursor, 'base64url').toString('utf8');
  const rest = after === undefined ? items : items.filter((item) => keyOf(item) < after);
  const page = rest.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page,
    next:
      rest.length > page.length && last !== undefined
        ? Buffer.from(keyOf(last), 'utf8').toString('base64url')
        : null,
  };
}
