import { z } from 'zod';
import type { PolicyPack } from '../../policy/index.ts';
import {
  outcomes,
  type DecisionAnswers,
  type OpennessSection,
  type OutcomeSection,
  type SafetySection,
} from '../sharing.answers.ts';
import { choice, list, text, yesNo, type FormValues } from './fields.ts';

/** 6. The decision: openness, safety and well-being, the outcome and its reasons. */

export const decisionFields = [
  'told',
  'toldDetails',
  'notToldReason',
  'wellbeing',
  'riskOfSharing',
  'riskOfNotSharing',
  'outcome',
  'notShareReasonIds',
  'reasons',
];

/** The longest answer each free-text question takes: the form refuses more, and the page counts down to it. */
export const decisionLimits = {
  toldDetails: 2000,
  notToldReason: 2000,
  wellbeing: 4000,
  riskOfSharing: 4000,
  riskOfNotSharing: 4000,
  reasons: 4000,
} as const;

export function decisionForm(context: { readonly pack: PolicyPack }) {
  const reasons = context.pack.sharing.notShareReasons.map((reason) => reason.id);
  return z
    .strictObject({
      told: choice(yesNo, 'Select yes if you have told the person or family'),
      toldDetails: text('what they were told', decisionLimits.toldDetails),
      notToldReason: text('why they were not told', decisionLimits.notToldReason),
      wellbeing: text('the effect on safety and well-being', decisionLimits.wellbeing),
      riskOfSharing: text('the risk of sharing', decisionLimits.riskOfSharing),
      riskOfNotSharing: text('the risk of not sharing', decisionLimits.riskOfNotSharing),
      outcome: choice(outcomes, 'Select your decision'),
      notShareReasonIds: list(reasons, 'Select the reasons from the list'),
      reasons: text('the reasons for your decision', decisionLimits.reasons),
    })
    .transform((raw, ctx): { openness: OpennessSection; safety: SafetySection; outcome: OutcomeSection } => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      if (raw.told === undefined)
        problem('told', 'Select yes if you have told the person or family, or no if you have not');
      if (raw.told === 'yes' && raw.toldDetails === undefined)
        problem('toldDetails', 'Say what the person or family was told: why, what, how and with whom');
      if (raw.told === 'no' && raw.notToldReason === undefined)
        problem('notToldReason', 'Say why telling the person or family would be unsafe or inappropriate');
      if (raw.wellbeing === undefined)
        problem(
          'wellbeing',
          'Enter how your decision affects the safety and well-being of the child and others',
        );
      if (raw.riskOfSharing === undefined) problem('riskOfSharing', 'Enter the risk of sharing');
      if (raw.riskOfNotSharing === undefined) problem('riskOfNotSharing', 'Enter the risk of not sharing');
      if (raw.outcome === undefined)
        problem('outcome', 'Select your decision: share, share in part or do not share');
      if (raw.outcome === 'not-share' && raw.notShareReasonIds.length === 0)
        problem('notShareReasonIds', 'Select why you are not sharing: confidentiality alone is not a reason');
      if (raw.reasons === undefined) problem('reasons', 'Enter the reasons for your decision');
      const told = raw.told === 'yes';
      return {
        openness: {
          told,
          ...(told && raw.toldDetails !== undefined ? { toldDetails: raw.toldDetails } : {}),
          ...(!told && raw.notToldReason !== undefined ? { notToldReason: raw.notToldReason } : {}),
        },
        safety: {
          wellbeing: raw.wellbeing ?? '',
          riskOfSharing: raw.riskOfSharing ?? '',
          riskOfNotSharing: raw.riskOfNotSharing ?? '',
        },
        outcome: {
          outcome: raw.outcome ?? 'share',
          notShareReasonIds:
            raw.outcome === 'not-share' ? reasons.filter((id) => raw.notShareReasonIds.includes(id)) : [],
          reasons: raw.reasons ?? '',
        },
      };
    });
}

export function decisionValues(answers: DecisionAnswers): FormValues {
  const { openness, safety, outcome } = answers;
  return {
    told: openness === undefined ? undefined : openness.told ? 'yes' : 'no',
    toldDetails: openness?.toldDetails,
    notToldReason: openness?.notToldReason,
    wellbeing: safety?.wellbeing,
    riskOfSharing: safety?.riskOfSharing,
    riskOfNotSharing: safety?.riskOfNotSharing,
    outcome: outcome?.outcome,
    notShareReasonIds: outcome === undefined ? [] : [...outcome.notShareReasonIds],
    reasons: outcome?.reasons,
  };
}
