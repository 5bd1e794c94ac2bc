import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  relate,
  viewerOf,
  type ConsentWorld,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { fhirR4Validators, schemaErrors } from '../../test/support/fhir-schema.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { pdfText } from '../../test/support/pdf-text.ts';
import { systemActor } from '../audit/index.ts';
import type { Viewer } from '../auth/index.ts';
import type { ConsentAnswers } from './consent.schema.ts';

let context: TestContext;
let world: ConsentWorld;
let organisationName: string;
let schoolName: string;
let practitioner: TestStaff;
let colleague: TestStaff;
let elsewhere: TestStaff;
let asPractitioner: Viewer;
let childId: string;
let nhsNumber: string;
let givenId: string;
let refusedId: string;
let notSoughtId: string;
let withdrawnId: string;

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  world = consentWorld(context);
  organisationName = `Swindon Borough Council ${randomUUID().slice(0, 6)}`;
  schoolName = `Drove Primary School ${randomUUID().slice(0, 6)}`;
  const organisationId = await createOrganisation(context, { name: organisationName });
  await context.services.orgs.addAddress(systemActor, organisationId, {
    label: 'Civic Offices',
    line1: 'Civic Offices',
    line2: 'Euclid Street',
    town: 'Swindon',
    postcode: 'SN1 2JH',
  });
  const otherOrganisationId = await createOrganisation(context, {
    name: `Wiltshire Council ${randomUUID().slice(0, 6)}`,
  });
  const schoolId = await createOrganisation(context, { name: schoolName, hosted: false });
  practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
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
  asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  childId = await addPerson(world, organisationId, {
    givenNames: 'Amelia Rose',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: practitioner.id,
  });
  const motherId = await addPerson(world, organisationId, {
    givenNames: 'Rachel',
    familyName: 'Hughes',
    dateOfBirth: '1986-02-03',
  });
  await relate(context, organisationId, childId, motherId, 'mother', true);
  nhsNumber = (await world.people.requireAccess(asPractitioner, childId)).nhsNumber ?? '';

  const answers = (overrides: Partial<ConsentAnswers> = {}): ConsentAnswers =>
    givenConsentAnswers({
      parentCarerId: motherId,
      childView: 'Amelia wants her teacher to know so that she can get help with reading.',
      useDescription: 'To plan early help with her school.',
      recipientOrganisationIds: [schoolId],
      methodIds: ['secure-exchange'],
      evidenceNote: 'Signed form on the case file.',
      ...overrides,
    });
  givenId = await world.consents.record(asPractitioner, childId, answers());
  refusedId = await world.consents.record(
    asPractitioner,
    childId,
    answers({ decision: 'refused', purposeIds: ['health-care'] }),
  );
  notSoughtId = await world.consents.record(
    asPractitioner,
    childId,
    answers({
      decision: 'not_sought',
      givenByChild: false,
      parentCarerId: null,
      childCapacity: null,
      childView: null,
      prevailingView: null,
      howGiven: null,
      evidenceNote: null,
      toldSharedWithoutConsent: null,
      toldMayWithdraw: null,
      retentionPeriod: null,
      retentionFormIds: [],
      notSoughtReasonId: 'unsafe',
      purposeIds: ['multi-agency-safeguarding'],
    }),
  );
  withdrawnId = await world.consents.record(
    asPractitioner,
    childId,
    answers({ purposeIds: ['health-care'], givenOn: '2026-11-01' }),
  );
  await world.consents.withdraw(asPractitioner, withdrawnId, {
    withdrawnOn: '2026-11-25',
    method: 'telephone',
    by: 'parent_carer',
    note: null,
  });
}, 60_000);

async function auditsOf(action: string, consentId: string) {
  return context.db
    .selectFrom('audit_events')
    .select(['action', 'person_id', 'actor_user_id', 'change'])
    .where('action', '=', action)
    .where('entity_id', '=', consentId)
    .execute();
}

