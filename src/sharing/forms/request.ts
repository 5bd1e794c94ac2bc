import { z } from 'zod';
import type { PolicyPack } from '../../policy/index.ts';
import { dateParts, readDate, singleLine } from '../../lib/fields.ts';
import { requesterKinds, type RequesterKind, type RequestSection } from '../sharing.answers.ts';
import { choice, dateValues, text, type FormValues } from './fields.ts';

/** 1. The request: who asked, how and when, the purpose and what was asked for. */

export const requesterKindNames: Record<RequesterKind, string> = {
  agency: 'Someone from another organisation',
  colleague: 'A colleague in my organisation',
  'own-initiative': 'Nobody: I am considering sharing on my own initiative',
};

export const requestFields = [
  'requesterKind',
  'requesterName',
  'requesterRole',
  'requesterOrganisationId',
  'channelId',
  'colleagueName',
  'colleagueRole',
  'colleagueChannelId',
  'receivedOn-day',
  'receivedOn-month',
  'receivedOn-year',
  'purposeId',
  'details',
];

/** The longest account of the request the form takes; the page counts down to it. */
export const requestDetailsLimit = 4000;

export function requestForm(context: { readonly pack: PolicyPack; readonly today: string }) {
  const { pack } = context;
  const channelIds = pack.sharing.requestChannels.map((channel) => channel.id);
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
      channelId: choice(channelIds, 'Select how the request was made'),
      // A colleague's details are questions of their own, revealed by their own answer.
      colleagueName: text('your colleague’s name', 200, singleLine),
      colleagueRole: text('your colleague’s role', 200, singleLine),
      colleagueChannelId: choice(channelIds, 'Select how your colleague asked'),
      ...dateParts('receivedOn'),
      purposeId: choice(
        pack.purposes.map((purpose) => purpose.id),
        'Select the purpose of sharing',
      ),
      details: text('what was asked for', requestDetailsLimit),
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
      // Who asked, from the questions the answer revealed: the other answers' questions are ignored.
      const requester =
        kind === 'colleague'
          ? { name: raw.colleagueName, role: raw.colleagueRole, channelId: raw.colleagueChannelId }
          : { name: raw.requesterName, role: raw.requesterRole, channelId: raw.channelId };
      if (kind === 'agency') {
        if (requester.name === undefined) problem('requesterName', 'Enter the name of the person who asked');
        if (raw.requesterOrganisationId === undefined)
          problem('requesterOrganisationId', 'Select the organisation that asked');
        if (requester.channelId === undefined) problem('channelId', 'Select how the request was made');
      }
      if (kind === 'colleague') {
        if (requester.name === undefined)
          problem('colleagueName', 'Enter the name of your colleague who asked');
        if (requester.channelId === undefined)
          problem('colleagueChannelId', 'Select how your colleague asked');
      }
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
        ...(asked && requester.name !== undefined ? { requesterName: requester.name } : {}),
        ...(asked && requester.role !== undefined ? { requesterRole: requester.role } : {}),
        ...(kind === 'agency' && raw.requesterOrganisationId !== undefined
          ? { requesterOrganisationId: raw.requesterOrganisationId }
          : {}),
        ...(asked && requester.channelId !== undefined ? { channelId: requester.channelId } : {}),
        receivedOn: received.kind === 'date' ? received.value : context.today,
        purposeId: raw.purposeId ?? '',
        details: raw.details ?? '',
      };
    });
}

export function requestValues(section: RequestSection | undefined, today: string): FormValues {
  if (section === undefined) return dateValues('receivedOn', today);
  const requester =
    section.requesterKind === 'colleague'
      ? {
          colleagueName: section.requesterName,
          colleagueRole: section.requesterRole,
          colleagueChannelId: section.channelId,
        }
      : {
          requesterName: section.requesterName,
          requesterRole: section.requesterRole,
          requesterOrganisationId: section.requesterOrganisationId,
          channelId: section.channelId,
        };
  return {
    requesterKind: section.requesterKind,
    ...requester,
    ...dateValues('receivedOn', section.receivedOn),
    purposeId: section.purposeId,
    details: section.details,
  };
}
