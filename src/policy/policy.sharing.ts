import { z } from 'zod';
import { packIdentifier, uniqueList } from './policy.lists.ts';

/**
 * The sharing-decision section of a policy pack (R2.1-R2.23, R2.13): the lawful bases a decision
 * offers with their help text, which categories need a stated reason for which purpose, the bulk
 * threshold, who advises and who approves. Changing any of it is a new pack version, never code.
 */

const identifier = packIdentifier;
const label = z.string().trim().min(1).max(300);
const help = z.string().trim().min(1).max(2000);

/** A role that can be asked for advice or approval; the same names as staff roles. */
const staffRole = z.enum(['manager', 'caldicott_guardian', 'dpo', 'ig_lead', 'child_protection_adviser']);

/**
 * Who answers: the practitioner's own line manager, or anyone in the organisation holding a role.
 * Kept as text so a pack reads naturally: "line-manager" or a role name.
 */
export const approverSchema = z.union([z.literal('line-manager'), staffRole]);
export type Approver = z.output<typeof approverSchema>;

/** Who can be asked for advice: an approver, or a supervisor the practitioner names (R2.15). */
export const adviserSchema = z.union([approverSchema, z.literal('supervisor')]);
export type Adviser = z.output<typeof adviserSchema>;

const option = z.strictObject({ id: identifier, label, help: help.optional() });

/** What a common-law position may ask the practitioner to write. */
export const lawfulBasisQuestions = ['confidenceReason', 'justification', 'statute'] as const;
export type LawfulBasisQuestion = (typeof lawfulBasisQuestions)[number];

/** The common-law position on confidentiality (R2.1, R2.4). */
const commonLawOption = option
  .extend({
    /**
     * Whether this position sets aside a duty of confidence (overriding public interest, a legal duty):
     * the decision must then give the reasons (R2.4).
     */
    setsAsideConfidence: z.boolean(),
    /** Whether this position rests on the person's consent, so the consent register must cover the share. */
    reliesOnConsent: z.boolean(),
    /**
     * Whether a decision on this footing waits for the public-interest approval (R2.20;
     * approvals.publicInterest). In law, an overriding public interest is the practitioner's judgement
     * and needs it; a statutory duty or court order compels the share, so it needs none, but the
     * provision is named instead.
     */
    needsApproval: z.boolean(),
    /**
     * What the lawful-basis page asks, and the rules require, on this footing: the reasons for setting
     * aside confidence (R2.4), the public-interest justification based on the facts (R2.20), or the
     * statutory provision or court order that requires the share.
     */
    asks: z.array(z.enum(lawfulBasisQuestions)).max(lawfulBasisQuestions.length),
  })
  .refine((basis) => !basis.setsAsideConfidence || basis.asks.includes('confidenceReason'), {
    error: 'a position that sets aside confidence must ask for the reasons (R2.4)',
    path: ['asks'],
  });

const article6Option = option.extend({
  /** Whether an Article 9 condition is also needed, beside the usual rule for special category data. */
  needsMoreForSpecial: z.boolean().default(true),
});

export const sharingPolicySchema = z.strictObject({
  /**
   * A share about more people than this is a bulk share (R2.16): it needs the approval of the
   * information governance lead or Caldicott Guardian, and a secure method (R4.6.5).
   */
  bulkThreshold: z.number().int().min(2).max(100_000),
  /**
   * How many months data protection training stays valid (R1.1: training on confidentiality and data
   * protection is recorded per person, with expiry; R2.2: managers see their team's status). Sharing
   * pages warn a practitioner whose training has lapsed.
   */
  trainingValidMonths: z.number().int().min(1).max(60),
  /**
   * R1.1 ("policy may block"): when true, a practitioner whose data protection training has lapsed,
   * or was never recorded, cannot start a sharing decision (pages and API); when false they are warned.
   */
  training: z.strictObject({ lapsedBlocksSharing: z.boolean() }).default({ lapsedBlocksSharing: false }),
  /** How a request reached the practitioner. */
  requestChannels: uniqueList(option),
  /** The lawful basis options (R2.1), each with the help text practitioners see. */
  lawfulBases: z.strictObject({
    article6: uniqueList(article6Option),
    article9: uniqueList(option),
    schedule1: uniqueList(option),
    criminalOffence: uniqueList(option),
    commonLaw: uniqueList(commonLawOption),
  }),
  /**
   * R2.7: categories that are sensitive for a purpose (e.g. a parent's criminal record for education
   * support): sharing them for that purpose needs a stated reason. "*" applies to every purpose.
   */
  sensitiveCategoriesByPurpose: z.record(z.string(), z.array(identifier)),
  /** Reasons a practitioner may give for not sharing; confidentiality alone is deliberately not one (R2.10). */
  notShareReasons: uniqueList(option),
  /** Who can be asked for advice at any step (R2.15, R2.19). */
  advisers: z.array(adviserSchema).min(1),
  /**
   * R2.3: whose advice settles "unsure which law applies". The source policy asks the Data
   * Protection Officer AND the Caldicott Guardian; each adviser listed must answer before the
   * decision is recorded, not any one of them. Where a shared category is one of
   * `healthCategories`, `healthAdvisers` must each answer instead.
   */
  lawAdvice: z.strictObject({
    advisers: z.array(approverSchema).min(1),
    healthCategories: z.array(identifier),
    healthAdvisers: z.array(approverSchema).min(1),
  }),
  approvals: z.strictObject({
    /** Sharing without consent, or against a refusal or withdrawal, on public-interest grounds (R2.20). */
    publicInterest: z.strictObject({
      required: z.boolean(),
      approvers: z.array(approverSchema).min(1),
      /** When any shared category is one of these, only these approvers may agree (e.g. Caldicott Guardian for health data). */
      healthCategories: z.array(identifier),
      healthApprovers: z.array(approverSchema).min(1),
    }),
    /** Bulk sharing (R2.16). */
    bulk: z.strictObject({ approvers: z.array(approverSchema).min(1) }),
    /**
     * The emergency route (R2.20; ADR 0019): when a child is at immediate risk the practitioner may
     * record the decision and share first, and the public-interest approval follows within this many
     * working days. The approvers are told at once; an approval still missing then is escalated to
     * `escalateTo` and the author's line manager, and no further disclosure is made under the
     * decision until it is given. Never for bulk sharing, which is approved first.
     */
    emergency: z.strictObject({
      allowed: z.boolean(),
      approveWithinWorkingDays: z.number().int().min(1).max(5),
      escalateTo: z.array(staffRole).min(1),
    }),
  }),
  /** National and local guidance linked from the decision pages (R2.14, R2.17, R6.1). */
  guidance: z.array(z.strictObject({ label, url: z.url({ protocol: /^https?$/ }) })),
  /** Help texts for each step of the decision, shown as hints (golden rules, in current wording). */
  help: z.record(z.string(), help),
});
