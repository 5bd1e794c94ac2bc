import type { AuditService } from '../audit/index.ts';
import { actorOf, type StaffService, type Viewer } from '../auth/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { OrgsService } from '../orgs/index.ts';
import type { PersonSummary, Relationship } from '../people/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import { requireConsentPerson } from './consent.access.ts';
import { ConsentRuleError, consentErrorCodes } from './consent.errors.ts';
import { londonToday, type ConsentRecord } from './consent.record.ts';
import * as store from './consent.repository.ts';
import { canTransition, type ConsentStatus } from './consent.status.ts';
import type { ConsentDecision, ConsentEventKind } from './consent.table.ts';

/** What the consent register needs of the people capability (its need-to-know rules live there, R3.2, invariant 4). */
export interface PeopleAccess {
  requireAccess(viewer: Viewer, personId: string): Promise<PersonSummary>;
  relatives(
    viewer: Viewer,
    personId: string,
  ): Promise<
    readonly {
      readonly person: PersonSummary;
      readonly relationship: Relationship;
      readonly parentalResponsibility: boolean;
      readonly label: string;
    }[]
  >;
  allocatedPeopleIds(userIds: string[]): Promise<string[]>;
  /** Who holds each person's case now. */
  allocatedTo(personIds: readonly string[]): Promise<Map<string, string[]>>;
}

export interface ConsentDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly people: PeopleAccess;
  /** Line managers and their reports, from the staff list (auth owns it). */
  readonly staff: Pick<StaffService, 'reportsOf' | 'colleagues'>;
  readonly orgs: Pick<OrgsService, 'list'>;
  readonly notifications: Pick<NotificationsService, 'notify'>;
  readonly policy: PolicyPack;
  /** Seals each evidence file's own key (evidence is encrypted at rest). */
  readonly secretBox: SecretBox;
  /**
   * What capabilities above the register do when consent is withdrawn (sharing marks the decisions
   * that relied on it): run in the withdrawal's own transaction, so all of it happens or none (R3.3).
   * The register never imports them: services.ts hands them in.
   */
  readonly onWithdrawn?: readonly ConsentWithdrawnHandler[];
}

/** A withdrawal of consent, as those who subscribe to it are told. */
export interface ConsentWithdrawn {
  readonly consentId: string;
  readonly organisationId: string;
  readonly personId: string;
  readonly purposeIds: readonly string[];
  /** The day the withdrawal was received, yyyy-mm-dd. */
  readonly withdrawnOn: string;
  readonly by: Viewer;
}

export type ConsentWithdrawnHandler = (
  trx: store.ConsentTransaction,
  withdrawn: ConsentWithdrawn,
) => Promise<void>;

/** One line of a consent's history, for the MoJ timeline. */
export interface ConsentHistoryItem {
  readonly id: string;
  readonly consentId: string;
  readonly kind: ConsentEventKind;
  readonly decision: ConsentDecision;
  readonly statusAfter: ConsentStatus;
  readonly occurredOn: string;
  readonly recordedAt: Date;
  readonly recordedByName: string | null;
  readonly note: string | null;
  readonly purposeIds: readonly string[];
}

export type ConsentPage = 'consents' | 'details' | 'new' | 'check' | 'withdraw' | 'review';

/** A line of a consent's history as it is written. */
export interface ConsentEvent {
  readonly consentId: string;
  readonly organisationId: string;
  readonly personId: string;
  readonly kind: ConsentEventKind;
  readonly statusAfter: ConsentStatus;
  readonly occurredOn: string;
  readonly recordedBy: string | null;
  readonly note: string | null;
}

/** A draft older than this is forgotten: the practitioner starts again. */
export const draftLifetimeMs = 24 * 60 * 60 * 1000;

/**
 * What every consent use case shares: the dependencies, today's date, need-to-know, the audited
 * showing of a page, the history, and the locking of a consent for a change of status.
 */
