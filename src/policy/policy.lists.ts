import { z } from 'zod';

/** The building blocks every section of a policy pack shares. */

export const packIdentifier = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens, like "early-help"')
  .max(60);

/** Each list must name its entries uniquely: a duplicate id would make a recorded choice ambiguous. */
export function uniqueList<T extends z.ZodType<{ id: string }>>(item: T) {
  return z
    .array(item)
    .min(1)
    .superRefine((entries, context) => {
      const seen = new Set<string>();
      for (const [index, entry] of entries.entries()) {
        if (seen.has(entry.id))
          context.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id "${entry.id}"` });
        seen.add(entry.id);
      }
    });
}
