import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, expectClean, type TestBrowser } from '../../test/support/browser.ts';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  viewerOf,
  type ConsentWorld,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';
import type { Viewer } from '../auth/index.ts';
import { formatDate } from '../lib/time.ts';
import type { DecisionAnswers } from './sharing.answers.ts';
import { SharingRuleError } from './sharing.errors.ts';

let context: TestContext;
let world: ConsentWorld;
let organisationId: string;
let schoolId: string;
let practitioner: TestStaff;
let manager: TestStaff;
let otherManager: TestStaff;
let guardian: TestStaff;
let dpo: TestStaff;
let adviser: TestStaff;
let igLead: TestStaff;
let dualRole: TestStaff;
let elsewhere: TestStaff;
let asPractitioner: Viewer;
let asDualRole: Viewer;
/** Consent covers the routine share. */
let maisieId: string;
/** Consent was withdrawn. */
let oscarId: string;
/** Allocated to the practitioner who is also a Caldicott Guardian; consent withdrawn. */
let rubyId: string;

// Names no member of staff shares, so that their absence from a page proves something.
const maisie = { givenNames: 'Maisie', familyName: 'Thornbury', dateOfBirth: '2014-05-12' };
const oscar = { givenNames: 'Oscar', familyName: 'Pemberton', dateOfBirth: '2016-01-20' };

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  world = consentWorld(context);
  organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  schoolId = await createOrganisation(context, {
    name: `Oakfield Primary School ${randomUUID().slice(0, 6)}`,
    hosted: false,
  });
  const otherOrganisationId = await createOrganisation(context, {
    name: `Wiltshire Council ${randomUUID().slice(0, 6)}`,
  });
  manager = await createStaff(context, { organisationId, roles: ['manager'], displayName: 'Tom Walsh' });
  practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
    lineManagerId: manager.id,
  });
  otherManager = await createStaff(context, {
    organisationId,
    roles: ['manager'],
    displayName: 'Gemma Price',
  });
  guardian = await createStaff(context, {
    organisationId,
    roles: ['caldicott_guardian'],
    displayName: 'Helen Carter',
  });
  dpo = await createStaff(context, { organisationId, roles: ['dpo'], displayName: 'Dev Patel' });
  adviser = await createStaff(context, {
    organisationId,
    roles: ['child_protection_adviser'],
    displayName: 'Nadia Hussain',
  });
  igLead = await createStaff(context, { organisationId, roles: ['ig_lead'], displayName: 'Owen Bryant' });
  dualRole = await createStaff(context, {
    organisationId,
    roles: ['practitioner', 'caldicott_guardian'],
    displayName: 'Ruth Ellis',
  });
  elsewhere = await createStaff(context, {
    organisationId: otherOrganisationId,
    roles: ['manager', 'caldicott_guardian', 'dpo', 'ig_lead'],
    displayName: 'Alan Stone',
  });
  asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  asDualRole = viewerOf(dualRole, ['practitioner', 'caldicott_guardian'], 'Ruth Ellis');
  const covering = givenConsentAnswers({
    recipientOrganisationIds: [schoolId],
    categoryIds: ['education', 'health'],
  });
  maisieId = await addPerson(world, organisationId, { ...maisie, allocateTo: practitioner.id });
  await world.consents.record(asPractitioner, maisieId, covering);
  oscarId = await addPerson(world, organisationId, { ...oscar, allocateTo: practitioner.id });
  const oscarConsent = await world.consents.record(asPractitioner, oscarId, covering);
  await world.consents.withdraw(asPractitioner, oscarConsent, {
    withdrawnOn: '2026-11-28',
    method: 'telephone',
    by: 'parent_carer',
    note: 'Dad rang to withdraw consent.',
  });
  rubyId = await addPerson(world, organisationId, {
    givenNames: 'Ruby',
    familyName: 'Ashdown',
    dateOfBirth: '2015-03-03',
    allocateTo: dualRole.id,
  });
  const rubyConsent = await world.consents.record(asDualRole, rubyId, covering);
  await world.consents.withdraw(asDualRole, rubyConsent, {
    withdrawnOn: '2026-11-28',
    method: 'letter',
    by: 'parent_carer',
    note: 'Mum wrote to withdraw consent.',
  });
});

