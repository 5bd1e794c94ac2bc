import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, type TestBrowser } from '../../test/support/browser.ts';
import {
  addPerson,
  consentWorld,
  relate,
  viewerOf,
  type ConsentWorld,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';

let context: TestContext;
let world: ConsentWorld;
let organisationId: string;
let schoolId: string;
let practitioner: TestStaff;
let manager: TestStaff;
let colleague: TestStaff;
let elsewhere: TestStaff;
let childId: string;
let motherId: string;
let uncleId: string;

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  world = consentWorld(context);
  organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const otherOrganisationId = await createOrganisation(context, {
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
  elsewhere = await createStaff(context, {
    organisationId: otherOrganisationId,
    roles: ['practitioner', 'dpo'],
  });
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
    familyName: 'Pryce',
    dateOfBirth: '1980-09-21',
  });
  await relate(context, organisationId, childId, motherId, 'mother', true);
  await relate(context, organisationId, childId, uncleId, 'aunt_or_uncle', false);
});

type Form = Record<string, string | readonly string[]>;

function validConsent(overrides: Form = {}): Form {
  return {
    decision: 'given',
    'givenOn-day': '20',
    'givenOn-month': '11',
    'givenOn-year': '2026',
    consentGivenBy: ['child', 'parent_carer'],
    parentCarerId: motherId,
    childCapacity: 'competent',
    capacityNotAssessedReason: '',
    childView: 'Amelia wants her teacher to know so that she can get help with reading.',
    prevailingView: 'child',
    notSoughtReason: '',
    notSoughtDetail: '',
    purposeIds: ['early-help', 'education-support'],
    useDescription: 'To plan early help with her school.',
    recipientOrganisationIds: [schoolId],
    recipientRoles: 'School nurse',
    methodIds: ['secure-exchange'],
    categoryIds: ['education', 'family-circumstances'],
    retentionPeriod: 'Until Amelia is 25',
    retentionFormIds: ['electronic'],
    toldSharedWithoutConsent: 'yes',
    toldMayWithdraw: 'yes',
    howGiven: 'written',
    evidenceNote: 'Signed form on the case file.',
    'reviewOn-day': '',
    'reviewOn-month': '',
    'reviewOn-year': '',
    'expiresOn-day': '',
    'expiresOn-month': '',
    'expiresOn-year': '',
    supersedesId: '',
    ...overrides,
  };
}

/** A rendered page with no template slips: nothing undefined, no objects printed as text. */
function expectClean(html: string): void {
  const text = html.replace(/<script[\s\S]*?<\/script>/g, '');
  expect(text).not.toMatch(/undefined|\[object Object\]|NaN|Invalid Date/);
}

const uuidPattern = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Records consent through the pages: the form, check your answers, save. Returns the new record's id. */
async function recordThroughPages(browser: TestBrowser, personId: string, form: Form): Promise<string> {
  await browser.get(`/people/${personId}/consents/new`);
  const posted = await browser.post(`/people/${personId}/consents/new`, form);
  expect(posted.statusCode, errorSummary(posted.body).join('; ')).toBe(303);
  expect(posted.headers['location']).toBe(`/people/${personId}/consents/new/check`);
  const check = await browser.get(`/people/${personId}/consents/new/check`);
  expect(check.statusCode).toBe(200);
  const saved = await browser.post(`/people/${personId}/consents/new/check`);
  expect(saved.statusCode).toBe(303);
  const id = new RegExp(`^/consents/(${uuidPattern})\\?done=(recorded|superseded)$`).exec(
    String(saved.headers['location']),
  )?.[1];
  if (id === undefined) throw new Error(`unexpected redirect ${String(saved.headers['location'])}`);
  return id;
}

