import { z } from 'zod';
import { channelMethodIds } from '../policy/index.ts';

/** The canonical shapes of the disclosure log, for the API as JSON and for the pages after their forms. */

const text = (max: number) => z.string().trim().min(1).max(max);

/** A disclosure under a recorded decision: to which of its recipients, what, how, and the method's checklist. */
export const newDisclosure = z.strictObject({
  /** The recipient, by position in the decision's recipients (R2.11: only those the decision named). */
  recipientIndex: z.number().int().min(0).max(49),
  method: z.enum(channelMethodIds),
  /** For e-mail: the address it goes to, when not the one the decision holds. */
  recipientAddress: z.string().trim().min(3).max(254).optional(),
  categoryIds: z.array(z.string().max(60)).min(1).max(50),
  description: text(4000),
  /** The method's checklist answers; checked by the channels capability for the method chosen. */
  checklist: z.record(z.string(), z.unknown()),
});
export type NewDisclosureAnswers = z.output<typeof newDisclosure>;

export const receipt = z.strictObject({ how: text(1000) });
export type ReceiptAnswers = z.output<typeof receipt>;

export const misdirected = z.strictObject({
  receivedOn: z.iso.date(),
  method: z.enum(channelMethodIds),
  sender: text(300),
  intendedFor: text(300),
  whatArrived: text(4000),
  passedOn: z.boolean(),
  senderTold: z.boolean(),
  actionDetails: text(4000),
});
export type MisdirectedAnswers = z.output<typeof misdirected>;
