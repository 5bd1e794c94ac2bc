import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import { addPerson, viewerOf, type ConsentWorld } from '../../test/support/consent-fixtures.ts';
import {
  consentPagesWorld,
  counts as countsIn,
  expectClean,
  recordThroughPages,
  validConsent as validConsentFor,
  viewsOf as viewsIn,
  type ConsentPagesWorld,
  type Form,
} from '../../test/support/consent-pages.ts';
import { signIn, type TestStaff } from '../../test/support/factories.ts';
import type { TestContext } from '../../test/support/harness.ts';
let pages: ConsentPagesWorld;
let context: TestContext;
let world: ConsentWorld;
let organisationId: string;
let schoolId: string;
let practitioner: TestStaff;
let manager: TestStaff;
let colleague: TestStaff;
let elsewhere: TestStaff;
let childId: string;

beforeAll(async () => {
  pages = await consentPagesWorld();
  ({ context, world, organisationId, schoolId, practitioner, manager, colleague, elsewhere, childId } =
    pages);
});

const validConsent = (overrides: Form = {}) => validConsentFor(pages, overrides);
const counts = () => countsIn(context);
const viewsOf = (personId: string) => viewsIn(context, personId);

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