/** The headings inside <main>, in order, as "h1 text". */
function headings(html: string): string[] {
  const main = /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '';
  return [...main.matchAll(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/g)].map(
    (match) => `h${match[1] ?? ''} ${(match[2] ?? '').replace(/<[^>]+>/g, '').trim()}`,
  );
}

describe('the family’s consent notice page', () => {
  it('shows the notice in the organisation’s name, printable, with its PDF, and audits the reading', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/consents/${givenId}/notice`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<title>What we will share about Amelia, and why');
    expect(page.body).toContain(organisationName);
    expect(page.body).toContain(schoolName);
    expect(page.body).toContain('Early help assessment and support');
    expect(page.body).toContain('Safeshare secure exchange');
    expect(page.body).toContain('to protect Amelia or someone else from harm');
    expect(page.body).toContain('You can take back your agreement at any time.');
    expect(page.body).toContain('phone ' + organisationName + ' on 01632960001 and ask for Priya Sharma');
    expect(page.body).toContain('Civic Offices, Euclid Street, Swindon, SN1 2JH');
    expect(page.body).toContain('use your browser’s print option');
    expect(page.body).toContain(
      `<a class="govuk-link" href="/consents/${givenId}/notice.pdf">Download as PDF</a>`,
    );
    // Print styles key on this class: header, navigation and footer are hidden on paper.
    expect(page.body).toMatch(/<body class="govuk-template__body[^"]* safeshare-notice-page"/);

    const audits = await auditsOf('consent.notice_viewed', givenId);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ person_id: childId, actor_user_id: practitioner.id });
    expect(JSON.stringify(audits[0]?.change)).toContain('page');
  });

  it('has a page structure assistive technology can follow: one h1, headings in order, no empty links, no inline styles', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/consents/${givenId}/notice`);
    const found = headings(page.body);
    expect(found[0]).toBe('h1 What we will share about Amelia, and why');
    expect(found.filter((heading) => heading.startsWith('h1'))).toHaveLength(1);
    for (const [index, heading] of found.entries()) {
      if (index === 0) continue;
      const level = Number(heading[1]);
      const previous = Number(found[index - 1]?.[1]);
      expect(level - previous, `${found[index - 1] ?? ''} then ${heading}`).toBeLessThanOrEqual(1);
    }
    expect(found).toContain('h2 You can change your mind');
    expect(found).toContain('h2 When we may share information without asking you');
    for (const link of page.body.matchAll(/<a\b[^>]*>([\s\S]*?)<\/a>/g)) {
      expect((link[1] ?? '').replace(/<[^>]+>/g, '').trim(), link[0]).not.toBe('');
    }
    expect(page.body).not.toMatch(/\sstyle=/);
    expect(page.body).toMatch(/<html lang="en"/);
  });

  it('says a withdrawn agreement is no longer in force', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/consents/${withdrawnId}/notice`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      'This agreement was taken back on 25 November 2026. We no longer share information because of it.',
    );
  });

  it('has no notice for a refusal or a decision not to seek consent, and reading nothing audits nothing', async () => {
    const browser = await signIn(context, practitioner);
    expect((await browser.get(`/consents/${refusedId}/notice`)).statusCode).toBe(404);
    expect((await browser.get(`/consents/${notSoughtId}/notice.pdf`)).statusCode).toBe(404);
    expect(await auditsOf('consent.notice_viewed', refusedId)).toEqual([]);
    expect(await auditsOf('consent.notice_viewed', notSoughtId)).toEqual([]);
  });

  it('keeps need-to-know: another organisation gets 404, an unallocated colleague is asked for a reason, a bad address is 404', async () => {
    const other = await signIn(context, elsewhere);
    for (const path of ['notice', 'notice.pdf', 'fhir.json'])
      expect((await other.get(`/consents/${givenId}/${path}`)).statusCode).toBe(404);
    const unallocated = await signIn(context, colleague);
    for (const path of ['notice', 'notice.pdf', 'fhir.json']) {
      const response = await unallocated.get(`/consents/${givenId}/${path}`);
      expect(response.statusCode).toBe(303);
      expect(response.headers['location']).toBe(`/people/${childId}`);
    }
    const browser = await signIn(context, practitioner);
    for (const path of ['notice', 'notice.pdf', 'fhir.json']) {
      expect((await browser.get(`/consents/not-a-uuid/${path}`)).statusCode).toBe(404);
      expect((await browser.get(`/consents/${randomUUID()}/${path}`)).statusCode).toBe(404);
    }
    const signedOut = await context.app.inject({ method: 'GET', url: `/consents/${givenId}/notice.pdf` });
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.headers['location']).toMatch(/^\/sign-in/);
  });
});

describe('the consent notice as a PDF', () => {
  it('downloads an A4 PDF named by the consent id, with the organisation, the date and the withdrawal wording, and audits it', async () => {
    const browser = await signIn(context, practitioner);
    const response = await browser.get(`/consents/${givenId}/notice.pdf`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="consent-notice-${givenId}.pdf"`,
    );
    expect(response.headers['cache-control']).toBe('no-store');
    const pdf = response.rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
    const text = pdfText(pdf);
    expect(text.startsWith(organisationName)).toBe(true);
    expect(text).toContain('What we will share about Amelia, and why');
    expect(text).toContain('Date: 30 November 2026');
    expect(text).toContain(
      'You can take back your agreement at any time. This is called withdrawing consent.',
    );
    expect(text).toContain('to protect Amelia or someone else from harm');
    expect(text).toContain(schoolName);

    const audits = await auditsOf('consent.notice_viewed', givenId);
    expect(audits.some((audit) => JSON.stringify(audit.change).includes('pdf'))).toBe(true);
  });
});