export function consentCore(deps: ConsentDependencies) {
  const { db, clock, audit, people } = deps;

  const today = () => londonToday(clock.now());

  /** The person, when the viewer may see them (NotFoundError or ReasonRequiredError otherwise). */
  const person = (viewer: Viewer, personId: string) => requireConsentPerson(people, viewer, personId);

  /** Every consent page shows part of a person's record: each showing is audited (invariant 4). */
  async function recordView(
    viewer: Viewer,
    shown: PersonSummary,
    page: ConsentPage,
    consentId: string | null,
  ): Promise<void> {
    await db.transaction().execute((trx) =>
      audit.record(trx, {
        organisationId: shown.organisationId,
        actor: actorOf(viewer),
        action: 'consent.viewed',
        entity: consentId === null ? { type: 'person', id: shown.id } : { type: 'consent', id: consentId },
        personId: shown.id,
        change: { page },
      }),
    );
  }

  /** A consent the viewer may see, or undefined; throws ReasonRequiredError when they need a reason first. */
  async function find(viewer: Viewer, id: string): Promise<ConsentRecord | undefined> {
    const row = await store.findConsent(db, id);
    if (row === undefined || row.organisation_id !== viewer.organisationId) return undefined;
    await person(viewer, row.person_id);
    return toRecord(row);
  }

  async function historyOf(
    filter: { readonly personId: string } | { readonly consentId: string },
  ): Promise<ConsentHistoryItem[]> {
    const rows = await store.eventsFor(db, filter);
    return rows.map((row) => ({
      id: row.id,
      consentId: row.consent_id,
      kind: row.kind,
      decision: row.decision,
      statusAfter: row.status_after,
      occurredOn: row.occurred_on,
      recordedAt: row.recorded_at,
      recordedByName: row.recorded_by_name,
      note: row.note,
      purposeIds: row.purpose_ids,
    }));
  }

  async function event(trx: store.ConsentTransaction, row: ConsentEvent): Promise<void> {
    await store.insertEvent(trx, {
      organisation_id: row.organisationId,
      consent_id: row.consentId,
      person_id: row.personId,
      kind: row.kind,
      status_after: row.statusAfter,
      occurred_on: row.occurredOn,
      recorded_at: clock.now(),
      recorded_by: row.recordedBy,
      note: row.note,
    });
  }

  /** Locks a consent for a transition, refusing one its status does not allow. */
  async function lockFor(
    trx: store.ConsentTransaction,
    viewer: Viewer,
    id: string,
    transition: 'withdraw' | 'review' | 'supersede',
  ): Promise<store.ConsentRow> {
    const row = await store.lockConsent(trx, id);
    if (row === undefined || row.organisation_id !== viewer.organisationId)
      throw new ConsentRuleError(consentErrorCodes.notFound, 'form', 'That consent record does not exist');
    if (transition === 'withdraw' && row.status === 'withdrawn')
      throw new ConsentRuleError(
        consentErrorCodes.alreadyWithdrawn,
        'form',
        'This consent has already been withdrawn',
      );
    if (!canTransition(row.status, transition)) {
      const message =
        transition === 'withdraw'
          ? 'Only consent that has been given, and is still in force, can be withdrawn'
          : 'This consent record is no longer in force: record a new consent instead';
      throw new ConsentRuleError(consentErrorCodes.notLive, 'form', message);
    }
    return row;
  }

  return { ...deps, today, person, recordView, find, historyOf, event, lockFor };
}

export type ConsentCore = ReturnType<typeof consentCore>;

export function toRecord(row: store.ConsentRow): ConsentRecord {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    personId: row.person_id,
    decision: row.decision,
    status: row.status,
    policyVersion: row.policy_version,
    givenByChild: row.given_by_child,
    parentCarer:
      row.parent_carer_person_id === null || row.parent_carer_relationship === null
        ? null
        : { personId: row.parent_carer_person_id, relationship: row.parent_carer_relationship },
    childCapacity: row.child_capacity,
    capacityNotAssessedReason: row.capacity_not_assessed_reason,
    prevailingView: row.prevailing_view,
    childView: row.child_view,
    purposeIds: row.purpose_ids,
    useDescription: row.use_description,
    recipientOrganisationIds: row.recipient_organisation_ids,
    recipientRoles: row.recipient_roles,
    methodIds: row.method_ids,
    categoryIds: row.category_ids,
    retentionPeriod: row.retention_period,
    retentionFormIds: row.retention_form_ids,
    toldSharedWithoutConsent: row.told_shared_without_consent,
    toldMayWithdraw: row.told_may_withdraw,
    howGiven: row.how_given,
    evidenceNote: row.evidence_note,
    notSoughtReasonId: row.not_sought_reason,
    notSoughtDetail: row.not_sought_detail,
    givenOn: row.given_on,
    reviewOn: row.review_on,
    expiresOn: row.expires_on,
    lastReviewedOn: row.last_reviewed_on,
    reviewOverdueSince: row.review_overdue_since,
    withdrawal:
      row.withdrawn_on === null ||
      row.withdrawal_method === null ||
      row.withdrawn_by === null ||
      row.withdrawal_recorded_by === null ||
      row.withdrawal_recorded_at === null
        ? null
        : {
            on: row.withdrawn_on,
            method: row.withdrawal_method,
            by: row.withdrawn_by,
            note: row.withdrawal_note,
            recordedBy: row.withdrawal_recorded_by,
            recordedAt: row.withdrawal_recorded_at,
          },
    supersedesId: row.supersedes_id,
    supersededById: row.superseded_by,
    recordedBy: row.recorded_by,
    createdAt: row.created_at,
  };
}
