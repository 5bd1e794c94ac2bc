import { z } from 'zod';
import type { PolicyPack } from '../policy/index.ts';
import type { TextShape } from '../lib/text.ts';
import { textRule } from '../lib/text.schema.ts';
import { dateParts, multiline, readDate, singleLine } from '../web/fields.ts';
import {
  outcomes,
  principles,
  requesterKinds,
  thirdPartyHandling,
  type DecisionAnswers,
  type InformationSection,
  type LawfulBasisSection,
  type OpennessSection,
  type OutcomeSection,
  type PeopleSection,
  type Principle,
  type Recipient,
  type RecipientsSection,
  type RequestSection,
  type RequesterKind,
  type SafetySection,
} from './sharing.answers.ts';
import { sensitiveCategoriesFor } from './sharing.rules.ts';
import type { AddendumKind } from './sharing.table.ts';

/**
 * The question pages' forms: each turns a form post into the canonical sections (sharing.answers.ts)
 * with GOV.UK error messages, and each section back into the values a page shows. The decision rules
 * (sharing.rules.ts) still judge the whole decision; these catch what a page can say at once.
 */

/** Ids in the address. A malformed one is a page that does not exist (404), never a 500. */
export const decisionParams = z.strictObject({ id: z.uuid() });
export const personParams = z.strictObject({ personId: z.uuid() });

/** `?from=check`: the practitioner came from check your answers and goes back there. A flag, never personal data. */
export const questionQuery = z.object({ from: z.enum(['check']).optional().catch(undefined) });
/** Which change the overview confirms in its banner. */
export const overviewQuery = z.object({
  done: z.enum(['sent', 'withdrawn', 'addendum']).optional().catch(undefined),
});
export type OverviewNotice = NonNullable<z.output<typeof overviewQuery>['done']>;

export const requesterKindNames: Record<RequesterKind, string> = {
  agency: 'Someone from another organisation',
  colleague: 'A colleague in my organisation',
  'own-initiative': 'Nobody: I am considering sharing on my own initiative',
};

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

export const addendumKinds = ['correction', 'later-fact'] as const satisfies readonly AddendumKind[];
export const addendumKindNames: Record<AddendumKind, { readonly text: string; readonly hint: string }> = {
  correction: { text: 'A correction', hint: 'Something in the record is wrong: say what, and what is right' },
  'later-fact': {
    text: 'A later fact',
    hint: 'Something that happened or came to light after the decision was recorded',
  },
};

// ---------------------------------------------------------------------------------------------
// Field building blocks. Text arrives as a string (an array means a tampered form), lists as one or many values.

/** Values of a form, as they are shown again: text as text, lists as lists. */
export type FormValues = Record<string, string | string[] | undefined>;

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A typed answer under the one text rule; a textarea (several lines) unless the call says otherwise. */
function text(label: string, max: number, shape: TextShape = multiline) {
  return z
    .string({ error: `${capitalise(label)} must be text` })
    .max(max, `${capitalise(label)} must be ${String(max)} characters or fewer`)
    .superRefine(textRule(label, shape))
    .optional()
    .transform((value) => {
      const trimmed = value?.trim() ?? '';
      return trimmed === '' ? undefined : trimmed;
    });
}

function choice<const T extends string>(allowed: readonly T[], message: string) {
  return z
    .string({ error: message })
    .max(100, message)
    .optional()
    .transform((value) => (value === undefined || value === '' ? undefined : value))
    .refine(
      (value): value is T | undefined =>
        value === undefined || (allowed as readonly string[]).includes(value),
      message,
    );
}

function list(allowed: readonly string[], message: string) {
  return z
    .preprocess(
      (value: unknown): unknown =>
        value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value],
      z.array(z.unknown()).max(100, message),
    )
    .refine(
      (values): values is string[] =>
        values.every((value) => typeof value === 'string' && value.length <= 100),
      message,
    )
    .transform((values) => [...new Set((values as string[]).filter((value) => value !== ''))])
    .refine((values) => values.every((value) => allowed.includes(value)), message);
}

