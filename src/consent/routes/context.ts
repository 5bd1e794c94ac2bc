import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Viewer } from '../../auth/index.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { relationshipNames } from '../../people/index.ts';
import { policyLabels, type PolicyPack } from '../../policy/index.ts';
import type { AuditDeclaration } from '../../web/access.ts';
import { viewerOf } from '../../web/forms.ts';
import { consentPaths } from '../consent.paths.ts';
import type { ConsentRecord } from '../consent.record.ts';
import { consentParams } from '../consent.schema.ts';
import type { ConsentDetails, ConsentHistoryItem, ConsentService } from '../consent.service.ts';
import {
  consentRecorders,
  consentStatusNames,
  consentStatusTagClasses,
  liveStatuses,
  type ConsentStatus,
} from '../consent.status.ts';
import {
  capacityNames,
  decisionNames,
  eventNames,
  howGivenNames,
  personName,
  prevailingViewNames,
  withdrawalMethodNames,
  withdrawnByNames,
} from './names.ts';

export interface ConsentRouteOptions {
  readonly consent: ConsentService;
  readonly policy: PolicyPack;
  /**
   * The page, above the register, that lists who already received information under decisions that
   * relied on a withdrawn consent (R3.3): linked from the withdrawn consent. app.ts hands it in.
   */
  readonly withdrawalAftermathPath: (consentId: string) => string;
}

/** The date fields of the consent forms: an error about one links to its day (GOV.UK date input). */
export const dateFields = ['givenOn', 'reviewOn', 'expiresOn', 'withdrawnOn', 'nextReviewOn'] as const;
/** Checkbox fields, shown again as lists beside errors. */
export const listFields = [
  'consentGivenBy',
  'purposeIds',
  'recipientOrganisationIds',
  'methodIds',
  'categoryIds',
  'retentionFormIds',
] as const;

/**
 * A consent page: for practitioners, their managers, the DPO and the Caldicott Guardian (the roles
 * of the consent lifecycle), with the audit events it writes when it succeeds.
 */
export function consentPage(audit: AuditDeclaration) {
  return { access: consentRecorders, audit };
}

/** The ids in the address, or a page that does not exist (the app's error handler answers 404). */
export function addressed<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

export function isLive(status: ConsentStatus): boolean {
  return (liveStatuses as readonly ConsentStatus[]).includes(status);
}

/** What every consent page works with: the service, the policy pack's labels, and the shared views. */
export function consentPages(options: ConsentRouteOptions) {
  const { consent: consents, policy } = options;
  const labels = policyLabels(policy);

  function historyText(item: ConsentHistoryItem): string {
    const purposes = item.purposeIds.map((id) => labels.purposes[id] ?? id).join(', ');
    switch (item.kind) {
      case 'recorded':
        return `For: ${purposes}.`;
      case 'reviewed':
        return `Still valid. ${item.note ?? ''}`.trim();
      case 'withdrawn':
        return `For: ${purposes}. No new sharing decision may rely on it.`;
      case 'review_overdue':
        return `The review date has passed. For: ${purposes}.`;
      case 'expired':
        return `For: ${purposes}.`;
      case 'superseded':
        return 'A review found the consent had changed; a new record replaces it.';
    }
  }

  /** A consent's history as the MoJ timeline shows it. */
  function describeHistory(items: readonly ConsentHistoryItem[]) {
    return items.map((item) => ({
      label: { text: item.kind === 'recorded' ? decisionNames[item.decision] : eventNames[item.kind] },
      text: historyText(item),
      datetime: { timestamp: item.occurredOn },
      byline: { text: item.recordedByName ?? 'Safeshare' },
      consentId: item.consentId,
    }));
  }

  /** One consent as a row or card of a list. */
  function summaryOf(record: ConsentRecord) {
    return {
      id: record.id,
      path: consentPaths.show(record.id),
      decision: decisionNames[record.decision],
      status: consentStatusNames[record.status],
      statusClass: consentStatusTagClasses[record.status],
      purposes: record.purposeIds.map((id) => labels.purposes[id] ?? id),
      givenOn: record.givenOn,
      reviewOn: record.reviewOn,
      live: isLive(record.status),
      reviewOverdue: record.reviewOverdueSince !== null,
    };
  }

  /** What the consent page, and the withdrawal and review pages beside it, show of one consent. */
  function detailsContext(details: ConsentDetails) {
    const record = details.consent;
    return {
      person: details.person,
      personName: personName(details.person),
      consent: record,
      summary: summaryOf(record),
      shown: {
        parentCarer:
          record.parentCarer === null
            ? null
            : `${details.parentCarer === null ? 'A parent or carer' : personName(details.parentCarer)} (${relationshipNames[record.parentCarer.relationship]}, with parental responsibility)`,
        capacity: record.childCapacity === null ? null : capacityNames[record.childCapacity],
        prevailingView:
          record.prevailingView === null ? null : `${prevailingViewNames[record.prevailingView]} view`,
        notSoughtReason:
          record.notSoughtReasonId === null
            ? null
            : (labels.consentNotSoughtReasons[record.notSoughtReasonId] ?? record.notSoughtReasonId),
        recipients: [
          ...details.recipientOrganisations.map((organisation) => organisation.name),
          ...record.recipientRoles,
        ],
        methods: record.methodIds.map((id) => labels.sharingMethods[id] ?? id),
        categories: record.categoryIds.map((id) => labels.informationCategories[id] ?? id),
        retentionForms: record.retentionFormIds.map((id) => labels.retentionForms[id] ?? id),
        howGiven: record.howGiven === null ? null : howGivenNames[record.howGiven],
        withdrawalMethod: record.withdrawal === null ? null : withdrawalMethodNames[record.withdrawal.method],
        withdrawnBy: record.withdrawal === null ? null : withdrawnByNames[record.withdrawal.by],
        recordedByName: details.recordedByName,
        withdrawalRecordedByName: details.withdrawalRecordedByName,
      },
      timeline: describeHistory(details.history),
      paths: {
        list: consentPaths.list(details.person.id),
        withdraw: consentPaths.withdraw(record.id),
        review: consentPaths.review(record.id),
        supersededBy: record.supersededById === null ? null : consentPaths.show(record.supersededById),
        supersedes: record.supersedesId === null ? null : consentPaths.show(record.supersedesId),
      },
      canWithdraw: record.status === 'given',
      canReview: isLive(record.status),
    };
  }

  /**
   * The consent the address names, as its page shows it (the showing is audited). A malformed id, or
   * a consent the viewer may not see, is a page that does not exist.
   */
  async function openConsent(
    request: FastifyRequest,
    page: 'details' | 'withdraw' | 'review',
  ): Promise<{ readonly details: ConsentDetails; readonly viewer: Viewer }> {
    const { id } = addressed(consentParams, request.params);
    const viewer = viewerOf(request);
    const details = await consents.details(viewer, id, page);
    if (details === undefined) throw new NotFoundError();
    return { details, viewer };
  }

  return { ...options, consents, labels, describeHistory, summaryOf, detailsContext, openConsent };
}

export type ConsentPages = ReturnType<typeof consentPages>;
