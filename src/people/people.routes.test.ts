import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, type TestBrowser } from '../../test/support/browser.ts';
import {
  createOrganisation,
  createPerson,
  createStaff,
  signIn,
  type TestStaff,
} from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import type { Viewer } from '../auth/index.ts';
import { PersonAccessError } from './index.ts';

let context: TestContext;
let organisationId: string;
let otherOrganisationId: string;
let manager: TestStaff;
let otherManager: TestStaff;
let allocated: TestStaff;
let siblingWorker: TestStaff;
let unallocated: TestStaff;
let dpo: TestStaff;
let guardian: TestStaff;
let admin: TestStaff;
let auditor: TestStaff;
let otherDpo: TestStaff;
let child: string;
let sibling: string;
let mother: string;
let stranger: string;

const childName = {
  givenNames: 'Jayden',
  familyName: 'Smith',
  dateOfBirth: '2015-03-02',
  nhsNumber: '9434765919',
  localReference: 'SBC-204417',
};

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  organisationId = await createOrganisation(context, { name: 'Swindon Borough Council' });
  otherOrganisationId = await createOrganisation(context, { name: 'Wiltshire Council' });
  manager = await createStaff(context, { organisationId, roles: ['manager'], displayName: 'Chris Evans' });
  otherManager = await createStaff(context, {
    organisationId,
    roles: ['manager'],
    displayName: 'Dana Patel',
  });
  allocated = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    lineManagerId: manager.id,
    displayName: 'Priya Sharma',
  });
  siblingWorker = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Tom Baker',
  });
  unallocated = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    lineManagerId: otherManager.id,
    displayName: 'Sam Hughes',
  });
  dpo = await createStaff(context, { organisationId, roles: ['dpo'], displayName: 'Morgan Lewis' });
  guardian = await createStaff(context, {
    organisationId,
    roles: ['caldicott_guardian'],
    displayName: 'Alex Reid',
  });
  admin = await createStaff(context, { organisationId, roles: ['admin'] });
  auditor = await createStaff(context, { organisationId, roles: ['auditor'] });
  otherDpo = await createStaff(context, {
    organisationId: otherOrganisationId,
    roles: ['dpo', 'manager', 'practitioner', 'caldicott_guardian'],
  });

  child = await createPerson(context, { organisationId, ...childName, allocatedTo: allocated.id });
  sibling = await createPerson(context, {
    organisationId,
    givenNames: 'Ruby',
    familyName: 'Smith',
    allocatedTo: siblingWorker.id,
  });
  mother = await createPerson(context, {
    organisationId,
    givenNames: 'Kelly',
    familyName: 'Smith',
    dateOfBirth: '1990-07-14',
  });
  stranger = await createPerson(context, {
    organisationId,
    givenNames: 'Anna',
    familyName: 'Kowalski',
    dateOfBirth: '2012-11-30',
  });
  await context.db.transaction().execute(async (trx) => {
    const now = context.clock.now();
    await trx
      .insertInto('person_relationships')
      .values([
        {
          organisation_id: organisationId,
          person_id: child,
          related_person_id: sibling,
          relationship: 'sibling',
          parental_responsibility: false,
          created_at: now,
        },
        {
          organisation_id: organisationId,
          person_id: child,
          related_person_id: mother,
          relationship: 'mother',
          parental_responsibility: true,
          created_at: now,
        },
      ])
      .execute();
  });
});

function viewerFor(staff: TestStaff, roles: Viewer['roles']): Viewer {
  return {
    userId: staff.id,
    displayName: 'Test viewer',
    email: staff.email,
    organisationId: staff.organisationId,
    organisationName: 'Test',
    roles,
  };
}

async function viewEvents(personId: string) {
  return context.db
    .selectFrom('audit_events')
    .select(['action', 'actor_user_id', 'change', 'person_id', 'organisation_id'])
    .where('person_id', '=', personId)
    .where('action', '=', 'person.viewed')
    .orderBy('seq')
    .execute();
}

async function counts() {
  const count = async (
    table:
      | 'people'
      | 'person_relationships'
      | 'allocations'
      | 'break_glass_access'
      | 'audit_events'
      | 'notifications',
  ) =>
    Number(
      (
        await context.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .executeTakeFirstOrThrow()
      ).count,
    );
  return {
    people: await count('people'),
    relationships: await count('person_relationships'),
    allocations: await count('allocations'),
    grants: await count('break_glass_access'),
    events: await count('audit_events'),
    notifications: await count('notifications'),
  };
}

