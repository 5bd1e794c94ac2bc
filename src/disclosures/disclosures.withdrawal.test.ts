import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  viewerOf,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';
import type { Viewer } from '../auth/index.ts';

/**
 * After consent is withdrawn (R3.3): the organisations that already received information under
 * decisions that relied on it are listed, and telling each is recorded in one step against every
 * disclosure it received, audited in the same transaction. A decision on another footing is not
 * listed; the pages are for those who may see the consent and the decisions, and no one else.
 */

let context: TestContext;
let practitioner: TestStaff;
let stranger: TestStaff;
let outsider: TestStaff;
let asPractitioner: Viewer;
let consentId: string;
let untouchedConsentId: string;
let policeId: string;
let schoolId: string;
let toPolice: string;
let toSchool: string;
let onLegalDuty: string;
const disclosed: Record<string, string[]> = {};

/** A call the practitioner made to someone they know: no switchboard is needed. */
function callMade(categoryIds: string[] = ['education']) {
  return {
    recipientIndex: 0,
    method: 'telephone' as const,
    categoryIds,
    description: 'School attendance for the last term.',
    checklist: {
      callDirection: 'outgoing',
      personReached: 'Rebecca Sutton',
      personRole: 'Special educational needs coordinator',
      identityConfirmed: 'known-to-you',
      numberCalled: '01632 960 321',
      onlyToPersonReached: true,
      contactConfidential: false,
      messageLeft: 'none',
      notOverheard: true,
      disclosed: 'School attendance for the last term.',
    },
  };
}

async function noticeCount(): Promise<number> {
  const row = await context.db
    .selectFrom('disclosure_withdrawal_notices')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  const world = consentWorld(context);
  const councilId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  policeId = await createOrganisation(context, { name: `Wiltshire Police ${randomUUID().slice(0, 6)}` });
  schoolId = await createOrganisation(context, { name: `Kingsdown School ${randomUUID().slice(0, 6)}` });
  practitioner = await createStaff(context, {
    organisationId: councilId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
  });
  stranger = await createStaff(context, {
    organisationId: councilId,
    roles: ['practitioner'],
    displayName: 'Tom Ellis',
  });
  const otherCouncil = await createOrganisation(context, {
    name: `Bath Council ${randomUUID().slice(0, 6)}`,
  });
  outsider = await createStaff(context, {
    organisationId: otherCouncil,
    roles: ['practitioner'],
    displayName: 'Ann Lee',
  });
  asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  const childId = await addPerson(world, councilId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: practitioner.id,
  });
  const consent = givenConsentAnswers({
    givenOn: '2026-11-20',
    purposeIds: ['education-support'],
    recipientOrganisationIds: [policeId, schoolId],
    categoryIds: ['education', 'health'],
    methodIds: ['telephone', 'secure-exchange'],
  });
  consentId = await world.consents.record(asPractitioner, childId, consent);
  const siblingId = await addPerson(world, councilId, {
    givenNames: 'Noah',
    familyName: 'Hughes',
    dateOfBirth: '2016-02-01',
    allocateTo: practitioner.id,
  });
  untouchedConsentId = await world.consents.record(asPractitioner, siblingId, consent);

  const record = async (organisationId: string, overrides: object = {}) => {
    const answers = routineShareAnswers({ personIds: [childId], schoolId: organisationId });
    return (await context.services.sharing.recordComplete(asPractitioner, { ...answers, ...overrides })).id;
  };
  toPolice = await record(policeId);
  toSchool = await record(schoolId);
  const base = routineShareAnswers({ personIds: [childId], schoolId: policeId });
  onLegalDuty = await record(policeId, {
    lawfulBasis: {
      ...base.lawfulBasis,
      commonLaw: 'legal-duty',
      confidenceReason: 'A production order from the family court requires the disclosure.',
      statute: 'Production order under the Family Procedure Rules 2010, rule 12.73',
    },
  });
  for (const [decisionId, times] of [
    [toPolice, 2],
    [toSchool, 1],
    [onLegalDuty, 1],
  ] as const) {
    disclosed[decisionId] = [];
    for (let time = 0; time < times; time += 1)
      disclosed[decisionId].push(
        await context.services.disclosures.record(asPractitioner, decisionId, callMade()),
      );
  }
  await context.services.consent.withdraw(asPractitioner, consentId, {
    withdrawnOn: '2026-11-30',
    method: 'telephone',
    by: 'parent_carer',
    note: 'Mum rang to say she no longer agrees.',
  });
  // Two days later: today is 2 December 2026.
  context.clock.advance(2 * 24 * 60 * 60 * 1000);
}, 90_000);

