import { beforeAll, describe, expect, it } from 'vitest';
import { ehcAgreement } from '../../test/support/agreement-fixtures.ts';
import { errorSummary, type TestBrowser } from '../../test/support/browser.ts';
import { addPerson, givenConsentAnswers, viewerOf } from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';
import type { Viewer } from '../auth/index.ts';
import { sectionSchemas } from './sharing.answers.ts';

/**
 * The routine path: a share that an agreement in force and the consent register already answer is
 * confirmed on one page and recorded with every field the full journey records, the agreement and
 * consent it relied on, and who confirmed what was pre-filled; then straight on to sending. Each
 * way out (no consent covering it, a third party, a changed risk, information or a method outside
 * the agreement, an ended agreement) leaves for the full decision, keeping what was entered.
 */

let context: TestContext;
let councilId: string;
let schoolId: string;
let practitioner: TestStaff;
let asPractitioner: Viewer;
let browser: TestBrowser;
let agreementId: string;

const today = '2026-12-01';

async function childWithConsent(options: { consent: boolean; givenNames?: string }): Promise<string> {
  const id = await addPerson(
    { people: context.services.people, consents: context.services.consent },
    councilId,
    {
      givenNames: options.givenNames ?? 'Amelia',
      familyName: 'Hughes',
      dateOfBirth: '2016-05-01',
      allocateTo: practitioner.id,
    },
  );
  if (options.consent)
    await context.services.consent.record(
      asPractitioner,
      id,
      givenConsentAnswers({
        givenOn: '2026-11-20',
        purposeIds: ['education-support'],
        recipientOrganisationIds: [schoolId],
        recipientRoles: [],
        categoryIds: ['education', 'health'],
        methodIds: ['secure-exchange'],
      }),
    );
  return id;
}

/** What only the practitioner knows, as the routine page posts it. */
function routineForm(option: string, overrides: Record<string, string | string[]> = {}) {
  return {
    option,
    recipientName: 'Rebecca Sutton',
    recipientRole: 'SENCo',
    recipientEmail: 'r.sutton@oakfield.sch.uk',
    channelId: 'email',
    asked: 'The latest health and education information for the EHC plan review.',
    categoryIds: ['education', 'health'],
    method: 'secure-exchange',
    thirdParties: 'no',
    riskChanged: 'no',
    ...overrides,
  };
}

async function optionOf(personId: string): Promise<string> {
  const page = await browser.get(`/people/${personId}/share-under-agreement`);
  expect(page.statusCode).toBe(200);
  return /name="option" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
}

async function decisionsAbout(personId: string) {
  return context.db
    .selectFrom('sharing_decision_people')
    .innerJoin('sharing_decisions', 'sharing_decisions.id', 'sharing_decision_people.decision_id')
    .select([
      'sharing_decisions.id',
      'sharing_decisions.status',
      'sharing_decisions.answers',
      'sharing_decisions.agreement_id',
      'sharing_decisions.routine',
    ])
    .where('sharing_decision_people.person_id', '=', personId)
    .execute();
}

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  context.clock.set(`${today}T10:00:00Z`);
  councilId = await createOrganisation(context);
  schoolId = await createOrganisation(context, { name: 'Oakfield Primary School', hosted: false });
  practitioner = await createStaff(context, { organisationId: councilId, roles: ['practitioner'] });
  asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  const lead = await createStaff(context, { organisationId: councilId, roles: ['ig_lead'] });
  agreementId = await context.services.agreements.create(
    viewerOf(lead, ['ig_lead']),
    ehcAgreement(schoolId, today),
  );
  browser = await signIn(context, practitioner);
}, 60_000);

