import { z } from 'zod';
import type { PolicyPack } from '../policy/index.ts';
import { dateFieldNames, dateParts, readDate, singleLine } from '../lib/fields.ts';
import {
  childCapacities,
  choice,
  decisions,
  givers,
  howGivenChoices,
  list,
  prevailingViews,
  text,
  yesNo,
} from './consent.fields.ts';
import { addMonths } from './consent.record.ts';
import type { ConsentRecord } from './consent.record.ts';

export {
  childCapacities,
  decisions,
  howGivenChoices,
  prevailingViews,
  withdrawalMethods,
  withdrawers,
} from './consent.fields.ts';
export {
  reviewFields,
  reviewForm,
  withdrawalFields,
  withdrawalForm,
  type ReviewAnswers,
  type WithdrawalAnswers,
} from './consent.lifecycle.schema.ts';

/** Ids in the address. A malformed one is a page that does not exist (404), never a 500. */
export const personParams = z.strictObject({ personId: z.uuid() });
export const consentParams = z.strictObject({ id: z.uuid() });

/** `?supersedes=<consent id>` when a review found the consent has changed; anything else is a 404. */
export const newConsentQuery = z.strictObject({ supersedes: z.uuid().optional() });

/** Which change the consent page confirms in its banner: a flag, never personal data. */
export const consentPageQuery = z.object({
  done: z.enum(['recorded', 'withdrawn', 'reviewed', 'superseded', 'evidence']).optional().catch(undefined),
});
export type ConsentOutcome = NonNullable<z.output<typeof consentPageQuery>['done']>;

/** The most recipient roles one consent may list, and the longest a role may be. */
const maxRoles = 20;
const maxRoleLength = 100;

export { dateFieldNames };

// ---------------------------------------------------------------------------------------------
// Recording consent (R3.1-R3.4)

/** The consent form's answers, checked and shaped for the service. Fields that do not apply to the decision are empty. */
export type ConsentAnswers = Pick<
  ConsentRecord,
  | 'decision'
  | 'givenOn'
  | 'givenByChild'
  | 'childCapacity'
  | 'capacityNotAssessedReason'
  | 'prevailingView'
  | 'childView'
  | 'purposeIds'
  | 'useDescription'
  | 'recipientOrganisationIds'
  | 'recipientRoles'
  | 'methodIds'
  | 'categoryIds'
  | 'retentionPeriod'
  | 'retentionFormIds'
  | 'toldSharedWithoutConsent'
  | 'toldMayWithdraw'
  | 'howGiven'
  | 'evidenceNote'
  | 'notSoughtReasonId'
  | 'notSoughtDetail'
  | 'expiresOn'
  | 'supersedesId'
> & {
  readonly parentCarerId: string | null;
  /** Null: the default, the date of the decision plus the shortest review interval of its purposes (R3.4). */
  readonly reviewOn: string | null;
};

/** The consent form's fields in page order, so that an error about anything else links to the first one. */
export const consentFields = [
  'decision',
  ...dateFieldNames('givenOn'),
  'consentGivenBy',
  'parentCarerId',
  'childCapacity',
  'capacityNotAssessedReason',
  'childView',
  'prevailingView',
  'notSoughtReason',
  'notSoughtDetail',
  'purposeIds',
  'useDescription',
  'recipientOrganisationIds',
  'recipientRoles',
  'methodIds',
  'categoryIds',
  'retentionPeriod',
  'retentionFormIds',
  'toldSharedWithoutConsent',
  'toldMayWithdraw',
  'howGiven',
  'evidenceNote',
  ...dateFieldNames('reviewOn'),
  ...dateFieldNames('expiresOn'),
  'supersedesId',
] as const;

export interface ConsentFormContext {
  readonly pack: PolicyPack;
  /** Today in England, yyyy-mm-dd. */
  readonly today: string;
  /** The person's date of birth: capacity and the child's view are asked for a child (under 18 on the day, or age unknown). */
  readonly dateOfBirth: string | null;
}

