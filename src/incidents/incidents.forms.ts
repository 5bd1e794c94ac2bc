import { z } from 'zod';
import { isUuid } from '../lib/ids.ts';
import { checkboxes, dateFieldNames, dateParts, readDate, readInstant } from '../lib/fields.ts';
import { checkText, multiline, singleLine, type TextShape } from '../lib/text.ts';
import type { NewContainmentAction } from './incidents.containment.ts';
import type { OfficerToTell } from './incidents.officers.ts';
import { likelihoods, severities } from './incidents.grading.ts';
import {
  incidentKinds,
  type IcoReport,
  type IncidentClosure,
  type IncidentGrade,
  type IncidentKind,
  type IncidentReport,
} from './incidents.service.ts';

/** The incident register's forms: what each page posts, turned into the service's answers. */

export const incidentParams = z.strictObject({ id: z.uuid() });
export const incidentPageQuery = z.object({
  done: z
    .enum([
      'reported',
      'graded',
      'ico-reported',
      'closed',
      'contained',
      'safety-checked',
      'told',
      'officer-told',
    ])
    .optional()
    .catch(undefined),
});

export const incidentKindNames: Record<IncidentKind, string> = {
  'lost-or-stolen': 'A device or paper records were lost or stolen',
  'wrong-recipient': 'Information was sent to the wrong person or address',
  'unauthorised-access': 'Someone saw or used information they should not have',
  'disclosed-in-error': 'Information was disclosed in error (said or shown to the wrong person)',
  technical: 'A technical or security problem, such as a cyber attack or a system fault',
  other: 'Something else',
};

const loose = (max: number) => z.string().max(max).optional();
type Problem = (path: string, message: string) => void;

/** A required answer of free text: blank, too long and the text rule, each with its own message. */
function required(
  raw: string | undefined,
  path: string,
  problem: Problem,
  rule: { label: string; blank: string; max: number; shape?: TextShape },
): string {
  const text = raw?.trim() ?? '';
  if (text === '') problem(path, rule.blank);
  else if (text.length > rule.max)
    problem(
      path,
      `${rule.label.charAt(0).toUpperCase()}${rule.label.slice(1)} must be ${String(rule.max)} characters or fewer`,
    );
  else {
    const fault = checkText(rule.label, text, rule.shape ?? multiline);
    if (fault !== undefined) problem(path, fault);
  }
  return text;
}

export const reportFields = [
  'kind',
  'whatHappened',
  ...dateFieldNames('happenedOn'),
  ...dateFieldNames('awareOn'),
  'awareTime',
  'information',
  'peopleAffected',
  'peopleEstimated',
  'actionsTaken',
  'disclosureId',
  'custodyItemId',
  'mediaItemId',
  'misdirectedId',
];

