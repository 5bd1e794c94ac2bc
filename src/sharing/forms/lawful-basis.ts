import { z } from 'zod';
import type { LawfulBasisQuestion, PolicyPack } from '../../policy/index.ts';
import type { LawfulBasisSection } from '../sharing.answers.ts';
import { choice, text, type FormValues } from './fields.ts';

/** 5. The lawful basis: the data protection bases and the common-law position, or "not sure". */

export const lawfulBasisFields = [
  'unsure',
  'article6',
  'article9',
  'schedule1',
  'criminalOffence',
  'commonLaw',
  'confidenceReason',
  'justification',
  'statute',
];

/** The longest answer each free-text question takes: the form refuses more, and the page counts down to it. */
export const lawfulBasisLimits = { confidenceReason: 4000, justification: 4000, statute: 500 } as const;

/**
 * The Schedule 1 condition an Article 9 condition is made with, when the practitioner leaves Schedule 1
 * unanswered: Article 9(2)(h) health or social care goes with DPA 2018 Schedule 1 paragraph 2. Used
 * only where the pack offers both.
 */
export const schedule1Pairings: Readonly<Record<string, string>> = {
  'health-social-care': 'health-social-care-purposes',
};

/** The Schedule 1 condition paired with an Article 9 condition, if the pack offers it. */
export function pairedSchedule1(pack: PolicyPack, article9: string | undefined): string | undefined {
  const paired = article9 === undefined ? undefined : schedule1Pairings[article9];
  return pack.sharing.lawfulBases.schedule1.some((option) => option.id === paired) ? paired : undefined;
}

export function lawfulBasisForm(context: {
  readonly pack: PolicyPack;
  readonly specialCategory: boolean;
  readonly criminalOffence: boolean;
}) {
  const bases = context.pack.sharing.lawfulBases;
  const ids = (options: readonly { id: string }[]) => options.map((option) => option.id);
  return z
    .strictObject({
      unsure: choice(['yes'], 'The form could not be read: start again'),
      article6: choice(ids(bases.article6), 'Select the data protection basis from the list'),
      article9: choice(ids(bases.article9), 'Select the Article 9 condition from the list'),
      schedule1: choice(ids(bases.schedule1), 'Select the Schedule 1 condition from the list'),
      criminalOffence: choice(
        ids(bases.criminalOffence),
        'Select the condition for criminal offence information from the list',
      ),
      commonLaw: choice(ids(bases.commonLaw), 'Select the common-law position from the list'),
      confidenceReason: text(
        'the reasons for not observing the duty of confidence',
        lawfulBasisLimits.confidenceReason,
      ),
      justification: text('the public-interest justification', lawfulBasisLimits.justification),
      statute: text('the statutory provision', lawfulBasisLimits.statute),
    })
    .transform((raw, ctx): LawfulBasisSection => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      const unsure = raw.unsure === 'yes';
      const schedule1 = raw.schedule1 ?? pairedSchedule1(context.pack, raw.article9);
      const commonLaw = bases.commonLaw.find((option) => option.id === raw.commonLaw);
      if (!unsure) {
        if (raw.article6 === undefined)
          problem(
            'article6',
            'Select the data protection basis (UK GDPR Article 6), or tick that you are not sure which law applies',
          );
        if (context.specialCategory && raw.article9 === undefined)
          problem('article9', 'Select the Article 9 condition: special category information is shared');
        if (context.specialCategory && schedule1 === undefined)
          problem('schedule1', 'Select the Data Protection Act 2018 Schedule 1 condition');
        if (context.criminalOffence && raw.criminalOffence === undefined)
          problem('criminalOffence', 'Select the condition for sharing criminal offence information');
        if (commonLaw === undefined)
          problem(
            'commonLaw',
            'Select the common-law position on confidentiality, or tick that you are not sure which law applies',
          );
        else {
          if (commonLaw.asks.includes('confidenceReason') && raw.confidenceReason === undefined)
            problem('confidenceReason', 'Give the reasons for not observing the duty of confidence');
          if (commonLaw.asks.includes('statute') && raw.statute === undefined)
            problem('statute', 'Name the statutory provision or court order that requires you to share');
        }
      }
      // Only what the chosen footing asks is kept: no public-interest justification under a legal duty.
      const asked = (question: LawfulBasisQuestion) =>
        commonLaw === undefined || commonLaw.asks.includes(question);
      return {
        unsure,
        ...(raw.article6 === undefined ? {} : { article6: raw.article6 }),
        ...(raw.article9 === undefined || !context.specialCategory ? {} : { article9: raw.article9 }),
        ...(schedule1 === undefined || !context.specialCategory ? {} : { schedule1 }),
        ...(raw.criminalOffence === undefined || !context.criminalOffence
          ? {}
          : { criminalOffence: raw.criminalOffence }),
        ...(raw.commonLaw === undefined ? {} : { commonLaw: raw.commonLaw }),
        ...(raw.confidenceReason === undefined || !asked('confidenceReason')
          ? {}
          : { confidenceReason: raw.confidenceReason }),
        ...(raw.justification === undefined || !asked('justification')
          ? {}
          : { justification: raw.justification }),
        ...(raw.statute === undefined || !asked('statute') ? {} : { statute: raw.statute }),
      };
    });
}

/** The saved answers, or, before the page is first answered, consent pre-selected when the register covers everyone. */
export function lawfulBasisValues(
  section: LawfulBasisSection | undefined,
  pack: PolicyPack,
  everyoneCovered: boolean,
): FormValues {
  if (section === undefined) {
    const consent = pack.sharing.lawfulBases.commonLaw.find((option) => option.reliesOnConsent);
    return everyoneCovered && consent !== undefined ? { commonLaw: consent.id } : {};
  }
  return {
    unsure: section.unsure ? 'yes' : undefined,
    article6: section.article6,
    article9: section.article9,
    schedule1: section.schedule1,
    criminalOffence: section.criminalOffence,
    commonLaw: section.commonLaw,
    confidenceReason: section.confidenceReason,
    justification: section.justification,
    statute: section.statute,
  };
}