async function counts() {
  const count = async (table: 'consents' | 'consent_events' | 'consent_drafts') =>
    Number(
      (
        await context.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .executeTakeFirstOrThrow()
      ).count,
    );
  const changes = await context.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('action', 'in', [
      'consent.recorded',
      'consent.withdrawn',
      'consent.reviewed',
      'consent.superseded',
    ])
    .executeTakeFirstOrThrow();
  return {
    consents: await count('consents'),
    events: await count('consent_events'),
    drafts: await count('consent_drafts'),
    changes: Number(changes.count),
  };
}

async function viewsOf(personId: string): Promise<number> {
  const row = await context.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('action', '=', 'consent.viewed')
    .where('person_id', '=', personId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('recording consent through the pages', () => {
  it('records consent given by a child and her mother: form, check your answers, saved record, history', async () => {
    const browser = await signIn(context, practitioner);
    const list = await browser.get(`/people/${childId}/consents`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Record consent');
    expect(list.body).toContain('Amelia Hughes');
    expectClean(list.body);

    const form = await browser.get(`/people/${childId}/consents/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Rachel Hughes (Mother)');
    // Only relatives with parental responsibility are offered.
    expect(form.body).not.toContain('Gareth Pryce');
    expect(form.body).toContain('Multi-agency safeguarding');
    expectClean(form.body);

    await browser.post(`/people/${childId}/consents/new`, validConsent());
    const check = await browser.get(`/people/${childId}/consents/new/check`);
    expect(check.body).toContain('Check your answers before saving the consent record');
    expect(check.body).toContain('Rachel Hughes (Mother, with parental responsibility)');
    expect(check.body).toContain('Early help assessment and support');
    expect(check.body).toContain('20 November 2027');
    expect(check.body).toContain(`/people/${childId}/consents/new#purposeIds`);
    expectClean(check.body);

    const id = await recordThroughPages(browser, childId, validConsent());
    const page = await browser.get(`/consents/${id}?done=recorded`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Consent record saved');
    expect(page.body).toContain('Amelia wants her teacher to know');
    expect(page.body).toContain('Competent to make this decision');
    expect(page.body).toContain('Record withdrawal');
    expect(page.body).toContain('moj-timeline');
    expectClean(page.body);
    expectClean((await browser.get(`/consents/${id}/withdraw`)).body);
    expectClean((await browser.get(`/consents/${id}/review`)).body);

    const after = await browser.get(`/people/${childId}/consents`);
    expect(after.body).toContain('Consent given');
    expect(after.body).toContain('moj-timeline__item');
    expectClean(after.body);
    const stored = await world.consents.find(viewerOf(practitioner, ['practitioner']), id);
    expect(stored).toMatchObject({
      status: 'given',
      parentCarer: { personId: motherId, relationship: 'mother' },
      reviewOn: '2027-11-20',
      recipientRoles: ['School nurse'],
    });
    // The draft is gone once saved.
    expect((await browser.get(`/people/${childId}/consents/new/check`)).headers['location']).toBe(
      `/people/${childId}/consents/new`,
    );
  });

  it('records a refusal and a decision not to seek consent', async () => {
    const browser = await signIn(context, practitioner);
    const refused = await recordThroughPages(
      browser,
      childId,
      validConsent({
        decision: 'refused',
        purposeIds: ['health-care'],
        toldSharedWithoutConsent: 'yes',
        toldMayWithdraw: '',
        retentionPeriod: '',
        retentionFormIds: [],
        methodIds: [],
        categoryIds: ['health'],
        recipientOrganisationIds: [],
      }),
    );
    expect((await browser.get(`/consents/${refused}`)).body).toContain('Consent refused');

    const notSought = await recordThroughPages(
      browser,
      childId,
      validConsent({
        decision: 'not_sought',
        consentGivenBy: [],
        parentCarerId: '',
        notSoughtReason: 'other',
        notSoughtDetail: 'The family has moved and cannot be contacted.',
        purposeIds: ['multi-agency-safeguarding'],
      }),
    );
    const page = await browser.get(`/consents/${notSought}`);
    expect(page.body).toContain('Consent not sought');
    expect(page.body).toContain('The family has moved and cannot be contacted.');
    expect(await world.consents.find(viewerOf(practitioner, ['practitioner']), notSought)).toMatchObject({
      givenByChild: false,
      parentCarer: null,
      childCapacity: null,
      notSoughtReasonId: 'other',
    });
  });

  it('stores an SQL fragment typed as text as plain text', async () => {
    const browser = await signIn(context, practitioner);
    const text = "Robert'); DROP TABLE consents;--";
    const id = await recordThroughPages(browser, childId, validConsent({ useDescription: text }));
    expect((await world.consents.find(viewerOf(practitioner, ['practitioner']), id))?.useDescription).toBe(
      text,
    );
    expect((await browser.get(`/consents/${id}`)).body).toContain('Robert&#39;); DROP TABLE consents;--');
  });
});

describe('withdrawal and review through the pages', () => {
  it('withdraws consent, effective at once, and refuses a second withdrawal', async () => {
    const browser = await signIn(context, practitioner);
    const id = await recordThroughPages(
      browser,
      childId,
      validConsent({ purposeIds: ['child-in-need'], 'givenOn-day': '25' }),
    );
    const request = {
      personId: childId,
      purposeId: 'child-in-need',
      recipientOrganisationId: schoolId,
      categoryIds: ['education'],
    };
    expect((await world.consents.check(viewerOf(practitioner, ['practitioner']), request)).outcome).toBe(
      'covered',
    );

    const form = await browser.get(`/consents/${id}/withdraw`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Withdrawal takes effect at once');
    const early = await browser.post(`/consents/${id}/withdraw`, {
      'withdrawnOn-day': '24',
      'withdrawnOn-month': '11',
      'withdrawnOn-year': '2026',
      withdrawalMethod: 'telephone',
      withdrawnBy: 'parent_carer',
      withdrawalNote: '',
    });
    expect(early.statusCode).toBe(400);
    expect(errorSummary(early.body)).toEqual([
      'Date the withdrawal was received must be on or after the date consent was given',
    ]);
    expect(early.body).toContain('href="#withdrawnOn-day"');

    const response = await browser.post(`/consents/${id}/withdraw`, {
      'withdrawnOn-day': '30',
      'withdrawnOn-month': '11',
      'withdrawnOn-year': '2026',
      withdrawalMethod: 'telephone',
      withdrawnBy: 'parent_carer',
      withdrawalNote: 'Mother rang.',
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers['location']).toBe(`/consents/${id}?done=withdrawn`);
    // Invariant 3: the same day, the register no longer covers the share.
    expect(await world.consents.check(viewerOf(practitioner, ['practitioner']), request)).toEqual({
      outcome: 'withdrawn',
      consentId: id,
    });
    const page = await browser.get(`/consents/${id}?done=withdrawn`);
    expect(page.body).toContain('Withdrawal recorded');
    expect(page.body).toContain('By telephone');
    expect(page.body).not.toContain('Record withdrawal</a>');

    expect((await browser.get(`/consents/${id}/withdraw`)).statusCode).toBe(303);
    const again = await browser.post(`/consents/${id}/withdraw`, {
      'withdrawnOn-day': '30',
      'withdrawnOn-month': '11',
      'withdrawnOn-year': '2026',
      withdrawalMethod: 'letter',
      withdrawnBy: 'child',
    });
    expect(again.statusCode).toBe(400);
    expect(errorSummary(again.body)).toEqual(['This consent has already been withdrawn']);
  });

  it('reviews consent that still stands, and replaces consent that has changed', async () => {
    const browser = await signIn(context, practitioner);
    const id = await recordThroughPages(
      browser,
      childId,
      validConsent({ purposeIds: ['leaving-care'], 'givenOn-day': '2', 'givenOn-month': '1' }),
    );
    expect((await browser.get(`/consents/${id}/review`)).statusCode).toBe(200);
    const past = await browser.post(`/consents/${id}/review`, {
      reviewOutcome: 'still_valid',
      'nextReviewOn-day': '1',
      'nextReviewOn-month': '11',
      'nextReviewOn-year': '2026',
      reviewNote: '',
    });
    expect(past.statusCode).toBe(400);
    expect(errorSummary(past.body)).toEqual(['Next review date must be in the future']);
    const kept = await browser.post(`/consents/${id}/review`, {
      reviewOutcome: 'still_valid',
      'nextReviewOn-day': '1',
      'nextReviewOn-month': '6',
      'nextReviewOn-year': '2027',
      reviewNote: 'Talked it through with Amelia.',
    });
    expect(kept.statusCode).toBe(303);
    expect((await browser.get(String(kept.headers['location']))).body).toContain('Review recorded');

    const changed = await browser.post(`/consents/${id}/review`, { reviewOutcome: 'changed' });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers['location']).toBe(`/people/${childId}/consents/new?supersedes=${id}`);
    const prefilled = await browser.get(String(changed.headers['location']));
    expect(prefilled.statusCode).toBe(200);
    expect(prefilled.body).toContain(`name="supersedesId" value="${id}"`);
    expect(prefilled.body).toContain('Record the changed consent');
    const replacement = await recordThroughPages(
      browser,
      childId,
      validConsent({ purposeIds: ['leaving-care'], categoryIds: ['education'], supersedesId: id }),
    );
    expect(await world.consents.find(viewerOf(practitioner, ['practitioner']), id)).toMatchObject({
      status: 'superseded',
      supersededById: replacement,
    });
    expect((await browser.get(`/consents/${id}`)).body).toContain('See the record that replaces it');
    expect((await browser.get(`/people/${childId}/consents/new?supersedes=${id}`)).statusCode).toBe(404);
    // A hidden field sent back with something other than a consent's id is "no such consent", never a server error.
    const before = await counts();
    await browser.get(`/people/${childId}/consents/new`);
    const forged = await browser.post(
      `/people/${childId}/consents/new`,
      validConsent({ supersedesId: 'Amelia needs help with reading' }),
    );
    expect(forged.statusCode).toBe(400);
    expect(await counts()).toEqual(before);
  });
});

describe('consent reviews page', () => {
  it('shows the allocated practitioner and their manager the reviews overdue and due soon', async () => {
    const childOfTeam = await addPerson(world, organisationId, {
      givenNames: 'Oliver',
      familyName: 'Bennett',
      dateOfBirth: '2019-08-30',
      allocateTo: practitioner.id,
    });
    const browser = await signIn(context, practitioner);
    await recordThroughPages(
      browser,
      childOfTeam,
      validConsent({
        consentGivenBy: ['child'],
        parentCarerId: '',
        'givenOn-day': '10',
        'givenOn-month': '1',
        'reviewOn-day': '15',
        'reviewOn-month': '11',
        'reviewOn-year': '2026',
      }),
    );
    await recordThroughPages(
      browser,
      childOfTeam,
      validConsent({
        consentGivenBy: ['child'],
        parentCarerId: '',
        'givenOn-day': '11',
        'givenOn-month': '1',
        'reviewOn-day': '20',
        'reviewOn-month': '12',
        'reviewOn-year': '2026',
      }),
    );

    const mine = await browser.get('/consents/reviews');
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('Overdue (1)');
    expect(mine.body).toContain('Due in the next 30 days (1)');
    expect(mine.body).toContain('Oliver Bennett');
    expect(mine.body).toContain('href="/consents/reviews"');
    expectClean(mine.body);

    const theirs = await (await signIn(context, manager)).get('/consents/reviews');
    expect(theirs.body).toContain('Oliver Bennett');
    expect(theirs.body).toContain('the staff you manage');
    const others = await (await signIn(context, colleague)).get('/consents/reviews');
    expect(others.body).not.toContain('Oliver Bennett');
    expect(others.body).toContain('No consent reviews are overdue.');
  });
});

describe('need-to-know and auditing (invariant 4)', () => {
  it('sends an unallocated practitioner to the person’s page to give a reason, and answers 404 to another organisation', async () => {
    const id = await recordThroughPages(
      await signIn(context, practitioner),
      childId,
      validConsent({ 'givenOn-day': '21' }),
    );
    const theirs = await signIn(context, colleague);
    for (const url of [
      `/people/${childId}/consents`,
      `/people/${childId}/consents/new`,
      `/people/${childId}/consents/new/check`,
      `/consents/${id}`,
      `/consents/${id}/withdraw`,
      `/consents/${id}/review`,
    ]) {
      const response = await theirs.get(url);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers['location'], url).toBe(`/people/${childId}`);
    }
    const before = await counts();
    expect((await theirs.post(`/people/${childId}/consents/new`, validConsent())).statusCode).toBe(303);
    expect(
      (
        await theirs.post(`/consents/${id}/withdraw`, {
          'withdrawnOn-day': '30',
          'withdrawnOn-month': '11',
          'withdrawnOn-year': '2026',
          withdrawalMethod: 'letter',
          withdrawnBy: 'child',
        })
      ).headers['location'],
    ).toBe(`/people/${childId}`);

    const outsider = await signIn(context, elsewhere);
    for (const url of [
      `/people/${childId}/consents`,
      `/people/${childId}/consents/new`,
      `/consents/${id}`,
      `/consents/${id}/withdraw`,
      `/consents/${id}/review`,
    ]) {
      expect((await outsider.get(url)).statusCode, url).toBe(404);
    }
    expect(
      (
        await outsider.post(`/consents/${id}/withdraw`, {
          'withdrawnOn-day': '30',
          'withdrawnOn-month': '11',
          'withdrawnOn-year': '2026',
          withdrawalMethod: 'letter',
          withdrawnBy: 'child',
        })
      ).statusCode,
    ).toBe(404);
    expect(await counts()).toEqual(before);
    expect((await world.consents.find(viewerOf(practitioner, ['practitioner']), id))?.status).toBe('given');
  });

  it('answers 404 for unknown and malformed ids', async () => {
    const browser = await signIn(context, practitioner);
    for (const id of [randomUUID(), 'not-a-uuid', "1'%20OR%20'1'='1"]) {
      for (const url of [
        `/people/${id}/consents`,
        `/people/${id}/consents/new`,
        `/people/${id}/consents/new/check`,
        `/consents/${id}`,
        `/consents/${id}/withdraw`,
        `/consents/${id}/review`,
      ]) {
        expect((await browser.get(url)).statusCode, url).toBe(404);
      }
      expect((await browser.post(`/consents/${id}/withdraw`, {})).statusCode).toBe(404);
      expect((await browser.post(`/people/${id}/consents/new`, validConsent())).statusCode).toBe(404);
    }
    expect((await browser.get(`/people/${childId}/consents/new?supersedes=not-a-uuid`)).statusCode).toBe(404);
    expect((await browser.get(`/people/${childId}/consents/new?supersedes=${randomUUID()}`)).statusCode).toBe(
      404,
    );
  });

  it('audits every page that shows a person’s consent', async () => {
    const browser = await signIn(context, practitioner);
    const id = await recordThroughPages(browser, childId, validConsent({ 'givenOn-day': '22' }));
    for (const url of [
      `/people/${childId}/consents`,
      `/people/${childId}/consents/new`,
      `/consents/${id}`,
      `/consents/${id}/withdraw`,
      `/consents/${id}/review`,
    ]) {
      const before = await viewsOf(childId);
      expect((await browser.get(url)).statusCode, url).toBe(200);
      expect(await viewsOf(childId), url).toBe(before + 1);
    }
    await browser.post(`/people/${childId}/consents/new`, validConsent());
    const before = await viewsOf(childId);
    expect((await browser.get(`/people/${childId}/consents/new/check`)).statusCode).toBe(200);
    expect(await viewsOf(childId)).toBe(before + 1);
  });
});

describe('bad input changes nothing', () => {
  it('refuses every kind of bad answer on the consent form with an error summary', async () => {
    const browser = await signIn(context, practitioner);
    await browser.get(`/people/${childId}/consents/new`);
    const cases: { answers: Form; expected: string }[] = [
      { answers: {}, expected: 'Select whether consent was given, refused or not sought' },
      {
        answers: validConsent({ 'givenOn-day': '1', 'givenOn-month': '12', 'givenOn-year': '2026' }),
        expected: 'Date of the decision must be today or in the past',
      },
      {
        answers: validConsent({ 'givenOn-day': '31', 'givenOn-month': '4' }),
        expected: 'Date of the decision must be a real date',
      },
      {
        answers: validConsent({ 'reviewOn-day': '1', 'reviewOn-month': '11', 'reviewOn-year': '2026' }),
        expected: 'Review date must be after the date of the decision',
      },
      {
        answers: validConsent({ 'expiresOn-day': '19', 'expiresOn-month': '11', 'expiresOn-year': '2026' }),
        expected: 'Expiry date must be after the date of the decision',
      },
      {
        answers: validConsent({ parentCarerId: uncleId }),
        expected: 'Select a parent or carer with parental responsibility from the list',
      },
      {
        answers: validConsent({ parentCarerId: randomUUID() }),
        expected: 'Select a parent or carer with parental responsibility from the list',
      },
      {
        answers: validConsent({ parentCarerId: "'); DROP TABLE consents;--" }),
        expected: 'Select a parent or carer from the list',
      },
      {
        answers: validConsent({ purposeIds: ['early-help', 'marketing'] }),
        expected: 'Select purposes from the list',
      },
      { answers: validConsent({ purposeIds: [] }), expected: 'Select at least one purpose' },
      {
        answers: validConsent({ categoryIds: ['education', 'bank-details'] }),
        expected: 'Select information from the list',
      },
      {
        answers: validConsent({ methodIds: ['carrier-pigeon'] }),
        expected: 'Select how information will be shared from the list',
      },
      {
        answers: validConsent({ recipientOrganisationIds: [randomUUID()] }),
        expected: 'Select organisations from the partner directory',
      },
      {
        answers: validConsent({ recipientOrganisationIds: ["1' OR '1'='1"] }),
        expected: 'Select organisations from the list',
      },
      {
        answers: validConsent({ toldSharedWithoutConsent: 'no' }),
        expected:
          'Tell them when information may be shared without their consent before recording consent as given',
      },
      {
        answers: validConsent({ toldMayWithdraw: 'no' }),
        expected: 'Tell them they may withdraw consent at any time before recording consent as given',
      },
      {
        answers: validConsent({ childCapacity: '' }),
        expected: 'Select whether the child is competent to make this decision',
      },
      {
        answers: validConsent({ childCapacity: 'not_assessed' }),
        expected: 'Enter why the child’s capacity was not assessed',
      },
      {
        answers: validConsent({ decision: 'not_sought', notSoughtReason: 'bored' }),
        expected: 'Select why consent was not sought',
      },
      {
        answers: validConsent({ childView: 'x'.repeat(5000) }),
        expected: 'The child’s view must be 4000 characters or fewer',
      },
      { answers: validConsent({ childView: ['one', 'two'] }), expected: 'The child’s view must be text' },
      {
        answers: validConsent({ useDescription: '<script>alert(1)</script>' }),
        expected: 'How the information will be used must not contain < or >',
      },
      {
        answers: validConsent({ status: 'withdrawn' }),
        expected: 'The form has a field it does not expect (status)',
      },
      {
        answers: validConsent({ supersedesId: randomUUID() }),
        expected:
          'The consent this record replaces is no longer in force: start again from the person’s consents',
      },
    ];
    const before = await counts();
    for (const { answers, expected } of cases) {
      const response = await browser.post(`/people/${childId}/consents/new`, answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toContain(expected);
      expect(response.body).not.toContain('<script>alert(1)</script>');
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses bad withdrawals and reviews, and a check-your-answers page with extra fields', async () => {
    const browser = await signIn(context, practitioner);
    const id = await recordThroughPages(browser, childId, validConsent({ 'givenOn-day': '23' }));
    const withdrawal = {
      'withdrawnOn-day': '30',
      'withdrawnOn-month': '11',
      'withdrawnOn-year': '2026',
      withdrawalMethod: 'telephone',
      withdrawnBy: 'child',
      withdrawalNote: '',
    };
    const withdrawCases: { answers: Form; expected: string }[] = [
      { answers: {}, expected: 'Enter the date the withdrawal was received' },
      {
        answers: { ...withdrawal, 'withdrawnOn-day': '1', 'withdrawnOn-month': '12' },
        expected: 'Date the withdrawal was received must be today or in the past',
      },
      {
        answers: { ...withdrawal, 'withdrawnOn-day': '22' },
        expected: 'Date the withdrawal was received must be on or after the date consent was given',
      },
      {
        answers: { ...withdrawal, withdrawalMethod: 'pigeon' },
        expected: 'Select how the withdrawal was received',
      },
      {
        answers: { ...withdrawal, withdrawalNote: '<b>note</b>' },
        expected: 'The note must not contain < or >',
      },
      {
        answers: { ...withdrawal, status: 'given' },
        expected: 'The form has a field it does not expect (status)',
      },
    ];
    const reviewCases: { answers: Form; expected: string }[] = [
      { answers: {}, expected: 'Select whether the consent is still valid' },
      { answers: { reviewOutcome: 'still_valid' }, expected: 'Enter the next review date' },
      {
        answers: {
          reviewOutcome: 'still_valid',
          'nextReviewOn-day': '30',
          'nextReviewOn-month': '11',
          'nextReviewOn-year': '2026',
        },
        expected: 'Next review date must be in the future',
      },
      {
        answers: {
          reviewOutcome: 'still_valid',
          'nextReviewOn-day': 'x',
          'nextReviewOn-month': '11',
          'nextReviewOn-year': '2027',
        },
        expected: 'Next review date must be a real date',
      },
      { answers: { reviewOutcome: 'maybe' }, expected: 'Select whether the consent is still valid' },
    ];
    await browser.get(`/consents/${id}/withdraw`);
    const before = await counts();
    for (const { answers, expected } of withdrawCases) {
      const response = await browser.post(`/consents/${id}/withdraw`, answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toContain(expected);
    }
    for (const { answers, expected } of reviewCases) {
      const response = await browser.post(`/consents/${id}/review`, answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toContain(expected);
    }
    await browser.post(`/people/${childId}/consents/new`, validConsent());
    const withDraft = await counts();
    const extra = await browser.post(`/people/${childId}/consents/new/check`, { decision: 'refused' });
    expect(extra.statusCode).toBe(400);
    expect(errorSummary(extra.body)).toEqual(['The form has a field it does not expect (decision)']);
    expect(await counts()).toEqual(withDraft);
    expect(withDraft.consents).toBe(before.consents);
    expect((await world.consents.find(viewerOf(practitioner, ['practitioner']), id))?.status).toBe('given');
  });

  it('never puts personal data in an address it redirects to', async () => {
    const browser = await signIn(context, practitioner);
    const posted = await browser.post(`/people/${childId}/consents/new`, validConsent());
    expect(String(posted.headers['location'])).toMatch(
      new RegExp(`^/people/${uuidPattern}/consents/new/check$`),
    );
    const saved = await browser.post(`/people/${childId}/consents/new/check`);
    expect(String(saved.headers['location'])).toMatch(
      new RegExp(`^/consents/${uuidPattern}\\?done=recorded$`),
    );
  });
});
