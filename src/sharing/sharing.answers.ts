import { z } from 'zod';
import type { TextShape } from '../lib/text.ts';
import { multiline, singleLine, textRule } from '../lib/text.schema.ts';

/**
 * What a sharing decision records, section by section (the seven golden rules, R2.1-R2.23). These
 * are the canonical shapes: the API takes them as JSON, the question pages build them from forms, and
 * the decision rules (sharing.rules.ts) judge them. Each section is saved whole when its page is
 * completed; a draft is the sections saved so far.
 */

// Free text under the one text rule (src/lib/text.ts), as on the question pages; `label` names the member in messages.
const text = (label: string, max: number, shape: TextShape = multiline) =>
  z.string().trim().min(1).max(max).superRefine(textRule(label, shape));
const optionalText = (label: string, max: number, shape: TextShape = multiline) =>
  z.string().trim().max(max).superRefine(textRule(label, shape)).optional();
const id = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
  .max(60);
const uuid = z.uuid();
const calendarDate = z.iso.date();

export const requesterKinds = ['agency', 'colleague', 'own-initiative'] as const;
export type RequesterKind = (typeof requesterKinds)[number];

/** 1. The request: who asks, how, when and why (the requester's identity is checked by the method). */
export const requestSection = z.strictObject({
  requesterKind: z.enum(requesterKinds),
  /** The person asking; for an own-initiative share, empty. */
  requesterName: optionalText('the requester’s name', 200, singleLine),
  requesterRole: optionalText('the requester’s role', 200, singleLine),
  /** The asking organisation, from the partner directory. */
  requesterOrganisationId: uuid.optional(),
  /** How the request reached the practitioner (pack: sharing.requestChannels). */
  channelId: id.optional(),
  receivedOn: calendarDate,
  /** The purpose, from the pack's purposes (R2.11). */
  purposeId: id,
  /** What was asked for, or why the practitioner is considering sharing. */
  details: text('details', 4000),
});
export type RequestSection = z.output<typeof requestSection>;

/** 2. The people concerned; many people, or a transfer between IT systems, makes a bulk share (R2.16). */
export const peopleSection = z.strictObject({
  personIds: z.array(uuid).min(1).max(100_000),
  /** Absent until the practitioner answers it: a draft started from a person's record has not (GOV.UK: no pre-selected radios). */
  systemTransfer: z.boolean().optional(),
});
export type PeopleSection = z.output<typeof peopleSection>;

/** 3. Each recipient, and why they need the information (R2.11); same process inside the organisation (R2.6). */
export const recipient = z.strictObject({
  name: text('the recipient’s name', 200, singleLine),
  role: text('the recipient’s role', 200, singleLine),
  organisationId: uuid,
  email: z.email().max(254).optional(),
  telephone: optionalText('the recipient’s telephone number', 40, singleLine),
  reason: text('the reason the recipient needs it', 2000),
});
export type Recipient = z.output<typeof recipient>;
export const recipientsSection = z.strictObject({ recipients: z.array(recipient).min(1).max(50) });
export type RecipientsSection = z.output<typeof recipientsSection>;

/** 4. What is shared and withheld (R2.7, R2.22), and the third parties who could be harmed (2024 advice). */
export const sharedCategory = z.strictObject({
  categoryId: id,
  /** How this category is relevant to the purpose. */
  relevance: text('relevance', 1000),
  /** Required when the pack marks the category sensitive for this purpose. */
  sensitiveReason: optionalText('the sensitive reason', 1000),
});
export const principles = [
  'necessary',
  'proportionate',
  'relevant',
  'adequate',
  'accurate',
  'timely',
  'secure',
] as const;
export type Principle = (typeof principles)[number];
export const thirdPartyHandling = ['none', 'withheld', 'shared'] as const;
export const informationSection = z.strictObject({
  shared: z.array(sharedCategory).max(50),
  withheld: z.array(id).max(50),
  description: optionalText('description', 4000),
  /** Whether the information identifies third parties who could be harmed, and what happens to that. */
  thirdParties: z.enum(thirdPartyHandling),
  thirdPartyReason: optionalText('the third-party reason', 2000),
  /** Golden rule 6: each principle the practitioner confirms. */
  confirmed: z.array(z.enum(principles)).max(principles.length),
});
export type InformationSection = z.output<typeof informationSection>;

/** 5. The lawful basis (R2.1) and consent (R2.20), with the reasons for setting aside confidence (R2.4). */
export const lawfulBasisSection = z.strictObject({
  /** "I am not sure which law applies": the decision waits for the DPO's or Caldicott Guardian's advice (R2.3). */
  unsure: z.boolean(),
  article6: id.optional(),
  article9: id.optional(),
  schedule1: id.optional(),
  criminalOffence: id.optional(),
  commonLaw: id.optional(),
  /** Why the duty of confidence is not observed (R2.4). */
  confidenceReason: optionalText('the confidence reason', 4000),
  /** The public-interest justification, based on the facts, for sharing without or against consent (R2.20). */
  justification: optionalText('justification', 4000),
  /** The statutory provision or court order that requires the share, where the basis is a legal duty. */
  statute: optionalText('the statutory provision', 500),
});
export type LawfulBasisSection = z.output<typeof lawfulBasisSection>;

/** 6a. Openness (R2.18). */
export const opennessSection = z.strictObject({
  told: z.boolean(),
  /** What the person or family was told: why, what, how and with whom. */
  toldDetails: optionalText('what they were told', 2000),
  /** Why telling them would be unsafe or inappropriate. */
  notToldReason: optionalText('why they were not told', 2000),
});
export type OpennessSection = z.output<typeof opennessSection>;

/** 6b. Safety and well-being (R2.21) and the balance of risks (R2.10). */
export const safetySection = z.strictObject({
  wellbeing: text('well-being', 4000),
  riskOfSharing: text('the risk of sharing', 4000),
  riskOfNotSharing: text('the risk of not sharing', 4000),
});
export type SafetySection = z.output<typeof safetySection>;

export const outcomes = ['share', 'share-in-part', 'not-share'] as const;
export type Outcome = (typeof outcomes)[number];
export const outcomeNames: Record<Outcome, string> = {
  share: 'Share',
  'share-in-part': 'Share in part',
  'not-share': 'Do not share',
};

/** 6c. The decision and its reasons (R2.23). */
export const outcomeSection = z.strictObject({
  outcome: z.enum(outcomes),
  /** For "not share": the reasons from the pack (confidentiality alone is never one, R2.10). */
  notShareReasonIds: z.array(id).max(20),
  reasons: text('reasons', 4000),
});
export type OutcomeSection = z.output<typeof outcomeSection>;

export const sectionSchemas = {
  request: requestSection,
  people: peopleSection,
  recipients: recipientsSection,
  information: informationSection,
  lawfulBasis: lawfulBasisSection,
  openness: opennessSection,
  safety: safetySection,
  outcome: outcomeSection,
} as const;

export type SectionName = keyof typeof sectionSchemas;

/** A draft holds any of the sections; a recorded decision holds the ones its outcome needs. */
export const decisionAnswers = z.strictObject({
  request: requestSection.optional(),
  people: peopleSection.optional(),
  recipients: recipientsSection.optional(),
  information: informationSection.optional(),
  lawfulBasis: lawfulBasisSection.optional(),
  openness: opennessSection.optional(),
  safety: safetySection.optional(),
  outcome: outcomeSection.optional(),
});
export type DecisionAnswers = z.output<typeof decisionAnswers>;