function dateValues(name: string, value: string | undefined): FormValues {
  const [year, month, day] = (value ?? '').split('-');
  return {
    [`${name}-day`]: day === undefined ? '' : String(Number(day)),
    [`${name}-month`]: month === undefined ? '' : String(Number(month)),
    [`${name}-year`]: year ?? '',
  };
}

const yesNo = ['yes', 'no'] as const;

// ---------------------------------------------------------------------------------------------
// Starting a decision

/** The start page's form: from a person's page it carries the person's id; from the start page, nothing. */
export const startForm = z.strictObject({
  personId: z
    .string({ error: 'The form could not be read: start again' })
    .optional()
    .transform((value) => (value === undefined || value === '' ? undefined : value))
    .pipe(z.uuid({ error: 'The form could not be read: start again' }).optional()),
});

// ---------------------------------------------------------------------------------------------
// 1. The request

export const requestFields = [
  'requesterKind',
  'requesterName',
  'requesterRole',
  'requesterOrganisationId',
  'channelId',
  'receivedOn-day',
  'receivedOn-month',
  'receivedOn-year',
  'purposeId',
  'details',
];

export function requestForm(context: { readonly pack: PolicyPack; readonly today: string }) {
  const { pack } = context;
  return z
    .strictObject({
      requesterKind: choice(requesterKinds, 'Select who asked for the information'),
      requesterName: text('the name of the person who asked', 200, singleLine),
      requesterRole: text('their role', 200, singleLine),
      requesterOrganisationId: z
        .string({ error: 'Select the organisation that asked' })
        .optional()
        .transform((value) => (value === undefined || value === '' ? undefined : value))
        .pipe(z.uuid({ error: 'Select the organisation that asked from the list' }).optional()),
      channelId: choice(
        pack.sharing.requestChannels.map((channel) => channel.id),
        'Select how the request was made',
      ),
      ...dateParts('receivedOn'),
      purposeId: choice(
        pack.purposes.map((purpose) => purpose.id),
        'Select the purpose of sharing',
      ),
      details: text('what was asked for', 4000),
    })
    .transform((raw, ctx): RequestSection => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      const kind = raw.requesterKind;
      if (kind === undefined)
        problem(
          'requesterKind',
          'Select who asked for the information, or that you are considering sharing on your own initiative',
        );
      const asked = kind !== undefined && kind !== 'own-initiative';
      if (asked && raw.requesterName === undefined)
        problem('requesterName', 'Enter the name of the person who asked');
      if (kind === 'agency' && raw.requesterOrganisationId === undefined)
        problem('requesterOrganisationId', 'Select the organisation that asked');
      if (asked && raw.channelId === undefined) problem('channelId', 'Select how the request was made');
      const received = readDate(raw, 'receivedOn');
      if (received.kind === 'blank') problem('receivedOn', 'Enter the date the request was received');
      else if (received.kind === 'invalid')
        problem('receivedOn', 'The date the request was received must be a real date');
      else if (received.value > context.today)
        problem('receivedOn', 'The date the request was received must be today or in the past');
      if (raw.purposeId === undefined) problem('purposeId', 'Select the purpose of sharing');
      if (raw.details === undefined)
        problem(
          'details',
          kind === 'own-initiative' ? 'Enter why you are considering sharing' : 'Enter what was asked for',
        );
      return {
        requesterKind: kind ?? 'agency',
        ...(asked && raw.requesterName !== undefined ? { requesterName: raw.requesterName } : {}),
        ...(asked && raw.requesterRole !== undefined ? { requesterRole: raw.requesterRole } : {}),
        ...(asked && raw.requesterOrganisationId !== undefined
          ? { requesterOrganisationId: raw.requesterOrganisationId }
          : {}),
        ...(asked && raw.channelId !== undefined ? { channelId: raw.channelId } : {}),
        receivedOn: received.kind === 'date' ? received.value : context.today,
        purposeId: raw.purposeId ?? '',
        details: raw.details ?? '',
      };
    });
}

export function requestValues(section: RequestSection | undefined, today: string): FormValues {
  if (section === undefined) return dateValues('receivedOn', today);
  return {
    requesterKind: section.requesterKind,
    requesterName: section.requesterName,
    requesterRole: section.requesterRole,
    requesterOrganisationId: section.requesterOrganisationId,
    channelId: section.channelId,
    ...dateValues('receivedOn', section.receivedOn),
    purposeId: section.purposeId,
    details: section.details,
  };
}

