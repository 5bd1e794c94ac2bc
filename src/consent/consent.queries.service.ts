import { actorOf, type Viewer } from '../auth/index.ts';
import type { PersonSummary } from '../people/index.ts';
import { checkConsent, type ConsentCheckRequest, type ConsentCheckResult } from './consent.check.ts';
import { toRecord, type ConsentCore, type ConsentHistoryItem } from './consent.core.ts';
import { addDays, type ConsentRecord } from './consent.record.ts';
import * as store from './consent.repository.ts';
import { labelOf } from './consent.labels.ts';
import { liveStatuses, type ConsentStatus } from './consent.status.ts';
import type { ConsentDecision } from './consent.table.ts';

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

/** The review list's size, without the list: what a home page counts. */
export interface ReviewCounts {
  readonly overdue: number;
  readonly dueSoon: number;
}

/** A consent in force, as the person's record sums it up. */
export interface ConsentStandingItem {
  readonly id: string;
  readonly status: (typeof liveStatuses)[number];
  readonly purposes: readonly string[];
  readonly givenOn: string;
  readonly reviewOn: string;
  readonly reviewOverdue: boolean;
}

/** How far ahead the review list looks (R3.4). */
const reviewWindowDays = 30;
const reviewListLimit = 500;

/** Reading the register: a person's consents, one consent, the consent check, and the reviews due. */
export function queriesService(core: ConsentCore) {
  const { db, audit, people, staff, orgs, today, person: requirePerson, recordView, find, historyOf } = core;
  const live: readonly ConsentStatus[] = liveStatuses;

  /**
   * Whose reviews the viewer answers for (R3.4): their allocated people; a line manager's, their
   * active reports' too; the whole organisation's for the DPO and Caldicott Guardian.
   */
  async function reviewScope(
    viewer: Viewer,
  ): Promise<{ scope: ReviewList['scope']; personIds: readonly string[] | 'all' }> {
    if (viewer.roles.includes('dpo') || viewer.roles.includes('caldicott_guardian'))
      return { scope: 'organisation', personIds: 'all' };
    const team = viewer.roles.includes('manager')
      ? (await staff.reportsOf(viewer.userId)).filter((report) => report.active).map((report) => report.id)
      : [];
    return {
      scope: team.length > 0 ? 'team' : 'mine',
      personIds: await people.allocatedPeopleIds([viewer.userId, ...team]),
    };
  }

  return {
    /**
     * The consents in force for the person (given, refused, or a decision not to seek it), newest
     * first: what their record page says about consent. Shown on a page that is itself audited.
     */
    async standing(viewer: Viewer, personId: string): Promise<readonly ConsentStandingItem[]> {
      const person = await requirePerson(viewer, personId);
      const rows = await store.consentsForPerson(db, person.id);
      return rows
        .filter((row) => live.includes(row.status))
        .map((row) => ({
          id: row.id,
          status: row.status as ConsentStandingItem['status'],
          purposes: row.purpose_ids.map((id) => labelOf(core.policy.purposes, id) ?? id),
          givenOn: row.given_on,
          reviewOn: row.review_on,
          reviewOverdue: row.review_on < today(),
        }));
    },

    /** The person's consents and their history, newest first. */
    async forPerson(viewer: Viewer, personId: string): Promise<PersonConsents> {
      const person = await requirePerson(viewer, personId);
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
      const person = await requirePerson(viewer, consent.personId);
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
     * Golden rule 4 (R2.20): what the register says about a proposed share, today. Reads the
     * register afresh every time, so a withdrawal recorded a moment ago counts (invariant 3).
     */
    async check(viewer: Viewer, request: Omit<ConsentCheckRequest, 'on'>): Promise<ConsentCheckResult> {
      const person = await requirePerson(viewer, request.personId);
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
      const { scope, personIds } = await reviewScope(viewer);
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
          change: { scope, listed: items.length },
        }),
      );
      return {
        scope,
        today: day,
        overdue: items.filter((item) => item.reviewOn < day),
        dueSoon: items.filter((item) => item.reviewOn >= day),
        limit: reviewListLimit,
        truncated: rows.length > reviewListLimit,
      };
    },

    /**
     * How many of the reviews above are overdue and due in the next 30 days, for a home page's count:
     * numbers only, no one named, so reading them is not a read of the list (R3.4).
     */
    async reviewCounts(viewer: Viewer): Promise<ReviewCounts> {
      const day = today();
      const { personIds } = await reviewScope(viewer);
      return store.reviewCounts(db, {
        organisationId: viewer.organisationId,
        personIds,
        today: day,
        until: addDays(day, reviewWindowDays),
      });
    },
  };
}
