import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import { createPerson, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import {
  context,
  organisationId,
  manager,
  otherManager,
  allocated,
  siblingWorker,
  unallocated,
  dpo,
  guardian,
  admin,
  auditor,
  otherDpo,
  child,
  sibling,
  mother,
  viewerFor,
  viewEvents,
  counts,
  setUpPeopleWorld,
} from '../../test/support/people-world.ts';
import { givenConsentAnswers } from '../../test/support/consent-fixtures.ts';
import { PersonAccessError } from './index.ts';

beforeAll(setUpPeopleWorld);

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

  it('keeps a colleague’s case from a practitioner in the same team, and says so without blaming “your team” (ADR 0016)', async () => {
    // Priya holds Jayden's case; Jo has the same line manager and no allocation of her own.
    const teammate = await createStaff(context, {
      organisationId,
      roles: ['practitioner'],
      lineManagerId: manager.id,
      displayName: 'Jo Whitfield',
    });
    const before = (await viewEvents(child)).length;
    const browser = await signIn(context, teammate);
    await browser.get('/people');
    const search = await browser.post('/people/search', { query: 'Jayden Smith' });
    expect(search.statusCode).toBe(200);
    const results = search.body.slice(
      search.body.indexOf('id="results"'),
      search.body.indexOf('My caseload'),
    );
    expect(results).not.toContain(`href="/people/${child}"`);
    expect(results).toContain('that you are not allocated to');
    expect(results).toContain(`/people/${child}/access`);

    const refused = await browser.get(`/people/${child}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain(
      'This person is not allocated to you, and is not a family member of someone who is.',
    );
    expect(refused.body).toContain('A colleague’s cases are open to them and their line manager');
    expect(refused.body).not.toContain('your team');
    expect(refused.body).not.toContain('Jayden');
    expect(await viewEvents(child)).toHaveLength(before);

    // Their line manager sees it as the team's case; a manager of another team is told in a manager's words.
    const asManager = await (await signIn(context, manager)).get(`/people/${child}`);
    expect(asManager.body).toContain(
      'You can see this record because this person is allocated to someone you line-manage.',
    );
    const asOtherManager = await (await signIn(context, otherManager)).get(`/people/${child}`);
    expect(asOtherManager.statusCode).toBe(403);
    expect(asOtherManager.body).toContain('This person is not allocated to you or to anyone you line-manage');
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

describe('consent on the record', () => {
  it('says whether consent is in force, and stops saying so once it is withdrawn', async () => {
    const personId = await createPerson(context, {
      organisationId,
      givenNames: 'Amelia',
      familyName: 'Hughes',
      dateOfBirth: '2012-05-01',
      allocatedTo: allocated.id,
    });
    const browser = await signIn(context, allocated);
    const standing = async () => {
      const page = await browser.get(`/people/${personId}`);
      expect(page.statusCode).toBe(200);
      const start = page.body.indexOf('id="consent-standing"');
      return page.body.slice(start, page.body.indexOf('Consent records and their history', start));
    };
    expect(await standing()).toContain('No consent is recorded for this person');

    const viewer = viewerFor(allocated, ['practitioner']);
    const consentId = await context.services.consent.record(viewer, personId, givenConsentAnswers());
    const given = await standing();
    expect(given).toContain('Consent given');
    expect(given).toContain('Early help');
    expect(given).toContain('20 November 2026');
    expect(given).toContain(`/consents/${consentId}`);

    await context.services.consent.withdraw(viewer, consentId, {
      withdrawnOn: '2026-11-25',
      method: 'telephone',
      by: 'child',
      note: null,
    });
    const withdrawn = await standing();
    expect(withdrawn).not.toContain('Consent given');
    expect(withdrawn).toContain('No consent is recorded for this person');
  });
});
