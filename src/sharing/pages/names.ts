import { roleNames } from '../../auth/index.ts';
import type { ConsentCheckOutcome } from '../../consent/index.ts';
import type { Adviser, PolicyPack } from '../../policy/index.ts';
import type { NeededApproval } from '../sharing.rules.ts';
import { outcomeNames } from '../sharing.answers.ts';
import { sharingPaths } from '../sharing.paths.ts';
import type { DecisionListItem, DecisionView } from '../sharing.service.ts';
import { decisionStatusNames } from '../sharing.status.ts';
import type { ApprovalStatus } from '../sharing.table.ts';

/** What the decision pages call things: advisers and approvers, statuses and their tags, people, purposes. */

/** An adviser or approver in words, as the practitioner ("Your line manager") or anyone else reads it. */
export function approverName(approver: Adviser, reader: 'practitioner' | 'others' = 'others'): string {
  if (approver === 'line-manager')
    return reader === 'practitioner' ? 'Your line manager' : 'The practitioner’s line manager';
  if (approver === 'supervisor')
    return reader === 'practitioner' ? 'Your supervisor (you choose who)' : 'The practitioner’s supervisor';
  return roleNames[approver];
}

export function approverList(
  approvers: readonly Adviser[],
  reader: 'practitioner' | 'others' = 'others',
  joiner: 'or' | 'and' = 'or',
): string {
  const names = approvers.map((approver) => approverName(approver, reader));
  return names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} ${joiner} ${names.at(-1) ?? ''}`;
}

export const approvalStatusNames: Record<ApprovalStatus | NeededApproval['status'], string> = {
  'not-requested': 'Not yet asked for',
  pending: 'Waiting for an answer',
  approved: 'Approved',
  refused: 'Refused',
  withdrawn: 'Request withdrawn',
};

export const approvalStatusTags: Record<ApprovalStatus | NeededApproval['status'], string> = {
  'not-requested': 'govuk-tag--grey',
  pending: 'govuk-tag--yellow',
  approved: 'govuk-tag--green',
  refused: 'govuk-tag--red',
  withdrawn: 'govuk-tag--grey',
};

export const consentOutcomeTags: Record<ConsentCheckOutcome, string> = {
  covered: 'govuk-tag--green',
  'not-covered': 'govuk-tag--yellow',
  none: 'govuk-tag--grey',
  expired: 'govuk-tag--orange',
  refused: 'govuk-tag--red',
  withdrawn: 'govuk-tag--red',
};

export const decisionStatusTags: Record<DecisionView['status'], string> = {
  draft: 'govuk-tag--grey',
  'awaiting-approval': 'govuk-tag--yellow',
  approved: 'govuk-tag--blue',
  recorded: 'govuk-tag--green',
  discarded: 'govuk-tag--grey',
};

export function labelOf(
  list: readonly { readonly id: string; readonly label: string }[],
  id: string | undefined,
): string {
  if (id === undefined) return '';
  return list.find((entry) => entry.id === id)?.label ?? id;
}

export function personName(person: {
  readonly givenNames: string;
  readonly familyName: string;
  readonly knownAs?: string | null;
}): string {
  return person.knownAs === null || person.knownAs === undefined
    ? `${person.givenNames} ${person.familyName}`
    : `${person.givenNames} ${person.familyName} (known as ${person.knownAs})`;
}

export function purposeName(pack: PolicyPack, purposeId: string | null): string {
  return purposeId === null ? 'Not yet given' : labelOf(pack.purposes, purposeId);
}

/** A decision as one row of a table of decisions ("My decisions", a person's sharing history). */
export function decisionListRow(policy: PolicyPack, item: DecisionListItem) {
  return {
    reference: item.reference,
    path: sharingPaths.decision(item.id),
    purpose: purposeName(policy, item.purposeId),
    people: item.peopleCount,
    status: decisionStatusNames[item.status],
    statusTag: decisionStatusTags[item.status],
    outcome:
      item.outcome === null || !isOutcome(item.outcome) ? 'Not yet decided' : outcomeNames[item.outcome],
    startedByName: item.startedByName,
    date: item.recordedAt ?? item.updatedAt,
  };
}

function isOutcome(value: string): value is keyof typeof outcomeNames {
  return Object.hasOwn(outcomeNames, value);
}