describe('the routine path', () => {
  it('records a complete decision from the agreement and the consent, and goes straight on to sending', async () => {
    const childId = await childWithConsent({ consent: true });
    const record = await browser.get(`/people/${childId}`);
    expect(record.body).toContain('Share under an agreement');
    const page = await browser.get(`/people/${childId}/share-under-agreement`);
    // One agreement, one partner, one purpose: straight to the page, everything it answers shown.
    expect(page.body).toContain('Share with Oakfield Primary School: Education support');
    expect(page.body).toMatch(/ISA-\d{7}: Education, health and care plans/);
    expect(page.body).toContain('Consent, from the consent register');
    expect(page.body).toContain('Low: the school already holds the plan');
    const option = /name="option" value="([^"]+)"/.exec(page.body)?.[1] ?? '';

    const blank = await browser.post(`/people/${childId}/share-under-agreement`, {
      ...routineForm(option, { recipientName: '', asked: '' }),
    });
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual([
      'Enter the name of the person receiving it',
      'Say what they asked for',
    ]);
    expect(await decisionsAbout(childId)).toEqual([]);

    const shared = await browser.post(`/people/${childId}/share-under-agreement`, routineForm(option));
    expect(shared.statusCode, errorSummary(shared.body).join('; ')).toBe(303);
    const [decision] = await decisionsAbout(childId);
    expect(shared.headers['location']).toBe(`/decisions/${decision?.id ?? ''}/packages/new`);
    expect(decision?.status).toBe('recorded');
    expect(decision?.agreement_id).toBe(agreementId);
    // Every section the full journey records, each valid by its own schema.
    const answers = decision?.answers ?? {};
    for (const [section, schema] of Object.entries(sectionSchemas))
      expect(schema.safeParse((answers as Record<string, unknown>)[section]).success, section).toBe(true);
    expect(Object.keys(answers).sort()).toEqual(
      Object.keys(routineShareAnswers({ personIds: [childId], schoolId })).sort(),
    );
    expect(answers.lawfulBasis).toMatchObject({
      article6: 'public-task',
      article9: 'health-social-care',
      commonLaw: 'consent',
    });
    expect(answers.outcome?.outcome).toBe('share');
    expect(decision?.routine).toMatchObject({
      agreementId,
      confirmedBy: practitioner.id,
      consentIds: [expect.any(String)],
    });
    expect(decision?.routine?.prefilled.length).toBeGreaterThan(3);
    const events = await context.db
      .selectFrom('audit_events')
      .select(['action', 'change'])
      .where('entity_id', '=', decision?.id ?? '')
      .orderBy('seq')
      .execute();
    expect(events.map((event) => event.action)).toEqual(['decision.started', 'decision.recorded']);
    expect(JSON.stringify(events[1]?.change)).toContain(agreementId);
    // The record sheet says how it was made.
    const sheet = await browser.get(`/decisions/${decision?.id ?? ''}/record-sheet`);
    expect(sheet.body).toMatch(
      /A routine share under agreement ISA-\d{7}\. [^<]+ confirmed, at [^<]+, what came from the agreement and the consent/,
    );
  });

  it('answers a very long paste with the field’s own error beside what was typed, not a page that loses it', async () => {
    const childId = await childWithConsent({ consent: true, givenNames: 'Fay' });
    const option = await optionOf(childId);
    const pasted = 'The whole case file, pasted by mistake. '.repeat(5_000);
    const refused = await browser.post(
      `/people/${childId}/share-under-agreement`,
      routineForm(option, { asked: pasted }),
    );
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      'This answer is too long: it must be 10000 characters or fewer',
    ]);
    expect(refused.body).toContain('The whole case file, pasted by mistake.');
    expect(refused.body).toContain('value="Rebecca Sutton"');
    expect(await decisionsAbout(childId)).toEqual([]);
  });

  it('withholds what is unticked, recording a share in part', async () => {
    const childId = await childWithConsent({ consent: true, givenNames: 'Ben' });
    const option = await optionOf(childId);
    const shared = await browser.post(
      `/people/${childId}/share-under-agreement`,
      routineForm(option, { categoryIds: ['education'] }),
    );
    expect(shared.statusCode, errorSummary(shared.body).join('; ')).toBe(303);
    const [decision] = await decisionsAbout(childId);
    expect(decision?.answers.outcome?.outcome).toBe('share-in-part');
    expect(decision?.answers.information?.withheld).toEqual(['health']);
  });
});

