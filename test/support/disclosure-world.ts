import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Viewer } from '../../src/auth/index.ts';
import { systemActor } from '../../src/audit/index.ts';
import { errorSummary, expectClean, type TestBrowser } from './browser.ts';
// The one check every page test uses, here for the disclosure tests' imports.
export { expectClean };
import { addPerson, consentWorld, everyMethodId, givenConsentAnswers, viewerOf } from './consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from './factories.ts';
import { testApp, type TestContext } from './harness.ts';
import { routineShareAnswers } from './sharing-fixtures.ts';

/**
 * The disclosure pages' test world: a council with a practitioner, a colleague and the DPO, someone
 * in another organisation, a child, and recorded decisions to share with the police, with the
 * neighbouring council and internally, and one not to share. Each test file that imports it calls
 * `setUpDisclosureWorld` once (a fresh database).
 */
export let context: TestContext;
export let councilId: string;
export let practitioner: TestStaff;
export let colleague: TestStaff;
export let dpo: TestStaff;
export let elsewhere: TestStaff;
export let asPractitioner: Viewer;
export let childId: string;
export let shareToPolice: string;
export let shareToNeighbour: string;
export let shareInternally: string;
export let notShared: string;

export type Form = Record<string, string | readonly string[]>;

export const uuidPattern = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
export const switchboard = '01632960999';

/** An unknown caller from the police, called back through the published switchboard. */
export function telephoneForm(overrides: Form = {}): Form {
  return {
    callDirection: 'incoming',
    callerName: 'Sarah Price',
    callerOrganisation: 'Wiltshire Police',
    callerDetails: 'Detective constable, child abuse investigation team, collar number 4471',
    callerVerified: 'yes',
    callerKnown: 'no',
    callerFromAnotherOrganisation: 'yes',
    callBackMade: 'yes',
    callBackNumber: '01632 960 999',
    returnNumber: '01632 960 123',
    onlyToPersonWhoAsked: 'yes',
    contactConfidential: 'no',
    messageLeft: 'none',
    messagePermissionRecorded: '',
    notOverheard: 'yes',
    description: 'School attendance and the dates of the last two home visits.',
    ...overrides,
  };
}

/** A call the practitioner made to the police through the published switchboard. */
export function outgoingCallForm(overrides: Form = {}): Form {
  return {
    callDirection: 'outgoing',
    personReached: 'DC Sarah Price',
    personRole: 'Detective constable, child abuse investigation team',
    identityConfirmed: 'through-switchboard',
    numberCalled: '01632 960 999',
    onlyToPersonReached: 'yes',
    contactConfidential: 'no',
    messageLeft: 'none',
    messagePermissionRecorded: '',
    notOverheard: 'yes',
    description: 'The dates of the last two home visits.',
    ...overrides,
  };
}

export function postForm(overrides: Form = {}): Form {
  return {
    service: 'signed-for',
    courierId: '',
    trackingReference: 'RR123456785GB',
    recipientName: 'Rebecca Sutton',
    addressLine1: 'Wiltshire Council, County Hall',
    addressLine2: '',
    addressTown: 'Trowbridge',
    addressPostcode: 'BA14 8JN',
    addresseeOnly: 'yes',
    innerAndOuterEnvelope: 'yes',
    packagingAdequate: 'yes',
    mediaEnclosed: 'no',
    mediaEncrypted: '',
    receiptRequested: 'yes',
    description: 'Education and health reports for the EHC needs assessment.',
    ...overrides,
  };
}

/** The world for `beforeAll(setUpDisclosureWorld)`: takes no arguments, since vitest hands hooks its own. */
export async function setUpDisclosureWorld(): Promise<void> {
  await setUpDisclosureWorldWith({});
}