/** Sharing on public-interest grounds after consent was withdrawn. */
const publicInterest: DecisionAnswers['lawfulBasis'] = {
  unsure: false,
  article6: 'public-task',
  article9: 'health-social-care',
  schedule1: 'safeguarding',
  commonLaw: 'public-interest',
  confidenceReason: 'The risk of significant harm outweighs the duty of confidence.',
  justification: 'The school reports unexplained bruising; health information is needed to protect him.',
};

async function decision(
  viewer: Viewer,
  personId: string,
  overrides: Partial<DecisionAnswers> = {},
): Promise<string> {
  const id = await context.services.sharing.start(viewer, { personId });
  await context.services.sharing.save(
    viewer,
    id,
    routineShareAnswers({ personIds: [personId], schoolId, overrides }),
  );
  return id;
}

/** A decision on Oscar waiting for public-interest approval: the Caldicott Guardian's for health data, else the line manager's. */
async function awaitingApproval(options: {
  health: boolean;
}): Promise<{ decisionId: string; approvalId: string }> {
  const overrides: Partial<DecisionAnswers> = options.health
    ? { lawfulBasis: publicInterest }
    : {
        lawfulBasis: {
          unsure: false,
          article6: 'public-task',
          commonLaw: 'public-interest',
          confidenceReason: 'Risk of harm outweighs confidence.',
          justification: 'The school needs to know of the attendance concerns to keep him safe.',
        },
        information: {
          shared: [{ categoryId: 'education', relevance: 'Attendance and support in school.' }],
          withheld: ['parent-criminal-record'],
          thirdParties: 'none',
          confirmed: ['necessary', 'proportionate', 'relevant', 'adequate', 'accurate', 'timely', 'secure'],
        },
      };
  const decisionId = await decision(asPractitioner, oscarId, overrides);
  await context.services.sharing.sendForApproval(asPractitioner, decisionId);
  const view = await context.services.sharing.open(asPractitioner, decisionId);
  const approvalId = view.approvals.find((approval) => approval.status === 'pending')?.id;
  if (approvalId === undefined) throw new Error('no approval was requested');
  return { decisionId, approvalId };
}

const adviceIdPattern = /href="\/advice\/([0-9a-f-]{36})"/g;

