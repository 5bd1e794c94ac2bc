import type { Transaction } from 'kysely';
import { systemActor, type AuditService } from '../audit/index.ts';
import { actorOf, type Viewer } from '../auth/index.ts';
import type { Db } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { OrgsService } from '../orgs/index.ts';
import type { PersonSummary, Relationship } from '../people/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import { checkConsent, type ConsentCheckRequest, type ConsentCheckResult } from './consent.check.ts';
import { requireConsentPerson } from './consent.access.ts';
import { evidenceService } from './consent.evidence.ts';
import { ConsentRuleError, consentErrorCodes } from './consent.errors.ts';
import { consentPaths } from './consent.paths.ts';
import { addDays, londonToday, type ConsentRecord } from './consent.record.ts';
import * as store from './consent.repository.ts';
import {
  defaultReviewOn,
  type ConsentAnswers,
  type ReviewAnswers,
  type WithdrawalAnswers,
} from './consent.schema.ts';
import { canTransition, statusAfter, type ConsentStatus } from './consent.status.ts';
import type { ConsentDecision, ConsentEventKind } from './consent.table.ts';
import { isUuid } from '../lib/ids.ts';

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
}

export interface ConsentDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly people: PeopleAccess;
  readonly orgs: Pick<OrgsService, 'list'>;
  readonly notifications: Pick<NotificationsService, 'notify'>;
  readonly policy: PolicyPack;
  /** Seals each evidence file's own key (evidence is encrypted at rest). */
  readonly secretBox: SecretBox;
}

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

export interface PersonConsents {
  readonly person: PersonSummary;
  readonly consents: readonly ConsentRecord[];
  readonly history: readonly ConsentHistoryItem[];
}

export interface ConsentDetails {
  readonly person: PersonSummary;
  readonly consent: ConsentRecord;
  readonly history: readonly ConsentHistoryItem[];
  readonly parentCarer: PersonSummary | null;
  readonly recipientOrganisations: readonly { readonly id: string; readonly name: string }[];
  readonly recordedByName: string | null;
  readonly withdrawalRecordedByName: string | null;
}

/** A relative with parental responsibility, who may give or refuse consent for the child (R3.2). */
export interface ParentCarer {
  readonly person: PersonSummary;
  readonly relationship: Relationship;
  /** The relationship in words, from the child's side ("Mother"). */
  readonly label: string;
}

export interface RecordingContext {
  readonly person: PersonSummary;
  readonly parentCarers: readonly ParentCarer[];
  readonly organisations: readonly { readonly id: string; readonly name: string }[];
  /** The consent a review found has changed, which the new record will replace. */
  readonly supersedes: ConsentRecord | undefined;
}

export interface ReviewItem {
  readonly consentId: string;
  readonly personId: string;
  readonly personName: string;
  readonly decision: ConsentDecision;
  readonly status: ConsentStatus;
  readonly reviewOn: string;
  readonly purposeIds: readonly string[];
}

export interface ReviewList {
  readonly scope: 'mine' | 'team' | 'organisation';
  readonly today: string;
  readonly overdue: readonly ReviewItem[];
  readonly dueSoon: readonly ReviewItem[];
  /** The lists stop at this many consents; more may be due. */
  readonly limit: number;
  readonly truncated: boolean;
}

export type ConsentPage = 'consents' | 'details' | 'new' | 'check' | 'withdraw' | 'review';

/** A draft older than this is forgotten: the practitioner starts again. */
const draftLifetimeMs = 24 * 60 * 60 * 1000;
/** How far ahead the review list looks (R3.4). */
const reviewWindowDays = 30;
const reviewListLimit = 500;

