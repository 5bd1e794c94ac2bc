import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  relate,
  viewerOf,
  type ConsentWorld,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import type { Viewer } from '../auth/index.ts';
import { loadPolicyPack, parsePolicyPack, PolicyPackError } from '../policy/index.ts';
import { checkConsent } from './consent.check.ts';
import { ConsentAccessError, ConsentRuleError } from './consent.errors.ts';
import { consentForm, defaultReviewOn, type ConsentAnswers } from './consent.schema.ts';
import { toRecord } from './consent.service.ts';

let context: TestContext;
let world: ConsentWorld;
let organisationId: string;
let otherOrganisationId: string;
let schoolId: string;
let manager: TestStaff;
let practitioner: TestStaff;
let colleague: TestStaff;
let asPractitioner: Viewer;
let asManager: Viewer;
let asColleague: Viewer;
let asDpo: Viewer;
let asElsewhere: Viewer;
let childId: string;
let motherId: string;
let uncleId: string;

beforeAll(async () => {
  context = await testApp();
  world = consentWorld(context);
  organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  otherOrganisationId = await createOrganisation(context, {
    name: `Wiltshire Council ${randomUUID().slice(0, 6)}`,
  });
  schoolId = await createOrganisation(context, {
    name: `Drove Primary School ${randomUUID().slice(0, 6)}`,
    hosted: false,
  });
  manager = await createStaff(context, { organisationId, roles: ['manager'], displayName: 'Helen Okafor' });
  practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
    lineManagerId: manager.id,
  });
  colleague = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Tom Walsh',
  });
  const dpo = await createStaff(context, { organisationId, roles: ['dpo'], displayName: 'Grace Lin' });
  const elsewhere = await createStaff(context, {
    organisationId: otherOrganisationId,
    roles: ['practitioner', 'dpo'],
  });
  asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  asManager = viewerOf(manager, ['manager'], 'Helen Okafor');
  asColleague = viewerOf(colleague, ['practitioner'], 'Tom Walsh');
  asDpo = viewerOf(dpo, ['dpo'], 'Grace Lin');
  asElsewhere = viewerOf(elsewhere, ['practitioner', 'dpo']);
  childId = await addPerson(world, organisationId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: practitioner.id,
  });
  motherId = await addPerson(world, organisationId, {
    givenNames: 'Rachel',
    familyName: 'Hughes',
    dateOfBirth: '1986-02-03',
  });
  uncleId = await addPerson(world, organisationId, {
    givenNames: 'Gareth',
    familyName: 'Hughes',
    dateOfBirth: '1980-09-21',
  });
  await relate(context, organisationId, childId, motherId, 'mother', true);
  await relate(context, organisationId, childId, uncleId, 'aunt_or_uncle', false);
});

function given(overrides: Partial<ConsentAnswers> = {}): ConsentAnswers {
  return givenConsentAnswers({ parentCarerId: motherId, recipientOrganisationIds: [schoolId], ...overrides });
}