/** The consent form, checked against the policy pack and today's date. Directory and family checks follow in the service. */
export function consentForm(context: ConsentFormContext) {
  const { pack } = context;
  const purposeIds = pack.purposes.map((purpose) => purpose.id);
  const categoryIds = pack.informationCategories.map((category) => category.id);
  const methodIds = pack.sharingMethods.map((method) => method.id);
  const retentionFormIds = pack.retentionForms.map((form) => form.id);
  const notSoughtReasons = pack.consentNotSoughtReasons;

  return z
    .strictObject({
      decision: choice(decisions, 'Select whether consent was given, refused or not sought'),
      ...dateParts('givenOn'),
      consentGivenBy: list('Select who gave or refused consent from the list'),
      parentCarerId: z
        .string({ error: 'Select a parent or carer from the list' })
        .optional()
        .transform((value) => (value === undefined || value === '' ? null : value))
        .pipe(z.uuid({ error: 'Select a parent or carer from the list' }).nullable()),
      childCapacity: choice(childCapacities, 'Select whether the child is competent to make this decision'),
      capacityNotAssessedReason: text('why capacity was not assessed', 2000),
      childView: text('the child’s view', 4000),
      prevailingView: choice(prevailingViews, 'Select whose view prevails'),
      notSoughtReason: choice(
        notSoughtReasons.map((reason) => reason.id),
        'Select why consent was not sought',
      ),
      notSoughtDetail: text('more detail about why consent was not sought', 4000),
      purposeIds: list('Select purposes from the list'),
      useDescription: text('how the information will be used', 4000),
      recipientOrganisationIds: list('Select organisations from the list'),
      recipientRoles: text('roles', maxRoles * (maxRoleLength + 2)),
      methodIds: list('Select how information will be shared from the list'),
      categoryIds: list('Select information from the list'),
      retentionPeriod: text('how long the information will be held', 200, singleLine),
      retentionFormIds: list('Select the form it will be held in from the list'),
      toldSharedWithoutConsent: choice(
        yesNo,
        'Select yes if they were told when information may be shared without consent',
      ),
      toldMayWithdraw: choice(yesNo, 'Select yes if they were told they may withdraw consent'),
      howGiven: choice(howGivenChoices, 'Select how consent was given or refused'),
      evidenceNote: text('the note about evidence', 4000),
      ...dateParts('reviewOn'),
      ...dateParts('expiresOn'),
      supersedesId: z
        .string({ error: 'The form could not be read: start again' })
        .optional()
        .transform((value) => (value === undefined || value === '' ? null : value))
        .pipe(z.uuid({ error: 'The form could not be read: start again' }).nullable()),
    })
    .transform((raw, ctx): ConsentAnswers => {
      const problem = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      const decision = raw.decision;
      if (decision === null) problem('decision', 'Select whether consent was given, refused or not sought');

      const givenOn = readDate(raw, 'givenOn');
      if (givenOn.kind === 'blank') problem('givenOn', 'Enter the date of the decision');
      else if (givenOn.kind === 'invalid') problem('givenOn', 'Date of the decision must be a real date');
      else if (givenOn.value > context.today)
        problem('givenOn', 'Date of the decision must be today or in the past');
      const decidedOn = givenOn.kind === 'date' ? givenOn.value : undefined;

      // Who gave or refused it, and for a child their capacity and view (R3.2).
      const asked = decision === 'given' || decision === 'refused';
      const byChild = raw.consentGivenBy.includes('child');
      const byParent = raw.consentGivenBy.includes('parent_carer');
      const isChild =
        context.dateOfBirth === null ||
        decidedOn === undefined ||
        addMonths(context.dateOfBirth, 18 * 12) > decidedOn;
      if (!raw.consentGivenBy.every((giver) => (givers as readonly string[]).includes(giver)))
        problem('consentGivenBy', 'Select who gave or refused consent from the list');
      else if (asked && raw.consentGivenBy.length === 0)
        problem('consentGivenBy', 'Select who gave or refused consent');
      if (asked && byParent && raw.parentCarerId === null)
        problem('parentCarerId', 'Select the parent or carer who gave or refused consent');
      if (asked && isChild) {
        if (raw.childCapacity === null)
          problem('childCapacity', 'Select whether the child is competent to make this decision');
        if (raw.childCapacity === 'not_assessed' && raw.capacityNotAssessedReason === null)
          problem('capacityNotAssessedReason', 'Enter why the child’s capacity was not assessed');
        if (raw.childView === null)
          problem('childView', 'Enter the child’s view, or why they could not give one');
        if (raw.prevailingView === null) problem('prevailingView', 'Select whose view prevails');
        if (byChild && !byParent && raw.childCapacity === 'not_competent') {
          problem(
            'consentGivenBy',
            'A child who is not competent to make this decision cannot decide alone: add the parent or carer with parental responsibility',
          );
        }
      }

      // What the consent covers (R3.2). Unknown ids are refused whatever the decision.
      if (raw.purposeIds.length === 0) problem('purposeIds', 'Select at least one purpose');
      else if (!raw.purposeIds.every((id) => purposeIds.includes(id)))
        problem('purposeIds', 'Select purposes from the list');
      if (!raw.categoryIds.every((id) => categoryIds.includes(id)))
        problem('categoryIds', 'Select information from the list');
      if (!raw.methodIds.every((id) => methodIds.includes(id)))
        problem('methodIds', 'Select how information will be shared from the list');
      if (!raw.retentionFormIds.every((id) => retentionFormIds.includes(id)))
        problem('retentionFormIds', 'Select the form it will be held in from the list');
      if (!raw.recipientOrganisationIds.every((id) => z.uuid().safeParse(id).success))
        problem('recipientOrganisationIds', 'Select organisations from the list');
      // One role a line; the same role typed twice (in any case or spacing) is kept once.
      const seenRoles = new Set<string>();
      const roles = (raw.recipientRoles ?? '')
        .split(/\r?\n/)
        .map((role) => role.trim().replace(/\s+/g, ' '))
        .filter((role) => {
          const key = role.toLowerCase();
          if (role === '' || seenRoles.has(key)) return false;
          seenRoles.add(key);
          return true;
        });
      if (roles.length > maxRoles) problem('recipientRoles', `Enter ${maxRoles} roles or fewer`);
      else if (roles.some((role) => role.length > maxRoleLength))
        problem('recipientRoles', `Each role must be ${maxRoleLength} characters or fewer`);

      if (decision === 'given') {
        if (raw.useDescription === null) problem('useDescription', 'Enter how the information will be used');
        if (raw.recipientOrganisationIds.length === 0 && roles.length === 0)
          problem(
            'recipientOrganisationIds',
            'Select the organisations, or enter the roles, the information may be shared with',
          );
        if (raw.methodIds.length === 0) problem('methodIds', 'Select how the information will be shared');
        if (raw.categoryIds.length === 0) problem('categoryIds', 'Select the information that may be shared');
        if (raw.retentionPeriod === null)
          problem('retentionPeriod', 'Enter how long the information will be held');
        if (raw.retentionFormIds.length === 0)
          problem('retentionFormIds', 'Select the form the information will be held in');
        // Informed consent needs both (R3.2, R3.3).
        if (raw.toldSharedWithoutConsent === null)
          problem(
            'toldSharedWithoutConsent',
            'Select yes if they were told when information may be shared without consent',
          );
        else if (raw.toldSharedWithoutConsent === 'no')
          problem(
            'toldSharedWithoutConsent',
            'Tell them when information may be shared without their consent before recording consent as given',
          );
        if (raw.toldMayWithdraw === null)
          problem('toldMayWithdraw', 'Select yes if they were told they may withdraw consent at any time');
        else if (raw.toldMayWithdraw === 'no')
          problem(
            'toldMayWithdraw',
            'Tell them they may withdraw consent at any time before recording consent as given',
          );
      }
      if (asked && raw.howGiven === null) problem('howGiven', 'Select how consent was given or refused');

      // Consent not sought says why (R3.1).
      const reason = notSoughtReasons.find((candidate) => candidate.id === raw.notSoughtReason);
      if (decision === 'not_sought') {
        if (reason === undefined) problem('notSoughtReason', 'Select why consent was not sought');
        else if (reason.requiresDetail && raw.notSoughtDetail === null)
          problem('notSoughtDetail', 'Enter more detail about why consent was not sought');
      }

      const reviewOn = readDate(raw, 'reviewOn');
      if (reviewOn.kind === 'invalid') problem('reviewOn', 'Review date must be a real date');
      else if (reviewOn.kind === 'date' && decidedOn !== undefined && reviewOn.value <= decidedOn)
        problem('reviewOn', 'Review date must be after the date of the decision');
      const expiresOn = readDate(raw, 'expiresOn');
      if (expiresOn.kind === 'invalid') problem('expiresOn', 'Expiry date must be a real date');
      else if (expiresOn.kind === 'date' && decidedOn !== undefined && expiresOn.value <= decidedOn)
        problem('expiresOn', 'Expiry date must be after the date of the decision');

      if (decision === null || decidedOn === undefined || ctx.issues.length > 0) return z.NEVER;
      const notSought = decision === 'not_sought';
      return {
        decision,
        givenOn: decidedOn,
        givenByChild: asked && byChild,
        parentCarerId: asked && byParent ? raw.parentCarerId : null,
        childCapacity: asked && isChild ? raw.childCapacity : null,
        capacityNotAssessedReason:
          asked && isChild && raw.childCapacity === 'not_assessed' ? raw.capacityNotAssessedReason : null,
        prevailingView: asked && isChild ? raw.prevailingView : null,
        childView: asked && isChild ? raw.childView : null,
        purposeIds: raw.purposeIds,
        useDescription: raw.useDescription,
        recipientOrganisationIds: raw.recipientOrganisationIds,
        recipientRoles: roles,
        methodIds: raw.methodIds,
        categoryIds: raw.categoryIds,
        retentionPeriod: notSought ? null : raw.retentionPeriod,
        retentionFormIds: notSought ? [] : raw.retentionFormIds,
        toldSharedWithoutConsent:
          notSought || raw.toldSharedWithoutConsent === null ? null : raw.toldSharedWithoutConsent === 'yes',
        toldMayWithdraw: notSought || raw.toldMayWithdraw === null ? null : raw.toldMayWithdraw === 'yes',
        howGiven: asked ? raw.howGiven : null,
        evidenceNote: raw.evidenceNote,
        notSoughtReasonId: notSought ? (reason?.id ?? null) : null,
        notSoughtDetail: notSought ? raw.notSoughtDetail : null,
        reviewOn: reviewOn.kind === 'date' ? reviewOn.value : null,
        expiresOn: expiresOn.kind === 'date' ? expiresOn.value : null,
        supersedesId: raw.supersedesId,
      };
    });
}

/** The review date a consent gets unless one is set by hand: the shortest interval of its purposes (R3.4). */
export function defaultReviewOn(pack: PolicyPack, givenOn: string, purposeIds: readonly string[]): string {
  const months = pack.purposes
    .filter((purpose) => purposeIds.includes(purpose.id))
    .map((purpose) => purpose.reviewMonths);
  return addMonths(givenOn, months.length === 0 ? 12 : Math.min(...months));
}

/** Check-your-answers and confirmation pages carry no answers of their own. */
export const confirmationForm = z.strictObject({});