describe('need to know (invariant 4)', () => {
  it('opens the record to those with a legitimate relationship, and audits every view with its basis', async () => {
    const cases: { staff: TestStaff; basis: string }[] = [
      { staff: allocated, basis: 'allocated' },
      { staff: siblingWorker, basis: 'family-member' },
      { staff: manager, basis: 'team' },
      { staff: dpo, basis: 'role' },
      { staff: guardian, basis: 'role' },
    ];
    for (const { staff, basis } of cases) {
      const before = (await viewEvents(child)).length;
      const browser = await signIn(context, staff);
      const page = await browser.get(`/people/${child}`);
      expect(page.statusCode, basis).toBe(200);
      expect(page.body).toContain('Jayden Smith');
      expect(page.body).toContain('943 476 5919');
      expect(page.body).toContain('2 March 2015');
      const events = await viewEvents(child);
      expect(events).toHaveLength(before + 1);
      expect(events.at(-1)).toMatchObject({
        actor_user_id: staff.id,
        organisation_id: organisationId,
        change: { basis, page: 'record' },
      });
    }
  });

  it('shows a practitioner or manager without one only that they have no legitimate relationship, and writes no view', async () => {
    for (const staff of [unallocated, otherManager]) {
      const before = (await viewEvents(child)).length;
      const browser = await signIn(context, staff);
      for (const url of [`/people/${child}`, `/people/${child}/edit`, `/people/${child}/relationships/new`]) {
        const page = await browser.get(url);
        expect(page.statusCode, url).toBe(403);
        expect(page.body).toContain('You do not have a legitimate relationship to this record');
        expect(page.body).not.toContain('Jayden');
        expect(page.body).not.toContain('943 476 5919');
        expect(page.body).toContain(`action="/people/${child}/access"`);
      }
      expect(await viewEvents(child)).toHaveLength(before);
    }
  });

  it('refuses the people pages to administrators and auditors', async () => {
    for (const staff of [admin, auditor]) {
      const browser = await signIn(context, staff);
      for (const url of ['/people', `/people/${child}`, '/people/new', `/people/${child}/access`]) {
        const page = await browser.get(url);
        expect(page.statusCode, url).toBe(403);
        expect(page.body).not.toContain('Jayden');
      }
      expect((await browser.post('/people/search', { query: 'Jayden' })).statusCode).toBe(403);
    }
  });

  it('answers 404 to another organisation, even to its DPO, as if the record did not exist', async () => {
    const browser = await signIn(context, otherDpo);
    const before = await counts();
    for (const url of [
      `/people/${child}`,
      `/people/${child}/edit`,
      `/people/${child}/relationships/new`,
      `/people/${child}/access`,
    ]) {
      const page = await browser.get(url);
      expect(page.statusCode, url).toBe(404);
      expect(page.body).toContain('Page not found');
      expect(page.body).not.toContain('legitimate relationship');
    }
    expect(
      (await browser.post(`/people/${child}/access`, { reason: 'Safeguarding concern raised by school' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await browser.post(`/people/${child}/edit`, { givenNames: 'X', familyName: 'Y' })).statusCode,
    ).toBe(404);
    expect((await browser.post(`/people/${child}/allocations`, { userId: otherDpo.id })).statusCode).toBe(
      404,
    );
    const search = await browser.post('/people/search', { query: 'Jayden Smith' });
    expect(search.statusCode).toBe(200);
    expect(search.body).not.toContain('Smith, Jayden');
    expect(search.body).not.toContain(`/people/${child}`);
    expect(search.body).toContain('No records match your search');
    const after = await counts();
    expect(after).toEqual(before);
    await expect(
      context.services.people.requireAccess(viewerFor(otherDpo, ['dpo']), child),
    ).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('gives the other capabilities the same answers: requireAccess, relatives and allocatedPeopleIds', async () => {
    const people = context.services.people;
    const before = (await counts()).events;
    const summary = await people.requireAccess(viewerFor(allocated, ['practitioner']), child);
    expect(summary).toEqual({
      id: child,
      organisationId,
      givenNames: 'Jayden',
      familyName: 'Smith',
      knownAs: null,
      dateOfBirth: '2015-03-02',
      nhsNumber: '9434765919',
      localReference: 'SBC-204417',
    });
    const refused = await people
      .requireAccess(viewerFor(unallocated, ['practitioner']), child)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PersonAccessError);
    expect(refused).toMatchObject({ kind: 'needs-reason' });
    await expect(
      people.requireAccess(viewerFor(allocated, ['practitioner']), randomUUID()),
    ).rejects.toMatchObject({ kind: 'not-found' });

    const relatives = await people.relatives(viewerFor(allocated, ['practitioner']), child);
    expect(
      relatives
        .map((relative) => [
          relative.person.givenNames,
          relative.relationship,
          relative.parentalResponsibility,
        ])
        .sort(),
    ).toEqual([
      ['Kelly', 'mother', true],
      ['Ruby', 'sibling', false],
    ]);
    // Seen from the mother's record, Jayden is her child (and has no parental responsibility for her).
    const hers = await people.relatives(viewerFor(dpo, ['dpo']), mother);
    expect(
      hers.map((relative) => [
        relative.person.givenNames,
        relative.relationship,
        relative.parentalResponsibility,
      ]),
    ).toEqual([['Jayden', 'child', false]]);
    await expect(people.relatives(viewerFor(unallocated, ['practitioner']), child)).rejects.toMatchObject({
      kind: 'needs-reason',
    });

    expect(await people.allocatedPeopleIds([allocated.id])).toEqual([child]);
    expect((await people.allocatedPeopleIds([allocated.id, siblingWorker.id])).sort()).toEqual(
      [child, sibling].sort(),
    );
    expect(await people.allocatedPeopleIds([])).toEqual([]);
    expect((await counts()).events).toBe(before);
  });
});

describe('a reason for access (break-glass)', () => {
  it('opens the record for 24 hours, tells the line manager and every DPO without personal data, and is reviewed', async () => {
    const secondDpo = await createStaff(context, {
      organisationId,
      roles: ['dpo', 'practitioner'],
      displayName: 'Jo Grant',
    });
    const person = await createPerson(context, {
      organisationId,
      givenNames: 'Aisha',
      familyName: 'Begum',
      dateOfBirth: '2016-05-09',
      nhsNumber: '9990000018',
      localReference: 'SBC-771203',
    });
    const browser = await signIn(context, unallocated);
    expect((await browser.get(`/people/${person}`)).statusCode).toBe(403);
    const form = await browser.get(`/people/${person}/access`);
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain('Aisha');

    const before = await counts();
    const short = await browser.post(`/people/${person}/access`, { reason: 'need it' });
    expect(short.statusCode).toBe(400);
    expect(errorSummary(short.body)).toEqual(['Reason must be 10 characters or more']);
    expect(short.body).not.toContain('Aisha');
    const long = await browser.post(`/people/${person}/access`, { reason: 'x'.repeat(2001) });
    expect(errorSummary(long.body)).toEqual(['Reason must be 2000 characters or fewer']);
    const extra = await browser.post(`/people/${person}/access`, {
      reason: 'Safeguarding referral from school',
      expiresAt: '2099-01-01',
    });
    expect(errorSummary(extra.body)).toEqual(['The form has a field it does not expect (expiresAt)']);
    expect(await counts()).toEqual(before);

    const reason = 'Safeguarding referral received from the school nurse out of hours';
    const granted = await browser.post(`/people/${person}/access`, { reason });
    expect(granted.statusCode).toBe(303);
    expect(granted.headers['location']).toBe(`/people/${person}?done=reason-recorded`);
    const page = await browser.get(String(granted.headers['location']));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Aisha Begum');
    expect(page.body).toContain('you recorded a reason for access');
    expect((await viewEvents(person)).at(-1)?.change).toEqual({ basis: 'break-glass', page: 'record' });

    const grantEvent = await context.db
      .selectFrom('audit_events')
      .select(['change', 'actor_user_id'])
      .where('person_id', '=', person)
      .where('action', '=', 'person.break_glass')
      .executeTakeFirstOrThrow();
    expect(grantEvent.actor_user_id).toBe(unallocated.id);
    expect(grantEvent.change).toMatchObject({ reason });

    const notices = await context.db
      .selectFrom('notifications')
      .selectAll()
      .where('kind', '=', 'people.break_glass')
      .execute();
    expect(notices.map((notice) => notice.user_id).sort()).toEqual(
      [otherManager.id, dpo.id, secondDpo.id].sort(),
    );
    const outbox = await context.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('subject', '=', 'A reason for access was recorded')
      .execute();
    expect(outbox).toHaveLength(3);
    const personal = [
      'Aisha',
      'Begum',
      '2016-05-09',
      '9 May 2016',
      '9990000018',
      '999 000 0018',
      'SBC-771203',
      reason,
    ];
    for (const text of [
      ...notices.flatMap((notice) => [notice.subject, notice.body, notice.link]),
      ...outbox.flatMap((mail) => [mail.subject, mail.body]),
    ]) {
      for (const identifier of personal) expect(text).not.toContain(identifier);
    }
    expect(notices.every((notice) => notice.link === '/people/access-reviews')).toBe(true);

    // The line manager reviews it; the practitioner cannot see the review list.
    expect((await browser.get('/people/access-reviews')).statusCode).toBe(403);
    const managerBrowser = await signIn(context, otherManager);
    const reviews = await managerBrowser.get('/people/access-reviews');
    expect(reviews.statusCode).toBe(200);
    expect(reviews.body).toContain('Sam Hughes');
    expect(reviews.body).toContain(reason);
    expect(reviews.body).not.toContain('Aisha');
    const grant = await context.db
      .selectFrom('break_glass_access')
      .select(['id', 'granted_at', 'expires_at'])
      .where('person_id', '=', person)
      .executeTakeFirstOrThrow();
    expect(grant.expires_at.getTime() - grant.granted_at.getTime()).toBe(24 * 3_600_000);
    const extraField = await managerBrowser.post(`/people/access-reviews/${grant.id}/reviewed`, {
      outcome: 'fine',
    });
    expect(extraField.statusCode).toBe(400);
    expect(errorSummary(extraField.body)).toEqual(['The form has a field it does not expect (outcome)']);
    // A manager of someone else cannot review it.
    const notTheirs = await signIn(context, manager);
    expect((await notTheirs.post(`/people/access-reviews/${grant.id}/reviewed`)).statusCode).toBe(404);
    const reviewed = await managerBrowser.post(`/people/access-reviews/${grant.id}/reviewed`);
    expect(reviewed.statusCode).toBe(303);
    expect((await managerBrowser.get(String(reviewed.headers['location']))).body).toContain(
      'Marked as reviewed',
    );
    const again = await managerBrowser.post(`/people/access-reviews/${grant.id}/reviewed`);
    expect(again.statusCode).toBe(400);
    expect(errorSummary(again.body)).toEqual(['That reason for access has already been reviewed']);
    const dpoReviews = await (await signIn(context, dpo)).get('/people/access-reviews');
    expect(dpoReviews.body).toContain('Reviewed');
    expect(
      await context.db
        .selectFrom('audit_events')
        .select('action')
        .where('person_id', '=', person)
        .where('action', '=', 'person.access_reviewed')
        .execute(),
    ).toHaveLength(1);

    // 24 hours later the record is closed again.
    context.clock.set(new Date(grant.expires_at.getTime() - 120_000));
    expect((await (await signIn(context, unallocated)).get(`/people/${person}`)).statusCode).toBe(200);
    context.clock.set(grant.expires_at);
    const expired = await (await signIn(context, unallocated)).get(`/people/${person}`);
    expect(expired.statusCode).toBe(403);
    expect(expired.body).not.toContain('Aisha');
  });
});

describe('finding people', () => {
  let browser: TestBrowser;
  let kowalski: string;
  let jaydenJones: string;
  beforeAll(async () => {
    kowalski = await createPerson(context, {
      organisationId,
      givenNames: 'Zofia',
      familyName: 'Kowalski',
      dateOfBirth: '2014-01-20',
      allocatedTo: allocated.id,
    });
    jaydenJones = await createPerson(context, {
      organisationId,
      givenNames: 'Jayden',
      familyName: 'Jones',
      knownAs: 'JJ',
      dateOfBirth: '2013-06-01',
      upn: 'B801200005001',
      allocatedTo: allocated.id,
    });
    await createPerson(context, {
      organisationId: otherOrganisationId,
      givenNames: 'Jayden',
      familyName: 'Smith',
      dateOfBirth: '2015-03-02',
    });
    browser = await signIn(context, allocated);
    await browser.get('/people');
  });

  /** The results section of the page (the caseload below it lists people too). */
  async function search(answers: Record<string, string>) {
    const response = await browser.post('/people/search', answers);
    expect(response.statusCode).toBe(200);
    const start = response.body.indexOf('id="results"');
    const end = response.body.indexOf('My caseload');
    expect(start).toBeGreaterThan(-1);
    return response.body.slice(start, end);
  }

  it('finds names despite typos and from parts of names', async () => {
    const jaden = await search({ query: 'jaden' });
    expect(jaden).toContain(`/people/${child}`);
    expect(jaden).toContain(`/people/${jaydenJones}`);
    const smiht = await search({ query: 'smiht' });
    expect(smiht).toContain(`/people/${child}`);
    expect(smiht).not.toContain(`/people/${jaydenJones}`);
    const kowal = await search({ query: 'Kowal' });
    expect(kowal).toContain(`/people/${kowalski}`);
    expect(kowal).toContain('Kowalski, Zofia');
    const both = await search({ query: 'smith jaden' });
    expect(both).toContain(`/people/${child}`);
    expect(both).not.toContain(`/people/${jaydenJones}`);
    const knownAs = await search({ query: 'jj' });
    expect(knownAs).toContain(`/people/${jaydenJones}`);
    const nothing = await search({ query: 'Xerxes Quimby' });
    expect(nothing).toContain('No records match your search');
  });

  it('finds by date of birth, NHS number, case reference and UPN', async () => {
    const byBirth = await search({
      'dateOfBirth-day': '2',
      'dateOfBirth-month': '3',
      'dateOfBirth-year': '2015',
    });
    expect(byBirth).toContain(`/people/${child}`);
    expect(byBirth).not.toContain(`/people/${kowalski}`);
    const nameAndBirth = await search({
      query: 'jaden',
      'dateOfBirth-day': '1',
      'dateOfBirth-month': '6',
      'dateOfBirth-year': '2013',
    });
    expect(nameAndBirth).toContain(`/people/${jaydenJones}`);
    expect(nameAndBirth).not.toContain(`/people/${child}`);
    expect(await search({ query: '943 476 5919' })).toContain(`/people/${child}`);
    expect(await search({ query: '9434765919' })).toContain(`/people/${child}`);
    expect(await search({ query: 'sbc-204417' })).toContain(`/people/${child}`);
    expect(await search({ query: 'B801200005001' })).toContain(`/people/${jaydenJones}`);
    const wrongCheck = await search({ query: '943 476 5918' });
    expect(wrongCheck).toContain('That is not a valid NHS number');
  });

  it('shows only records the viewer may open; the others are counted, with a way to give a reason', async () => {
    const body = await search({ query: 'Anna Kowalski' });
    expect(body).not.toContain('Kowalski, Anna');
    expect(body).not.toContain('2012');
    expect(body).toContain('1 more record matches that you are not allocated to');
    expect(body).toContain(`/people/${stranger}/access`);
    const dpoBrowser = await signIn(context, dpo);
    const asDpo = await dpoBrowser.post('/people/search', { query: 'Anna Kowalski' });
    expect(asDpo.body).toContain('Kowalski, Anna');
    expect(asDpo.body).not.toContain('not allocated to');
  });

  it('never puts the search in the address, and shows the caseload', async () => {
    const page = await browser.get('/people');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('method="post" action="/people/search"');
    expect(page.body).toContain('My caseload');
    expect(page.body).toContain('Smith, Jayden');
    expect(page.body).toContain('Kowalski, Zofia');
    expect(page.body).not.toContain('Kowalski, Anna');
    const team = await (await signIn(context, manager)).get('/people');
    expect(team.body).toContain('My team’s caseload');
    expect(team.body).toContain('Priya Sharma');
    expect(team.body).toContain('Smith, Jayden');
    expect((await browser.get('/people/search')).statusCode).toBe(303);
  });

  it('refuses bad searches with an error summary', async () => {
    const cases: { answers: Record<string, string | readonly string[]>; expected: string }[] = [
      { answers: {}, expected: 'Enter a name, NHS number or case reference, or a date of birth' },
      {
        answers: { query: '   ' },
        expected: 'Enter a name, NHS number or case reference, or a date of birth',
      },
      { answers: { query: 'x'.repeat(101) }, expected: 'Search must be 100 characters or fewer' },
      { answers: { query: '<script>alert(1)</script>' }, expected: 'Search must not contain < or >' },
      { answers: { query: '%%%' }, expected: 'Search must include letters or numbers' },
      { answers: { query: ['Jayden', 'Smith'] }, expected: 'Enter a name, NHS number or case reference' },
      {
        answers: { query: 'Jayden', sort: 'name' },
        expected: 'The form has a field it does not expect (sort)',
      },
      {
        answers: { 'dateOfBirth-day': '31', 'dateOfBirth-month': '2', 'dateOfBirth-year': '2015' },
        expected: 'Date of birth must be a real date',
      },
      {
        answers: { 'dateOfBirth-day': '1', 'dateOfBirth-month': '1', 'dateOfBirth-year': '2099' },
        expected: 'Date of birth must be today or in the past',
      },
    ];
    for (const { answers, expected } of cases) {
      const response = await browser.post('/people/search', answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toContain(expected);
      expect(response.body).not.toContain('<script>alert(1)</script>');
    }
    const sql = await browser.post('/people/search', { query: "Smith'; DROP TABLE people;--" });
    expect(sql.statusCode).toBe(200);
    expect((await counts()).people).toBeGreaterThan(3);
  });
});

describe('adding and changing people', () => {
  function validPerson(
    overrides: Record<string, string | readonly string[]> = {},
  ): Record<string, string | readonly string[]> {
    return {
      givenNames: 'Oliver James',
      familyName: 'O’Brien-Hughes',
      knownAs: 'Ollie',
      'dateOfBirth-day': '14',
      'dateOfBirth-month': '9',
      'dateOfBirth-year': '2019',
      nhsNumber: '999 000 0026',
      localReference: 'SBC-300101',
      upn: 'b801200005001',
      externalId: 'MOSAIC-88812',
      addressLine1: '12 Drove Road',
      addressLine2: '',
      town: 'Swindon',
      postcode: 'sn1 3ab',
      ...overrides,
    };
  }

  it('adds a person, allocates them to the practitioner who added them, and audits it', async () => {
    const browser = await signIn(context, siblingWorker);
    expect((await browser.get('/people/new')).statusCode).toBe(200);
    const response = await browser.post('/people/new', validPerson());
    expect(response.statusCode).toBe(303);
    const id =
      /^\/people\/([0-9a-f-]{36})\?done=created$/.exec(String(response.headers['location']))?.[1] ?? '';
    const row = await context.db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      organisation_id: organisationId,
      given_names: 'Oliver James',
      family_name: 'O’Brien-Hughes',
      known_as: 'Ollie',
      date_of_birth: '2019-09-14',
      nhs_number: '9990000026',
      upn: 'B801200005001',
      postcode: 'SN1 3AB',
    });
    const allocation = await context.db
      .selectFrom('allocations')
      .selectAll()
      .where('person_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(allocation.user_id).toBe(siblingWorker.id);
    const actions = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('person_id', '=', id)
      .orderBy('seq')
      .execute();
    expect(actions.map((event) => event.action)).toEqual(['person.created', 'person.allocated']);
    const page = await browser.get(String(response.headers['location']));
    expect(page.body).toContain('Record added');
    expect(page.body).toContain('this person is allocated to you');
    // Searchable at once, by a name word the organisation had not seen before.
    const found = await browser.post('/people/search', { query: 'obrien hughs' });
    expect(found.body).toContain(`/people/${id}`);
  });

  it('refuses every kind of bad answer with an error summary, and changes nothing', async () => {
    const browser = await signIn(context, siblingWorker);
    await browser.get('/people/new');
    const cases: { answers: Record<string, string | readonly string[]>; expected: string }[] = [
      { answers: {}, expected: 'Enter given names' },
      { answers: validPerson({ familyName: '' }), expected: 'Enter family name' },
      {
        answers: validPerson({ givenNames: 'x'.repeat(5000) }),
        expected: 'Given names must be 100 characters or fewer',
      },
      {
        answers: validPerson({ givenNames: '<script>alert(1)</script>' }),
        expected: 'Given names must not contain < or >',
      },
      {
        answers: validPerson({ familyName: "Smith'); DROP TABLE people;--" }),
        expected: 'Family name must only include letters, spaces, hyphens and apostrophes',
      },
      { answers: validPerson({ givenNames: ['Oliver', 'James'] }), expected: 'Enter given names' },
      {
        answers: validPerson({ isAllocatedTo: admin.id }),
        expected: 'The form has a field it does not expect (isAllocatedTo)',
      },
      {
        answers: validPerson({ nhsNumber: '999 000 0027' }),
        expected: 'Enter a valid NHS number: check you have typed it correctly',
      },
      {
        answers: validPerson({ nhsNumber: '999 000 0000' }),
        expected: 'Enter a valid NHS number: check you have typed it correctly',
      },
      {
        answers: validPerson({ nhsNumber: '12345' }),
        expected: 'NHS number must be 10 digits, like 999 123 4567',
      },
      {
        answers: validPerson({ nhsNumber: '943-476-5919' }),
        expected: 'NHS number must be 10 digits, like 999 123 4567',
      },
      {
        answers: validPerson({ nhsNumber: '943 476 5919' }),
        expected: 'A record with this NHS number already exists: search for it instead',
      },
      {
        answers: validPerson({ upn: 'A801200005001' }),
        expected: 'Enter a valid unique pupil number: check you have typed it correctly',
      },
      {
        answers: validPerson({ upn: '12345' }),
        expected:
          'Unique pupil number must be a letter then 11 digits then a digit or letter, like A123456789012',
      },
      {
        answers: validPerson({ postcode: 'NOT A POSTCODE' }),
        expected: 'Enter a full UK postcode, like SN1 2JH',
      },
      {
        answers: validPerson({ localReference: "1' OR '1'='1" }),
        expected:
          'Case reference must only include letters, numbers, hyphens, slashes, full stops and underscores',
      },
      {
        answers: validPerson({ 'dateOfBirth-year': '2099' }),
        expected: 'Date of birth must be today or in the past',
      },
      {
        answers: validPerson({ 'dateOfBirth-year': '1899' }),
        expected: 'Date of birth must be the same as or after 1 January 1900',
      },
      {
        answers: validPerson({ 'dateOfBirth-day': '30', 'dateOfBirth-month': '2' }),
        expected: 'Date of birth must be a real date',
      },
      { answers: validPerson({ 'dateOfBirth-day': '' }), expected: 'Date of birth must include a day' },
      { answers: validPerson({ 'dateOfBirth-year': '19' }), expected: 'Year must include 4 numbers' },
      { answers: validPerson({ 'dateOfBirth-month': 'ten' }), expected: 'Date of birth must be a real date' },
    ];
    const before = await counts();
    for (const { answers, expected } of cases) {
      const response = await browser.post('/people/new', answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toContain(expected);
      expect(response.body).not.toContain('<script>alert(1)</script>');
    }
    const date = await browser.post('/people/new', validPerson({ 'dateOfBirth-year': '2099' }));
    expect(date.body).toContain('href="#dateOfBirth-day"');
    expect(await counts()).toEqual(before);
  });

  it('changes details with an audit of what changed, and refuses bad changes', async () => {
    const browser = await signIn(context, allocated);
    const form = await browser.get(`/people/${child}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="943 476 5919"');
    expect((await viewEvents(child)).at(-1)?.change).toEqual({ basis: 'allocated', page: 'edit' });
    const beforeRow = await context.db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', child)
      .executeTakeFirstOrThrow();
    const current = {
      givenNames: 'Jayden',
      familyName: 'Smith',
      knownAs: '',
      'dateOfBirth-day': '2',
      'dateOfBirth-month': '3',
      'dateOfBirth-year': '2015',
      nhsNumber: '943 476 5919',
      localReference: 'SBC-204417',
      upn: '',
      externalId: '',
      addressLine1: beforeRow.address_line1 ?? '',
      addressLine2: '',
      town: beforeRow.town ?? '',
      postcode: beforeRow.postcode ?? '',
    };
    const beforeCounts = await counts();
    const changes = () =>
      context.db
        .selectFrom('audit_events')
        .select('action')
        .where('person_id', '=', child)
        .where('action', '<>', 'person.viewed')
        .execute();
    const beforeChanges = await changes();
    for (const [answers, expected] of [
      [{ ...current, givenNames: '' }, 'Enter given names'],
      [{ ...current, 'dateOfBirth-year': '2027' }, 'Date of birth must be today or in the past'],
      [
        { ...current, nhsNumber: '9434765918' },
        'Enter a valid NHS number: check you have typed it correctly',
      ],
      [
        { ...current, organisationId: otherOrganisationId },
        'The form has a field it does not expect (organisationId)',
      ],
    ] as const) {
      const response = await browser.post(`/people/${child}/edit`, answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body)).toContain(expected);
    }
    expect(
      await context.db.selectFrom('people').selectAll().where('id', '=', child).executeTakeFirstOrThrow(),
    ).toEqual(beforeRow);
    // Re-showing the form is a view of the record; nothing else was written.
    const afterCounts = await counts();
    expect({ ...afterCounts, events: 0 }).toEqual({ ...beforeCounts, events: 0 });
    expect(await changes()).toEqual(beforeChanges);

    const response = await browser.post(`/people/${child}/edit`, {
      ...current,
      knownAs: 'Jay',
      postcode: 'SN2 1DL',
    });
    expect(response.statusCode).toBe(303);
    const event = await context.db
      .selectFrom('audit_events')
      .select('change')
      .where('person_id', '=', child)
      .where('action', '=', 'person.updated')
      .executeTakeFirstOrThrow();
    expect(event.change).toEqual({ knownAs: 'Jay', postcode: 'SN2 1DL' });
    expect((await browser.get(String(response.headers['location']))).body).toContain('Details updated');
  });
});

describe('family members', () => {
  it('adds someone new with their relationship, and an existing person found by NHS number or case reference', async () => {
    const child2 = await createPerson(context, {
      organisationId,
      givenNames: 'Isla',
      familyName: 'Wright',
      allocatedTo: allocated.id,
    });
    const browser = await signIn(context, allocated);
    const form = await browser.get(`/people/${child2}/relationships/new`);
    expect(form.statusCode).toBe(200);
    expect((await viewEvents(child2)).at(-1)?.change).toEqual({
      basis: 'allocated',
      page: 'add-family-member',
    });

    const created = await browser.post(`/people/${child2}/relationships/new`, {
      mode: 'new',
      relationship: 'father',
      parentalResponsibility: 'yes',
      givenNames: 'Daniel',
      familyName: 'Wright',
      'dateOfBirth-day': '3',
      'dateOfBirth-month': '4',
      'dateOfBirth-year': '1988',
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers['location']).toBe(`/people/${child2}?done=relative-added`);
    const page = await browser.get(String(created.headers['location']));
    expect(page.body).toContain('Daniel Wright');
    expect(page.body).toContain('Father');

    // The father is a family member of someone allocated to the practitioner: they may open his record.
    const father = (
      await context.services.people.relatives(viewerFor(allocated, ['practitioner']), child2)
    ).find((relative) => relative.person.givenNames === 'Daniel');
    expect(father?.parentalResponsibility).toBe(true);
    const fatherPage = await browser.get(`/people/${father?.person.id ?? ''}`);
    expect(fatherPage.statusCode).toBe(200);
    expect((await viewEvents(father?.person.id ?? '')).at(-1)?.change).toEqual({
      basis: 'family-member',
      page: 'record',
    });
    expect(fatherPage.body).toContain('Isla Wright');

    // An existing person the practitioner may open: Jayden (allocated), linked as a half-brother by case reference.
    const existing = await browser.post(`/people/${child2}/relationships/new`, {
      mode: 'existing',
      identifier: 'sbc-204417',
      existingRelationship: 'half_sibling',
      existingParentalResponsibility: 'no',
    });
    expect(existing.statusCode).toBe(303);
    const labels = (
      await context.services.people.relatives(viewerFor(allocated, ['practitioner']), child)
    ).map((relative) => relative.label);
    expect(labels).toContain('Half-brother or half-sister');
  });

  it('refuses unknown relationships, self-links, duplicates and people the practitioner may not open', async () => {
    const browser = await signIn(context, allocated);
    await browser.get(`/people/${child}/relationships/new`);
    const strangerNhs =
      (
        await context.db
          .selectFrom('people')
          .select('nhs_number')
          .where('id', '=', stranger)
          .executeTakeFirstOrThrow()
      ).nhs_number ?? '';
    const cases: { answers: Record<string, string | readonly string[]>; expected: string }[] = [
      {
        answers: {
          mode: 'existing',
          identifier: 'SBC-204417',
          existingRelationship: 'sibling',
          existingParentalResponsibility: 'no',
        },
        expected: 'A person cannot be their own family member',
      },
      {
        answers: {
          mode: 'existing',
          identifier: '943 476 5919',
          existingRelationship: 'sibling',
          existingParentalResponsibility: 'no',
        },
        expected: 'A person cannot be their own family member',
      },
      {
        answers: {
          mode: 'existing',
          identifier: strangerNhs,
          existingRelationship: 'sibling',
          existingParentalResponsibility: 'no',
        },
        expected:
          'No record you can open has that NHS number or case reference. Search for them, and open their record first if you need to',
      },
      {
        answers: {
          mode: 'existing',
          identifier: 'SBC-000000',
          existingRelationship: 'sibling',
          existingParentalResponsibility: 'no',
        },
        expected:
          'No record you can open has that NHS number or case reference. Search for them, and open their record first if you need to',
      },
      {
        answers: {
          mode: 'existing',
          identifier: 'SBC-204417',
          existingRelationship: 'cousin_twice_removed',
          existingParentalResponsibility: 'no',
        },
        expected: 'Select how they are related from the list',
      },
      {
        answers: {
          mode: 'existing',
          identifier: 'SBC-204417',
          existingRelationship: 'sibling',
          existingParentalResponsibility: 'maybe',
        },
        expected: 'Select whether they have parental responsibility',
      },
      {
        answers: {
          mode: 'new',
          relationship: 'stepmum',
          parentalResponsibility: 'yes',
          givenNames: 'Kim',
          familyName: 'Smith',
        },
        expected: 'Select how they are related from the list',
      },
      {
        answers: {
          mode: 'new',
          relationship: 'special_guardian',
          parentalResponsibility: 'no',
          givenNames: 'Kim',
          familyName: 'Smith',
        },
        expected:
          'A carer with parental responsibility or special guardian has parental responsibility: select Yes',
      },
      {
        answers: {
          mode: 'new',
          relationship: 'aunt_or_uncle',
          parentalResponsibility: 'no',
          givenNames: '<b>Kim</b>',
          familyName: 'Smith',
        },
        expected: 'Given names must not contain < or >',
      },
      {
        answers: {
          mode: 'new',
          relationship: 'aunt_or_uncle',
          parentalResponsibility: 'no',
          givenNames: 'Kim',
          familyName: 'Smith',
          'dateOfBirth-day': '1',
          'dateOfBirth-month': '1',
          'dateOfBirth-year': '2090',
        },
        expected: 'Date of birth must be today or in the past',
      },
      {
        answers: {
          mode: 'new',
          relationship: 'aunt_or_uncle',
          parentalResponsibility: 'no',
          givenNames: 'Kim',
          familyName: 'Smith',
          personId: stranger,
        },
        expected: 'The form has a field it does not expect (personId)',
      },
      {
        answers: { mode: 'sideways', relationship: 'aunt_or_uncle' },
        expected: 'Choose whether the family member is already in Safeshare',
      },
      { answers: {}, expected: 'Choose whether the family member is already in Safeshare' },
    ];
    // Ruby is already linked to Jayden (as his sister): linking again, from either side, is a duplicate.
    const ruby = await signIn(context, siblingWorker);
    await ruby.get(`/people/${sibling}/relationships/new`);
    const duplicate = await ruby.post(`/people/${sibling}/relationships/new`, {
      mode: 'existing',
      identifier: 'SBC-204417',
      existingRelationship: 'sibling',
      existingParentalResponsibility: 'no',
    });
    expect(duplicate.statusCode).toBe(400);
    expect(errorSummary(duplicate.body)).toEqual(['These two people are already linked']);

    const before = await counts();
    const rows = await context.db.selectFrom('person_relationships').selectAll().orderBy('id').execute();
    for (const { answers, expected } of cases) {
      const response = await browser.post(`/people/${child}/relationships/new`, answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toContain(expected);
      expect(response.body).not.toContain('Kowalski');
      expect(response.body).not.toContain('<b>Kim</b>');
    }
    const after = await counts();
    expect({ ...after, events: 0 }).toEqual({ ...before, events: 0 });
    expect(await context.db.selectFrom('person_relationships').selectAll().orderBy('id').execute()).toEqual(
      rows,
    );
  });
});

describe('allocations', () => {
  it('lets a line manager allocate their team and end allocations; practitioners may not', async () => {
    const teamMember = await createStaff(context, {
      organisationId,
      roles: ['practitioner'],
      lineManagerId: manager.id,
      displayName: 'Kai Morris',
    });
    const person = await createPerson(context, {
      organisationId,
      givenNames: 'Leo',
      familyName: 'Okafor',
      allocatedTo: allocated.id,
    });
    const practitioner = await signIn(context, allocated);
    await practitioner.get(`/people/${person}`);
    expect(
      (await practitioner.post(`/people/${person}/allocations`, { userId: allocated.id })).statusCode,
    ).toBe(403);

    const browser = await signIn(context, manager);
    const page = await browser.get(`/people/${person}`);
    expect(page.body).toContain('Allocate a member of your team');
    expect(page.body).toContain('Kai Morris');
    const before = await counts();
    for (const [userId, expected] of [
      [unallocated.id, 'Select a member of your team from the list'],
      [dpo.id, 'Select a member of your team from the list'],
      [otherDpo.id, 'Select a member of your team from the list'],
      ['not-a-uuid', 'Select a member of your team from the list'],
      ['', 'Select a member of your team'],
      [allocated.id, 'They are already allocated to this person'],
    ] as const) {
      const response = await browser.post(`/people/${person}/allocations`, { userId });
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toEqual([expected]);
    }
    expect((await counts()).allocations).toBe(before.allocations);

    const added = await browser.post(`/people/${person}/allocations`, { userId: teamMember.id });
    expect(added.statusCode).toBe(303);
    expect((await browser.get(String(added.headers['location']))).body).toContain('Allocation added');
    expect(await context.services.people.allocatedPeopleIds([teamMember.id])).toEqual([person]);
    expect((await (await signIn(context, teamMember)).get(`/people/${person}`)).statusCode).toBe(200);

    const open = await context.db
      .selectFrom('allocations')
      .select(['id', 'user_id'])
      .where('person_id', '=', person)
      .where('ended_at', 'is', null)
      .execute();
    const theirs = open.find((allocation) => allocation.user_id === teamMember.id)?.id ?? '';
    expect(theirs).not.toBe('');
    // Another manager, even with a reason to open the record, cannot end this team's allocation.
    await context.services.people.recordReason(
      viewerFor(otherManager, ['manager']),
      person,
      'Covering the duty desk this weekend',
    );
    const other = await signIn(context, otherManager);
    await other.get(`/people/${person}`);
    const refused = await other.post(`/people/${person}/allocations/${theirs}/end`);
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual(['You can end allocations of your own team only']);

    const ended = await browser.post(`/people/${person}/allocations/${theirs}/end`);
    expect(ended.statusCode).toBe(303);
    expect((await browser.get(String(ended.headers['location']))).body).toContain('Allocation ended');
    expect(await context.services.people.allocatedPeopleIds([teamMember.id])).toEqual([]);
    expect((await browser.post(`/people/${person}/allocations/${theirs}/end`)).statusCode).toBe(404);
    const actions = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('person_id', '=', person)
      .where('action', 'in', ['person.allocated', 'person.allocation_ended'])
      .orderBy('seq')
      .execute();
    expect(actions.map((event) => event.action)).toEqual([
      'person.allocated',
      'person.allocated',
      'person.allocation_ended',
    ]);
  });
});

describe('malformed and unknown ids', () => {
  it('answers 404 on every person page and form, changing nothing', async () => {
    const browser = await signIn(context, dpo);
    const managerBrowser = await signIn(context, manager);
    const before = await counts();
    for (const id of [randomUUID(), 'not-a-uuid', '12345', "1'%20OR%20'1'='1", '%3Cscript%3E']) {
      for (const url of [
        `/people/${id}`,
        `/people/${id}/edit`,
        `/people/${id}/relationships/new`,
        `/people/${id}/access`,
      ]) {
        expect((await browser.get(url)).statusCode, url).toBe(404);
      }
      for (const url of [`/people/${id}/edit`, `/people/${id}/relationships/new`, `/people/${id}/access`]) {
        expect(
          (await browser.post(url, { givenNames: 'Someone', reason: 'A good enough reason' })).statusCode,
          url,
        ).toBe(404);
      }
      expect(
        (await managerBrowser.post(`/people/${id}/allocations`, { userId: manager.id })).statusCode,
      ).toBe(404);
      expect((await managerBrowser.post(`/people/${child}/allocations/${id}/end`)).statusCode).toBe(404);
      expect((await managerBrowser.post(`/people/access-reviews/${id}/reviewed`)).statusCode).toBe(404);
    }
    expect(await counts()).toEqual(before);
  });
});
