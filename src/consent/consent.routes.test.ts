import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import { viewerOf, type ConsentWorld } from '../../test/support/consent-fixtures.ts';
import {
  consentPagesWorld,
  counts as countsIn,
  expectClean,
  recordThroughPages,
  uuidPattern,
  validConsent as validConsentFor,
  type ConsentPagesWorld,
  type Form,
} from '../../test/support/consent-pages.ts';
import { signIn, type TestStaff } from '../../test/support/factories.ts';
import type { TestContext } from '../../test/support/harness.ts';
import Fastify from 'fastify';
import type { AuditDeclaration } from '../web/access.ts';
import { consentOutputsRoutes } from './consent.outputs.routes.ts';
import { consentRoutes } from './consent.routes.ts';
let pages: ConsentPagesWorld;
let context: TestContext;
let world: ConsentWorld;
let practitioner: TestStaff;
let childId: string;
let motherId: string;
let uncleId: string;

beforeAll(async () => {
  pages = await consentPagesWorld();
  ({ context, world, practitioner, childId, motherId, uncleId } = pages);
});

const validConsent = (overrides: Form = {}) => validConsentFor(pages, overrides);
const counts = () => countsIn(context);

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

describe('what each consent page records', () => {
  it('declares the audit event every consent page writes when it succeeds', async () => {
    const declared = new Map<string, AuditDeclaration | undefined>();
    const pages = Fastify({ logger: false });
    pages.addHook('onRoute', (route) => {
      for (const method of [route.method].flat())
        if (method !== 'HEAD') declared.set(`${method} ${route.url}`, route.config?.audit);
    });
    await pages.register(consentRoutes, {
      consent: context.services.consent,
      policy: context.services.policy,
      withdrawalAftermathPath: (consentId) => `/consent-withdrawals/${consentId}`,
    });
    await pages.register(consentOutputsRoutes, {
      outputs: context.services.consentOutputs,
      clock: context.clock,
    });
    await pages.ready();
    await pages.close();
    expect(Object.fromEntries(declared)).toEqual({
      'GET /people/:personId/consents': ['consent.viewed'],
      'GET /consents/reviews': ['consent.reviews_viewed'],
      'GET /people/:personId/consents/new': ['consent.viewed'],
      // Shown again beside its errors, the form audits its showing; a saved draft records nothing.
      'POST /people/:personId/consents/new': { sometimes: ['consent.viewed'] },
      'GET /people/:personId/consents/new/check': ['consent.viewed'],
      'POST /people/:personId/consents/new/check': ['consent.recorded'],
      'GET /consents/:id': ['consent.viewed'],
      'POST /consents/:id/evidence': ['consent.evidence_uploaded'],
      'GET /consents/:id/evidence/:evidenceId': ['consent.evidence_viewed'],
      'GET /consents/:id/withdraw': ['consent.viewed'],
      'POST /consents/:id/withdraw': ['consent.withdrawn'],
      'GET /consents/:id/review': ['consent.viewed'],
      'POST /consents/:id/review': ['consent.reviewed'],
      'GET /consents/:id/notice': ['consent.notice_viewed'],
      'GET /consents/:id/notice.pdf': ['consent.notice_viewed'],
      'GET /consents/:id/fhir.json': ['consent.exported'],
    });
  });
});