describe('telling recipients that consent was withdrawn (R3.3)', () => {
  it('links from the decision to the organisations that received information under it, and lists only those', async () => {
    const browser = await signIn(context, practitioner);
    const overview = await browser.get(`/decisions/${toPolice}`);
    expect(overview.body).toContain(`href="/consent-withdrawals/${consentId}"`);
    const legalDuty = await browser.get(`/decisions/${onLegalDuty}`);
    expect(legalDuty.body).not.toContain('/consent-withdrawals/');

    const viewsBefore = await context.db
      .selectFrom('audit_events')
      .where('action', '=', 'consent.viewed')
      .where('entity_id', '=', consentId)
      .select('seq')
      .execute();
    const page = await browser.get(`/consent-withdrawals/${consentId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Consent was withdrawn on 30 November 2026');
    const police = await context.services.orgs.find(policeId);
    const school = await context.services.orgs.find(schoolId);
    expect(page.body).toContain(police?.name);
    expect(page.body).toContain(school?.name);
    for (const id of [...(disclosed[toPolice] ?? []), ...(disclosed[toSchool] ?? [])])
      expect(page.body).toContain(`href="/disclosures/${id}"`);
    // A disclosure on a legal duty never rested on consent: its recipient is not told about it.
    for (const id of disclosed[onLegalDuty] ?? []) expect(page.body).not.toContain(id);
    expect(page.body.match(/Not yet told/g)).toHaveLength(2);
    expect(page.body).toContain(`href="/consent-withdrawals/${consentId}/organisations/${policeId}"`);
    const viewsAfter = await context.db
      .selectFrom('audit_events')
      .where('action', '=', 'consent.viewed')
      .where('entity_id', '=', consentId)
      .select('seq')
      .execute();
    expect(viewsAfter.length).toBe(viewsBefore.length + 1);
  });

  it('refuses a telling with bad answers, changing nothing', async () => {
    const browser = await signIn(context, practitioner);
    const path = `/consent-withdrawals/${consentId}/organisations/${policeId}`;
    const form = await browser.get(path);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('We shared information with you about Amelia Hughes');
    const before = await noticeCount();
    const cases: [Record<string, string>, string][] = [
      [
        { method: '', 'toldOn-day': '1', 'toldOn-month': '12', 'toldOn-year': '2026' },
        'Select how you told them',
      ],
      [
        { method: 'letter', 'toldOn-day': '', 'toldOn-month': '', 'toldOn-year': '' },
        'Enter the date you told them',
      ],
      [
        { method: 'letter', 'toldOn-day': '31', 'toldOn-month': '2', 'toldOn-year': '2026' },
        'The date you told them must be a real date',
      ],
      [
        { method: 'letter', 'toldOn-day': '1', 'toldOn-month': '1', 'toldOn-year': '2099' },
        'The date you told them must be today or in the past',
      ],
      [
        { method: 'letter', 'toldOn-day': '29', 'toldOn-month': '11', 'toldOn-year': '2026' },
        'The date they were told must be on or after the date consent was withdrawn',
      ],
      [
        { method: 'pigeon', 'toldOn-day': '1', 'toldOn-month': '12', 'toldOn-year': '2026' },
        'Select how you told them',
      ],
    ];
    for (const [answers, message] of cases) {
      const refused = await browser.post(path, answers);
      expect(refused.statusCode).toBe(400);
      expect(errorSummary(refused.body)).toEqual([message]);
    }
    expect(await noticeCount()).toBe(before);
  });

  it('records in one step that an organisation was told, against each disclosure it received, with an audit event for each', async () => {
    const browser = await signIn(context, practitioner);
    const path = `/consent-withdrawals/${consentId}/organisations/${policeId}`;
    await browser.get(path);
    const told = await browser.post(path, {
      method: 'letter',
      'toldOn-day': '1',
      'toldOn-month': '12',
      'toldOn-year': '2026',
    });
    expect(told.statusCode, errorSummary(told.body).join('; ')).toBe(303);
    expect(told.headers['location']).toBe(`/consent-withdrawals/${consentId}?done=told`);

    const notices = await context.db
      .selectFrom('disclosure_withdrawal_notices')
      .where('consent_id', '=', consentId)
      .select(['disclosure_id', 'method', 'told_on', 'told_by'])
      .execute();
    expect(notices.map((notice) => notice.disclosure_id).sort()).toEqual(
      [...(disclosed[toPolice] ?? [])].sort(),
    );
    expect(notices.every((notice) => notice.method === 'letter' && notice.told_by === practitioner.id)).toBe(
      true,
    );
    const events = await context.db
      .selectFrom('audit_events')
      .where('action', '=', 'disclosure.withdrawal_told')
      .select(['entity_id', 'change'])
      .execute();
    expect(events.map((event) => event.entity_id).sort()).toEqual([...(disclosed[toPolice] ?? [])].sort());

    const page = await browser.get(`/consent-withdrawals/${consentId}?done=told`);
    expect(page.body).toContain('Recorded: they were told that consent was withdrawn.');
    expect(page.body.match(/Not yet told/g)).toHaveLength(1);
    expect(page.body).toContain('By letter on 1 December 2026, recorded by Priya Sharma');
    expect(page.body).not.toContain(`/organisations/${policeId}"`);

    // Told once: the form is gone, and a second telling is refused with nothing written.
    const again = await browser.get(path);
    expect(again.statusCode).toBe(303);
    const before = await noticeCount();
    const second = await browser.post(path, {
      method: 'telephone',
      'toldOn-day': '2',
      'toldOn-month': '12',
      'toldOn-year': '2026',
    });
    expect(second.statusCode).toBe(400);
    expect(errorSummary(second.body)[0]).toMatch(/^You have already recorded that .* was told$/);
    expect(await noticeCount()).toBe(before);
  });

  it('is a page that does not exist to those without need to know, other organisations, and consent still in force', async () => {
    // A colleague without the case is sent to give a reason first (break-glass), as on the consent pages.
    const colleague = await signIn(context, stranger);
    for (const path of [
      `/consent-withdrawals/${consentId}`,
      `/consent-withdrawals/${consentId}/organisations/${schoolId}`,
    ]) {
      const refused = await colleague.get(path);
      expect(refused.statusCode).toBe(303);
      expect(refused.headers['location']).toMatch(/^\/people\/[0-9a-f-]{36}$/);
      expect(refused.body).not.toContain('Amelia');
    }
    const elsewhere = await signIn(context, outsider);
    expect((await elsewhere.get(`/consent-withdrawals/${consentId}`)).statusCode).toBe(404);
    expect(
      (await elsewhere.get(`/consent-withdrawals/${consentId}/organisations/${schoolId}`)).statusCode,
    ).toBe(404);
    const browser = await signIn(context, practitioner);
    expect((await browser.get(`/consent-withdrawals/${untouchedConsentId}`)).statusCode).toBe(404);
    expect((await browser.get(`/consent-withdrawals/${randomUUID()}`)).statusCode).toBe(404);
    expect((await browser.get('/consent-withdrawals/not-an-id')).statusCode).toBe(404);
    // An organisation that received nothing under it has nothing to be told.
    const unrelated = await createOrganisation(context, { name: `Elsewhere ${randomUUID().slice(0, 6)}` });
    expect(
      (await browser.get(`/consent-withdrawals/${consentId}/organisations/${unrelated}`)).statusCode,
    ).toBe(404);
  });
});