export function reportForm() {
  return z
    .strictObject({
      kind: loose(40),
      whatHappened: loose(10_000),
      ...dateParts('happenedOn'),
      ...dateParts('awareOn'),
      awareTime: loose(20),
      information: loose(10_000),
      peopleAffected: loose(20),
      peopleEstimated: checkboxes(z.string().max(20)).pipe(z.array(z.string()).max(2)),
      actionsTaken: loose(10_000),
      /** Set by the page when the incident is reported from a disclosure. */
      disclosureId: loose(100),
      custodyItemId: loose(100),
      mediaItemId: loose(100),
      misdirectedId: loose(100),
    })
    .transform((raw, ctx): IncidentReport => {
      const problem: Problem = (path, message) => ctx.addIssue({ code: 'custom', path: [path], message });
      const kind = incidentKinds.find((candidate) => candidate === raw.kind);
      if (kind === undefined) problem('kind', 'Select what kind of incident it is');
      const whatHappened = required(raw.whatHappened, 'whatHappened', problem, {
        label: 'what happened',
        blank: 'Enter what happened',
        max: 4000,
      });
      const happenedOn = readDate(raw, 'happenedOn');
      if (happenedOn.kind === 'blank') problem('happenedOn', 'Enter when it happened');
      else if (happenedOn.kind === 'invalid') problem('happenedOn', 'When it happened must be a real date');
      const awareAt = readInstant(raw, 'awareOn', 'awareTime', problem, {
        blank: 'Enter when it was discovered',
        invalid: 'When it was discovered must be a real date',
        time: 'Enter the time it was discovered, like 14:30',
      });
      const information = required(raw.information, 'information', problem, {
        label: 'what information is involved',
        blank: 'Enter what information is involved',
        max: 4000,
      });
      const count = raw.peopleAffected?.trim().replace(/,/g, '') ?? '';
      if (count === '') problem('peopleAffected', 'Enter how many people the information is about');
      else if (!/^\d{1,12}$/.test(count))
        problem('peopleAffected', 'How many people must be a whole number, like 3');
      else if (Number(count) > 100_000_000)
        problem('peopleAffected', 'How many people must be 100,000,000 or fewer');
      const actionsTaken = required(raw.actionsTaken, 'actionsTaken', problem, {
        label: 'what has been done so far',
        blank: 'Enter what has been done so far, or ‘nothing yet’',
        max: 4000,
      });
      const disclosureId = raw.disclosureId?.trim() === '' ? undefined : raw.disclosureId?.trim();
      if (disclosureId !== undefined && !isUuid(disclosureId))
        problem('disclosureId', 'Report the incident from the page of a disclosure you can see');
      const custodyItemId = raw.custodyItemId?.trim() === '' ? undefined : raw.custodyItemId?.trim();
      if (custodyItemId !== undefined && !isUuid(custodyItemId))
        problem('custodyItemId', 'Report the loss from the off-site log entry');
      const misdirectedId = raw.misdirectedId?.trim() === '' ? undefined : raw.misdirectedId?.trim();
      if (misdirectedId !== undefined && !isUuid(misdirectedId))
        problem(
          'misdirectedId',
          'Report the incident from an entry of your organisation’s misdirected-information register',
        );
      const mediaItemId = raw.mediaItemId?.trim() === '' ? undefined : raw.mediaItemId?.trim();
      if (mediaItemId !== undefined && !isUuid(mediaItemId))
        problem('mediaItemId', 'Report the loss from the register entry of the medium or device');
      if (kind === undefined || happenedOn.kind !== 'date' || awareAt === undefined || ctx.issues.length > 0)
        return z.NEVER;
      return {
        kind,
        whatHappened,
        happenedOn: happenedOn.value,
        awareAt,
        information,
        peopleAffected: Number(count),
        peopleEstimated: raw.peopleEstimated.includes('yes'),
        actionsTaken,
        ...(disclosureId === undefined ? {} : { disclosureId }),
        ...(custodyItemId === undefined ? {} : { custodyItemId }),
        ...(mediaItemId === undefined ? {} : { mediaItemId }),
        ...(misdirectedId === undefined ? {} : { misdirectedId }),
      };
    });
}

export const gradeFields = ['likelihood', 'severity', 'notReportableReasons'];

export function gradeForm() {
  const scale = (values: readonly { value: number }[], message: string) =>
    z
      .string({ error: message })
      .max(2, message)
      .refine((value) => values.some((item) => String(item.value) === value), message)
      .transform(Number);
  return z
    .strictObject({
      likelihood: scale(likelihoods, 'Select how likely it is that people are harmed'),
      severity: scale(severities, 'Select how severe the harm would be'),
      notReportableReasons: loose(10_000),
    })
    .transform((raw, ctx): IncidentGrade => {
      const reasons = raw.notReportableReasons?.trim() ?? '';
      if (reasons !== '') {
        const problem: Problem = (path, message) => ctx.addIssue({ code: 'custom', path: [path], message });
        required(reasons, 'notReportableReasons', problem, {
          label: 'your reasons',
          blank: '',
          max: 4000,
        });
      }
      return { likelihood: raw.likelihood, severity: raw.severity, notReportableReasons: reasons };
    });
}

export const icoReportFields = [...dateFieldNames('reportedOn'), 'reportedTime', 'reference', 'lateReason'];

