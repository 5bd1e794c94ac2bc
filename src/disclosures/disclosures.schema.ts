import { z } from 'zod';
import type { TextShape } from '../lib/text.ts';
import { multiline, singleLine, textRule } from '../lib/text.schema.ts';
import { channelMethodIds } from '../policy/index.ts';

/** The canonical shapes of the disclosure log, for the API as JSON and for the pages after their forms. */

// Free text under the one text rule (src/lib/text.ts), as on the pages; `label` names the member in messages.
const text = (label: string, max: number, shape: TextShape = multiline) =>
  z.string().trim().min(1).max(max).superRefine(textRule(label, shape));

/** A disclosure under a recorded decision: to which of its recipients, what, how, and the method's checklist. */
export const newDisclosure = z.strictObject({
  /** The recipient, by position in the decision's recipients (R2.11: only those the decision named). */
  recipientIndex: z.number().int().min(0).max(49),
  method: z.enum(channelMethodIds),
  /** For e-mail: the address it goes to, when not the one the decision holds. */
  recipientAddress: z
    .string()
    .trim()
    .min(3)
    .max(254)
    .superRefine(textRule('the recipient’s address', singleLine))
    .optional(),
  categoryIds: z.array(z.string().max(60)).min(1).max(50),
  description: text('description', 4000),
  /** The method's checklist answers; checked by the channels capability for the method chosen. */
  checklist: z.record(z.string(), z.unknown()),
  /** In person: the entry of the practitioner's off-site log it was carried under (R4.3.3). */
  offSiteEntryId: z.uuid().optional(),
});
export type NewDisclosureAnswers = z.output<typeof newDisclosure>;

export const receipt = z.strictObject({ how: text('how receipt was confirmed', 1000) });
export type ReceiptAnswers = z.output<typeof receipt>;

export const misdirected = z.strictObject({
  receivedOn: z.iso.date(),
  method: z.enum(channelMethodIds),
  sender: text('who sent it', 300, singleLine),
  intendedFor: text('who it was meant for', 300, singleLine),
  whatArrived: text('what arrived', 4000),
  passedOn: z.boolean(),
  senderTold: z.boolean(),
  actionDetails: text('what was done', 4000),
});
export type MisdirectedAnswers = z.output<typeof misdirected>;