export function consentService(deps: ConsentDependencies) {
  const { db, clock, audit, people, orgs, notifications, policy } = deps;

  const today = () => londonToday(clock.now());

  /** Every consent page shows part of a person's record: each showing is audited (invariant 4). */
  async function recordView(
    viewer: Viewer,
    person: PersonSummary,
    page: ConsentPage,
    consentId: string | null,
  ): Promise<void> {
    await db.transaction().execute((trx) =>
      audit.record(trx, {
        organisationId: person.organisationId,
        actor: actorOf(viewer),
        action: 'consent.viewed',
        entity: consentId === null ? { type: 'person', id: person.id } : { type: 'consent', id: consentId },
        personId: person.id,
        change: { page },
      }),
    );
  }

  /** A consent the viewer may see, or undefined; throws the people capability's PersonAccessError when they need a reason first. */
  async function find(viewer: Viewer, id: string): Promise<ConsentRecord | undefined> {
    const row = await store.findConsent(db, id);
    if (row === undefined || row.organisation_id !== viewer.organisationId) return undefined;
    await requireConsentPerson(people, viewer, row.person_id);
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

  async function event(
    trx: Transaction<Database>,
    row: {
      consentId: string;
      organisationId: string;
      personId: string;
      kind: ConsentEventKind;
      statusAfter: ConsentStatus;
      occurredOn: string;
      recordedBy: string | null;
      note: string | null;
    },
  ) {
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
    trx: Transaction<Database>,
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

  const service = {
    find,
    recordView,
    /** Evidence of how consent was given (R3.2), encrypted at rest. */
    evidence: evidenceService({
      db,
      clock,
      audit,
      secretBox: deps.secretBox,
      find,
      person: (viewer, personId) => requireConsentPerson(people, viewer, personId),
    }),
    /** Today in England by the service's clock, yyyy-mm-dd: forms check dates against it. */
    today,

    /** The person's consents and their history, newest first. */
    async forPerson(viewer: Viewer, personId: string): Promise<PersonConsents> {
      const person = await requireConsentPerson(people, viewer, personId);
      const [rows, history] = await Promise.all([
        store.consentsForPerson(db, person.id),
        historyOf({ personId: person.id }),
      ]);
      await recordView(viewer, person, 'consents', null);
      return { person, consents: rows.map(toRecord), history };
    },

    /** One consent as its page shows it; the showing is audited. */
    async details(
      viewer: Viewer,
      id: string,
      page: 'details' | 'withdraw' | 'review',
    ): Promise<ConsentDetails | undefined> {
      const consent = await find(viewer, id);
      if (consent === undefined) return undefined;
      const person = await requireConsentPerson(people, viewer, consent.personId);
      const [history, relatives, organisations, names] = await Promise.all([
        historyOf({ consentId: consent.id }),
        consent.parentCarer === null ? Promise.resolve([]) : people.relatives(viewer, consent.personId),
        consent.recipientOrganisationIds.length === 0 ? Promise.resolve([]) : orgs.list(),
        store.userNames(db, [
          consent.recordedBy,
          ...(consent.withdrawal === null ? [] : [consent.withdrawal.recordedBy]),
        ]),
      ]);
      await recordView(viewer, person, page, consent.id);
      const directory = new Map(organisations.map((organisation) => [organisation.id, organisation.name]));
      return {
        person,
        consent,
        history,
        parentCarer:
          relatives.find((relative) => relative.person.id === consent.parentCarer?.personId)?.person ?? null,
        recipientOrganisations: consent.recipientOrganisationIds.map((organisationId) => ({
          id: organisationId,
          name: directory.get(organisationId) ?? 'An organisation no longer in the directory',
        })),
        recordedByName: names.get(consent.recordedBy) ?? null,
        withdrawalRecordedByName:
          consent.withdrawal === null ? null : (names.get(consent.withdrawal.recordedBy) ?? null),
      };
    },

    /**
     * What the recording form offers: the relatives with parental responsibility and the directory.
     * With `supersedesId`, the live consent being replaced (undefined when it is not one: the page answers 404).
     */
    async recordingContext(
      viewer: Viewer,
      personId: string,
      supersedesId?: string,
    ): Promise<RecordingContext> {
      const person = await requireConsentPerson(people, viewer, personId);
      const [relatives, organisations] = await Promise.all([
        people.relatives(viewer, person.id),
        orgs.list(),
      ]);
      let supersedes: ConsentRecord | undefined;
      // The id comes back from a hidden form field: anything but a consent's id is "not one".
      if (supersedesId !== undefined && isUuid(supersedesId)) {
        const row = await store.findConsent(db, supersedesId);
        supersedes =
          row !== undefined && row.person_id === person.id && canTransition(row.status, 'supersede')
            ? toRecord(row)
            : undefined;
      }
      return {
        person,
        parentCarers: relatives
          .filter((relative) => relative.parentalResponsibility)
          .map((relative) => ({
            person: relative.person,
            relationship: relative.relationship,
            label: relative.label,
          })),
        organisations: organisations.map((organisation) => ({
          id: organisation.id,
          name: organisation.name,
        })),
        supersedes,
      };
    },

    /** Keeps the answers between the form and "check your answers": on the server, never in the address. */
    async saveDraft(
      viewer: Viewer,
      person: PersonSummary,
      answers: Record<string, string | string[]>,
    ): Promise<void> {
      await store.saveDraft(db, {
        userId: viewer.userId,
        personId: person.id,
        organisationId: person.organisationId,
        answers,
        savedAt: clock.now(),
      });
    },

    async draft(viewer: Viewer, personId: string): Promise<Record<string, string | string[]> | undefined> {
      return store.findDraft(db, viewer.userId, personId, new Date(clock.now().getTime() - draftLifetimeMs));
    },

    /**
     * Records consent given or refused, or that it was not sought and why (R3.1-R3.4), and replaces
     * the consent a review found had changed. Checks the family and the directory; the form has
     * checked the rest, and the database checks again.
     */
    async record(viewer: Viewer, personId: string, answers: ConsentAnswers): Promise<string> {
      const person = await requireConsentPerson(people, viewer, personId);
      const rule = (
        code: (typeof consentErrorCodes)[keyof typeof consentErrorCodes],
        field: string,
        message: string,
      ) => new ConsentRuleError(code, field, message);

      // R3.2: a parent or carer gives consent for a child only with parental responsibility.
      let parentCarer: ParentCarer | null = null;
      if (answers.parentCarerId !== null) {
        const relative = (await people.relatives(viewer, person.id)).find(
          (candidate) => candidate.person.id === answers.parentCarerId,
        );
        if (relative === undefined)
          throw rule(
            consentErrorCodes.parentCarerUnknown,
            'parentCarerId',
            'Select a parent or carer from the list',
          );
        if (!relative.parentalResponsibility)
          throw rule(
            consentErrorCodes.noParentalResponsibility,
            'parentCarerId',
            'The parent or carer must have parental responsibility for the child',
          );
        parentCarer = { person: relative.person, relationship: relative.relationship, label: relative.label };
      }
      // R2.11: recipients come from the partner directory.
      if (answers.recipientOrganisationIds.length > 0) {
        const directory = new Set((await orgs.list()).map((organisation) => organisation.id));
        if (!answers.recipientOrganisationIds.every((id) => directory.has(id)))
          throw rule(
            consentErrorCodes.recipientUnknown,
            'recipientOrganisationIds',
            'Select organisations from the partner directory',
          );
      }
      const day = today();
      if (answers.givenOn > day)
        throw rule(
          consentErrorCodes.invalidDate,
          'givenOn',
          'Date of the decision must be today or in the past',
        );
      // R3.4: every record has a review date, by default from the policy pack's intervals.
      const reviewOn = answers.reviewOn ?? defaultReviewOn(policy, answers.givenOn, answers.purposeIds);
      if (reviewOn <= answers.givenOn)
        throw rule(
          consentErrorCodes.invalidDate,
          'reviewOn',
          'Review date must be after the date of the decision',
        );
      if (answers.expiresOn !== null && answers.expiresOn <= answers.givenOn)
        throw rule(
          consentErrorCodes.invalidDate,
          'expiresOn',
          'Expiry date must be after the date of the decision',
        );

      const now = clock.now();
      const actor = actorOf(viewer);
      return db.transaction().execute(async (trx) => {
        const replaced =
          answers.supersedesId === null
            ? undefined
            : await lockFor(trx, viewer, answers.supersedesId, 'supersede').catch(() => undefined);
        if (answers.supersedesId !== null && (replaced === undefined || replaced.person_id !== person.id)) {
          throw rule(
            consentErrorCodes.supersedesInvalid,
            'form',
            'The consent this record replaces has changed since you started: go back to it and review it again',
          );
        }
        const id = await store.insertConsent(trx, {
          organisation_id: person.organisationId,
          person_id: person.id,
          decision: answers.decision,
          status: answers.decision,
          policy_version: policy.version,
          given_by_child: answers.givenByChild,
          parent_carer_person_id: parentCarer?.person.id ?? null,
          parent_carer_relationship: parentCarer?.relationship ?? null,
          child_capacity: answers.childCapacity,
          capacity_not_assessed_reason: answers.capacityNotAssessedReason,
          prevailing_view: answers.prevailingView,
          child_view: answers.childView,
          purpose_ids: answers.purposeIds,
          use_description: answers.useDescription,
          recipient_organisation_ids: answers.recipientOrganisationIds,
          recipient_roles: answers.recipientRoles,
          method_ids: answers.methodIds,
          category_ids: answers.categoryIds,
          retention_period: answers.retentionPeriod,
          retention_form_ids: answers.retentionFormIds,
          told_shared_without_consent: answers.toldSharedWithoutConsent,
          told_may_withdraw: answers.toldMayWithdraw,
          how_given: answers.howGiven,
          evidence_note: answers.evidenceNote,
          not_sought_reason: answers.notSoughtReasonId,
          not_sought_detail: answers.notSoughtDetail,
          given_on: answers.givenOn,
          review_on: reviewOn,
          expires_on: answers.expiresOn,
          supersedes_id: replaced?.id ?? null,
          recorded_by: viewer.userId,
          created_at: now,
          changed_at: now,
        });
        await event(trx, {
          consentId: id,
          organisationId: person.organisationId,
          personId: person.id,
          kind: 'recorded',
          statusAfter: answers.decision,
          occurredOn: answers.givenOn,
          recordedBy: viewer.userId,
          note: null,
        });
        await audit.record(trx, {
          organisationId: person.organisationId,
          actor,
          action: 'consent.recorded',
          entity: { type: 'consent', id },
          personId: person.id,
          // Ids and dates only: the record itself holds the family's words.
          change: {
            decision: answers.decision,
            givenByChild: answers.givenByChild,
            parentCarerPersonId: parentCarer?.person.id ?? null,
            purposeIds: [...answers.purposeIds],
            recipientOrganisationIds: [...answers.recipientOrganisationIds],
            methodIds: [...answers.methodIds],
            categoryIds: [...answers.categoryIds],
            notSoughtReasonId: answers.notSoughtReasonId,
            givenOn: answers.givenOn,
            reviewOn,
            expiresOn: answers.expiresOn,
            supersedesId: replaced?.id ?? null,
            policyVersion: policy.version,
          },
        });
        if (replaced !== undefined) {
          await store.changeLifecycle(trx, replaced.id, {
            status: 'superseded',
            superseded_by: id,
            changed_at: now,
          });
          await event(trx, {
            consentId: replaced.id,
            organisationId: replaced.organisation_id,
            personId: person.id,
            kind: 'superseded',
            statusAfter: 'superseded',
            occurredOn: day,
            recordedBy: viewer.userId,
            note: null,
          });
          await audit.record(trx, {
            organisationId: replaced.organisation_id,
            actor,
            action: 'consent.superseded',
            entity: { type: 'consent', id: replaced.id },
            personId: person.id,
            change: { status: 'superseded', supersededBy: id },
          });
        }
        await store.deleteDraft(trx, viewer.userId, person.id);
        return id;
      });
    },

    /** Withdrawal takes effect at once (R3.3, invariant 3): the next check of the register sees it. */
    async withdraw(viewer: Viewer, id: string, withdrawal: WithdrawalAnswers): Promise<void> {
      const consent = await find(viewer, id);
      if (consent === undefined)
        throw new ConsentRuleError(consentErrorCodes.notFound, 'form', 'That consent record does not exist');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await lockFor(trx, viewer, id, 'withdraw');
        if (withdrawal.withdrawnOn < row.given_on)
          throw new ConsentRuleError(
            consentErrorCodes.invalidDate,
            'withdrawnOn',
            'Date the withdrawal was received must be on or after the date consent was given',
          );
        if (withdrawal.withdrawnOn > today())
          throw new ConsentRuleError(
            consentErrorCodes.invalidDate,
            'withdrawnOn',
            'Date the withdrawal was received must be today or in the past',
          );
        const status = statusAfter(row.status, 'withdraw') ?? 'withdrawn';
        await store.changeLifecycle(trx, row.id, {
          status,
          withdrawn_on: withdrawal.withdrawnOn,
          withdrawal_method: withdrawal.method,
          withdrawn_by: withdrawal.by,
          withdrawal_note: withdrawal.note,
          withdrawal_recorded_by: viewer.userId,
          withdrawal_recorded_at: now,
          changed_at: now,
        });
        await event(trx, {
          consentId: row.id,
          organisationId: row.organisation_id,
          personId: row.person_id,
          kind: 'withdrawn',
          statusAfter: status,
          occurredOn: withdrawal.withdrawnOn,
          recordedBy: viewer.userId,
          note: withdrawal.note,
        });
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'consent.withdrawn',
          entity: { type: 'consent', id: row.id },
          personId: row.person_id,
          change: {
            status,
            withdrawnOn: withdrawal.withdrawnOn,
            method: withdrawal.method,
            withdrawnBy: withdrawal.by,
          },
        });
      });
    },

    /** A review that found the consent still stands: a new review date (R3.4). A changed consent is recorded anew and supersedes this one. */
    async review(
      viewer: Viewer,
      id: string,
      review: Extract<ReviewAnswers, { outcome: 'still_valid' }>,
    ): Promise<void> {
      const consent = await find(viewer, id);
      if (consent === undefined)
        throw new ConsentRuleError(consentErrorCodes.notFound, 'form', 'That consent record does not exist');
      const now = clock.now();
      const day = today();
      await db.transaction().execute(async (trx) => {
        const row = await lockFor(trx, viewer, id, 'review');
        if (review.nextReviewOn <= day || review.nextReviewOn <= row.given_on)
          throw new ConsentRuleError(
            consentErrorCodes.invalidDate,
            'nextReviewOn',
            'Next review date must be in the future',
          );
        if (row.expires_on !== null && row.expires_on <= day)
          throw new ConsentRuleError(
            consentErrorCodes.notLive,
            'form',
            'This consent has expired: record a new consent instead',
          );
        await store.changeLifecycle(trx, row.id, {
          review_on: review.nextReviewOn,
          last_reviewed_on: day,
          review_overdue_since: null,
          changed_at: now,
        });
        await event(trx, {
          consentId: row.id,
          organisationId: row.organisation_id,
          personId: row.person_id,
          kind: 'reviewed',
          statusAfter: row.status,
          occurredOn: day,
          recordedBy: viewer.userId,
          note: review.note,
        });
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'consent.reviewed',
          entity: { type: 'consent', id: row.id },
          personId: row.person_id,
          change: { previousReviewOn: row.review_on, reviewOn: review.nextReviewOn },
        });
      });
    },

    /**
     * Golden rule 4 (R2.20): what the register says about a proposed share, today. Reads the
     * register afresh every time, so a withdrawal recorded a moment ago counts (invariant 3).
     */
    async check(viewer: Viewer, request: Omit<ConsentCheckRequest, 'on'>): Promise<ConsentCheckResult> {
      const person = await requireConsentPerson(people, viewer, request.personId);
      const rows = await store.consentsForPerson(db, person.id);
      const result = checkConsent(rows.map(toRecord), { ...request, on: today() });
      await db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId: person.organisationId,
          actor: actorOf(viewer),
          action: 'consent.checked',
          entity: { type: 'person', id: person.id },
          personId: person.id,
          change: {
            purposeId: request.purposeId,
            categoryIds: [...request.categoryIds],
            outcome: result.outcome,
            consentId: result.consentId ?? null,
          },
        }),
      );
      return result;
    },

    /**
     * The consent register's answer for each of these people, for a sharing decision that has
     * already checked the viewer's access to them (the decision's own audit event records what it
     * relied on). One answer per person and request; the caller combines them.
     */
    async checkMany(
      personIds: readonly string[],
      requests: readonly Omit<ConsentCheckRequest, 'on' | 'personId'>[],
    ): Promise<Map<string, ConsentCheckResult[]>> {
      const rows = await store.consentsForPeople(db, personIds);
      const records = rows.map(toRecord);
      const on = today();
      return new Map(
        personIds.map((personId) => [
          personId,
          requests.map((request) => checkConsent(records, { ...request, personId, on })),
        ]),
      );
    },

    /**
     * Reviews overdue and due in the next 30 days (R3.4): a practitioner's allocated people; a line
     * manager's and their direct reports'; the whole organisation for the DPO and Caldicott Guardian.
     */
    async reviewsFor(viewer: Viewer): Promise<ReviewList> {
      const day = today();
      const wholeOrganisation = viewer.roles.includes('dpo') || viewer.roles.includes('caldicott_guardian');
      const team = viewer.roles.includes('manager') ? await store.directReports(db, viewer.userId) : [];
      const personIds = wholeOrganisation ? 'all' : await people.allocatedPeopleIds([viewer.userId, ...team]);
      const rows = await store.reviewsDue(db, {
        organisationId: viewer.organisationId,
        personIds,
        until: addDays(day, reviewWindowDays),
        limit: reviewListLimit + 1,
      });
      const items = rows.slice(0, reviewListLimit).map((row): ReviewItem => ({
        consentId: row.id,
        personId: row.person_id,
        personName: `${row.given_names} ${row.family_name}`,
        decision: row.decision,
        status: row.status,
        reviewOn: row.review_on,
        purposeIds: row.purpose_ids,
      }));
      await db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'consent.reviews_viewed',
          entity: { type: 'consent_reviews', id: null },
          change: {
            scope: wholeOrganisation ? 'organisation' : team.length > 0 ? 'team' : 'mine',
            listed: items.length,
          },
        }),
      );
      return {
        scope: wholeOrganisation ? 'organisation' : team.length > 0 ? 'team' : 'mine',
        today: day,
        overdue: items.filter((item) => item.reviewOn < day),
        dueSoon: items.filter((item) => item.reviewOn >= day),
        limit: reviewListLimit,
        truncated: rows.length > reviewListLimit,
      };
    },

    /**
     * The daily job (R3.4): expires consents past their expiry date, flags those past their review
     * date, and tells each allocated practitioner and their line manager, once per consent per day,
     * how many need review. Notices carry no personal data: a count and a link.
     */
    async runReviewReminders(): Promise<{ markedOverdue: number; notified: number; expired: number }> {
      const now = clock.now();
      const day = londonToday(now);
      let expired = 0;
      let markedOverdue = 0;
      let notified = 0;

      for (const organisationId of await store.organisationsWithExpiring(db, day)) {
        expired += await db.transaction().execute(async (trx) => {
          const rows = await store.expireConsents(trx, organisationId, day, now);
          for (const row of rows) {
            await event(trx, {
              consentId: row.id,
              organisationId,
              personId: row.person_id,
              kind: 'expired',
              statusAfter: 'expired',
              occurredOn: row.expires_on ?? day,
              recordedBy: null,
              note: null,
            });
            await audit.record(trx, {
              organisationId,
              actor: systemActor,
              action: 'consent.expired',
              entity: { type: 'consent', id: row.id },
              personId: row.person_id,
              change: { status: 'expired', expiresOn: row.expires_on },
            });
          }
          return rows.length;
        });
      }

      for (const organisationId of await store.organisationsWithNewlyOverdue(db, day)) {
        markedOverdue += await db.transaction().execute(async (trx) => {
          const rows = await store.markOverdue(trx, organisationId, day, now);
          for (const row of rows) {
            await event(trx, {
              consentId: row.id,
              organisationId,
              personId: row.person_id,
              kind: 'review_overdue',
              statusAfter: row.status,
              occurredOn: day,
              recordedBy: null,
              note: null,
            });
            await audit.record(trx, {
              organisationId,
              actor: systemActor,
              action: 'consent.review_overdue',
              entity: { type: 'consent', id: row.id },
              personId: row.person_id,
              change: { reviewOn: row.review_on, overdueSince: day },
            });
          }
          return rows.length;
        });
      }

      // Who to tell: each allocated practitioner ("yours") and their active line manager ("your team's").
      const targets = await store.overdueReminderTargets(db, day);
      const managers = await store.activeUsers(
        db,
        targets.flatMap((target) => (target.line_manager_id === null ? [] : [target.line_manager_id])),
      );
      const byOrganisation = new Map<
        string,
        Map<string, { consentId: string; userId: string; own: boolean; team: boolean }>
      >();
      for (const target of targets) {
        const pairs =
          byOrganisation.get(target.organisation_id) ??
          new Map<string, { consentId: string; userId: string; own: boolean; team: boolean }>();
        byOrganisation.set(target.organisation_id, pairs);
        const add = (userId: string, own: boolean) => {
          const key = `${target.consent_id}:${userId}`;
          const pair = pairs.get(key) ?? { consentId: target.consent_id, userId, own: false, team: false };
          pairs.set(key, own ? { ...pair, own: true } : { ...pair, team: true });
        };
        add(target.allocated_user_id, true);
        if (target.line_manager_id !== null && managers.has(target.line_manager_id))
          add(target.line_manager_id, false);
      }
      for (const [organisationId, pairs] of byOrganisation) {
        notified += await db.transaction().execute(async (trx) => {
          const fresh = await store.recordReminders(
            trx,
            [...pairs.values()].map((pair) => ({
              consent_id: pair.consentId,
              user_id: pair.userId,
              reminded_on: day,
            })),
          );
          const perUser = new Map<string, { count: number; own: boolean; team: boolean }>();
          for (const reminder of fresh) {
            const pair = pairs.get(`${reminder.consent_id}:${reminder.user_id}`);
            if (pair === undefined) continue;
            const tally = perUser.get(reminder.user_id) ?? { count: 0, own: false, team: false };
            perUser.set(reminder.user_id, {
              count: tally.count + 1,
              own: tally.own || pair.own,
              team: tally.team || pair.team,
            });
          }
          for (const [userId, tally] of perUser) {
            await notifications.notify(trx, {
              organisationId,
              userId,
              kind: 'consent.review_overdue',
              subject: 'Consent reviews are overdue',
              body: reminderBody(
                tally.count,
                tally.own && tally.team ? 'you or your team' : tally.own ? 'you' : 'your team',
              ),
              link: consentPaths.reviews,
            });
          }
          if (perUser.size > 0) {
            await audit.record(trx, {
              organisationId,
              actor: systemActor,
              action: 'consent.review_reminders_sent',
              entity: { type: 'consent_reviews', id: null },
              change: { notices: perUser.size, reminders: fresh.length, on: day },
            });
          }
          return perUser.size;
        });
      }
      await store.deleteStaleDrafts(db, new Date(now.getTime() - draftLifetimeMs));
      return { markedOverdue, notified, expired };
    },
  };
  return service;
}

export type ConsentService = ReturnType<typeof consentService>;

/** "3 consent records allocated to you need review." No names, dates or identifiers. */
export function reminderBody(count: number, whose: 'you' | 'your team' | 'you or your team'): string {
  return count === 1
    ? `1 consent record allocated to ${whose} needs review.`
    : `${count} consent records allocated to ${whose} need review.`;
}

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
