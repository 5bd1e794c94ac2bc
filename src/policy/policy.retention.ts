import { z } from 'zod';

/** The kinds of record a retention schedule covers: each is a table Safeshare can dispose of. */
export const retentionKinds = [
  'consent-records',
  'sharing-decisions',
  'disclosures',
  'exchange-packages',
  'incidents',
  'people',
] as const;

/**
 * What a period runs from: the child's birth (so "the 25th birthday" is 25 years from birth), the
 * last action on the record or on anything about the person, the record's closure, or its creation.
 */
export const retentionTriggers = ['date-of-birth', 'last-action', 'closure', 'creation'] as const;

const entry = z.strictObject({
  kind: z.enum(retentionKinds),
  label: z.string().trim().min(1).max(200),
  /** How long from the trigger, in whole years: positive. */
  years: z.number().int().min(1).max(150),
  trigger: z.enum(retentionTriggers),
  /** What falls due when the period ends: a person reviews the record, or it is disposed of once approved. */
  action: z.enum(['review', 'dispose']),
  /** Where the figure comes from: the schedule and its section. */
  citation: z.string().trim().min(1).max(500),
  /** What the figure rests on, and anything a council should check before relying on it. */
  note: z.string().trim().min(1).max(2000).optional(),
});

/**
 * How long each kind of record is kept (storage limitation, UK GDPR Article 5(1)(e)): one entry per
 * kind, taken from a published local-government retention schedule that each entry cites. A council
 * edits the figures in its pack; an entry with an unknown kind or trigger, a period that is not a
 * positive number of years, or a kind listed twice is refused when the pack loads.
 */
export const retentionPolicySchema = z.strictObject({
  /** The schedule the entries are taken from, as a council would cite it. */
  source: z.string().trim().min(1).max(500),
  schedule: z
    .array(entry)
    .min(1)
    .refine(
      (entries) => new Set(entries.map((item) => item.kind)).size === entries.length,
      'each kind of record may be listed once',
    ),
});