describe('the FHIR download and the consent page’s links', () => {
  it('downloads one consent as FHIR R4 JSON that validates, named by its id, audited as an export', async () => {
    const { consent: validate } = fhirR4Validators();
    const browser = await signIn(context, practitioner);
    const response = await browser.get(`/consents/${givenId}/fhir.json`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="consent-${givenId}.fhir.json"`,
    );
    expect(response.headers['cache-control']).toBe('no-store');
    const resource: unknown = response.json();
    expect(validate(resource), schemaErrors(validate)).toBe(true);
    expect(resource).toMatchObject({
      resourceType: 'Consent',
      id: givenId,
      status: 'active',
      patient: { reference: `Patient/${childId}`, identifier: { value: nhsNumber } },
    });
    const audits = await auditsOf('consent.exported', givenId);
    expect(audits).toHaveLength(1);
    expect(audits[0]?.person_id).toBe(childId);
    expect(JSON.stringify(audits[0]?.change)).toContain('download');
  }, 60_000);

  it('links the consent page to the notice, its PDF and the FHIR download; a refusal has only the download', async () => {
    const browser = await signIn(context, practitioner);
    const given = await browser.get(`/consents/${givenId}`);
    expect(given.statusCode).toBe(200);
    expect(given.body).toContain(`href="/consents/${givenId}/notice"`);
    expect(given.body).toContain(`href="/consents/${givenId}/notice.pdf"`);
    expect(given.body).toContain(`href="/consents/${givenId}/fhir.json"`);
    const refused = await browser.get(`/consents/${refusedId}`);
    expect(refused.body).not.toContain(`/consents/${refusedId}/notice`);
    expect(refused.body).toContain(`href="/consents/${refusedId}/fhir.json"`);
  });

  it('puts nothing of the child’s identity in any address or download file name', async () => {
    const browser = await signIn(context, practitioner);
    const identity = ['Amelia', 'Hughes', nhsNumber, '2014-05-12'];
    for (const path of [`/consents/${givenId}`, `/consents/${givenId}/notice`]) {
      const page = await browser.get(path);
      for (const href of page.body.matchAll(/href="([^"]*)"/g)) {
        for (const part of identity) expect(href[1], href[0]).not.toContain(part);
      }
    }
    for (const path of ['notice.pdf', 'fhir.json']) {
      const disposition = String(
        (await browser.get(`/consents/${givenId}/${path}`)).headers['content-disposition'],
      );
      for (const part of identity) expect(disposition).not.toContain(part);
    }
  });
});
