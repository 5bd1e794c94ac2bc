import { z } from 'zod';
import type { Problem } from '../api/problem.ts';
import {
  childCapacities,
  decisions,
  givers,
  howGivenChoices,
  prevailingViews,
  withdrawalMethods,
  withdrawers,
} from './consent.fields.ts';

/**
 * Consent over the JSON API takes the members a case-management system holds (dates as
 * yyyy-mm-dd, lists as arrays, yes/no as booleans) and checks their shape before anything runs.
 * Their meaning is then checked by the page's own form schema (`consentForm`, `withdrawalForm`),
 * which the handler runs on `asConsentForm(body)`: one rule set for both ways in, so the API can
 * never record what the form would refuse.
 */
const isoDate = (label: string) =>
  z
    .string({ error: `${label} must be a date written yyyy-mm-dd` })
    .max(10, `${label} must be a date written yyyy-mm-dd`)
    .pipe(z.iso.date({ error: `${label} must be a real date written yyyy-mm-dd` }));
const words = (label: string, max: number) =>
  z.string({ error: `${label} must be text` }).max(max, `${label} must be ${max} characters or fewer`);
const ids = (label: string) =>
  z.array(z.string().max(100), { error: `${label} must be a list of ids` }).max(100);

export const consentApiBody = z.strictObject({
  decision: z.enum(decisions).describe('Whether consent was given, refused or not sought'),
  givenOn: isoDate('givenOn').describe('The date of the decision'),
  consentGivenBy: z
    .array(z.enum(givers))
    .max(2)
    .optional()
    .describe(
      'Who gave or refused consent: the child, a parent or carer with parental responsibility, or both',
    ),
  parentCarerId: z
    .uuid()
    .optional()
    .describe('The parent or carer (a person related to the child) who decided'),
  childCapacity: z.enum(childCapacities).optional(),
  capacityNotAssessedReason: words('capacityNotAssessedReason', 2000).optional(),
  childView: words('childView', 4000).optional(),
  prevailingView: z.enum(prevailingViews).optional(),
  notSoughtReason: z
    .string()
    .max(100)
    .optional()
    .describe('An id from the policy pack’s reasons for not seeking consent'),
  notSoughtDetail: words('notSoughtDetail', 4000).optional(),
  purposeIds: ids('purposeIds').describe('Purpose ids from the policy pack'),
  useDescription: words('useDescription', 4000).optional(),
  recipientOrganisationIds: z
    .array(z.uuid())
    .max(100)
    .optional()
    .describe('Organisations of the partner directory'),
  recipientRoles: z
    .array(words('Each role', 100).regex(/^[^\r\n]*$/, 'Each role must be one line'))
    .max(20)
    .optional(),
  methodIds: ids('methodIds').optional().describe('Sharing method ids from the policy pack'),
  categoryIds: ids('categoryIds').optional().describe('Information category ids from the policy pack'),
  retentionPeriod: words('retentionPeriod', 200).optional(),
  retentionFormIds: ids('retentionFormIds').optional(),
  toldSharedWithoutConsent: z.boolean().optional(),
  toldMayWithdraw: z.boolean().optional(),
  howGiven: z.enum(howGivenChoices).optional(),
  evidenceNote: words('evidenceNote', 4000).optional(),
  reviewOn: isoDate('reviewOn').optional().describe('Left out: the shortest review interval of the purposes'),
  expiresOn: isoDate('expiresOn').optional(),
  supersedesId: z.uuid().optional().describe('The consent in force that this record replaces'),
});
export type ConsentApiBody = z.output<typeof consentApiBody>;

export const withdrawalApiBody = z.strictObject({
  withdrawnOn: isoDate('withdrawnOn').describe('The date the withdrawal was received'),
  withdrawalMethod: z.enum(withdrawalMethods),
  withdrawnBy: z.enum(withdrawers),
  withdrawalNote: words('withdrawalNote', 4000).optional(),
});
export type WithdrawalApiBody = z.output<typeof withdrawalApiBody>;

/** A yyyy-mm-dd date as the three boxes of a GOV.UK date input. */
function dateBoxes(name: string, date: string | undefined): Record<string, string> {
  const [year = '', month = '', day = ''] = date?.split('-') ?? [];
  return { [`${name}-day`]: day, [`${name}-month`]: month, [`${name}-year`]: year };
}

const yesOrNo = (value: boolean | undefined) => (value === undefined ? '' : value ? 'yes' : 'no');

/** The API's consent in the shape the consent form posts. */
export function asConsentForm(body: ConsentApiBody): Record<string, string | string[]> {
  return {
    decision: body.decision,
    ...dateBoxes('givenOn', body.givenOn),
    consentGivenBy: body.consentGivenBy ?? [],
    parentCarerId: body.parentCarerId ?? '',
    childCapacity: body.childCapacity ?? '',
    capacityNotAssessedReason: body.capacityNotAssessedReason ?? '',
    childView: body.childView ?? '',
    prevailingView: body.prevailingView ?? '',
    notSoughtReason: body.notSoughtReason ?? '',
    notSoughtDetail: body.notSoughtDetail ?? '',
    purposeIds: body.purposeIds,
    useDescription: body.useDescription ?? '',
    recipientOrganisationIds: body.recipientOrganisationIds ?? [],
    recipientRoles: (body.recipientRoles ?? []).join('\n'),
    methodIds: body.methodIds ?? [],
    categoryIds: body.categoryIds ?? [],
    retentionPeriod: body.retentionPeriod ?? '',
    retentionFormIds: body.retentionFormIds ?? [],
    toldSharedWithoutConsent: yesOrNo(body.toldSharedWithoutConsent),
    toldMayWithdraw: yesOrNo(body.toldMayWithdraw),
    howGiven: body.howGiven ?? '',
    evidenceNote: body.evidenceNote ?? '',
    ...dateBoxes('reviewOn', body.reviewOn),
    ...dateBoxes('expiresOn', body.expiresOn),
    supersedesId: body.supersedesId ?? '',
  };
}

/** The API's withdrawal in the shape the withdrawal form posts. */
export function asWithdrawalForm(body: WithdrawalApiBody): Record<string, string> {
  return {
    ...dateBoxes('withdrawnOn', body.withdrawnOn),
    withdrawalMethod: body.withdrawalMethod,
    withdrawnBy: body.withdrawnBy,
    withdrawalNote: body.withdrawalNote ?? '',
  };
}

/**
 * The form schema's issues as problem `errors`: the form names a date by its boxes
 * (`givenOn-day`), the API by its member (`/givenOn`).
 */
export function formIssuePointers(
  issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[],
): NonNullable<Problem['errors']> {
  return issues.map((issue) => ({
    pointer: `/${String(issue.path[0] ?? '').replace(/-(?:day|month|year)$/, '')}`,
    detail: issue.message,
  }));
}
