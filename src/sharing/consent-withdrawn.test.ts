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
 * When consent is withdrawn (R3.3), every open or recorded decision that relied on it is marked in
 * the withdrawal's own transaction, with its audit event; its author and their line manager are told
 * without personal data; and its overview says so. Decisions that did not rely on it are left alone.
 */

let context: TestContext;
let practitioner: TestStaff;
let manager: TestStaff;
let asPractitioner: Viewer;
let childId: string;
let consentId: string;
let recordedOnConsent: string;
let draftOnConsent: string;
let onLegalDuty: string;
let otherPurpose: string;

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  const world = consentWorld(context);
  const councilId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const schoolId = await createOrganisation(context, {
    name: `Kingsdown School ${randomUUID().slice(0, 6)}`,
  });
  manager = await createStaff(context, {
    organisationId: councilId,
    roles: ['manager'],
    displayName: 'Helen Carter',
  });
  practitioner = await createStaff(context, {
    organisationId: councilId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
    lineManagerId: manager.id,
  });
  asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  childId = await addPerson(world, councilId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: practitioner.id,
  });
  consentId = await world.consents.record(
    asPractitioner,
    childId,
    givenConsentAnswers({
      givenOn: '2026-11-20',
      purposeIds: ['education-support'],
      recipientOrganisationIds: [schoolId],
      categoryIds: ['education', 'health'],
      methodIds: ['secure-exchange', 'telephone'],
    }),
  );
  const answers = routineShareAnswers({ personIds: [childId], schoolId });
  recordedOnConsent = (await context.services.sharing.recordComplete(asPractitioner, answers)).id;
  onLegalDuty = (
    await context.services.sharing.recordComplete(asPractitioner, {
      ...answers,
      lawfulBasis: {
        ...answers.lawfulBasis,
        commonLaw: 'legal-duty',
        confidenceReason: 'A production order from the family court requires the disclosure.',
        statute: 'Production order under the Family Procedure Rules 2010, rule 12.73',
      },
    })
  ).id;
  // An open decision on consent, for a purpose the consent covers.
  draftOnConsent = await context.services.sharing.start(asPractitioner, { personId: childId });
  await context.services.sharing.save(asPractitioner, draftOnConsent, {
    request: answers.request,
    lawfulBasis: answers.lawfulBasis,
  });
  // An open decision on consent, for a purpose this consent never covered.
  otherPurpose = await context.services.sharing.start(asPractitioner, { personId: childId });
  await context.services.sharing.save(asPractitioner, otherPurpose, {
    request: { ...answers.request, purposeId: 'health-care' },
    lawfulBasis: answers.lawfulBasis,
  });
}, 60_000);

async function marked(decisionId: string): Promise<readonly string[]> {
  return (await context.services.sharing.open(asPractitioner, decisionId)).consentWithdrawals.map(
    (withdrawal) => `${withdrawal.consentId} ${withdrawal.withdrawnOn}`,
  );
}

describe('withdrawing consent a decision relied on', () => {
  it('marks the decisions that relied on it, audits and notifies, in the withdrawal through the page', async () => {
    const browser = await signIn(context, practitioner);
    await browser.get(`/consents/${consentId}/withdraw`);
    const response = await browser.post(`/consents/${consentId}/withdraw`, {
      'withdrawnOn-day': '30',
      'withdrawnOn-month': '11',
      'withdrawnOn-year': '2026',
      withdrawalMethod: 'telephone',
      withdrawnBy: 'parent_carer',
      withdrawalNote: 'Mum rang to say she no longer agrees.',
    });
    expect(response.statusCode, errorSummary(response.body).join(' ')).toBe(303);

    expect(await marked(recordedOnConsent)).toEqual([`${consentId} 2026-11-30`]);
    expect(await marked(draftOnConsent)).toEqual([`${consentId} 2026-11-30`]);
    // A legal duty never rested on consent; another purpose was never covered by it.
    expect(await marked(onLegalDuty)).toEqual([]);
    expect(await marked(otherPurpose)).toEqual([]);

    const events = await context.db
      .selectFrom('audit_events')
      .where('action', '=', 'decision.consent_withdrawn')
      .select(['entity_id'])
      .execute();
    expect(events.map((event) => event.entity_id).sort()).toEqual([recordedOnConsent, draftOnConsent].sort());

    const notices = await context.db
      .selectFrom('notifications')
      .where('kind', '=', 'decision.consent_withdrawn')
      .select(['user_id', 'subject', 'body', 'link'])
      .execute();
    expect(notices.map((notice) => notice.user_id).sort()).toEqual(
      [practitioner.id, practitioner.id, manager.id, manager.id].sort(),
    );
    expect(notices.map((notice) => notice.link).sort()).toEqual(
      [recordedOnConsent, recordedOnConsent, draftOnConsent, draftOnConsent]
        .map((id) => `/decisions/${id}`)
        .sort(),
    );
    const mail = await context.db
      .selectFrom('mail_outbox')
      .where('subject', 'like', '%consent withdrawn%')
      .select(['subject', 'body'])
      .execute();
    expect(mail).toHaveLength(4);
    for (const message of [...notices, ...mail]) {
      expect(`${message.subject} ${message.body}`).not.toMatch(/Amelia|Hughes|2014/);
      expect(message.body).toContain('withdrawn on 30 November 2026');
    }
  });

  it('warns on the overview of a marked decision, and not on one that did not rely on it', async () => {
    const browser = await signIn(context, practitioner);
    const overview = await browser.get(`/decisions/${recordedOnConsent}`);
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('Consent was withdrawn on 30 November 2026');
    expect(overview.body).toContain('Further disclosures under it are refused');
    const draft = await browser.get(`/decisions/${draftOnConsent}`);
    expect(draft.body).toContain('Consent was withdrawn on 30 November 2026');
    expect(draft.body).toContain('choose another basis, or do not share');
    const legalDuty = await browser.get(`/decisions/${onLegalDuty}`);
    expect(legalDuty.statusCode).toBe(200);
    expect(legalDuty.body).not.toContain('Consent was withdrawn');
  });
});
