import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { addPerson, type ConsentWorld } from '../../test/support/consent-fixtures.ts';
import {
  auditActionsOf,
  consentRegisterWorld,
  consentRow,
  givenBy,
  type ConsentRegisterWorld,
} from '../../test/support/consent-register.ts';
import type { TestStaff } from '../../test/support/factories.ts';
import type { TestContext } from '../../test/support/harness.ts';
import type { Viewer } from '../auth/index.ts';
import { checkConsent } from './consent.check.ts';
import type { ConsentAnswers } from './consent.schema.ts';
import { toRecord } from './consent.service.ts';

let register: ConsentRegisterWorld;
let context: TestContext;
let world: ConsentWorld;
let organisationId: string;
let schoolId: string;
let manager: TestStaff;
let practitioner: TestStaff;
let asPractitioner: Viewer;
let asManager: Viewer;
let asColleague: Viewer;
let asDpo: Viewer;
let asElsewhere: Viewer;
let childId: string;

beforeAll(async () => {
  register = await consentRegisterWorld();
  ({
    context,
    world,
    organisationId,
    schoolId,
    manager,
    practitioner,
    asPractitioner,
    asManager,
    asColleague,
    asDpo,
    asElsewhere,
    childId,
  } = register);
});

const given = (overrides: Partial<ConsentAnswers> = {}) => givenBy(register, overrides);
const row = (id: string) => consentRow(context, id);
const auditActions = (entityId: string) => auditActionsOf(context, entityId);

describe('withdrawal (R3.3, invariant 3)', () => {
  it('takes effect at once: a check on the same day no longer finds consent', async () => {
    const id = await world.consents.record(
      asPractitioner,
      childId,
      given({ purposeIds: ['child-in-need'], givenOn: '2026-11-25' }),
    );
    const request = {
      personId: childId,
      purposeId: 'child-in-need',
      recipientOrganisationId: schoolId,
      categoryIds: ['education'],
    };
    expect(await world.consents.check(asPractitioner, request)).toEqual({
      outcome: 'covered',
      consentId: id,
    });

    await world.consents.withdraw(asPractitioner, id, {
      withdrawnOn: '2026-11-30',
      method: 'telephone',
      by: 'parent_carer',
      note: 'Mother rang the office.',
    });
    expect(await world.consents.check(asPractitioner, request)).toEqual({
      outcome: 'withdrawn',
      consentId: id,
    });
    const records = (
      await context.db.selectFrom('consents').selectAll().where('person_id', '=', childId).execute()
    ).map(toRecord);
    expect(checkConsent(records, { ...request, on: '2026-11-30' }).outcome).toBe('withdrawn');

    expect((await auditActions(id)).map((event) => event.action)).toEqual([
      'consent.recorded',
      'consent.withdrawn',
    ]);
    await expect(
      world.consents.withdraw(asPractitioner, id, {
        withdrawnOn: '2026-11-30',
        method: 'letter',
        by: 'child',
        note: null,
      }),
    ).rejects.toMatchObject({ code: 'CONSENT.ALREADY_WITHDRAWN' });
  });

  it('refuses a withdrawal dated before the consent was given, changing nothing', async () => {
    const id = await world.consents.record(asPractitioner, childId, given({ givenOn: '2026-11-10' }));
    await expect(
      world.consents.withdraw(asPractitioner, id, {
        withdrawnOn: '2026-11-09',
        method: 'letter',
        by: 'child',
        note: null,
      }),
    ).rejects.toMatchObject({ field: 'withdrawnOn' });
    expect((await row(id)).status).toBe('given');
  });

  it('is kept by the database: a consent’s content cannot be edited, a withdrawal cannot be undone, nothing can be deleted', async () => {
    const id = await world.consents.record(asPractitioner, childId, given({ givenOn: '2026-11-11' }));
    await expect(
      context.db
        .updateTable('consents')
        .set({ purpose_ids: ['health-care'] })
        .where('id', '=', id)
        .execute(),
    ).rejects.toThrow(/never edited/);
    await world.consents.withdraw(asPractitioner, id, {
      withdrawnOn: '2026-11-30',
      method: 'in_person',
      by: 'both',
      note: null,
    });
    await expect(
      context.db
        .updateTable('consents')
        .set({ status: 'given', withdrawn_on: null })
        .where('id', '=', id)
        .execute(),
    ).rejects.toThrow();
    await expect(context.db.deleteFrom('consents').where('id', '=', id).execute()).rejects.toThrow(
      /history is kept/,
    );
    await expect(
      context.db.deleteFrom('consent_events').where('consent_id', '=', id).execute(),
    ).rejects.toThrow(/history is kept/);
    expect((await row(id)).status).toBe('withdrawn');
  });
});