// ---------------------------------------------------------------------------------------------
// 2. The people

export const peopleForm = z
  .strictObject({
    systemTransfer: choice(yesNo, 'Select yes if the information will be transferred between IT systems'),
  })
  .transform((raw, ctx) => {
    if (raw.systemTransfer === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['systemTransfer'],
        message: 'Select yes if the information will be transferred between IT systems',
      });
    return { systemTransfer: raw.systemTransfer === 'yes' };
  });

export const personForm = z.strictObject({ personId: z.uuid({ error: 'Select a person from the list' }) });

export const peopleSearchForm = z
  .strictObject({ query: text('the search', 100, singleLine) })
  .transform((raw, ctx) => {
    if (raw.query === undefined || !/[\p{L}\p{N}]/u.test(raw.query))
      ctx.addIssue({
        code: 'custom',
        path: ['query'],
        message: 'Enter a name, NHS number or case reference',
      });
    return { query: raw.query ?? '' };
  });

export function peopleValues(section: PeopleSection | undefined): FormValues {
  return section === undefined ? {} : { systemTransfer: section.systemTransfer ? 'yes' : 'no' };
}

// ---------------------------------------------------------------------------------------------
// 3. The recipients: one block of fields per recipient, named recipients.<n>.<field>

export const recipientFieldNames = [
  'name',
  'role',
  'organisationId',
  'email',
  'telephone',
  'reason',
] as const;
export const maxRecipients = 50;

export interface RecipientValues {
  readonly name: string;
  readonly role: string;
  readonly organisationId: string;
  readonly email: string;
  readonly telephone: string;
  readonly reason: string;
}
export const blankRecipient: RecipientValues = {
  name: '',
  role: '',
  organisationId: '',
  email: '',
  telephone: '',
  reason: '',
};

/** What the recipients page asks for: continue, add another block, or remove one. */
export type RecipientsAction =
  | { readonly kind: 'continue' }
  | { readonly kind: 'add' }
  | { readonly kind: 'remove'; readonly index: number };

const recipientKey = /^recipients\.(\d{1,2})\.(name|role|organisationId|email|telephone|reason)$/;

/** Reads the posted blocks (and the button pressed); anything else in the form is refused. */
export const recipientsPost = z.preprocess(
  (body: unknown) => {
    const grouped: Record<string, unknown> = {};
    const blocks: Record<string, string>[] = [];
    if (body === null || typeof body !== 'object') return body;
    for (const [key, value] of Object.entries(body)) {
      const match = recipientKey.exec(key);
      if (match === null) {
        grouped[key] = value;
        continue;
      }
      const index = Number(match[1]);
      const field = match[2] ?? '';
      if (typeof value !== 'string' || index >= maxRecipients) {
        grouped[key] = value;
        continue;
      }
      blocks[index] = { ...(blocks[index] ?? {}), [field]: value.slice(0, 5000) };
    }
    grouped['recipients'] = Array.from(blocks, (block) => ({ ...blankRecipient, ...block }));
    return grouped;
  },
  z.strictObject({
    recipients: z.array(
      z.strictObject({
        name: z.string(),
        role: z.string(),
        organisationId: z.string(),
        email: z.string(),
        telephone: z.string(),
        reason: z.string(),
      }),
    ),
    action: z
      .string({ error: 'The form could not be read: start again' })
      .regex(/^(continue|add|remove-\d{1,2})$/, 'The form could not be read: start again')
      .optional()
      .transform((value): RecipientsAction =>
        value === undefined || value === 'continue'
          ? { kind: 'continue' }
          : value === 'add'
            ? { kind: 'add' }
            : { kind: 'remove', index: Number(value.slice('remove-'.length)) },
      ),
  }),
);