async function row(id: string) {
  return context.db.selectFrom('consents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function auditActions(entityId: string) {
  const events = await context.db
    .selectFrom('audit_events')
    .select(['action', 'person_id', 'change'])
    .where('entity_id', '=', entityId)
    .orderBy('seq')
    .execute();
  return events;
}

describe('the policy pack', () => {
  it('loads the default pack, validated, with review intervals as data', () => {
    const pack = loadPolicyPack();
    expect(pack.version).toMatch(/^\d{4}\.\d{2}-\d+$/);
    expect(pack.purposes.find((purpose) => purpose.id === 'multi-agency-safeguarding')?.reviewMonths).toBe(6);
    expect(pack.consentNotSoughtReasons.find((reason) => reason.id === 'other')?.requiresDetail).toBe(true);
    expect(loadPolicyPack('default')).toBe(pack);
  });

  it('refuses a broken pack with a message naming every problem, and a pack name that is a path', () => {
    const broken = {
      ...loadPolicyPack(),
      purposes: [
        { id: 'early-help', label: 'Early help', description: 'x', reviewMonths: 0 },
        { id: 'early-help', label: 'Again', description: 'y', reviewMonths: 12 },
      ],
      lawfulBasis: [],
    };
    expect(() => parsePolicyPack('default', JSON.stringify(broken))).toThrow(PolicyPackError);
    expect(() => parsePolicyPack('default', JSON.stringify(broken))).toThrow(
      /purposes\.0\.reviewMonths[\s\S]*duplicate id "early-help"|duplicate id "early-help"[\s\S]*purposes\.0\.reviewMonths/,
    );
    expect(() => parsePolicyPack('default', '{ not json')).toThrow(/not valid JSON/);
    expect(() => loadPolicyPack('../../etc/passwd')).toThrow(/not valid/);
    expect(() => loadPolicyPack('no-such-pack')).toThrow(/was not found/);
  });

  it('sets the default review date from the shortest interval of the purposes', () => {
    const pack = loadPolicyPack();
    expect(defaultReviewOn(pack, '2026-11-20', ['early-help'])).toBe('2027-11-20');
    expect(defaultReviewOn(pack, '2026-11-20', ['early-help', 'multi-agency-safeguarding'])).toBe(
      '2027-05-20',
    );
  });
});

describe('recording consent', () => {
  it('records consent given by a child and her mother, with the child’s capacity and view, and audits it', async () => {
    const id = await world.consents.record(asPractitioner, childId, given());
    const stored = toRecord(await row(id));
    expect(stored).toMatchObject({
      decision: 'given',
      status: 'given',
      givenByChild: true,
      parentCarer: { personId: motherId, relationship: 'mother' },
      childCapacity: 'competent',
      prevailingView: 'child',
      purposeIds: ['early-help', 'education-support'],
      recipientOrganisationIds: [schoolId],
      recipientRoles: ['School nurse'],
      toldSharedWithoutConsent: true,
      toldMayWithdraw: true,
      givenOn: '2026-11-20',
      reviewOn: '2027-11-20',
      policyVersion: loadPolicyPack().version,
      recordedBy: practitioner.id,
    });
    expect(await world.consents.find(asPractitioner, id)).toEqual(stored);
    const events = await auditActions(id);
    expect(events.map((event) => event.action)).toEqual(['consent.recorded']);
    expect(events[0]?.person_id).toBe(childId);
    expect(JSON.stringify(events[0]?.change)).not.toContain('reading');
    const history = await context.db
      .selectFrom('consent_events')
      .select(['kind', 'status_after'])
      .where('consent_id', '=', id)
      .execute();
    expect(history).toEqual([{ kind: 'recorded', status_after: 'given' }]);
  });

  it('records a refusal, which the check then reports', async () => {
    const id = await world.consents.record(
      asPractitioner,
      childId,
      given({
        decision: 'refused',
        purposeIds: ['health-care'],
        givenOn: '2026-11-21',
        toldSharedWithoutConsent: true,
        toldMayWithdraw: null,
        retentionPeriod: null,
        retentionFormIds: [],
      }),
    );
    expect((await row(id)).status).toBe('refused');
    const result = await world.consents.check(asPractitioner, {
      personId: childId,
      purposeId: 'health-care',
      recipientOrganisationId: schoolId,
      categoryIds: ['health'],
    });
    expect(result).toEqual({ outcome: 'refused', consentId: id });
  });

  it('records that consent was not sought, and why (R3.1)', async () => {
    const id = await world.consents.record(
      asPractitioner,
      childId,
      given({
        decision: 'not_sought',
        purposeIds: ['multi-agency-safeguarding'],
        givenByChild: false,
        parentCarerId: null,
        childCapacity: null,
        prevailingView: null,
        childView: null,
        toldSharedWithoutConsent: null,
        toldMayWithdraw: null,
        howGiven: null,
        notSoughtReasonId: 'prejudice-enquiry',
        notSoughtDetail: null,
      }),
    );
    const stored = await row(id);
    expect(stored).toMatchObject({
      decision: 'not_sought',
      status: 'not_sought',
      not_sought_reason: 'prejudice-enquiry',
      review_on: '2027-05-20',
    });
  });

  it('refuses a parent or carer without parental responsibility, and someone who is not family', async () => {
    const before = await context.db
      .selectFrom('consents')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    await expect(
      world.consents.record(asPractitioner, childId, given({ parentCarerId: uncleId })),
    ).rejects.toMatchObject({ code: 'CONSENT.NO_PARENTAL_RESPONSIBILITY', field: 'parentCarerId' });
    await expect(
      world.consents.record(asPractitioner, childId, given({ parentCarerId: randomUUID() })),
    ).rejects.toMatchObject({ code: 'CONSENT.PARENT_CARER_UNKNOWN' });
    await expect(
      world.consents.record(asPractitioner, childId, given({ recipientOrganisationIds: [randomUUID()] })),
    ).rejects.toMatchObject({ code: 'CONSENT.RECIPIENT_UNKNOWN' });
    await expect(
      world.consents.record(asPractitioner, childId, given({ givenOn: '2027-01-01' })),
    ).rejects.toBeInstanceOf(ConsentRuleError);
    await expect(
      world.consents.record(asPractitioner, childId, given({ reviewOn: '2026-11-01' })),
    ).rejects.toMatchObject({ field: 'reviewOn' });
    const after = await context.db
      .selectFrom('consents')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    expect(after.count).toBe(before.count);
  });

  it('lets the database refuse an uninformed "given" consent even if the service were bypassed (R3.2, R3.3)', async () => {
    await expect(
      context.db
        .insertInto('consents')
        .values({
          organisation_id: organisationId,
          person_id: childId,
          decision: 'given',
          status: 'given',
          policy_version: 'x',
          given_by_child: true,
          purpose_ids: ['early-help'],
          told_shared_without_consent: false,
          told_may_withdraw: true,
          how_given: 'verbal',
          given_on: '2026-11-01',
          review_on: '2027-11-01',
          recorded_by: practitioner.id,
          created_at: new Date(),
          changed_at: new Date(),
        })
        .execute(),
    ).rejects.toThrow(/check constraint/);
  });
});

describe('the consent form', () => {
  const pack = loadPolicyPack();
  const form = (dateOfBirth: string | null) => consentForm({ pack, today: '2026-11-30', dateOfBirth });
  const answers = {
    decision: 'given',
    'givenOn-day': '20',
    'givenOn-month': '11',
    'givenOn-year': '2026',
    consentGivenBy: ['child', 'parent_carer'],
    parentCarerId: randomUUID(),
    childCapacity: 'competent',
    childView: 'Happy to share',
    prevailingView: 'child',
    purposeIds: 'early-help',
    useDescription: 'Planning support',
    recipientOrganisationIds: randomUUID(),
    recipientRoles: 'School nurse\n  school   nurse \nGP',
    methodIds: ['telephone'],
    categoryIds: ['education'],
    retentionPeriod: 'Six years',
    retentionFormIds: 'electronic',
    toldSharedWithoutConsent: 'yes',
    toldMayWithdraw: 'yes',
    howGiven: 'verbal',
  };

  it('shapes good answers, dropping duplicate roles', () => {
    const parsed = form('2014-05-12').safeParse(answers);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.recipientRoles).toEqual(['School nurse', 'GP']);
    expect(parsed.data?.purposeIds).toEqual(['early-help']);
  });

  it('asks nothing about capacity for an adult', () => {
    const parsed = form('1990-01-01').safeParse({
      ...answers,
      childCapacity: '',
      childView: '',
      prevailingView: '',
    });
    expect(parsed.success).toBe(true);
    expect(parsed.data?.childCapacity).toBeNull();
  });

  it('refuses each rule with its own message', () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { ...answers, 'givenOn-day': '1', 'givenOn-month': '12' },
        'Date of the decision must be today or in the past',
      ],
      [{ ...answers, 'givenOn-day': '31', 'givenOn-month': '2' }, 'Date of the decision must be a real date'],
      [
        { ...answers, 'reviewOn-day': '1', 'reviewOn-month': '11', 'reviewOn-year': '2026' },
        'Review date must be after the date of the decision',
      ],
      [
        { ...answers, toldMayWithdraw: 'no' },
        'Tell them they may withdraw consent at any time before recording consent as given',
      ],
      [{ ...answers, purposeIds: ['early-help', 'marketing'] }, 'Select purposes from the list'],
      [
        { ...answers, consentGivenBy: 'child', childCapacity: 'not_competent' },
        'A child who is not competent to make this decision cannot decide alone: add the parent or carer with parental responsibility',
      ],
      [
        { ...answers, decision: 'not_sought', notSoughtReason: 'other' },
        'Enter more detail about why consent was not sought',
      ],
      [{ ...answers, childView: ['a', 'b'] }, 'The child’s view must be text'],
    ];
    for (const [input, message] of cases) {
      const parsed = form('2014-05-12').safeParse(input);
      expect(parsed.success, message).toBe(false);
      expect(
        parsed.error?.issues.map((issue) => issue.message),
        message,
      ).toContain(message);
    }
  });
});

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