describe('review (R3.4)', () => {
  it('sets a new review date when the consent still stands, and supersedes it when it has changed', async () => {
    const id = await world.consents.record(
      asPractitioner,
      childId,
      given({ purposeIds: ['leaving-care'], givenOn: '2026-01-05', reviewOn: '2026-11-01' }),
    );
    await world.consents.review(asPractitioner, id, {
      outcome: 'still_valid',
      nextReviewOn: '2027-06-01',
      note: 'Discussed with Amelia and her mother.',
    });
    expect(await row(id)).toMatchObject({
      review_on: '2027-06-01',
      last_reviewed_on: '2026-11-30',
      review_overdue_since: null,
      status: 'given',
    });
    await expect(
      world.consents.review(asPractitioner, id, {
        outcome: 'still_valid',
        nextReviewOn: '2026-11-30',
        note: null,
      }),
    ).rejects.toMatchObject({ field: 'nextReviewOn' });

    const replacement = await world.consents.record(
      asPractitioner,
      childId,
      given({
        purposeIds: ['leaving-care'],
        givenOn: '2026-11-30',
        categoryIds: ['education'],
        supersedesId: id,
      }),
    );
    expect(await row(id)).toMatchObject({ status: 'superseded', superseded_by: replacement });
    expect(await row(replacement)).toMatchObject({ status: 'given', supersedes_id: id });
    expect((await auditActions(id)).map((event) => event.action)).toEqual([
      'consent.recorded',
      'consent.reviewed',
      'consent.superseded',
    ]);
    // A superseded record cannot be reviewed, withdrawn or superseded again.
    await expect(
      world.consents.review(asPractitioner, id, {
        outcome: 'still_valid',
        nextReviewOn: '2027-06-01',
        note: null,
      }),
    ).rejects.toMatchObject({ code: 'CONSENT.NOT_LIVE' });
    await expect(
      world.consents.record(asPractitioner, childId, given({ supersedesId: id })),
    ).rejects.toMatchObject({ code: 'CONSENT.SUPERSEDES_INVALID' });
  });
});