/** Checks each block; entirely blank extra blocks are dropped. Errors name the recipient when there are several. */
export function recipientsSectionFrom(
  blocks: readonly RecipientValues[],
): { ok: true; value: RecipientsSection } | { ok: false; issues: z.core.$ZodIssue[] } {
  const filled = blocks.filter(
    (block, index) => index === 0 || recipientFieldNames.some((field) => block[field].trim() !== ''),
  );
  const several = filled.length > 1;
  const issues: z.core.$ZodIssue[] = [];
  const recipients: Recipient[] = [];
  filled.forEach((block, index) => {
    const who = several ? `recipient ${String(index + 1)}` : 'the recipient';
    const schema = z.strictObject({
      name: text(`the name of ${who}`, 200, singleLine).refine(
        (value) => value !== undefined,
        `Enter the name of ${who}`,
      ),
      role: text(`the role of ${who}`, 200, singleLine).refine(
        (value) => value !== undefined,
        `Enter the role of ${who}`,
      ),
      organisationId: z
        .string()
        .transform((value) => (value === '' ? undefined : value))
        .pipe(z.uuid({ error: `Select the organisation of ${who} from the list` }).optional())
        .refine((value) => value !== undefined, `Select the organisation of ${who}`),
      email: z
        .string()
        .trim()
        .transform((value) => (value === '' ? undefined : value.toLowerCase()))
        .pipe(
          z
            .email({
              error: `Enter the email address of ${who} in the correct format, like name@example.org.uk`,
            })
            .max(254, 'Email address must be 254 characters or fewer')
            .optional(),
        ),
      telephone: text(`the telephone number of ${who}`, 40, singleLine),
      reason: text(`why ${who} needs the information`, 2000).refine(
        (value) => value !== undefined,
        `Enter why ${who} needs the information`,
      ),
    });
    const parsed = schema.safeParse(block);
    if (!parsed.success) {
      issues.push(
        ...parsed.error.issues.map((issue) => ({ ...issue, path: ['recipients', index, ...issue.path] })),
      );
      return;
    }
    const { name, role, organisationId, email, telephone, reason } = parsed.data;
    if (organisationId === undefined) return;
    recipients.push({
      name,
      role,
      organisationId,
      reason,
      ...(email === undefined ? {} : { email }),
      ...(telephone === undefined ? {} : { telephone }),
    });
  });
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: { recipients } };
}

export function recipientValues(
  section: RecipientsSection | undefined,
  request: RequestSection | undefined,
): RecipientValues[] {
  if (section !== undefined) {
    return section.recipients.map((recipient) => ({
      name: recipient.name,
      role: recipient.role,
      organisationId: recipient.organisationId,
      email: recipient.email ?? '',
      telephone: recipient.telephone ?? '',
      reason: recipient.reason,
    }));
  }
  // An agency's request: the person who asked is usually the one to receive the answer.
  if (request?.requesterKind === 'agency') {
    return [
      {
        ...blankRecipient,
        name: request.requesterName ?? '',
        role: request.requesterRole ?? '',
        organisationId: request.requesterOrganisationId ?? '',
      },
    ];
  }
  return [blankRecipient];
}

