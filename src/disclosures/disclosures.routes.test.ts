import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, type TestBrowser } from '../../test/support/browser.ts';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  viewerOf,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';
import { systemActor } from '../audit/index.ts';
import type { Viewer } from '../auth/index.ts';

let context: TestContext;
let councilId: string;
let practitioner: TestStaff;
let colleague: TestStaff;
let dpo: TestStaff;
let elsewhere: TestStaff;
let asPractitioner: Viewer;
let childId: string;
let shareToPolice: string;
let shareToNeighbour: string;
let shareInternally: string;
let notShared: string;

type Form = Record<string, string | readonly string[]>;

const uuidPattern = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const switchboard = '01632960999';

/** A rendered page with no template slips: nothing undefined, no objects printed as text. */
function expectClean(html: string): void {
  const text = html.replace(/<script[\s\S]*?<\/script>/g, '');
  expect(text).not.toMatch(/undefined|\[object Object\]|NaN|Invalid Date/);
}

/** An unknown caller from the police, called back through the published switchboard. */
function telephoneForm(overrides: Form = {}): Form {
  return {
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

function postForm(overrides: Form = {}): Form {
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

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
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
  await world.consents.record(
    asPractitioner,
    childId,
    givenConsentAnswers({
      givenOn: '2026-11-20',
      recipientOrganisationIds: [policeId, neighbourId, councilId],
      categoryIds: ['education', 'health', 'social-care'],
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
}, 60_000);

async function disclosureCount(): Promise<number> {
  const row = await context.db
    .selectFrom('disclosures')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Step 1 answered: the recipient, the information and the method, sent to the method policy. */
async function chooseMethod(browser: TestBrowser, decisionId: string, form: Form) {
  const page = await browser.get(`/decisions/${decisionId}/disclosures/new`);
  expect(page.statusCode).toBe(200);
  return browser.post(`/decisions/${decisionId}/disclosures/new`, form);
}

/** Step 1 accepted, and the checklist page it leads to. */
async function checklistFor(browser: TestBrowser, decisionId: string, stepOne: Form) {
  const chosen = await chooseMethod(browser, decisionId, stepOne);
  expect(chosen.statusCode, errorSummary(chosen.body).join('; ')).toBe(303);
  expect(chosen.headers['location']).toBe(`/decisions/${decisionId}/disclosures/checklist`);
  const page = await browser.get(`/decisions/${decisionId}/disclosures/checklist`);
  expect(page.statusCode).toBe(200);
  expectClean(page.body);
  return page;
}

describe('step 1: to whom, what and how', () => {
  it('offers only the decision’s recipients and shared information, and names every missing answer', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/decisions/${shareToNeighbour}/disclosures/new`);
    expect(page.statusCode).toBe(200);
    expectClean(page.body);
    for (const text of [
      'Rebecca Sutton, SEN caseworker',
      'rebecca.sutton@wiltshire.gov.uk',
      'Education',
      'Health, including mental health',
      'Secure exchange',
      'Telephone',
    ])
      expect(page.body).toContain(text);
    expect(page.body).not.toContain('value="parent-criminal-record"');
    expect(page.body).not.toMatch(/Amelia|Hughes/);

    const blank = await browser.post(`/decisions/${shareToNeighbour}/disclosures/new`, {});
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual([
      'Select who you are disclosing to',
      'Select the information you are disclosing',
      'Select how you are sending it',
    ]);
    expect(blank.body).toContain('href="#recipientIndex"');
    expectClean(blank.body);

    const tampered = await browser.post(`/decisions/${shareToNeighbour}/disclosures/new`, {
      recipientIndex: '3',
      categoryIds: ['parent-criminal-record'],
      method: 'post',
    });
    expect(tampered.statusCode).toBe(400);
    expect(errorSummary(tampered.body)).toEqual([
      'Select who you are disclosing to',
      'Select only information the decision agreed to share',
    ]);
  });

  it('refuses ordinary e-mail from the council to the neighbouring council, explains why and offers the secure exchange', async () => {
    const browser = await signIn(context, practitioner);
    const refused = await chooseMethod(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'email',
      recipientAddress: '',
    });
    expect(refused.statusCode).toBe(400);
    expectClean(refused.body);
    expect(errorSummary(refused.body)).toEqual([
      'Ordinary e-mail cannot be used for this disclosure: send it by the secure exchange instead',
    ]);
    expect(refused.body).toContain('R4.5.1: Ordinary e-mail to another organisation is not secure');
    expect(refused.body).toContain('R4.6.4: Use the secure exchange');
    expect(refused.body).toMatch(/value="secure-exchange" checked/);
    expect(refused.body).not.toMatch(/value="email" checked/);
    // Step 1's other answers are kept.
    expect(refused.body).toMatch(/value="education" checked/);
    expect(refused.headers['set-cookie']).toBeUndefined();

    const badAddress = await chooseMethod(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'email',
      recipientAddress: 'not an address',
    });
    expect(badAddress.statusCode).toBe(400);
    expect(errorSummary(badAddress.body)).toEqual([
      'Enter an email address in the correct format, like name@example.gov.uk',
    ]);

    // The secure exchange it offers is accepted, and its checklist follows.
    const page = await checklistFor(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'secure-exchange',
      recipientAddress: '',
    });
    expect(page.body).toContain('Secure exchange: the checklist');
  });

  it('keeps personal data out of the address: the draft waits in a signed cookie, and a checklist without one starts again', async () => {
    const browser = await signIn(context, practitioner);
    const chosen = await chooseMethod(browser, shareInternally, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'email',
      recipientAddress: 'jo.bennett@swindon.gov.uk',
    });
    expect(chosen.statusCode).toBe(303);
    expect(chosen.headers['location']).toBe(`/decisions/${shareInternally}/disclosures/checklist`);
    expect(String(chosen.headers['set-cookie'])).toMatch(
      /^__Host-safeshare_disclosure=[^;]+;(?=.*; Path=\/;)(?=.*; HttpOnly)(?=.*; Secure)(?=.*; SameSite=Strict)/,
    );
    const page = await browser.get(`/decisions/${shareInternally}/disclosures/checklist`);
    expect(page.body).toContain('jo.bennett@swindon.gov.uk');
    // Step 1 comes back filled in from the draft.
    const again = await browser.get(`/decisions/${shareInternally}/disclosures/new`);
    expect(again.body).toMatch(/value="email" checked/);

    const forged = browser
      .cookie('__Host-safeshare_disclosure')
      ?.replace(/education/, 'parent-criminal-record');
    browser.setCookie('__Host-safeshare_disclosure', forged ?? '');
    const refused = await browser.get(`/decisions/${shareInternally}/disclosures/checklist`);
    expect(refused.statusCode).toBe(303);
    expect(refused.headers['location']).toBe(`/decisions/${shareInternally}/disclosures/new`);
  });
});

describe('the checklists', () => {
  it('telephone: shows the switchboard number and refuses to log anything until the call-back through it is recorded (R4.1.2, R4.1.3)', async () => {
    const browser = await signIn(context, practitioner);
    const page = await checklistFor(browser, shareToPolice, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'telephone',
    });
    expect(page.body).toContain(
      `<p class="govuk-body govuk-!-font-size-24 govuk-!-font-weight-bold" id="switchboard-number">${switchboard}</p>`,
    );
    for (const text of [
      'Did you call back through the organisation’s published switchboard number?',
      'Policy requirement R4.1.2',
      'Do not disclose anything to a caller who cannot give one (R4.1.3)',
    ])
      expect(page.body).toContain(text);
    const stepOne = { recipientIndex: '0', categoryIds: ['education'], method: 'telephone' };
    const before = await disclosureCount();

    const noCallBack = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...telephoneForm({ callBackMade: 'no', callBackNumber: '' }),
    });
    expect(noCallBack.statusCode).toBe(400);
    expect(errorSummary(noCallBack.body)).toEqual([
      'Record the call-back through the switchboard number before disclosing',
    ]);
    expect(noCallBack.body).toContain('href="#callBackMade"');
    expect(noCallBack.body).toContain('id="callBackMade-error"');
    // What was typed is kept.
    expect(noCallBack.body).toContain('value="Sarah Price"');
    expectClean(noCallBack.body);

    const callersNumber = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...telephoneForm({ callBackNumber: '07700 900123' }),
    });
    expect(errorSummary(callersNumber.body)).toEqual([
      'Call back through the organisation’s published switchboard number in the directory, not a number the caller gave',
    ]);

    const noReturnNumber = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...telephoneForm({ returnNumber: '', description: '' }),
    });
    expect(noReturnNumber.statusCode).toBe(400);
    // On the telephone, what was disclosed is asked once, last, as the call's record (R4.1.7).
    expect(errorSummary(noReturnNumber.body)).toEqual([
      'Enter the caller’s return telephone number: do not disclose anything to a caller who cannot give one',
      'Enter what you disclosed during the call',
    ]);

    const voicemail = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...telephoneForm({
        contactConfidential: 'yes',
        messageLeft: 'voicemail',
        messagePermissionRecorded: 'no',
      }),
    });
    expect(errorSummary(voicemail.body)).toEqual([
      'Do not leave a voicemail about a confidential contact without recording the person’s permission',
    ]);

    const blank = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, stepOne);
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body).length).toBeGreaterThanOrEqual(10);
    expect(await disclosureCount()).toBe(before);

    const recorded = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...stepOne,
      ...telephoneForm(),
    });
    expect(recorded.statusCode).toBe(303);
    expect(recorded.headers['location']).toMatch(new RegExp(`^/disclosures/${uuidPattern}\\?done=recorded$`));
    expect(await disclosureCount()).toBe(before + 1);
    const shown = await browser.get(recorded.headers['location'] ?? '');
    expect(shown.statusCode).toBe(200);
    expectClean(shown.body);
    for (const text of [
      'Disclosure recorded.',
      'Telephone to Wiltshire Police',
      'DC Sarah Price',
      'Education support, including an EHC plan',
      'Priya Sharma',
      'Not asked for',
      'Did you call back through the organisation’s published switchboard number?',
      'Policy requirement R4.1.2',
      'R4.1.1: The telephone may be used',
    ]) {
      expect(shown.body).toContain(text);
    }
    expect(shown.body).toContain(`href="/decisions/${shareToPolice}"`);
  });

  it('post: refuses unencrypted media, a courier not on the approved list and a missing address, changing nothing (R4.2.x)', async () => {
    const browser = await signIn(context, practitioner);
    const page = await checklistFor(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education', 'health'],
      method: 'post',
    });
    for (const text of [
      'Signed for',
      'approved supplier list',
      'Is the envelope marked ‘Addressee Only’?',
      'value="Rebecca Sutton"',
      'The recipient must confirm receipt within 5 working days',
    ])
      expect(page.body).toContain(text);
    const stepOne = { recipientIndex: '0', categoryIds: ['education', 'health'], method: 'post' };
    const before = await disclosureCount();
    const post = (overrides: Form) =>
      browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
        ...stepOne,
        ...postForm(overrides),
      });

    expect(errorSummary((await post({ mediaEnclosed: 'yes', mediaEncrypted: 'no' })).body)).toEqual([
      'Encrypt the disc or memory stick before you post it',
    ]);
    expect(errorSummary((await post({ service: 'courier', courierId: 'bike-messenger' })).body)).toEqual([
      'Select a courier from the approved list: that courier is not on it',
    ]);
    const noAddress = await post({
      recipientName: '',
      addressLine1: '',
      addressTown: '',
      addressPostcode: 'nowhere',
      addresseeOnly: 'no',
    });
    expect(noAddress.statusCode).toBe(400);
    expect(errorSummary(noAddress.body)).toEqual([
      'Enter the name of the person it is addressed to: an organisation alone is not enough',
      'Enter the first line of the address',
      'Enter the town or city',
      'Enter a full UK postcode, like SN1 2JH',
      'Mark the envelope ‘Addressee Only’',
    ]);
    for (const field of ['recipientName', 'addressLine1', 'addressTown', 'addressPostcode', 'addresseeOnly'])
      expect(noAddress.body).toContain(`href="#${field}"`);
    expect(await disclosureCount()).toBe(before);
  });

  it('in person: refuses paper carried unsealed and anything electronic unencrypted', async () => {
    const browser = await signIn(context, practitioner);
    const page = await checklistFor(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'in-person',
    });
    expect(page.body).toContain('Did you check the recipient’s identity?');
    const before = await disclosureCount();
    const form = {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'in-person',
      recipientName: 'Rebecca Sutton',
      identityChecked: 'yes',
      handedToNamedRecipient: 'yes',
      itemsCarried: 'The education report in a sealed envelope.',
      description: 'Education report.',
    };
    const unsealed = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      ...form,
      paperCarried: 'yes',
      paperSealed: 'no',
      electronicCarried: 'yes',
      electronicEncrypted: 'no',
    });
    expect(unsealed.statusCode).toBe(400);
    expect(errorSummary(unsealed.body)).toEqual([
      'Carry paper in a sealed envelope or file',
      'Encrypt anything electronic before you carry it',
    ]);
    const nothing = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      ...form,
      paperCarried: 'no',
      electronicCarried: 'no',
    });
    expect(errorSummary(nothing.body)).toEqual([
      'Select what you carried: paper, something electronic, or both',
    ]);
    expect(await disclosureCount()).toBe(before);
    const handed = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      ...form,
      paperCarried: 'yes',
      paperSealed: 'yes',
      electronicCarried: 'no',
    });
    expect(handed.statusCode).toBe(303);
  });

  it('fax: shows the directory’s number and refuses another number claimed to be it, or one not checked twice (R4.4.1)', async () => {
    const browser = await signIn(context, practitioner);
    const page = await checklistFor(browser, shareToPolice, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'fax',
    });
    expect(page.body).toContain('Public protection unit: <strong>01632 960 555</strong>');
    const before = await disclosureCount();
    const form = {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'fax',
      recipientTelephonedFirst: 'yes',
      recipientWaiting: 'yes',
      coverSheet: 'yes',
      receiptConfirmationRequested: 'yes',
      description: 'Attendance summary.',
    };
    const notListed = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...form,
      faxNumber: '01632 960 556',
      numberFromDirectory: 'yes',
    });
    expect(errorSummary(notListed.body)).toEqual([
      'That number is not in the directory for the recipient’s organisation: check it twice instead, or use the directory’s number',
    ]);
    const unchecked = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...form,
      faxNumber: '01632 960 556',
      numberFromDirectory: 'no',
      numberCheckedTwice: 'no',
      recipientWaiting: '',
    });
    expect(errorSummary(unchecked.body)).toEqual([
      'Use the number from the directory, or check the number twice before you send the fax',
      'Ask the recipient to wait by the fax machine: the information is confidential',
    ]);
    expect(await disclosureCount()).toBe(before);
    const sent = await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
      ...form,
      faxNumber: '01632960555',
      numberFromDirectory: 'yes',
    });
    expect(sent.statusCode).toBe(303);
  });

  it('e-mail: refuses a subject line that identifies the child, without repeating it in the message (R4.5.5)', async () => {
    const browser = await signIn(context, practitioner);
    const page = await checklistFor(browser, shareInternally, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'email',
      recipientAddress: '',
    });
    expect(page.body).toContain('jo.bennett@swindon.gov.uk');
    expect(page.body).toContain('What is the subject line? It must not identify anyone.');
    const before = await disclosureCount();
    const form = {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'email',
      recipientsNeedIt: 'yes',
      copiesChecked: 'yes',
      markedConfidential: 'yes',
      description: 'The early help assessment.',
    };
    const named = await browser.post(`/decisions/${shareInternally}/disclosures/checklist`, {
      ...form,
      subject: 'Amelia Hughes 12/05/2014 early help',
    });
    expect(named.statusCode).toBe(400);
    const [message] = errorSummary(named.body);
    expect(message).toMatch(/^Remove personal details from the subject line: it contains /);
    expect(message).not.toMatch(/Amelia|Hughes|2014/);
    // The practitioner sees their own subject again, to correct it.
    expect(named.body).toContain('value="Amelia Hughes 12/05/2014 early help"');
    const unchecked = await browser.post(`/decisions/${shareInternally}/disclosures/checklist`, {
      ...form,
      copiesChecked: 'no',
      markedConfidential: '',
      subject: 'Early help plan: assessment',
    });
    expect(errorSummary(unchecked.body)).toEqual([
      'Check reply, reply all, cc and bcc before you send it',
      'Mark the message ‘confidential’',
    ]);
    expect(await disclosureCount()).toBe(before);
    const sent = await browser.post(`/decisions/${shareInternally}/disclosures/checklist`, {
      ...form,
      subject: 'Early help plan: assessment',
    });
    expect(sent.statusCode).toBe(303);
  });

  it('e-mail the method policy refuses is refused again at the checklist, if it gets there', async () => {
    const browser = await signIn(context, practitioner);
    const before = await disclosureCount();
    const forced = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      recipientIndex: '0',
      categoryIds: ['education'],
      method: 'email',
      recipientsNeedIt: 'yes',
      copiesChecked: 'yes',
      markedConfidential: 'yes',
      subject: 'Reports',
      description: 'Reports.',
    });
    expect(forced.statusCode).toBe(400);
    expect(errorSummary(forced.body).join(' ')).toContain('Use the secure exchange instead');
    expect(forced.body).toContain('href="#answers"');
    expect(await disclosureCount()).toBe(before);
  });

  it('secure exchange: refuses until every recipient is confirmed to need it', async () => {
    const browser = await signIn(context, practitioner);
    await checklistFor(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['health'],
      method: 'secure-exchange',
    });
    const before = await disclosureCount();
    const form = {
      recipientIndex: '0',
      categoryIds: ['health'],
      method: 'secure-exchange',
      description: 'Health summary.',
    };
    const no = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      ...form,
      recipientsNeedIt: 'no',
    });
    expect(no.statusCode).toBe(400);
    expect(errorSummary(no.body)).toEqual(['Send it only to recipients who need the information']);
    const unexpected = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      ...form,
      recipientsNeedIt: 'yes',
      trackingReference: 'RR1',
    });
    expect(unexpected.statusCode).toBe(400);
    expect(errorSummary(unexpected.body)).toEqual([
      'The form has a field it does not expect (trackingReference)',
    ]);
    // Step 1's hidden answers are checked again: information the decision did not share goes back to step 1.
    const tampered = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      ...form,
      categoryIds: ['parent-criminal-record'],
      recipientsNeedIt: 'yes',
    });
    expect(tampered.statusCode).toBe(303);
    expect(tampered.headers['location']).toBe(`/decisions/${shareToNeighbour}/disclosures/new`);
    expect(await disclosureCount()).toBe(before);
  });
});

describe('a letter and its receipt (R4.2.8)', () => {
  it('lists the receipt as awaited, then overdue, and records how it was confirmed', async () => {
    const browser = await signIn(context, practitioner);
    await checklistFor(browser, shareToNeighbour, {
      recipientIndex: '0',
      categoryIds: ['education', 'health'],
      method: 'post',
    });
    const sent = await browser.post(`/decisions/${shareToNeighbour}/disclosures/checklist`, {
      recipientIndex: '0',
      categoryIds: ['education', 'health'],
      method: 'post',
      ...postForm(),
    });
    expect(sent.statusCode).toBe(303);
    const path = (sent.headers['location'] ?? '').split('?')[0] ?? '';
    const id = path.split('/').at(-1) ?? '';

    const shown = await browser.get(path);
    for (const text of [
      'Awaited',
      'Signed for',
      'RR123456785GB',
      'Wiltshire Council, County Hall, Trowbridge, BA14 8JN',
      'Policy requirement R4.2.6',
      '7 December 2026',
      'Record that receipt was confirmed',
    ])
      expect(shown.body).toContain(text);

    const awaited = await browser.get('/disclosures/receipts');
    expect(awaited.statusCode).toBe(200);
    expectClean(awaited.body);
    expect(awaited.body).toContain(`href="${path}"`);
    expect(awaited.body).toContain('Awaited');
    // The colleague sees only their own; the DPO sees the organisation's.
    expect((await (await signIn(context, colleague)).get('/disclosures/receipts')).body).not.toContain(path);
    expect((await (await signIn(context, dpo)).get('/disclosures/receipts')).body).toContain(path);

    context.clock.set('2026-12-09T09:00:00Z');
    const later = await signIn(context, practitioner);
    const overdue = await later.get('/disclosures/receipts');
    expect(overdue.body).toContain('govuk-tag--red');
    expect(overdue.body).toContain('Overdue');

    const form = await later.get(`/disclosures/${id}/receipt`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('How did they confirm?');
    const blank = await later.post(`/disclosures/${id}/receipt`, { how: '  ' });
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual(['Enter how the recipient confirmed they received it']);
    const confirmed = await later.post(`/disclosures/${id}/receipt`, {
      how: 'Rebecca Sutton e-mailed to say the letter arrived sealed.',
    });
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers['location']).toBe(`${path}?done=receipt`);
    const after = await later.get(`${path}?done=receipt`);
    for (const text of [
      'Receipt recorded.',
      'Confirmed',
      'Priya Sharma',
      'Rebecca Sutton e-mailed to say the letter arrived sealed.',
    ])
      expect(after.body).toContain(text);
    expect(after.body).not.toContain('Record that receipt was confirmed');
    expect((await later.get('/disclosures/receipts')).body).not.toContain(path);
    expect((await later.get(`/disclosures/${id}/receipt`)).headers['location']).toBe(path);
    const twice = await later.post(`/disclosures/${id}/receipt`, { how: 'Again.' });
    expect(twice.statusCode).toBe(400);
    expect(errorSummary(twice.body)).toEqual(['Receipt has already been confirmed']);
  });
});

describe('misdirected information (R4.4.3)', () => {
  it('names every missing answer, refuses a future date or no action, and logs it', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get('/misdirected/new');
    expect(page.statusCode).toBe(200);
    expectClean(page.body);
    const blank = await browser.post('/misdirected/new', {});
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual([
      'Enter the date it arrived',
      'Select how it arrived',
      'Enter who sent it',
      'Enter who it was meant for',
      'Enter what arrived',
      'Select what you have done: pass it to the right recipient, tell the sender, or both',
      'Enter what you did about it',
    ]);
    expect(blank.body).toContain('href="#receivedOn-day"');
    const today = context.clock.now().toISOString().slice(0, 10).split('-');
    const answers = {
      'receivedOn-day': today[2] ?? '',
      'receivedOn-month': today[1] ?? '',
      'receivedOn-year': today[0] ?? '',
      method: 'fax',
      sender: 'Great Western Hospital, paediatrics',
      intendedFor: 'Wiltshire Council children’s services',
      whatArrived: 'A discharge summary about a child not known to us.',
      actions: ['passedOn', 'senderTold'],
      actionDetails: 'Rang the ward to tell them; forwarded by secure exchange to Wiltshire.',
    };
    const future = await browser.post('/misdirected/new', { ...answers, 'receivedOn-year': '2031' });
    expect(errorSummary(future.body)).toEqual(['The date it arrived must be today or in the past']);
    const notReal = await browser.post('/misdirected/new', {
      ...answers,
      'receivedOn-day': '31',
      'receivedOn-month': '2',
    });
    expect(errorSummary(notReal.body)).toEqual(['The date it arrived must be a real date']);
    const nothingDone = await browser.post('/misdirected/new', { ...answers, actions: [] });
    expect(nothingDone.statusCode).toBe(400);
    expect(errorSummary(nothingDone.body)).toEqual([
      'Select what you have done: pass it to the right recipient, tell the sender, or both',
    ]);
    // What was typed is kept.
    expect(nothingDone.body).toContain('Great Western Hospital, paediatrics');
    expect((await browser.get('/misdirected')).body).not.toContain(
      'A discharge summary about a child not known to us.',
    );

    const logged = await browser.post('/misdirected/new', { ...answers, actions: 'senderTold' });
    expect(logged.statusCode).toBe(303);
    expect(logged.headers['location']).toBe('/misdirected?done=recorded');
    const list = await browser.get('/misdirected?done=recorded');
    expectClean(list.body);
    for (const text of [
      'Misdirected information recorded.',
      'A discharge summary about a child not known to us.',
      'Sender told',
      'Fax',
      'Priya Sharma',
    ])
      expect(list.body).toContain(text);
    // Another organisation's log is its own.
    expect((await (await signIn(context, elsewhere)).get('/misdirected')).body).not.toContain(
      'A discharge summary about a child not known to us.',
    );
  });
});

describe('who may see what', () => {
  it('answers 404 to another organisation and to a colleague with no part in the decision', async () => {
    const [disclosure] = (await context.services.disclosures.context(asPractitioner, shareToPolice))
      .disclosures;
    expect(disclosure).toBeDefined();
    const id = disclosure?.id ?? '';
    for (const staff of [elsewhere, colleague]) {
      const browser = await signIn(context, staff);
      expect((await browser.get(`/decisions/${shareToPolice}/disclosures/new`)).statusCode).toBe(404);
      expect(
        (
          await browser.post(`/decisions/${shareToPolice}/disclosures/new`, {
            recipientIndex: '0',
            categoryIds: ['education'],
            method: 'post',
          })
        ).statusCode,
      ).toBe(404);
      expect((await browser.get(`/decisions/${shareToPolice}/disclosures/checklist`)).statusCode).toBe(404);
      expect(
        (
          await browser.post(`/decisions/${shareToPolice}/disclosures/checklist`, {
            recipientIndex: '0',
            categoryIds: ['education'],
            method: 'telephone',
            ...telephoneForm(),
          })
        ).statusCode,
      ).toBe(404);
      expect((await browser.get(`/disclosures/${id}`)).statusCode).toBe(404);
      expect((await browser.post(`/disclosures/${id}/receipt`, { how: 'Forged.' })).statusCode).toBe(404);
    }
    const browser = await signIn(context, practitioner);
    expect((await browser.get('/disclosures/not-a-uuid')).statusCode).toBe(404);
    expect((await browser.get(`/disclosures/${randomUUID()}`)).statusCode).toBe(404);
    expect((await browser.get('/decisions/not-a-uuid/disclosures/new')).statusCode).toBe(404);
  });

  it('refuses to disclose under a decision not to share', async () => {
    const browser = await signIn(context, practitioner);
    const page = await browser.get(`/decisions/${notShared}/disclosures/new`);
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('Nothing can be disclosed under this decision');
  });
});

describe('the decision and the person’s history', () => {
  it('shows the disclosures on the decision, with the button to record another, and in the person’s sharing history', async () => {
    const browser = await signIn(context, practitioner);
    const overview = await browser.get(`/decisions/${shareToPolice}`);
    expect(overview.statusCode).toBe(200);
    expectClean(overview.body);
    expect(overview.body).toContain(`href="/decisions/${shareToPolice}/disclosures/new"`);
    expect(overview.body).toContain('Record a disclosure');
    expect(overview.body).toMatch(new RegExp(`href="/disclosures/${uuidPattern}"`));
    expect(overview.body).toContain('Telephone');
    const declined = await browser.get(`/decisions/${notShared}`);
    expect(declined.body).not.toContain('Record a disclosure');

    const history = await browser.get(`/people/${childId}/sharing`);
    expect(history.statusCode).toBe(200);
    expectClean(history.body);
    expect(history.body).toContain('Information disclosed under those decisions, newest first');
    expect(history.body).toMatch(new RegExp(`href="/disclosures/${uuidPattern}"`));
    expect(history.body).toContain(`href="/decisions/${shareToPolice}"`);
  });
});
