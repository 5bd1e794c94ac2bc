import { z } from 'zod';
import type { PolicyPack } from '../../policy/index.ts';
import {
  principles,
  thirdPartyHandling,
  type InformationSection,
  type Principle,
} from '../sharing.answers.ts';
import { sensitiveCategoriesFor } from '../sharing.rules.ts';
import { choice, list, text, type FormValues } from './fields.ts';

/** 4. The information: categories shared, each with its relevance, those withheld, third parties, the principles. */

/** Golden rule 6, in the words of the 2024 advice. */
export const principleNames: Record<Principle, { readonly text: string; readonly hint: string }> = {
  necessary: {
    text: 'Necessary',
    hint: 'Sharing it is needed for the purpose: the purpose could not be met without it',
  },
  proportionate: {
    text: 'Proportionate',
    hint: 'No more is shared than the purpose needs, with no more people than need it',
  },
  relevant: { text: 'Relevant', hint: 'Only what is relevant to the purpose is shared' },
  adequate: {
    text: 'Adequate',
    hint: 'It is of the right quality and enough for the recipient to understand and rely on it',
  },
  accurate: { text: 'Accurate', hint: 'It is accurate and up to date; opinion is told apart from fact' },
  timely: {
    text: 'Timely',
    hint: 'It is shared in time to make a difference, without delay that could put a child at risk',
  },
  secure: { text: 'Secure', hint: 'It will be shared by a safe method, to the right person' },
};

export const thirdPartyNames: Record<(typeof thirdPartyHandling)[number], string> = {
  none: 'No: it identifies nobody who could be harmed',
  withheld: 'Yes, and what identifies them is withheld',
  shared: 'Yes, and it is shared',
};

export function informationFields(pack: PolicyPack): string[] {
  return [
    'shared',
    ...pack.informationCategories.flatMap((category) => [
      `relevance.${category.id}`,
      `sensitiveReason.${category.id}`,
    ]),
    'withheld',
    'description',
    'thirdParties',
    'thirdPartyReason',
    'confirmed',
  ];
}

/** The longest answer each free-text question takes: the form refuses more, and the page counts down to it. */
export const informationLimits = {
  relevance: 1000,
  sensitiveReason: 1000,
  description: 4000,
  thirdPartyReason: 2000,
} as const;

export function informationForm(context: {
  readonly pack: PolicyPack;
  readonly purposeId: string | undefined;
}) {
  const { pack } = context;
  const categories = pack.informationCategories;
  const categoryIds = categories.map((category) => category.id);
  const sensitive = sensitiveCategoriesFor(pack, context.purposeId);
  const perCategory: Record<string, ReturnType<typeof text>> = {};
  for (const category of categories) {
    perCategory[`relevance.${category.id}`] = text(
      `how “${category.label}” is relevant`,
      informationLimits.relevance,
    );
    perCategory[`sensitiveReason.${category.id}`] = text(
      `the reason “${category.label}” is needed`,
      informationLimits.sensitiveReason,
    );
  }
  return z
    .strictObject({
      shared: list(categoryIds, 'Select the information to share from the list'),
      withheld: list(categoryIds, 'Select the information withheld from the list'),
      description: text('the description', informationLimits.description),
      thirdParties: choice(
        thirdPartyHandling,
        'Select whether the information identifies anyone who could be harmed',
      ),
      thirdPartyReason: text('the reason', informationLimits.thirdPartyReason),
      confirmed: list(principles, 'Select the principles from the list'),
      ...perCategory,
    })
    .transform((raw, ctx): InformationSection => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      const answers = raw as Record<string, unknown>;
      const textOf = (key: string) => {
        const value = answers[key];
        return typeof value === 'string' ? value : undefined;
      };
      if (raw.shared.length === 0)
        problem(
          'shared',
          'Select the information you will share. If you will share nothing, go to your decision and record that you are not sharing',
        );
      const shared = categories
        .filter((category) => raw.shared.includes(category.id))
        .map((category) => {
          const relevance = textOf(`relevance.${category.id}`);
          const sensitiveReason = sensitive.has(category.id)
            ? textOf(`sensitiveReason.${category.id}`)
            : undefined;
          if (relevance === undefined)
            problem(`relevance.${category.id}`, `Enter how “${category.label}” is relevant to the purpose`);
          if (sensitive.has(category.id) && sensitiveReason === undefined)
            problem(
              `sensitiveReason.${category.id}`,
              `Give the reason “${category.label}” is needed for this purpose`,
            );
          return {
            categoryId: category.id,
            relevance: relevance ?? '',
            ...(sensitiveReason === undefined ? {} : { sensitiveReason }),
          };
        });
      const both = categories.find(
        (category) => raw.shared.includes(category.id) && raw.withheld.includes(category.id),
      );
      if (both !== undefined) problem('withheld', `“${both.label}” cannot be both shared and withheld`);
      if (raw.thirdParties === undefined)
        problem('thirdParties', 'Select whether the information identifies anyone who could be harmed');
      if (raw.thirdParties === 'shared' && raw.thirdPartyReason === undefined)
        problem(
          'thirdPartyReason',
          'Give the reason information identifying someone who could be harmed is shared',
        );
      const missing = principles.filter((principle) => !raw.confirmed.includes(principle));
      if (missing.length > 0) problem('confirmed', `Confirm the information is ${missing.join(', ')}`);
      return {
        shared,
        withheld: categoryIds.filter((id) => raw.withheld.includes(id)),
        ...(raw.description === undefined ? {} : { description: raw.description }),
        thirdParties: raw.thirdParties ?? 'none',
        ...(raw.thirdParties === 'shared' && raw.thirdPartyReason !== undefined
          ? { thirdPartyReason: raw.thirdPartyReason }
          : {}),
        confirmed: principles.filter((principle) => raw.confirmed.includes(principle)),
      };
    });
}

export function informationValues(section: InformationSection | undefined): FormValues {
  if (section === undefined) return {};
  const values: FormValues = {
    shared: section.shared.map((item) => item.categoryId),
    withheld: [...section.withheld],
    description: section.description,
    thirdParties: section.thirdParties,
    thirdPartyReason: section.thirdPartyReason,
    confirmed: [...section.confirmed],
  };
  for (const item of section.shared) {
    values[`relevance.${item.categoryId}`] = item.relevance;
    values[`sensitiveReason.${item.categoryId}`] = item.sensitiveReason;
  }
  return values;
}