describe('a full decision under an agreement', () => {
  it('is linked to the agreement in force for its recipient and purpose when recorded', async () => {
    const childId = await childWithConsent({ consent: true, givenNames: 'Eve' });
    const answers = routineShareAnswers({ personIds: [childId], schoolId });
    const { id } = await context.services.sharing.recordComplete(asPractitioner, {
      ...answers,
      request: { ...answers.request, receivedOn: today },
    });
    const [decision] = await decisionsAbout(childId);
    expect(decision?.id).toBe(id);
    expect(decision?.agreement_id).toBe(agreementId);
    expect(decision?.routine).toBeNull();
  });
});

describe('leaving the routine path, keeping what was entered', () => {
  const ways: [string, Record<string, string | string[]>, boolean, RegExp][] = [
    ['no consent covers it', {}, false, /The consent register shows no consent in force that covers this/],
    [
      'it identifies a third party',
      { thirdParties: 'yes' },
      true,
      /identifies someone else who could be harmed/,
    ],
    ['something changes the risk', { riskChanged: 'yes' }, true, /changes the risk the agreement assessed/],
    [
      'information outside the agreement',
      { categoryIds: ['education', 'domestic-abuse'] },
      true,
      /Some of the information is outside agreement ISA-\d{7}/,
    ],
  ];
  for (const [why, overrides, consent, reason] of ways)
    it(`leaves when ${why}`, async () => {
      const childId = await childWithConsent({ consent, givenNames: why.replace(/[^a-z]/g, '') });
      const option = await optionOf(childId);
      const left = await browser.post(
        `/people/${childId}/share-under-agreement`,
        routineForm(option, overrides),
      );
      expect(left.statusCode).toBe(200);
      expect(left.body).toContain('This share needs the full decision');
      expect(left.body).toMatch(reason);
      const [draft] = await decisionsAbout(childId);
      expect(draft?.status).toBe('draft');
      expect(draft?.routine).toBeNull();
      // What was entered is kept; what the agreement and consent would have vouched for is not.
      expect(draft?.answers.request?.details).toBe(
        'The latest health and education information for the EHC plan review.',
      );
      expect(draft?.answers.recipients?.recipients[0]?.name).toBe('Rebecca Sutton');
      expect(draft?.answers.outcome).toBeUndefined();
      expect(draft?.answers.openness).toBeUndefined();
      expect(draft?.answers.lawfulBasis?.commonLaw).toBeUndefined();
      expect(left.body).toContain(`href="/decisions/${draft?.id ?? ''}"`);
    });

  it('refuses a method the agreement does not allow, recording nothing', async () => {
    const childId = await childWithConsent({ consent: true, givenNames: 'Cara' });
    const option = await optionOf(childId);
    const refused = await browser.post(
      `/people/${childId}/share-under-agreement`,
      routineForm(option, { method: 'fax' }),
    );
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual(['Select how you will send it']);
    expect(await decisionsAbout(childId)).toEqual([]);
  });

  it('offers nothing once the agreement has ended', async () => {
    const childId = await childWithConsent({ consent: true, givenNames: 'Dan' });
    const option = await optionOf(childId);
    const lead = await createStaff(context, { organisationId: councilId, roles: ['ig_lead'] });
    const ending = await context.services.agreements.create(
      viewerOf(lead, ['ig_lead']),
      ehcAgreement(schoolId, today),
    );
    await context.services.agreements.end(viewerOf(lead, ['ig_lead']), ending, 'Replaced.');
    await context.services.agreements.end(
      viewerOf(lead, ['ig_lead']),
      agreementId,
      'Replaced by a new agreement.',
    );
    const page = await browser.get(`/people/${childId}/share-under-agreement`);
    expect(page.body).toContain('No sharing agreement covers a routine share');
    // A form sent from before it ended is not taken as routine either.
    const late = await browser.post(`/people/${childId}/share-under-agreement`, routineForm(option));
    expect(late.statusCode).toBe(303);
    expect(late.headers['location']).toBe(`/people/${childId}/share-under-agreement`);
    expect(await decisionsAbout(childId)).toEqual([]);
  });
});