export function icoReportForm() {
  return z
    .strictObject({
      ...dateParts('reportedOn'),
      reportedTime: loose(20),
      reference: loose(1000),
      lateReason: loose(10_000),
    })
    .transform((raw, ctx): IcoReport => {
      const problem: Problem = (path, message) => ctx.addIssue({ code: 'custom', path: [path], message });
      const reportedAt = readInstant(raw, 'reportedOn', 'reportedTime', problem, {
        blank: 'Enter when it was reported to the ICO',
        invalid: 'When it was reported must be a real date',
        time: 'Enter the time it was reported, like 14:30',
      });
      const reference = required(raw.reference, 'reference', problem, {
        label: 'the ICO’s reference',
        blank: 'Enter the reference the ICO gave',
        max: 100,
        shape: singleLine,
      });
      const lateReason = raw.lateReason?.trim() ?? '';
      if (lateReason !== '')
        required(lateReason, 'lateReason', problem, {
          label: 'the reasons for the delay',
          blank: '',
          max: 4000,
        });
      if (reportedAt === undefined || ctx.issues.length > 0) return z.NEVER;
      return { reportedAt, reference, lateReason };
    });
}

export const closeFields = ['lessons', 'hrReferral'];

export function closeForm() {
  return z
    .strictObject({ lessons: loose(10_000), hrReferral: loose(10) })
    .transform((raw, ctx): IncidentClosure => {
      const problem: Problem = (path, message) => ctx.addIssue({ code: 'custom', path: [path], message });
      const lessons = required(raw.lessons, 'lessons', problem, {
        label: 'the lessons learned',
        blank: 'Enter the lessons learned',
        max: 4000,
      });
      if (raw.hrReferral !== 'yes' && raw.hrReferral !== 'no')
        problem('hrReferral', 'Select yes if it was referred to human resources');
      if (ctx.issues.length > 0) return z.NEVER;
      return { lessons, hrReferral: raw.hrReferral === 'yes' };
    });
}

export const actionFields = ['kind', 'description', ...dateFieldNames('dueOn')];

/** A containment action (R5.2): something done, or something asked back by a date. */
export function actionForm() {
  return z
    .strictObject({
      kind: z.enum(['retrieve', 'other'], { error: 'Choose what kind of action it is' }),
      description: z.string().max(10_000).default(''),
      ...dateParts('dueOn'),
    })
    .transform((raw, ctx): NewContainmentAction => {
      const due = readDate(raw, 'dueOn');
      if (due.kind === 'invalid')
        ctx.addIssue({
          code: 'custom',
          path: ['dueOn'],
          message: 'The date must be a real date, like 5 12 2026',
        });
      return {
        kind: raw.kind,
        description: raw.description,
        ...(due.kind === 'date' ? { dueOn: due.value } : {}),
      };
    });
}

/** The safety check before telling the people affected (Art 34): the service checks the reasons. */
export function safetyForm() {
  return z
    .strictObject({
      safetyRisk: z.enum(['yes', 'no'], { error: 'Say whether telling them could put a child at risk' }),
      safetyReasons: z.string().max(10_000).default(''),
    })
    .transform((raw) => ({ risk: raw.safetyRisk === 'yes', reasons: raw.safetyReasons }));
}

export function toldForm() {
  return z.strictObject({ toldHow: z.string().max(10_000).default('') });
}

/** Disabling an account to contain the incident (R5.2): which account. */
export function disableAccountForm() {
  return z.strictObject({ accountId: z.string().max(100).default('') });
}

/** Marking a registered device lost from the incident (R4.7.3): which device. */
export function deviceLostForm() {
  return z.strictObject({ mediaItemId: z.string().max(100).default('') });
}

export const officerFields = ['userId', 'outsideName', 'how', 'why'];

/** Telling an officer who needs to know (R5.4): a colleague, or someone outside Safeshare and how. */
export function officerForm() {
  return z
    .strictObject({
      userId: z.string().max(100).default(''),
      outsideName: z.string().max(10_000).default(''),
      how: z.string().max(10_000).default(''),
      why: z.string().max(10_000).default(''),
    })
    .transform((raw, ctx): OfficerToTell => {
      const colleague = raw.userId.trim();
      const outside = raw.outsideName.trim() !== '' || raw.how.trim() !== '';
      if (colleague !== '' && outside)
        ctx.addIssue({
          code: 'custom',
          path: ['userId'],
          message: 'Select a colleague or name someone outside Safeshare, not both',
        });
      if (colleague === '' && !outside)
        ctx.addIssue({
          code: 'custom',
          path: ['userId'],
          message: 'Select a colleague, or name someone outside Safeshare',
        });
      return colleague === ''
        ? { outsideName: raw.outsideName, how: raw.how, why: raw.why }
        : { userId: colleague, why: raw.why };
    });
}