describe('reviews due and the daily reminder job', () => {
  let teamChildId: string;
  let overdueId: string;
  let dueSoonId: string;
  let laterId: string;

  beforeAll(async () => {
    teamChildId = await addPerson(world, organisationId, {
      givenNames: 'Oliver',
      familyName: 'Bennett',
      dateOfBirth: '2019-08-30',
      allocateTo: practitioner.id,
    });
    overdueId = await world.consents.record(
      asPractitioner,
      teamChildId,
      given({
        parentCarerId: null,
        givenByChild: true,
        givenOn: '2026-01-10',
        reviewOn: '2026-11-15',
        childCapacity: 'competent',
      }),
    );
    dueSoonId = await world.consents.record(
      asPractitioner,
      teamChildId,
      given({ parentCarerId: null, givenOn: '2026-01-11', reviewOn: '2026-12-20' }),
    );
    laterId = await world.consents.record(
      asPractitioner,
      teamChildId,
      given({ parentCarerId: null, givenOn: '2026-01-12', reviewOn: '2027-06-01' }),
    );
  });

  it('lists overdue and soon-due reviews for the allocated practitioner, their manager and the DPO, but not for a colleague', async () => {
    const mine = await world.consents.reviewsFor(asPractitioner);
    expect(mine.scope).toBe('mine');
    expect(mine.overdue.map((item) => item.consentId)).toContain(overdueId);
    expect(mine.dueSoon.map((item) => item.consentId)).toContain(dueSoonId);
    expect([...mine.overdue, ...mine.dueSoon].map((item) => item.consentId)).not.toContain(laterId);
    expect(mine.overdue.find((item) => item.consentId === overdueId)?.personName).toBe('Oliver Bennett');

    const team = await world.consents.reviewsFor(asManager);
    expect(team.scope).toBe('team');
    expect(team.overdue.map((item) => item.consentId)).toContain(overdueId);
    const organisation = await world.consents.reviewsFor(asDpo);
    expect(organisation.scope).toBe('organisation');
    expect(organisation.overdue.map((item) => item.consentId)).toContain(overdueId);
    const colleagues = await world.consents.reviewsFor(asColleague);
    expect([...colleagues.overdue, ...colleagues.dueSoon]).toEqual([]);
    expect(
      (await world.consents.reviewsFor(asElsewhere)).overdue.map((item) => item.consentId),
    ).not.toContain(overdueId);
  });

  it('marks overdue consents, tells the practitioner and their manager once a day without personal data, and expires consents past their expiry', async () => {
    const expiring = await world.consents.record(
      asPractitioner,
      teamChildId,
      given({
        parentCarerId: null,
        givenOn: '2026-06-01',
        expiresOn: '2026-11-29',
        purposeIds: ['youth-justice'],
      }),
    );
    const mailBefore = await context.db
      .selectFrom('mail_outbox')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    const first = await world.consents.runReviewReminders();
    expect(first.markedOverdue).toBeGreaterThanOrEqual(1);
    expect(first.expired).toBe(1);
    expect(first.notified).toBe(2);
    expect(await row(overdueId)).toMatchObject({ review_overdue_since: '2026-11-30', status: 'given' });
    expect(await row(dueSoonId)).toMatchObject({ review_overdue_since: null });
    expect(await row(expiring)).toMatchObject({ status: 'expired' });
    expect((await auditActions(overdueId)).map((event) => event.action)).toContain('consent.review_overdue');
    expect((await auditActions(expiring)).map((event) => event.action)).toContain('consent.expired');
    expect(
      (
        await world.consents.check(asPractitioner, {
          personId: teamChildId,
          purposeId: 'youth-justice',
          recipientOrganisationId: schoolId,
          categoryIds: ['education'],
        })
      ).outcome,
    ).toBe('expired');

    const notices = await context.db
      .selectFrom('notifications')
      .selectAll()
      .where('kind', '=', 'consent.review_overdue')
      .execute();
    expect(notices.map((notice) => notice.user_id).sort()).toEqual([manager.id, practitioner.id].sort());
    for (const notice of notices) {
      expect(notice.subject).toBe('Consent reviews are overdue');
      expect(notice.link).toBe('/consents/reviews');
      expect(notice.body).toMatch(/^\d+ consent records? allocated to (you|your team) needs? review\.$/);
    }
    expect(notices.find((notice) => notice.user_id === manager.id)?.body).toContain('your team');
    const mail = await context.db.selectFrom('mail_outbox').selectAll().execute();
    expect(mail.length).toBe(Number(mailBefore.count) + 2);
    const people = await context.db
      .selectFrom('people')
      .select(['given_names', 'family_name', 'nhs_number', 'date_of_birth'])
      .execute();
    for (const message of [...mail, ...notices]) {
      for (const person of people) {
        expect(`${message.subject} ${message.body}`).not.toContain(person.family_name);
        expect(`${message.subject} ${message.body}`).not.toContain(person.given_names);
        if (person.nhs_number !== null)
          expect(`${message.subject} ${message.body}`).not.toContain(person.nhs_number);
      }
    }

    // Again the same day: nothing new to mark, nobody told twice.
    expect(await world.consents.runReviewReminders()).toEqual({ markedOverdue: 0, notified: 0, expired: 0 });
    // The next day they are reminded again, still once each.
    context.clock.advance(24 * 60 * 60 * 1000);
    expect(await world.consents.runReviewReminders()).toMatchObject({ markedOverdue: 0, notified: 2 });
    context.clock.advance(-24 * 60 * 60 * 1000);
  });

  it('clears the overdue flag when the consent is reviewed', async () => {
    await world.consents.review(asPractitioner, overdueId, {
      outcome: 'still_valid',
      nextReviewOn: '2027-11-30',
      note: null,
    });
    expect(await row(overdueId)).toMatchObject({ review_overdue_since: null, review_on: '2027-11-30' });
    const history = await sql<{
      kind: string;
    }>`SELECT kind FROM consent_events WHERE consent_id = ${overdueId} ORDER BY recorded_at`.execute(
      context.db,
    );
    expect(history.rows.map((event) => event.kind)).toEqual(['recorded', 'review_overdue', 'reviewed']);
  });
});

describe('hot paths use indexes', () => {
  it('finds a person’s consents and an organisation’s due reviews by index', async () => {
    const plans = await context.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const person = await sql<{
        'QUERY PLAN': string;
      }>`EXPLAIN SELECT * FROM consents WHERE person_id = ${childId} ORDER BY given_on DESC`.execute(trx);
      const reviews = await sql<{
        'QUERY PLAN': string;
      }>`EXPLAIN SELECT id FROM consents WHERE organisation_id = ${organisationId} AND status IN ('given', 'refused', 'not_sought') AND review_on <= '2026-12-30'`.execute(
        trx,
      );
      return [person, reviews].map((plan) => plan.rows.map((row) => row['QUERY PLAN']).join('\n'));
    });
    expect(plans[0]).toMatch(/Index.* using consents_person_idx/);
    // Either partial index on live consents serves it; the planner picks by the data at hand.
    expect(plans[1]).toMatch(/Index.* using consents_(review|overdue)_idx/);
    expect(plans.join('\n')).not.toContain('Seq Scan');
  });
});