describe('need-to-know (invariant 4)', () => {
  it('sends an unallocated practitioner to the person’s page for a reason, and answers not-found to another organisation', async () => {
    const id = await world.consents.record(asPractitioner, childId, given({ givenOn: '2026-11-12' }));
    await expect(world.consents.forPerson(asColleague, childId)).rejects.toEqual(
      new ConsentAccessError('needs-reason', childId),
    );
    await expect(world.consents.find(asColleague, id)).rejects.toMatchObject({
      kind: 'needs-reason',
      personId: childId,
    });
    await expect(world.consents.forPerson(asElsewhere, childId)).rejects.toMatchObject({ kind: 'not-found' });
    expect(await world.consents.find(asElsewhere, id)).toBeUndefined();
    await expect(world.consents.record(asColleague, childId, given())).rejects.toBeInstanceOf(
      ConsentAccessError,
    );
    // The line manager of the allocated practitioner, and the DPO, may see it.
    expect((await world.consents.forPerson(asManager, childId)).consents.length).toBeGreaterThan(0);
    expect((await world.consents.forPerson(asDpo, childId)).person.id).toBe(childId);
  });

  it('audits every view with the person it concerns', async () => {
    const id = await world.consents.record(asPractitioner, childId, given({ givenOn: '2026-11-13' }));
    const before = await context.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('action', '=', 'consent.viewed')
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    await world.consents.forPerson(asPractitioner, childId);
    await world.consents.details(asPractitioner, id, 'details');
    const after = await context.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('action', '=', 'consent.viewed')
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    expect(Number(after.count) - Number(before.count)).toBe(2);
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