// ---------------------------------------------------------------------------------------------
// 4. The information

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
    perCategory[`relevance.${category.id}`] = text(`how “${category.label}” is relevant`, 1000);
    perCategory[`sensitiveReason.${category.id}`] = text(`the reason “${category.label}” is needed`, 1000);
  }
  return z
    .strictObject({
      shared: list(categoryIds, 'Select the information to share from the list'),
      withheld: list(categoryIds, 'Select the information withheld from the list'),
      description: text('the description', 4000),
      thirdParties: choice(
        thirdPartyHandling,
        'Select whether the information identifies anyone who could be harmed',
      ),
      thirdPartyReason: text('the reason', 2000),
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

// ---------------------------------------------------------------------------------------------
// 5. The lawful basis

export const lawfulBasisFields = [
  'unsure',
  'article6',
  'article9',
  'schedule1',
  'criminalOffence',
  'commonLaw',
  'confidenceReason',
  'justification',
];

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
      confidenceReason: text('the reasons for not observing the duty of confidence', 4000),
      justification: text('the public-interest justification', 4000),
    })
    .transform((raw, ctx): LawfulBasisSection => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      const unsure = raw.unsure === 'yes';
      const commonLaw = bases.commonLaw.find((option) => option.id === raw.commonLaw);
      if (!unsure) {
        if (raw.article6 === undefined)
          problem(
            'article6',
            'Select the data protection basis (UK GDPR Article 6), or tick that you are not sure which law applies',
          );
        if (context.specialCategory && raw.article9 === undefined)
          problem('article9', 'Select the Article 9 condition: special category information is shared');
        if (context.specialCategory && raw.schedule1 === undefined)
          problem('schedule1', 'Select the Data Protection Act 2018 Schedule 1 condition');
        if (context.criminalOffence && raw.criminalOffence === undefined)
          problem('criminalOffence', 'Select the condition for sharing criminal offence information');
        if (commonLaw === undefined)
          problem(
            'commonLaw',
            'Select the common-law position on confidentiality, or tick that you are not sure which law applies',
          );
        else if (commonLaw.setsAsideConfidence && raw.confidenceReason === undefined)
          problem('confidenceReason', 'Give the reasons for not observing the duty of confidence');
      }
      return {
        unsure,
        ...(raw.article6 === undefined ? {} : { article6: raw.article6 }),
        ...(raw.article9 === undefined || !context.specialCategory ? {} : { article9: raw.article9 }),
        ...(raw.schedule1 === undefined || !context.specialCategory ? {} : { schedule1: raw.schedule1 }),
        ...(raw.criminalOffence === undefined || !context.criminalOffence
          ? {}
          : { criminalOffence: raw.criminalOffence }),
        ...(raw.commonLaw === undefined ? {} : { commonLaw: raw.commonLaw }),
        ...(raw.confidenceReason === undefined ? {} : { confidenceReason: raw.confidenceReason }),
        ...(raw.justification === undefined ? {} : { justification: raw.justification }),
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
  };
}

// ---------------------------------------------------------------------------------------------
// 6. The decision: openness, safety and well-being, the outcome and its reasons

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

export function decisionForm(context: { readonly pack: PolicyPack }) {
  const reasons = context.pack.sharing.notShareReasons.map((reason) => reason.id);
  return z
    .strictObject({
      told: choice(yesNo, 'Select yes if you have told the person or family'),
      toldDetails: text('what they were told', 2000),
      notToldReason: text('why they were not told', 2000),
      wellbeing: text('the effect on safety and well-being', 4000),
      riskOfSharing: text('the risk of sharing', 4000),
      riskOfNotSharing: text('the risk of not sharing', 4000),
      outcome: choice(outcomes, 'Select your decision'),
      notShareReasonIds: list(reasons, 'Select the reasons from the list'),
      reasons: text('the reasons for your decision', 4000),
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

// ---------------------------------------------------------------------------------------------
// Addenda to a recorded decision

export const addendumFields = ['kind', 'body'];

export const addendumForm = z
  .strictObject({
    kind: choice(addendumKinds, 'Select whether this is a correction or a later fact'),
    body: text('the addendum', 4000),
  })
  .transform((raw, ctx) => {
    if (raw.kind === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message: 'Select whether this is a correction or a later fact',
      });
    if (raw.body === undefined)
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'Enter the addendum' });
    return { kind: raw.kind ?? 'correction', body: raw.body ?? '' };
  });

/** Forms that only confirm an action carry no answers of their own. */
export const confirmationForm = z.strictObject({});

// ---------------------------------------------------------------------------------------------

/** What was typed, to show again beside the errors: text as text, lists as lists; anything else is dropped. */
export function echo(body: unknown, fields: readonly string[]): FormValues {
  const values: FormValues = {};
  if (body === null || typeof body !== 'object') return values;
  for (const [key, value] of Object.entries(body)) {
    if (!fields.includes(key)) continue;
    if (listFields.has(key))
      values[key] = [value]
        .flat()
        .filter((item): item is string => typeof item === 'string' && item.length <= 100)
        .slice(0, 100);
    else if (typeof value === 'string') values[key] = value.slice(0, 10_000);
  }
  return values;
}

/** Checkbox lists: one value arrives as a string, several as an array; shown again, always a list. */
const listFields = new Set(['shared', 'withheld', 'confirmed', 'notShareReasonIds']);