async function latestAdviceId(decisionId: string): Promise<string> {
  const row = await context.db
    .selectFrom('sharing_advice_requests')
    .select('id')
    .where('decision_id', '=', decisionId)
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function askThroughPage(browser: TestBrowser, decisionId: string, form: Record<string, string>) {
  const page = await browser.get(`/decisions/${decisionId}/ask-for-advice`);
  expect(page.statusCode).toBe(200);
  return browser.post(`/decisions/${decisionId}/ask-for-advice`, form);
}

function anonymisedPreview(html: string): string {
  return /<div class="govuk-inset-text" id="anonymised-summary">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
}

function expectNoPersonalDetails(
  html: string,
  person: { givenNames: string; familyName: string; dateOfBirth: string },
): void {
  for (const detail of [
    person.givenNames,
    person.familyName,
    person.dateOfBirth,
    formatDate(person.dateOfBirth),
  ])
    expect(html).not.toContain(detail);
}

describe('asking for advice', () => {
  it('offers the pack’s advisers by role name, anonymised by default, with a preview of what the adviser will see', async () => {
    const id = await decision(asPractitioner, maisieId);
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/decisions/${id}/ask-for-advice`);
    expect(page.statusCode).toBe(200);
    expectClean(page.body);
    for (const name of [
      'Your line manager',
      'Child protection adviser',
      'Caldicott Guardian',
      'Data Protection Officer',
      'Information governance lead',
    ])
      expect(page.body).toContain(name);
    expect(page.body).toMatch(
      /<input class="govuk-radios__input" id="shareIdentities" name="shareIdentities" type="radio" value="no" checked/,
    );
    expect(page.body).toContain('Share the people’s identities with the adviser?');
    const preview = anonymisedPreview(page.body);
    expect(preview).toContain('About one person.');
    expect(preview).toContain('The person: consent in place that covers this share.');
    expectNoPersonalDetails(preview, maisie);
    expect(page.body).toContain('People: Maisie Thornbury.');
  });

  it('shows each problem in an error summary and asks nobody', async () => {
    const id = await decision(asPractitioner, maisieId);
    const browser = await signIn(context, practitioner);
    await browser.get(`/decisions/${id}/ask-for-advice`);
    const refused = await browser.post(`/decisions/${id}/ask-for-advice`, {
      adviser: 'auditor',
      question: '   ',
      shareIdentities: 'no',
    });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      'Select who you want to ask for advice',
      'Enter your question',
    ]);
    expect(refused.body).toContain('<title>Error: Ask for advice');
    const tooLong = await browser.post(`/decisions/${id}/ask-for-advice`, {
      adviser: 'dpo',
      question: 'x'.repeat(4001),
      shareIdentities: 'maybe',
    });
    expect(tooLong.statusCode).toBe(400);
    expect(errorSummary(tooLong.body)).toEqual([
      'Your question must be 4000 characters or fewer',
      'Select yes if the adviser needs to know who the information is about',
    ]);
    const asked = await context.db
      .selectFrom('sharing_advice_requests')
      .select('id')
      .where('decision_id', '=', id)
      .execute();
    expect(asked).toEqual([]);
  });

  it('lets only the decision’s author ask, and hides another organisation’s decision', async () => {
    const id = await decision(asPractitioner, maisieId);
    const lineManager = await signIn(context, manager);
    const redirected = await lineManager.get(`/decisions/${id}/ask-for-advice`);
    expect(redirected.statusCode).toBe(303);
    expect(redirected.headers['location']).toBe(`/decisions/${id}`);
    const outsider = await signIn(context, elsewhere);
    expect((await outsider.get(`/decisions/${id}/ask-for-advice`)).statusCode).toBe(404);
    expect(
      (
        await outsider.post(`/decisions/${id}/ask-for-advice`, {
          adviser: 'dpo',
          question: 'Can I share?',
          shareIdentities: 'no',
        })
      ).statusCode,
    ).toBe(404);
    expect((await outsider.get('/decisions/not-a-uuid/ask-for-advice')).statusCode).toBe(404);
  });
});

describe('anonymised advice (R2.19)', () => {
  it('never shows the person to the adviser; the answer is recorded and the practitioner told without personal data', async () => {
    const id = await decision(asPractitioner, maisieId);
    const browser = await signIn(context, practitioner);
    const asked = await askThroughPage(browser, id, {
      adviser: 'caldicott_guardian',
      question: 'Can health information go to the school for the plan review?',
      shareIdentities: 'no',
    });
    expect(asked.statusCode, errorSummary(asked.body).join('; ')).toBe(303);
    expect(asked.headers['location']).toBe(`/decisions/${id}?done=advice`);
    // The practitioner is told the request went.
    const sent = await browser.get(`/decisions/${id}?done=advice`);
    expect(sent.body).toContain('govuk-notification-banner--success');
    expect(sent.body).toContain('Your request for advice has been sent.');
    const adviceId = await latestAdviceId(id);
    const reference = (await context.services.sharing.open(asPractitioner, id)).reference;

    const caldicott = await signIn(context, guardian);
    const inbox = await caldicott.get('/advice');
    expect(inbox.statusCode).toBe(200);
    expectClean(inbox.body);
    expect(inbox.body).toContain(`href="/advice/${adviceId}"`);
    expect(inbox.body).toContain(reference);
    expect(inbox.body).toContain('Anonymised');
    expect(inbox.body).toContain('Priya Sharma');
    expectNoPersonalDetails(inbox.body, maisie);

    const page = await caldicott.get(`/advice/${adviceId}`);
    expect(page.statusCode).toBe(200);
    expectClean(page.body);
    expect(page.body).toContain('Can health information go to the school for the plan review?');
    expect(page.body).toContain('Anonymised summary of the decision');
    expect(page.body).toContain('The person: consent in place that covers this share.');
    expect(page.body).toContain('name="answer"');
    expectNoPersonalDetails(page.body, maisie);
    expect(page.body).not.toContain(`href="/decisions/${id}"`);

    const empty = await caldicott.post(`/advice/${adviceId}`, { answer: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(errorSummary(empty.body)).toEqual(['Enter your advice']);
    expectNoPersonalDetails(empty.body, maisie);
    const tooLong = await caldicott.post(`/advice/${adviceId}`, { answer: 'y'.repeat(4001) });
    expect(tooLong.statusCode).toBe(400);
    expect(errorSummary(tooLong.body)).toEqual(['Your advice must be 4000 characters or fewer']);
    expect(
      (
        await context.db
          .selectFrom('sharing_advice_requests')
          .select('status')
          .where('id', '=', adviceId)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('open');

    const answered = await caldicott.post(`/advice/${adviceId}`, {
      answer: 'Yes: the health information named in the plan is necessary. Withhold the rest.',
    });
    expect(answered.statusCode).toBe(303);
    expect(answered.headers['location']).toBe('/advice?done=answered');
    const after = await caldicott.get('/advice?done=answered');
    expect(after.body).toContain('govuk-notification-banner--success');
    expect(after.body).toContain('Your advice has been recorded on the decision.');
    expectNoPersonalDetails(after.body, maisie);
    const again = await caldicott.get(`/advice/${adviceId}`);
    expect(again.body).toContain('Advice given');
    expect(again.body).not.toContain('name="answer"');
    expect((await caldicott.post(`/advice/${adviceId}`, { answer: 'Changed my mind.' })).statusCode).toBe(
      400,
    );

    const view = await context.services.sharing.open(asPractitioner, id);
    expect(view.advice).toMatchObject([
      {
        id: adviceId,
        status: 'answered',
        answer: 'Yes: the health information named in the plan is necessary. Withhold the rest.',
        answeredByName: 'Helen Carter',
      },
    ]);
    const notice = await context.db
      .selectFrom('notifications')
      .select(['subject', 'body', 'link'])
      .where('user_id', '=', practitioner.id)
      .where('kind', '=', 'advice.answered')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(notice.link).toBe(`/decisions/${id}`);
    const mail = await context.db
      .selectFrom('mail_outbox')
      .select(['subject', 'body'])
      .where('to_address', '=', practitioner.email)
      .where('subject', 'like', '%advice%')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    for (const text of [mail.subject, mail.body, notice.subject, notice.body])
      expectNoPersonalDetails(text, maisie);
    expect(mail.body).not.toContain('bruising');
    expect(mail.body).not.toContain('health information');

    // The practitioner can read the answer too, with a way back to the decision.
    const asker = await browser.get(`/advice/${adviceId}`);
    expect(asker.statusCode).toBe(200);
    expect(asker.body).toContain('Withhold the rest.');
    expect(asker.body).toContain(`href="/decisions/${id}"`);
  });

  it('shows the people to the adviser when the practitioner chose to share their identities', async () => {
    const id = await decision(asPractitioner, maisieId);
    const browser = await signIn(context, practitioner);
    const asked = await askThroughPage(browser, id, {
      adviser: 'child_protection_adviser',
      question: 'Is there anything on our records that changes this?',
      shareIdentities: 'yes',
    });
    expect(asked.statusCode).toBe(303);
    const adviceId = await latestAdviceId(id);
    const nadia = await signIn(context, adviser);
    const inbox = await nadia.get('/advice');
    expect(inbox.body).toContain('Identities shared');
    expect(inbox.body).toContain(`/advice/${adviceId}`);
    const page = await nadia.get(`/advice/${adviceId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Summary of the decision, with identities');
    expect(page.body).toContain('Maisie Thornbury');
    expect(page.body).toContain('The school is reviewing the EHC plan');
  });

  it('shows a request only to the adviser it is addressed to, and to nobody in another organisation', async () => {
    const id = await decision(asPractitioner, maisieId);
    await context.services.sharing.askAdvice(asPractitioner, id, {
      adviser: 'dpo',
      question: 'Is public task right here?',
      anonymised: true,
    });
    const adviceId = await latestAdviceId(id);
    const nadia = await signIn(context, adviser);
    expect((await nadia.get('/advice')).body).not.toContain(adviceId);
    expect((await nadia.get(`/advice/${adviceId}`)).statusCode).toBe(404);
    expect((await nadia.post(`/advice/${adviceId}`, { answer: 'Yes.' })).statusCode).toBe(404);
    const outsider = await signIn(context, elsewhere);
    expect((await outsider.get('/advice')).body).not.toContain(adviceId);
    expect((await outsider.get(`/advice/${adviceId}`)).statusCode).toBe(404);
    expect((await outsider.post(`/advice/${adviceId}`, { answer: 'Yes.' })).statusCode).toBe(404);
    expect((await outsider.get('/advice/not-a-uuid')).statusCode).toBe(404);
    expect(
      (
        await context.db
          .selectFrom('sharing_advice_requests')
          .select('status')
          .where('id', '=', adviceId)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('open');
  });
});

describe('asking a supervisor (R2.15)', () => {
  it('asks the colleague the practitioner names, who alone sees and answers it; naming nobody changes nothing', async () => {
    const id = await decision(asPractitioner, maisieId);
    const browser = await signIn(context, practitioner);
    const missing = await askThroughPage(browser, id, {
      adviser: 'supervisor',
      supervisorId: '',
      question: 'Should I share the health visitor’s notes?',
      shareIdentities: 'no',
    });
    expect(missing.statusCode).toBe(400);
    expect(errorSummary(missing.body)).toContain('Select your supervisor from the list');
    // A colleague who has left, and someone of another organisation, cannot be named either.
    const leaver = await createStaff(context, {
      organisationId,
      roles: ['manager'],
      displayName: 'Lee Left',
    });
    await context.ownerDb.updateTable('users').set({ active: false }).where('id', '=', leaver.id).execute();
    for (const supervisorId of [leaver.id, elsewhere.id]) {
      const refused = await askThroughPage(browser, id, {
        adviser: 'supervisor',
        supervisorId,
        question: 'Should I share the health visitor’s notes?',
        shareIdentities: 'no',
      });
      expect(refused.statusCode, supervisorId).toBe(400);
      expect(errorSummary(refused.body).join(' ')).toContain('Select your supervisor from the list');
    }
    const before = await context.db
      .selectFrom('sharing_advice_requests')
      .select('id')
      .where('decision_id', '=', id)
      .execute();
    expect(before).toEqual([]);
    const asked = await askThroughPage(browser, id, {
      adviser: 'supervisor',
      supervisorId: otherManager.id,
      question: 'Should I share the health visitor’s notes?',
      shareIdentities: 'no',
    });
    expect(asked.statusCode).toBe(303);
    const adviceId = await latestAdviceId(id);
    const gemma = await signIn(context, otherManager);
    expect((await gemma.get('/advice')).body).toContain(adviceId);
    const tom = await signIn(context, manager);
    expect((await tom.get('/advice')).body).not.toContain(adviceId);
    expect((await tom.post(`/advice/${adviceId}`, { answer: 'Share it.' })).statusCode).not.toBe(303);
    expect(
      (
        await gemma.post(`/advice/${adviceId}`, {
          answer: 'Share the notes about her speech and language only.',
        })
      ).statusCode,
    ).toBe(303);
    const answered = await context.db
      .selectFrom('sharing_advice_requests')
      .select(['status', 'answered_by', 'adviser'])
      .where('id', '=', adviceId)
      .executeTakeFirstOrThrow();
    expect(answered).toEqual({ status: 'answered', answered_by: otherManager.id, adviser: 'supervisor' });
  });
});

describe('unsure which law applies (R2.3)', () => {
  it('cannot be recorded until the DPO and the Caldicott Guardian have each answered, health information being shared', async () => {
    const unsure = { ...routineShareAnswers({ personIds: [maisieId], schoolId }).lawfulBasis, unsure: true };
    const id = await decision(asPractitioner, maisieId, { lawfulBasis: unsure });
    const codes = async () =>
      (await context.services.sharing.open(asPractitioner, id)).assessment.problems.map(
        (problem) => problem.code,
      );
    expect(await codes()).toEqual(['LAW_ADVICE']);
    await expect(context.services.sharing.record(asPractitioner, id)).rejects.toBeInstanceOf(
      SharingRuleError,
    );

    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/decisions/${id}/ask-for-advice`);
    expect(page.body).toContain(
      'You said you are not sure which law applies. The decision cannot be recorded until the Data Protection Officer and Caldicott Guardian have each given advice. Still waiting for: the Data Protection Officer and Caldicott Guardian.',
    );
    expect(page.body).toContain('Must give advice on which law applies before the decision can be recorded');

    // The line manager's advice does not settle it.
    await askThroughPage(browser, id, {
      adviser: 'line-manager',
      question: 'Which law applies?',
      shareIdentities: 'no',
    });
    const lineManager = await signIn(context, manager);
    const managerAdvice = await latestAdviceId(id);
    expect((await lineManager.get('/advice')).body).toContain(`/advice/${managerAdvice}`);
    expect((await lineManager.post(`/advice/${managerAdvice}`, { answer: 'Ask the DPO.' })).statusCode).toBe(
      303,
    );
    expect(await codes()).toEqual(['LAW_ADVICE']);
    await expect(context.services.sharing.record(asPractitioner, id)).rejects.toBeInstanceOf(
      SharingRuleError,
    );

    await askThroughPage(browser, id, {
      adviser: 'dpo',
      question: 'Is public task the right basis for the plan review?',
      shareIdentities: 'no',
    });
    const dpoAdvice = await latestAdviceId(id);
    expect(await codes()).toEqual(['LAW_ADVICE']);
    const officer = await signIn(context, dpo);
    const inbox = await officer.get('/advice');
    expect([...inbox.body.matchAll(adviceIdPattern)].map((match) => match[1])).toContain(dpoAdvice);
    expect(
      (
        await officer.post(`/advice/${dpoAdvice}`, {
          answer: "Public task (Article 6(1)(e)) applies: this is the council's statutory function.",
        })
      ).statusCode,
    ).toBe(303);
    // The DPO alone does not settle it: the source policy asks the DPO and the Caldicott Guardian.
    expect(await codes()).toEqual(['LAW_ADVICE']);
    const recordPage = await browser.post(`/decisions/${id}/record`);
    expect(recordPage.statusCode).toBe(400);
    expect(errorSummary(recordPage.body).join(' ')).toContain('Still waiting for: the Caldicott Guardian');
    await askThroughPage(browser, id, {
      adviser: 'caldicott_guardian',
      question: 'Does the common law of confidence alone apply to the health visitor’s notes?',
      shareIdentities: 'no',
    });
    const guardianAdvice = await latestAdviceId(id);
    expect(
      (
        await (
          await signIn(context, guardian)
        ).post(`/advice/${guardianAdvice}`, {
          answer: 'Both apply: the notes are confidential health information and personal data.',
        })
      ).statusCode,
    ).toBe(303);
    expect(await codes()).toEqual([]);
    expect(await context.services.sharing.record(asPractitioner, id)).toMatch(/^SD-/);
  });

  it('takes advice after the decision is recorded, kept with the decision on its overview and record sheet (R2.15)', async () => {
    const id = await decision(asPractitioner, maisieId);
    await context.services.sharing.record(asPractitioner, id);
    context.clock.advance(60 * 60 * 1000);
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/decisions/${id}/ask-for-advice`);
    expect(page.statusCode).toBe(200);
    expect((await browser.get(`/decisions/${id}`)).body).toContain(`href="/decisions/${id}/ask-for-advice"`);
    const asked = await askThroughPage(browser, id, {
      adviser: 'dpo',
      question: 'Which method should I use to send the health visitor’s notes?',
      shareIdentities: 'no',
    });
    expect(asked.statusCode).toBe(303);
    const adviceId = await latestAdviceId(id);
    const requested = await context.db
      .selectFrom('audit_events')
      .select('change')
      .where('action', '=', 'advice.requested')
      .where('entity_id', '=', adviceId)
      .executeTakeFirstOrThrow();
    expect(requested.change).toMatchObject({ decisionId: id, decisionStatus: 'recorded' });
    const officer = await signIn(context, dpo);
    expect(
      (await officer.post(`/advice/${adviceId}`, { answer: 'Use the secure exchange, not e-mail.' }))
        .statusCode,
    ).toBe(303);
    const view = await context.services.sharing.open(asPractitioner, id);
    expect(view.status).toBe('recorded');
    expect(view.advice.map((item) => item.answer)).toEqual(['Use the secure exchange, not e-mail.']);
    const overview = await browser.get(`/decisions/${id}`);
    expect(overview.body).toContain('Use the secure exchange, not e-mail.');
    expect(overview.body).toContain('after the decision was recorded');
    const sheet = await browser.get(`/decisions/${id}/record-sheet`);
    expect(sheet.body).toContain('Use the secure exchange, not e-mail.');
    expect(sheet.body).toContain('after the decision was recorded');
    // Only its author asks: a colleague who may read it may not.
    const lineManager = await signIn(context, manager);
    expect((await lineManager.post(`/decisions/${id}/ask-for-advice`, {})).statusCode).not.toBe(303);
  });
});

describe('the approver’s queue and decision (R2.16, R2.20)', () => {
  it('shows each approver only the requests addressed to their role, or to them as line manager', async () => {
    const health = await awaitingApproval({ health: true });
    const education = await awaitingApproval({ health: false });
    const caldicott = await signIn(context, guardian);
    const queue = await caldicott.get('/approvals');
    expect(queue.statusCode).toBe(200);
    expectClean(queue.body);
    expect(queue.body).toContain(`/approvals/${health.approvalId}`);
    expect(queue.body).not.toContain(`/approvals/${education.approvalId}`);
    expect(queue.body).toContain('Sharing on public-interest grounds');
    expect(queue.body).toContain('Priya Sharma');
    const lineManager = await signIn(context, manager);
    const managerQueue = (await lineManager.get('/approvals')).body;
    expect(managerQueue).toContain(`/approvals/${education.approvalId}`);
    expect(managerQueue).not.toContain(`/approvals/${health.approvalId}`);
    for (const staff of [otherManager, igLead, adviser, elsewhere]) {
      const other = (await (await signIn(context, staff)).get('/approvals')).body;
      expect(other).not.toContain(health.approvalId);
      expect(other).not.toContain(education.approvalId);
    }
    // Not addressed to them, and no other reason to open the decision: it does not exist.
    const nadia = await signIn(context, adviser);
    expect((await nadia.get(`/approvals/${health.approvalId}`)).statusCode).toBe(404);
    expect(
      (await nadia.post(`/approvals/${health.approvalId}`, { decision: 'approve', reason: '' })).statusCode,
    ).toBe(404);
    const gemma = await signIn(context, otherManager);
    expect((await gemma.get(`/approvals/${education.approvalId}`)).statusCode).toBe(404);
    const outsider = await signIn(context, elsewhere);
    expect((await outsider.get(`/approvals/${health.approvalId}`)).statusCode).toBe(404);
    expect(
      (await outsider.post(`/approvals/${health.approvalId}`, { decision: 'approve', reason: '' }))
        .statusCode,
    ).toBe(404);
    expect((await outsider.get('/approvals/not-a-uuid')).statusCode).toBe(404);
    expect((await context.services.sharing.open(asPractitioner, health.decisionId)).status).toBe(
      'awaiting-approval',
    );
  });

  it('shows the whole decision, and refusing without a reason changes nothing', async () => {
    const { decisionId, approvalId } = await awaitingApproval({ health: true });
    const caldicott = await signIn(context, guardian);
    const page = await caldicott.get(`/approvals/${approvalId}`);
    expect(page.statusCode).toBe(200);
    expectClean(page.body);
    for (const text of [
      'Approve or refuse: sharing on public-interest grounds',
      'Oscar Pemberton, born 20 January 2016',
      'Oscar Pemberton: Consent was withdrawn',
      'Public-interest justification',
      'The school reports unexplained bruising; health information is needed to protect him.',
      'Health, including mental health',
      'Withheld',
      'carer&#39;s criminal record',
      'Risks of not sharing',
      'Share in part',
      'Rebecca Sutton, Special educational needs coordinator',
      'name="decision"',
    ])
      expect(page.body).toContain(text);

    const refused = await caldicott.post(`/approvals/${approvalId}`, { decision: 'refuse', reason: '  ' });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual(['Enter the reason you are refusing this request']);
    const nothing = await caldicott.post(`/approvals/${approvalId}`, {});
    expect(nothing.statusCode).toBe(400);
    expect(errorSummary(nothing.body)).toEqual(['Select whether you approve or refuse this request']);
    const unchanged = await context.services.sharing.open(asPractitioner, decisionId);
    expect(unchanged.status).toBe('awaiting-approval');
    expect(unchanged.approvals.map((approval) => approval.status)).toEqual(['pending']);

    const withReason = await caldicott.post(`/approvals/${approvalId}`, {
      decision: 'refuse',
      reason: 'The bruising has been explained: share education information only.',
    });
    expect(withReason.statusCode).toBe(303);
    expect(withReason.headers['location']).toBe('/approvals?done=refused');
    expect((await caldicott.get('/approvals?done=refused')).body).toContain(
      'Your refusal has been recorded.',
    );
    const after = await context.services.sharing.open(asPractitioner, decisionId);
    expect(after.status).toBe('draft');
    expect(after.approvals).toMatchObject([
      {
        status: 'refused',
        reason: 'The bruising has been explained: share education information only.',
        decidedByName: 'Helen Carter',
      },
    ]);
    const notice = await context.db
      .selectFrom('notifications')
      .select(['subject', 'body'])
      .where('user_id', '=', practitioner.id)
      .where('kind', '=', 'decision.approval_refused')
      .executeTakeFirstOrThrow();
    expectNoPersonalDetails(`${notice.subject} ${notice.body}`, oscar);
    const decided = await caldicott.get(`/approvals/${approvalId}`);
    expect(decided.body).toContain('Refused');
    expect(decided.body).not.toContain('name="decision"');
    expect(
      (await caldicott.post(`/approvals/${approvalId}`, { decision: 'approve', reason: '' })).statusCode,
    ).toBe(400);
  });

  it('records an approval, after which the practitioner can record the share', async () => {
    const { decisionId, approvalId } = await awaitingApproval({ health: false });
    const lineManager = await signIn(context, manager);
    const approved = await lineManager.post(`/approvals/${approvalId}`, { decision: 'approve', reason: '' });
    expect(approved.statusCode).toBe(303);
    expect(approved.headers['location']).toBe('/approvals?done=approved');
    const queue = await lineManager.get('/approvals?done=approved');
    expect(queue.body).toContain('govuk-notification-banner--success');
    expect(queue.body).toContain('Your approval has been recorded on the decision.');
    expect(queue.body).toContain('Recently decided');
    expect(queue.body).toContain(`/approvals/${approvalId}`);
    expect((await context.services.sharing.open(asPractitioner, decisionId)).status).toBe('approved');
    // Approved, nothing is waiting to be withdrawn: taking it back is for changing the answers.
    const overview = await (await signIn(context, practitioner)).get(`/decisions/${decisionId}`);
    expect(overview.body).not.toContain('Withdraw request');
    expect(overview.body).toContain('Return to draft to change the answers');
    expect(overview.body).toContain('The approvals given will no longer count');
    expect(await context.services.sharing.record(asPractitioner, decisionId)).toMatch(/^SD-/);
  });

  it('never lets an approver decide their own request', async () => {
    const id = await decision(asDualRole, rubyId, { lawfulBasis: publicInterest });
    await context.services.sharing.sendForApproval(asDualRole, id);
    const approvalId = (await context.services.sharing.open(asDualRole, id)).approvals[0]?.id ?? '';
    const ruth = await signIn(context, dualRole);
    expect((await ruth.get('/approvals')).body).not.toContain(approvalId);
    const page = await ruth.get(`/approvals/${approvalId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You asked for this approval, so you cannot decide it.');
    expect(page.body).not.toContain('name="decision"');
    const attempt = await ruth.post(`/approvals/${approvalId}`, { decision: 'approve', reason: '' });
    expect(attempt.statusCode).toBe(400);
    expect(errorSummary(attempt.body)).toEqual([
      'You asked for this approval, so you cannot decide it: another approver must',
    ]);
    const view = await context.services.sharing.open(asDualRole, id);
    expect(view.status).toBe('awaiting-approval');
    expect(view.approvals.map((approval) => approval.status)).toEqual(['pending']);
    // Another Caldicott Guardian can.
    expect((await (await signIn(context, guardian)).get('/approvals')).body).toContain(approvalId);
  });
});

describe('navigation and access', () => {
  it('shows advice requests and approvals to those who answer them', async () => {
    const nav = async (staff: TestStaff) => (await (await signIn(context, staff)).get('/')).body;
    const practitionerNav = await nav(practitioner);
    expect(practitionerNav).not.toContain('href="/advice"');
    expect(practitionerNav).not.toContain('href="/approvals"');
    const guardianNav = await nav(guardian);
    expect(guardianNav).toContain('href="/advice"');
    expect(guardianNav).toContain('href="/approvals"');
    const adviserNav = await nav(adviser);
    expect(adviserNav).toContain('href="/advice"');
    expect(adviserNav).not.toContain('href="/approvals"');
    const auditor = await signIn(context, await createStaff(context, { organisationId, roles: ['auditor'] }));
    expect((await auditor.get('/advice')).statusCode).toBe(403);
    expect((await auditor.get('/approvals')).statusCode).toBe(403);
  });
});