/** The same world with the app's settings changed (a data folder of the test's own, say). */
export async function setUpDisclosureWorldWith(settings: Record<string, string>): Promise<void> {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000', ...settings });
  const world = consentWorld(context);
  councilId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const neighbourId = await createOrganisation(context, {
    name: `Wiltshire Council ${randomUUID().slice(0, 6)}`,
  });
  const policeId = await context.services.orgs.create(systemActor, {
    name: `Wiltshire Police ${randomUUID().slice(0, 6)}`,
    kind: 'police',
    switchboardPhone: switchboard,
    hosted: false,
  });
  await context.services.orgs.addDomain(systemActor, councilId, 'swindon.gov.uk');
  await context.services.orgs.addDomain(systemActor, neighbourId, 'wiltshire.gov.uk');
  await context.services.orgs.addFaxNumber(systemActor, policeId, {
    label: 'Public protection unit',
    number: '01632 960 555',
  });
  practitioner = await createStaff(context, {
    organisationId: councilId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
  });
  colleague = await createStaff(context, {
    organisationId: councilId,
    roles: ['practitioner'],
    displayName: 'Tom Walsh',
  });
  dpo = await createStaff(context, { organisationId: councilId, roles: ['dpo'], displayName: 'Dana Okafor' });
  elsewhere = await createStaff(context, { organisationId: neighbourId, roles: ['practitioner', 'dpo'] });
  asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  childId = await addPerson(world, councilId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: practitioner.id,
  });
  // Her stepfather, whose name (in no published list of names) the subject-line checker must know too.
  await context.services.people.addRelative(asPractitioner, childId, {
    kind: 'new',
    details: {
      givenNames: 'Zoltar',
      familyName: 'Qorvathy',
      knownAs: null,
      dateOfBirth: '1985-07-01',
      nhsNumber: null,
      localReference: null,
      upn: null,
      externalId: null,
      addressLine1: null,
      addressLine2: null,
      town: null,
      postcode: null,
    },
    relationship: 'step_parent',
    parentalResponsibility: false,
  });
  await world.consents.record(
    asPractitioner,
    childId,
    givenConsentAnswers({
      givenOn: '2026-11-20',
      recipientOrganisationIds: [policeId, neighbourId, councilId],
      categoryIds: ['education', 'health', 'social-care'],
      // Consent is checked again at every disclosure, for its method too (R3.3).
      methodIds: everyMethodId,
    }),
  );
  const base = routineShareAnswers({ personIds: [childId], schoolId: policeId });
  shareToPolice = (
    await context.services.sharing.recordComplete(asPractitioner, {
      ...base,
      request: {
        ...base.request,
        requesterKind: 'agency',
        requesterName: 'DC Sarah Price',
        requesterRole: 'Detective constable',
        requesterOrganisationId: policeId,
      },
      recipients: {
        recipients: [
          {
            name: 'DC Sarah Price',
            role: 'Detective constable, child abuse investigation team',
            organisationId: policeId,
            reason: 'Investigating a referral about the child.',
          },
        ],
      },
    })
  ).id;
  shareToNeighbour = (
    await context.services.sharing.recordComplete(asPractitioner, {
      ...routineShareAnswers({ personIds: [childId], schoolId: neighbourId }),
      recipients: {
        recipients: [
          {
            name: 'Rebecca Sutton',
            role: 'SEN caseworker',
            organisationId: neighbourId,
            email: 'rebecca.sutton@wiltshire.gov.uk',
            reason: 'She leads the EHC needs assessment.',
          },
        ],
      },
    })
  ).id;
  shareInternally = (
    await context.services.sharing.recordComplete(asPractitioner, {
      ...routineShareAnswers({ personIds: [childId], schoolId: councilId }),
      recipients: {
        recipients: [
          {
            name: 'Jo Bennett',
            role: 'Early help worker',
            organisationId: councilId,
            email: 'jo.bennett@swindon.gov.uk',
            reason: 'She runs the family’s early help plan.',
          },
        ],
      },
    })
  ).id;
  notShared = (
    await context.services.sharing.recordComplete(
      asPractitioner,
      routineShareAnswers({
        personIds: [childId],
        schoolId: neighbourId,
        overrides: {
          outcome: {
            outcome: 'not-share',
            notShareReasonIds: ['not-necessary'],
            reasons: 'Not needed for the assessment.',
          },
        },
      }),
    )
  ).id;
}

export async function disclosureCount(): Promise<number> {
  const row = await context.db
    .selectFrom('disclosures')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Step 1 answered: the recipient, the information and the method, sent to the method policy. */
export async function chooseMethod(browser: TestBrowser, decisionId: string, form: Form) {
  const page = await browser.get(`/decisions/${decisionId}/disclosures/new`);
  expect(page.statusCode).toBe(200);
  return browser.post(`/decisions/${decisionId}/disclosures/new`, form);
}

/** Step 1 accepted, and the checklist page it leads to. */
export async function checklistFor(
  browser: TestBrowser,
  decisionId: string,
  stepOne: Form,
  call?: 'incoming' | 'outgoing',
) {
  const chosen = await chooseMethod(browser, decisionId, stepOne);
  expect(chosen.statusCode, errorSummary(chosen.body).join('; ')).toBe(303);
  expect(chosen.headers['location']).toBe(`/decisions/${decisionId}/disclosures/checklist`);
  // A telephone checklist is for a call received or made, answered on the page before it.
  const page = await browser.get(
    `/decisions/${decisionId}/disclosures/checklist${call === undefined ? '' : `?call=${call}`}`,
  );
  expect(page.statusCode).toBe(200);
  expectClean(page.body);
  return page;
}

/**
 * A telephone disclosure of education information to the police, recorded through the pages as a
 * practitioner would: for tests of what is shown, and to whom, once something has been disclosed.
 */
export async function recordTelephoneDisclosure(): Promise<void> {
  const browser = await signIn(context, practitioner);
  const stepOne = { recipientIndex: '0', categoryIds: ['education'], method: 'telephone' };
  await checklistFor(browser, shareToPolice, stepOne, 'incoming');
  const recorded = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
    ...stepOne,
    ...telephoneForm(),
  });
  expect(recorded.statusCode, errorSummary(recorded.body).join('; ')).toBe(303);
}
