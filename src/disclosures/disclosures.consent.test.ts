import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  viewerOf,
} from '../../test/support/consent-fixtures.ts';
import { letterDisclosure } from '../../test/support/disclosure-fixtures.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';
import { systemActor } from '../audit/index.ts';
import type { Viewer } from '../auth/index.ts';
import { DisclosureRuleError } from './disclosures.errors.ts';

/**
 * Consent is checked again when information leaves (R3.3, R2.20), not only when the decision was
 * recorded: a disclosure under a decision that rests on consent stops when the consent is withdrawn
 * or does not cover how it is sent; a decision on a legal duty never rested on consent.
 */

let context: TestContext;
let asPractitioner: Viewer;
let practitioner: TestStaff;
let childId: string;
let consentId: string;
let onConsent: string;
let onLegalDuty: string;
let token: string;

const police = {
  name: 'DC Sarah Price',
  role: 'Detective constable, child abuse investigation team',
  reason: 'Investigating a referral about the child.',
};

/** A telephone call from a caller the practitioner does not know, called back through the switchboard. */
function telephoneDisclosure() {
  return {
    recipientIndex: 0,
    method: 'telephone' as const,
    categoryIds: ['education'],
    description: 'School attendance for the last term.',
    checklist: {
      callDirection: 'incoming',
      callerName: 'Sarah Price',
      callerOrganisation: 'Wiltshire Police',
      callerDetails: 'Detective constable, child abuse investigation team, collar number 4471',
      callerVerified: true,
      callerKnown: false,
      callerFromAnotherOrganisation: true,
      callBackMade: true,
      callBackNumber: '01632 960 999',
      returnNumber: '01632 960 123',
      onlyToPersonWhoAsked: true,
      contactConfidential: false,
      messageLeft: 'none',
      notOverheard: true,
      disclosed: 'School attendance for the last term.',
    },
  };
}

async function disclosureCount(): Promise<number> {
  const row = await context.db
    .selectFrom('disclosures')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function refusal(work: Promise<unknown>): Promise<{ code: string; field: string; message: string }[]> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DisclosureRuleError);
  return (error as DisclosureRuleError).problems.map((problem) => ({
    code: problem.code,
    field: problem.field,
    message: problem.message,
  }));
}

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  const world = consentWorld(context);
  const councilId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const policeId = await context.services.orgs.create(systemActor, {
    name: `Wiltshire Police ${randomUUID().slice(0, 6)}`,
    kind: 'police',
    switchboardPhone: '01632960999',
    hosted: false,
  });
  practitioner = await createStaff(context, {
    organisationId: councilId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
  });
  asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  token = (await context.services.apiTokens.issue(systemActor, practitioner.id, 'Case management', 30)).token;
  childId = await addPerson(world, councilId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: practitioner.id,
  });
  // Consent to share education and health information with the police, by telephone or the secure exchange only.
  consentId = await world.consents.record(
    asPractitioner,
    childId,
    givenConsentAnswers({
      givenOn: '2026-11-20',
      recipientOrganisationIds: [policeId],
      categoryIds: ['education', 'health'],
      methodIds: ['telephone', 'secure-exchange'],
    }),
  );
  const base = routineShareAnswers({ personIds: [childId], schoolId: policeId });
  const toPolice = {
    ...base,
    request: {
      ...base.request,
      requesterName: police.name,
      requesterRole: police.role,
      requesterOrganisationId: policeId,
    },
    recipients: { recipients: [{ ...police, organisationId: policeId }] },
  };
  onConsent = (await context.services.sharing.recordComplete(asPractitioner, toPolice)).id;
  onLegalDuty = (
    await context.services.sharing.recordComplete(asPractitioner, {
      ...toPolice,
      lawfulBasis: {
        ...toPolice.lawfulBasis,
        commonLaw: 'legal-duty',
        confidenceReason: 'A production order from the family court requires the disclosure.',
        statute: 'Production order under the Family Procedure Rules 2010, rule 12.73',
      },
    })
  ).id;
}, 60_000);

describe('consent at the moment of disclosure', () => {
  it('refuses a disclosure by a method the consent does not cover, and allows one it does', async () => {
    const before = await disclosureCount();
    const problems = await refusal(
      context.services.disclosures.record(
        asPractitioner,
        onConsent,
        letterDisclosure({ categoryIds: ['education'] }) as Parameters<
          typeof context.services.disclosures.record
        >[2],
      ),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ code: 'DISCLOSURE.CONSENT_NOT_COVERING', field: 'method' }),
    );
    expect(await disclosureCount()).toBe(before);
    await context.services.disclosures.record(asPractitioner, onConsent, telephoneDisclosure());
    expect(await disclosureCount()).toBe(before + 1);
  });

  it('stops every disclosure under a decision on consent once the consent is withdrawn: service, API and page', async () => {
    await context.services.consent.withdraw(asPractitioner, consentId, {
      withdrawnOn: '2026-11-30',
      method: 'telephone',
      by: 'parent_carer',
      note: 'Mum rang to say she no longer agrees to the police being told.',
    });
    const before = await disclosureCount();

    const problems = await refusal(
      context.services.disclosures.record(asPractitioner, onConsent, telephoneDisclosure()),
    );
    expect(problems).toContainEqual(expect.objectContaining({ code: 'DISCLOSURE.CONSENT_WITHDRAWN' }));
    expect(problems.map((problem) => problem.message).join(' ')).toContain('Amelia Hughes');

    const api = await context.app.inject({
      method: 'POST',
      url: `/api/v1/decisions/${onConsent}/disclosures`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(telephoneDisclosure()),
    });
    expect(api.statusCode, api.body).toBe(422);
    expect(api.body).toContain('DISCLOSURE.CONSENT_WITHDRAWN');

    // The first step of the page refuses at once, before the checklist is asked.
    const browser = await signIn(context, practitioner);
    await browser.get(`/decisions/${onConsent}/disclosures/new`);
    const page = await browser.post(`/decisions/${onConsent}/disclosures/new`, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'telephone',
      recipientAddress: '',
    });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('has been withdrawn since the decision');
    expect(await disclosureCount()).toBe(before);
  });

  it('lets a decision on a legal duty disclose after the consent is withdrawn: it never rested on consent', async () => {
    const before = await disclosureCount();
    await context.services.disclosures.record(asPractitioner, onLegalDuty, telephoneDisclosure());
    expect(await disclosureCount()).toBe(before + 1);
  });
});
