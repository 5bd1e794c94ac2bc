import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/index.ts';
import { errorSummary, expectClean, type TestBrowser } from '../../test/support/browser.ts';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  viewerOf,
  type ConsentWorld,
} from '../../test/support/consent-fixtures.ts';
import {
  createOrganisation,
  createPerson,
  createStaff,
  signIn,
  type TestStaff,
} from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';
import type { Viewer } from '../auth/index.ts';
import { londonToday } from '../lib/time.ts';

let context: TestContext;
let world: ConsentWorld;
let organisationId: string;
let schoolId: string;
let manager: TestStaff;
let practitioner: TestStaff;
let colleague: TestStaff;
let guardian: TestStaff;
let elsewhere: TestStaff;
let asPractitioner: Viewer;
let childId: string;
let uncoveredChildId: string;
let today: string;

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  world = consentWorld(context);
  today = londonToday(context.clock.now());
  organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const otherOrganisationId = await createOrganisation(context, {
    name: `Wiltshire Council ${randomUUID().slice(0, 6)}`,
  });
  schoolId = await createOrganisation(context, {
    name: `Oakfield Primary School ${randomUUID().slice(0, 6)}`,
    hosted: false,
  });
  manager = await createStaff(context, { organisationId, roles: ['manager'], displayName: 'Tom Hughes' });
  practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
    lineManagerId: manager.id,
  });
  colleague = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Ben Carter',
  });
  guardian = await createStaff(context, {
    organisationId,
    roles: ['caldicott_guardian'],
    displayName: 'Helen Carter',
  });
  elsewhere = await createStaff(context, {
    organisationId: otherOrganisationId,
    roles: ['practitioner', 'dpo'],
  });
  asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  childId = await addPerson(world, organisationId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: practitioner.id,
  });
  uncoveredChildId = await addPerson(world, organisationId, {
    givenNames: 'Leo',
    familyName: 'Marsh',
    dateOfBirth: '2016-01-20',
    allocateTo: practitioner.id,
  });
  await world.consents.record(
    asPractitioner,
    childId,
    givenConsentAnswers({ recipientOrganisationIds: [schoolId], categoryIds: ['education', 'health'] }),
  );
});

type Form = Record<string, string | readonly string[]>;

const uuidPattern = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** A copy without some sections. */
function without<T extends object, K extends keyof T & string>(value: T, ...keys: K[]): Omit<T, K> {
  return Object.fromEntries(
    Object.entries(value).filter(([key]) => !(keys as readonly string[]).includes(key)),
  ) as Omit<T, K>;
}

const forms = {
  request: (overrides: Form = {}): Form => {
    const [year, month, day] = today.split('-');
    return {
      requesterKind: 'agency',
      requesterName: 'Rebecca Sutton',
      requesterRole: 'Special educational needs coordinator',
      requesterOrganisationId: schoolId,
      channelId: 'telephone',
      'receivedOn-day': String(Number(day)),
      'receivedOn-month': String(Number(month)),
      'receivedOn-year': year ?? '',
      purposeId: 'education-support',
      details:
        'The school is reviewing the EHC plan and asks for the latest health and education information.',
      ...overrides,
    };
  },
  people: (overrides: Form = {}): Form => ({ systemTransfer: 'no', ...overrides }),
  recipients: (overrides: Form = {}): Form => ({
    'recipients.0.name': 'Rebecca Sutton',
    'recipients.0.role': 'Special educational needs coordinator',
    'recipients.0.organisationId': schoolId,
    'recipients.0.email': '',
    'recipients.0.telephone': '',
    'recipients.0.reason': 'She coordinates the annual review of the EHC plan.',
    action: 'continue',
    ...overrides,
  }),
  information: (overrides: Form = {}): Form => ({
    shared: ['education', 'health'],
    'relevance.education': 'Current attainment and support in place, for the plan review.',
    'relevance.health': 'Speech and language needs named in section C of the plan.',
    withheld: ['parent-criminal-record'],
    description: '',
    thirdParties: 'none',
    thirdPartyReason: '',
    confirmed: ['necessary', 'proportionate', 'relevant', 'adequate', 'accurate', 'timely', 'secure'],
    ...overrides,
  }),
  lawfulBasis: (overrides: Form = {}): Form => ({
    article6: 'public-task',
    article9: 'health-social-care',
    schedule1: 'health-social-care-purposes',
    commonLaw: 'consent',
    confidenceReason: '',
    ...overrides,
  }),
  decision: (overrides: Form = {}): Form => ({
    told: 'yes',
    toldDetails:
      'Mum was told the plan review needs the latest health and education reports, sent to the SENCo.',
    notToldReason: '',
    wellbeing: 'Sharing helps the school meet her speech and language needs.',
    riskOfSharing: 'Low: the school already holds the plan.',
    riskOfNotSharing: 'The review would go ahead without current needs.',
    outcome: 'share-in-part',
    reasons:
      'Education and health information is needed for the review; the parent’s criminal record is not relevant.',
    ...overrides,
  }),
};

/** Starts a decision from the person's page, as its "Make a sharing decision" button does. */
async function startFromPerson(browser: TestBrowser, personId: string): Promise<string> {
  const person = await browser.get(`/people/${personId}`);
  expect(person.statusCode).toBe(200);
  const started = await browser.post('/decisions/new', { personId });
  expect(started.statusCode).toBe(303);
  const id = new RegExp(`^/decisions/(${uuidPattern})/request$`).exec(
    String(started.headers['location']),
  )?.[1];
  if (id === undefined) throw new Error(`unexpected redirect ${String(started.headers['location'])}`);
  return id;
}

/** Posts a question page and expects to be sent on to the next. */
async function answer(browser: TestBrowser, url: string, form: Form, next: string): Promise<void> {
  const response = await browser.post(url, form);
  expect(response.statusCode, errorSummary(response.body).join('; ')).toBe(303);
  expect(response.headers['location']).toBe(next);
}

async function savedCount(id: string): Promise<number> {
  const row = await context.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('action', '=', 'decision.saved')
    .where('entity_id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('a routine share through the pages', () => {
  it('takes six question pages from the person’s record to the confirmation, with known answers filled in', async () => {
    const browser = await signIn(context, practitioner);
    const person = await browser.get(`/people/${childId}`);
    expect(person.body).toContain('Make a full sharing decision');
    expect(person.body).toContain(`href="/people/${childId}/sharing"`);

    const id = await startFromPerson(browser, childId);
    const base = `/decisions/${id}`;
    const questionPages: string[] = [];
    const visit = async (slug: string, expected: readonly string[]) => {
      const page = await browser.get(`${base}/${slug}`);
      expect(page.statusCode, slug).toBe(200);
      for (const text of expected) expect(page.body, slug).toContain(text);
      // Advice can be asked for from every page, not only after ticking "not sure".
      expect(page.body, slug).toContain(`href="${base}/ask-for-advice"`);
      expectClean(page.body);
      questionPages.push(slug);
      return page.body;
    };

    const request = await visit('request', [
      'About the request',
      'Education support, including an EHC plan',
      'Telephone call',
    ]);
    // Today's date is filled in.
    expect(request).toContain(`name="receivedOn-year" type="text" value="${today.slice(0, 4)}"`);
    await answer(browser, `${base}/request`, forms.request(), `${base}/people`);

    const people = await visit('people', [
      'Amelia Hughes',
      'Will the information be transferred between IT systems?',
    ]);
    // Not answered yet, so not pre-selected (GOV.UK: never pre-select radios).
    expect(people).not.toMatch(/name="systemTransfer" type="radio" value="(yes|no)" checked/);
    expect((await browser.get(base)).body).toContain(
      'Answer whether the information will be transferred between IT systems',
    );
    await answer(browser, `${base}/people`, forms.people(), `${base}/recipients`);
    expect((await browser.get(`${base}/people`)).body).toMatch(
      /name="systemTransfer" type="radio" value="no" checked/,
    );

    // The school asked, so the person who asked is the first recipient.
    const recipients = await visit('recipients', [
      'value="Rebecca Sutton"',
      'value="Special educational needs coordinator"',
    ]);
    expect(recipients).toMatch(new RegExp(`<option value="${schoolId}" selected`));
    await answer(browser, `${base}/recipients`, forms.recipients(), `${base}/information`);

    const information = await visit('information', [
      'Purpose: Education support, including an EHC plan',
      'Sensitive for this purpose: you will need to give a reason',
    ]);
    expect(information).toContain('A parent&#39;s or carer&#39;s criminal record');
    await answer(browser, `${base}/information`, forms.information(), `${base}/lawful-basis`);

    // Consent covers the school and the categories: the register says so, and consent is chosen.
    const basis = await visit('lawful-basis', [
      'Consent in place that covers this share',
      'View consent record',
      'Public task (UK GDPR Article 6(1)(e))',
      'Condition for special category information (Article 9)',
    ]);
    expect(basis).toMatch(/name="commonLaw" type="radio" value="consent" checked/);
    expect(basis).not.toContain('Public-interest justification');
    await answer(browser, `${base}/lawful-basis`, forms.lawfulBasis(), `${base}/decision`);

    await visit('decision', [
      'Have you told the person or family?',
      'The information is not necessary for the stated purpose',
    ]);
    await answer(browser, `${base}/decision`, forms.decision(), `${base}/check-your-answers`);
    expect(questionPages).toHaveLength(6);

    const check = await browser.get(`${base}/check-your-answers`);
    expect(check.statusCode).toBe(200);
    for (const text of [
      'Rebecca Sutton',
      'Education: Current attainment',
      'A parent&#39;s or carer&#39;s criminal record',
      'Public task (UK GDPR Article 6(1)(e))',
      'Share in part',
      `${base}/information?from=check#shared`,
      'Record decision',
    ]) {
      expect(check.body).toContain(text);
    }
    expectClean(check.body);

    const recorded = await browser.post(`${base}/record`);
    expect(recorded.statusCode, errorSummary(recorded.body).join('; ')).toBe(303);
    expect(recorded.headers['location']).toBe(`${base}/confirmation`);
    const confirmation = await browser.get(`${base}/confirmation`);
    expect(confirmation.statusCode).toBe(200);
    const view = await context.services.sharing.open(asPractitioner, id);
    expect(view.status).toBe('recorded');
    expect(confirmation.body).toContain(view.reference);
    expect(confirmation.body).toContain('by a safe method');
    expectClean(confirmation.body);
    const routine = routineShareAnswers({ personIds: [childId], schoolId });
    expect(view.answers).toEqual({
      ...routine,
      request: { ...routine.request, receivedOn: today },
      recipients: {
        recipients: [
          {
            name: 'Rebecca Sutton',
            role: 'Special educational needs coordinator',
            organisationId: schoolId,
            reason: 'She coordinates the annual review of the EHC plan.',
          },
        ],
      },
      openness: {
        told: true,
        toldDetails:
          'Mum was told the plan review needs the latest health and education reports, sent to the SENCo.',
      },
      safety: {
        wellbeing: 'Sharing helps the school meet her speech and language needs.',
        riskOfSharing: 'Low: the school already holds the plan.',
        riskOfNotSharing: 'The review would go ahead without current needs.',
      },
      outcome: {
        outcome: 'share-in-part',
        notShareReasonIds: [],
        reasons:
          'Education and health information is needed for the review; the parent’s criminal record is not relevant.',
      },
    });
    expect(view.recorded?.consent.map((finding) => finding.outcome)).toEqual(['covered']);

    const sheet = await browser.get(`${base}/record-sheet`);
    expect(sheet.statusCode).toBe(200);
    for (const text of [
      view.reference,
      'Speech and language needs',
      'Consent in place that covers this share',
      context.services.policy.name,
      `version ${context.services.policy.version}`,
      'safeshare-record-sheet',
      'Priya Sharma',
    ])
      expect(sheet.body).toContain(text);
    expectClean(sheet.body);

    const mine = await browser.get('/decisions');
    expect(mine.body).toContain('Recently recorded (1)');
    expect(mine.body).toContain(view.reference);
    const history = await browser.get(`/people/${childId}/sharing`);
    expect(history.statusCode).toBe(200);
    expect(history.body).toContain(view.reference);
    expectClean(history.body);

    // Recorded: the pages send the practitioner to the decision, and a post changes nothing.
    expect((await browser.get(`${base}/request`)).headers['location']).toBe(base);
    const late = await browser.post(`${base}/request`, forms.request({ details: 'Changed afterwards' }));
    expect(late.statusCode).toBe(400);
    expect(errorSummary(late.body)).toEqual([
      'This decision has been recorded and cannot change: add an addendum instead',
    ]);
  });

  it('returns to check your answers after a change made from there', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: childId });
    await context.services.sharing.save(
      asPractitioner,
      id,
      routineShareAnswers({ personIds: [childId], schoolId }),
    );
    await browser.get(`/decisions/${id}/request?from=check`);
    await answer(
      browser,
      `/decisions/${id}/request?from=check`,
      forms.request({ details: 'The SENCo asked again by telephone.' }),
      `/decisions/${id}/check-your-answers`,
    );
    expect((await context.services.sharing.open(asPractitioner, id)).answers.request?.details).toBe(
      'The SENCo asked again by telephone.',
    );
  });
});

describe('bad input', () => {
  it('re-renders each page with a clear error and changes nothing', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: uncoveredChildId });
    const answers = routineShareAnswers({ personIds: [uncoveredChildId], schoolId });
    await context.services.sharing.save(asPractitioner, id, {
      request: answers.request,
      people: answers.people,
      recipients: answers.recipients,
      information: answers.information,
    });
    const before = await context.services.sharing.open(asPractitioner, id);
    const saves = await savedCount(id);
    await browser.get(`/decisions/${id}`);

    const cases: [string, Form, string[]][] = [
      [
        'request',
        {},
        [
          'Select who asked for the information, or that you are considering sharing on your own initiative',
          'Enter the date the request was received',
          'Select the purpose of sharing',
          'Enter what was asked for',
        ],
      ],
      [
        'request',
        forms.request({ requesterName: '', channelId: '' }),
        ['Enter the name of the person who asked', 'Select how the request was made'],
      ],
      [
        'request',
        forms.request({ requesterKind: 'colleague' }),
        ['Enter the name of your colleague who asked', 'Select how your colleague asked'],
      ],
      [
        'request',
        forms.request({ 'receivedOn-day': '31', 'receivedOn-month': '2' }),
        ['The date the request was received must be a real date'],
      ],
      [
        'request',
        forms.request({ 'receivedOn-year': '2099' }),
        ['The date the request was received must be today or in the past'],
      ],
      [
        'request',
        forms.request({ requesterOrganisationId: randomUUID() }),
        ['Select the organisation from the directory'],
      ],
      ['request', forms.request({ purposeId: 'fishing' }), ['Select the purpose of sharing']],
      ['request', forms.request({ isAdmin: 'yes' }), ['The form has a field it does not expect (isAdmin)']],
      ['people', {}, ['Select yes if the information will be transferred between IT systems']],
      [
        'recipients',
        forms.recipients({
          'recipients.0.name': '',
          'recipients.0.reason': '',
          'recipients.0.email': 'not an email',
        }),
        [
          'Enter the name of the recipient',
          'Enter the email address of the recipient in the correct format, like name@example.org.uk',
          'Enter why the recipient needs the information',
        ],
      ],
      [
        'recipients',
        forms.recipients({ 'recipients.0.organisationId': randomUUID() }),
        ["Select the recipient's organisation from the directory"],
      ],
      [
        'information',
        forms.information({ 'relevance.health': '' }),
        ['Enter how “Health, including mental health” is relevant to the purpose'],
      ],
      [
        'information',
        forms.information({
          shared: ['education', 'parent-criminal-record'],
          'relevance.parent-criminal-record': 'Context.',
        }),
        [
          "Give the reason “A parent's or carer's criminal record” is needed for this purpose",
          "“A parent's or carer's criminal record” cannot be both shared and withheld",
        ],
      ],
      [
        'information',
        forms.information({ confirmed: ['necessary'] }),
        ['Confirm the information is proportionate, relevant, adequate, accurate, timely, secure'],
      ],
      [
        'information',
        forms.information({ thirdParties: 'shared' }),
        ['Give the reason information identifying someone who could be harmed is shared'],
      ],
      [
        'lawful-basis',
        {},
        [
          'Select the data protection basis (UK GDPR Article 6), or tick that you are not sure which law applies',
          'Select the Article 9 condition: special category information is shared',
          'Select the Data Protection Act 2018 Schedule 1 condition',
          'Select the common-law position on confidentiality, or tick that you are not sure which law applies',
        ],
      ],
      // Leo has no consent recorded: consent cannot be the basis (the decision rules, shown on the page).
      [
        'lawful-basis',
        forms.lawfulBasis(),
        [
          'The consent register does not show consent that covers this share: choose another basis, or record consent first',
        ],
      ],
      [
        'lawful-basis',
        forms.lawfulBasis({ commonLaw: 'public-interest' }),
        ['Give the reasons for not observing the duty of confidence'],
      ],
      [
        'lawful-basis',
        forms.lawfulBasis({ commonLaw: 'public-interest', confidenceReason: 'Risk of harm.' }),
        ['Give the public-interest justification, based on the facts, for sharing without consent'],
      ],
      [
        'decision',
        {},
        [
          'Select yes if you have told the person or family, or no if you have not',
          'Enter how your decision affects the safety and well-being of the child and others',
          'Enter the risk of sharing',
          'Enter the risk of not sharing',
          'Select your decision: share, share in part or do not share',
          'Enter the reasons for your decision',
        ],
      ],
      [
        'decision',
        forms.decision({ told: 'no', outcome: 'not-share' }),
        [
          'Say why telling the person or family would be unsafe or inappropriate',
          'Select why you are not sharing: confidentiality alone is not a reason',
        ],
      ],
      [
        'decision',
        forms.decision({ outcome: 'not-share', notShareReasonIds: ['confidentiality'] }),
        ['Select the reasons from the list'],
      ],
    ];
    for (const [slug, form, expected] of cases) {
      const response = await browser.post(`/decisions/${id}/${slug}`, form);
      expect(response.statusCode, `${slug}: ${errorSummary(response.body).join('; ')}`).toBe(400);
      expect(errorSummary(response.body), slug).toEqual(expected);
      expect(response.body).toContain('govuk-error-summary');
      expect(response.body).toMatch(/<title>Error: /);
      expectClean(response.body);
    }
    expect(await savedCount(id)).toBe(saves);
    expect((await context.services.sharing.open(asPractitioner, id)).answers).toEqual(before.answers);
  });

  it('shows what was typed again beside the errors', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: childId });
    await browser.get(`/decisions/${id}/request`);
    const response = await browser.post(
      `/decisions/${id}/request`,
      forms.request({ details: '', requesterName: "Robert'); DROP TABLE sharing_decisions;--" }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('value="Robert&#39;); DROP TABLE sharing_decisions;--"');
    expect(response.body).toContain('<a href="#details">Enter what was asked for</a>');
    // One checkbox ticked arrives as a single value, and is shown ticked again (and only it).
    const information = await browser.post(
      `/decisions/${id}/information`,
      forms.information({ shared: 'health', 'relevance.health': '', withheld: [] }),
    );
    expect(information.statusCode).toBe(400);
    expect(information.body).toMatch(/name="shared" type="checkbox" value="health" checked/);
    expect(information.body).not.toMatch(/name="shared" type="checkbox" value="education" checked/);
  });
});

describe('who may see and change a decision', () => {
  let id: string;

  beforeAll(async () => {
    id = await context.services.sharing.start(asPractitioner, { personId: childId });
    await context.services.sharing.save(asPractitioner, id, {
      request: routineShareAnswers({ personIds: [childId], schoolId }).request,
    });
  });

  it('answers another organisation’s decision with a page that does not exist', async () => {
    const browser = await signIn(context, elsewhere);
    for (const path of [
      '',
      '/request',
      '/people',
      '/recipients',
      '/check-your-answers',
      '/record-sheet',
      '/confirmation',
      '/addenda/new',
    ]) {
      expect((await browser.get(`/decisions/${id}${path}`)).statusCode, path).toBe(404);
    }
    const post = await browser.post(`/decisions/${id}/request`, forms.request({ details: 'Taken over' }));
    expect(post.statusCode).toBe(404);
    expect((await browser.post(`/decisions/${id}/record`)).statusCode).toBe(404);
    expect((await browser.get('/decisions/not-a-uuid')).statusCode).toBe(404);
    expect((await browser.get(`/people/${childId}/sharing`)).statusCode).toBe(404);
  });

  it('hides a decision from a colleague with no part in it', async () => {
    const browser = await signIn(context, colleague);
    expect((await browser.get(`/decisions/${id}`)).statusCode).toBe(404);
    expect((await browser.post(`/decisions/${id}/request`, forms.request())).statusCode).toBe(404);
  });

  it('lets the line manager read it, audited, but not change it', async () => {
    const browser = await signIn(context, manager);
    const saves = await savedCount(id);
    const overview = await browser.get(`/decisions/${id}`);
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('Only Priya Sharma, who started it, can change it.');
    expect(overview.body).not.toContain(`href="/decisions/${id}/request"`);
    expectClean(overview.body);
    const viewed = await context.db
      .selectFrom('audit_events')
      .select('actor_user_id')
      .where('action', '=', 'decision.viewed')
      .where('entity_id', '=', id)
      .execute();
    expect(viewed.map((event) => event.actor_user_id)).toContain(manager.id);

    expect((await browser.get(`/decisions/${id}/request`)).headers['location']).toBe(`/decisions/${id}`);
    for (const [path, form] of [
      ['/request', forms.request({ details: 'Changed by the manager' })],
      ['/people', forms.people()],
      ['/people/add', { personId: uncoveredChildId }],
      ['/recipients', forms.recipients()],
      ['/record', {}],
      ['/send-for-approval', {}],
    ] as const) {
      const response = await browser.post(`/decisions/${id}${path}`, form);
      expect(response.statusCode, path).toBe(403);
      expect(response.body).toContain('Only the practitioner who started this decision can change it');
    }
    expect(await savedCount(id)).toBe(saves);
    expect((await context.services.sharing.open(asPractitioner, id)).answers.request?.details).toBe(
      routineShareAnswers({ personIds: [childId], schoolId }).request.details,
    );
  });
});

describe('the people page', () => {
  it('finds people by a posted search, adds and removes them, and never removes the last', async () => {
    const browser = await signIn(context, practitioner);
    const id = await startFromPerson(browser, childId);
    const base = `/decisions/${id}`;
    const found = await browser.post(`${base}/people/search`, { query: 'Leo Marsh' });
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('Leo Marsh');
    expect(found.body).toContain(`value="${uncoveredChildId}"`);
    expectClean(found.body);
    expect(errorSummary((await browser.post(`${base}/people/search`, { query: '' })).body)).toEqual([
      'Enter a name, NHS number or case reference',
    ]);

    await answer(browser, `${base}/people/add`, { personId: uncoveredChildId }, `${base}/people`);
    expect((await context.services.sharing.open(asPractitioner, id)).answers.people?.personIds).toEqual([
      childId,
      uncoveredChildId,
    ]);
    await answer(browser, `${base}/people/remove`, { personId: childId }, `${base}/people`);
    const last = await browser.post(`${base}/people/remove`, { personId: uncoveredChildId });
    expect(last.statusCode).toBe(400);
    expect(errorSummary(last.body)).toEqual([
      'A decision must be about at least one person: add the right person before you remove this one',
    ]);
    expect((await context.services.sharing.open(asPractitioner, id)).answers.people?.personIds).toEqual([
      uncoveredChildId,
    ]);

    // A transfer between IT systems is a bulk share, and the page says so.
    await answer(browser, `${base}/people`, { systemTransfer: 'yes' }, `${base}/recipients`);
    expect((await browser.get(`${base}/people`)).body).toContain('This is a bulk share');
  });
});

describe('the recipients page', () => {
  it('adds and removes recipients without JavaScript, and saves them all', async () => {
    const browser = await signIn(context, practitioner);
    const id = await startFromPerson(browser, childId);
    const base = `/decisions/${id}`;
    const added = await browser.post(`${base}/recipients`, forms.recipients({ action: 'add' }));
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain('Recipient 2');
    expect(added.body).toContain('value="Rebecca Sutton"');
    const second = {
      'recipients.1.name': 'Dr Anika Shah',
      'recipients.1.role': 'Community paediatrician',
      'recipients.1.organisationId': organisationId,
      'recipients.1.email': 'Anika.Shah@nhs.example',
      'recipients.1.telephone': '01793 604020',
      'recipients.1.reason': 'She writes the health advice for the plan.',
    };
    const removed = await browser.post(
      `${base}/recipients`,
      forms.recipients({ ...second, action: 'remove-0' }),
    );
    expect(removed.statusCode).toBe(200);
    expect(removed.body).not.toContain('value="Rebecca Sutton"');
    expect(removed.body).toContain('value="Dr Anika Shah"');
    const incomplete = await browser.post(
      `${base}/recipients`,
      forms.recipients({ ...second, 'recipients.1.reason': '' }),
    );
    expect(errorSummary(incomplete.body)).toEqual(['Enter why recipient 2 needs the information']);
    expect(incomplete.body).toContain('href="#recipients.1.reason"');
    await answer(browser, `${base}/recipients`, forms.recipients(second), `${base}/information`);
    const saved = await context.services.sharing.open(asPractitioner, id);
    expect(
      saved.answers.recipients?.recipients.map((recipient) => [recipient.name, recipient.email ?? null]),
    ).toEqual([
      ['Rebecca Sutton', null],
      ['Dr Anika Shah', 'anika.shah@nhs.example'],
    ]);
  });
});

describe('a decision not to share', () => {
  it('is recorded with its reasons, without the pages only a share needs', async () => {
    const browser = await signIn(context, practitioner);
    const id = await startFromPerson(browser, uncoveredChildId);
    const base = `/decisions/${id}`;
    await browser.get(`${base}/request`);
    await answer(
      browser,
      `${base}/request`,
      // The agency's questions, still filled in, are ignored: the colleague's own questions are read.
      forms.request({
        requesterKind: 'colleague',
        colleagueName: 'DC Mark Evans',
        colleagueRole: 'Police officer',
        colleagueChannelId: 'email',
        purposeId: 'multi-agency-safeguarding',
        details: 'Asked for the family’s address history.',
      }),
      `${base}/people`,
    );
    await answer(browser, `${base}/people`, forms.people(), `${base}/recipients`);
    const recipients = await browser.get(`${base}/recipients`);
    expect(recipients.body).toContain(`href="${base}/decision"`);
    await answer(
      browser,
      `${base}/decision`,
      forms.decision({
        outcome: 'not-share',
        notShareReasonIds: ['identity-not-verified', 'not-necessary'],
        told: 'no',
        toldDetails: '',
        notToldReason: 'Telling the family could alert the person under investigation.',
        reasons:
          'The caller could not be verified and the address history is not needed for the stated purpose.',
      }),
      `${base}/check-your-answers`,
    );
    // Once the decision is not to share, the pages only a share needs are passed by.
    await answer(browser, `${base}/people`, forms.people(), `${base}/decision`);
    const overview = await browser.get(base);
    expect(overview.body).toContain('Not needed');
    const check = await browser.get(`${base}/check-your-answers`);
    expect(check.body).toContain('The identity or authority of the person asking could not be verified');
    expect(check.body).not.toContain('Who will receive it');
    expect(check.body).toContain('Record decision');
    await answer(browser, `${base}/record`, {}, `${base}/confirmation`);
    const confirmation = await browser.get(`${base}/confirmation`);
    expect(confirmation.body).toContain('Tell the person who asked that you are not sharing');
    const view = await context.services.sharing.open(asPractitioner, id);
    expect(view.outcome).toBe('not-share');
    expect(view.answers.outcome?.notShareReasonIds).toEqual(['not-necessary', 'identity-not-verified']);
    expect(view.answers.request).toMatchObject({
      requesterKind: 'colleague',
      requesterName: 'DC Mark Evans',
      requesterRole: 'Police officer',
      channelId: 'email',
    });
    expect(view.answers.request?.requesterOrganisationId).toBeUndefined();
  });
});

describe('approval, advice and addenda', () => {
  it('sends a share without consent for approval, shows it waiting, and withdraws the request', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: uncoveredChildId });
    await context.services.sharing.save(
      asPractitioner,
      id,
      routineShareAnswers({
        personIds: [uncoveredChildId],
        schoolId,
        overrides: {
          lawfulBasis: {
            unsure: false,
            article6: 'public-task',
            article9: 'health-social-care',
            schedule1: 'safeguarding',
            commonLaw: 'public-interest',
            confidenceReason: 'Risk of significant harm outweighs confidence.',
            justification: 'School reports bruising; health information is needed to protect him.',
          },
        },
      }),
    );
    const base = `/decisions/${id}`;
    const overview = await browser.get(base);
    expect(overview.body).toContain(
      'Sharing on public-interest grounds needs approval before the decision can be recorded',
    );
    expect(overview.body).toContain('Caldicott Guardian');
    expect(overview.body).toContain('Send for approval');
    expect(overview.body).toContain(`href="${base}/ask-for-advice"`);
    expectClean(overview.body);

    await answer(browser, `${base}/send-for-approval`, {}, `${base}?done=sent`);
    const waiting = await browser.get(`${base}?done=sent`);
    expect(waiting.body).toContain('The decision has been sent for approval.');
    expect(waiting.body).toContain('Waiting for an answer');
    expect(waiting.body).toContain('Withdraw request');
    expect((await context.services.sharing.open(asPractitioner, id)).status).toBe('awaiting-approval');
    // Locked while it waits.
    const locked = await browser.post(`${base}/request`, forms.request());
    expect(errorSummary(locked.body)).toEqual([
      'This decision is waiting for approval: withdraw the request to change it',
    ]);
    expect((await browser.post(`${base}/send-for-approval`, {})).statusCode).toBe(400);

    await answer(browser, `${base}/withdraw-approval-request`, {}, `${base}?done=withdrawn`);
    expect((await context.services.sharing.open(asPractitioner, id)).status).toBe('draft');
    const guardianView = await (await signIn(context, guardian)).get(base);
    expect(guardianView.statusCode).toBe(200);
    expect(guardianView.body).toContain('Request withdrawn');
  });

  it('waits for the DPO’s or Caldicott Guardian’s advice when the practitioner is unsure which law applies', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: childId });
    const answers = routineShareAnswers({ personIds: [childId], schoolId });
    await context.services.sharing.save(asPractitioner, id, {
      request: answers.request,
      people: answers.people,
      recipients: answers.recipients,
      information: answers.information,
    });
    const page = await browser.get(`/decisions/${id}/lawful-basis`);
    expect(page.body).toContain('I am not sure which law applies');
    expect(page.body).toContain(`href="/decisions/${id}/ask-for-advice"`);
    await answer(browser, `/decisions/${id}/lawful-basis`, { unsure: 'yes' }, `/decisions/${id}/decision`);
    await answer(
      browser,
      `/decisions/${id}/decision`,
      forms.decision(),
      `/decisions/${id}/check-your-answers`,
    );
    const overview = await browser.get(`/decisions/${id}`);
    expect(overview.body).toContain('You are unsure which law applies');
  });

  it('adds an addendum to a recorded decision, which itself never changes', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: childId });
    await context.services.sharing.save(
      asPractitioner,
      id,
      routineShareAnswers({ personIds: [childId], schoolId }),
    );
    await context.services.sharing.record(asPractitioner, id);
    const base = `/decisions/${id}`;
    const form = await browser.get(`${base}/addenda/new`);
    expect(form.statusCode).toBe(200);
    expectClean(form.body);
    const bad = await browser.post(`${base}/addenda/new`, { kind: '', body: '' });
    expect(bad.statusCode).toBe(400);
    expect(errorSummary(bad.body)).toEqual([
      'Select whether this is a correction or a later fact',
      'Enter the addendum',
    ]);
    await answer(
      browser,
      `${base}/addenda/new`,
      { kind: 'later-fact', body: 'The school confirmed receipt on 2 December.' },
      `${base}?done=addendum`,
    );
    const sheet = await browser.get(`${base}/record-sheet`);
    expect(sheet.body).toContain('A later fact');
    expect(sheet.body).toContain('The school confirmed receipt on 2 December.');
    // Drafts take no addenda.
    const draft = await context.services.sharing.start(asPractitioner, { personId: childId });
    expect((await browser.get(`/decisions/${draft}/addenda/new`)).headers['location']).toBe(
      `/decisions/${draft}`,
    );
  });

  it('lists a practitioner’s drafts and offers a new decision', async () => {
    const browser = await signIn(context, practitioner);
    await context.services.sharing.start(asPractitioner, { personId: uncoveredChildId });
    const mine = await browser.get('/decisions');
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('Drafts (');
    // Who each draft is about, by name, not a count.
    const drafts = mine.body.slice(mine.body.indexOf('Drafts ('), mine.body.indexOf('Waiting for advice'));
    expect(drafts).toContain('Leo Marsh');
    expect(mine.body).toContain('href="/decisions/new"');
    expectClean(mine.body);
    const start = await browser.get('/decisions/new');
    expect(start.body).toContain(
      'Information sharing: advice for practitioners providing safeguarding services',
    );
    expectClean(start.body);
    const started = await browser.post('/decisions/new', {});
    expect(started.headers['location']).toMatch(new RegExp(`^/decisions/${uuidPattern}/request$`));
    const refused = await browser.post('/decisions/new', { personId: 'not-a-uuid' });
    expect(refused.statusCode).toBe(400);
  });

  it('warns a practitioner whose data protection training is not recorded or has lapsed, and not once it is current (R1.1)', async () => {
    const browser = await signIn(context, colleague);
    expect((await browser.get('/decisions/new')).body).toContain(
      'Your data protection training is not recorded',
    );
    await context.services.staff.recordTraining(systemActor, colleague.id, '2024-01-15');
    expect((await browser.get('/decisions/new')).body).toContain('Your data protection training has lapsed');
    await context.services.staff.recordTraining(systemActor, colleague.id, today);
    const current = await browser.get('/decisions/new');
    expect(current.body).not.toContain('Your data protection training has lapsed');
    expect(current.body).not.toContain('is not recorded');
  });
});

describe('drafts', () => {
  it('opens the empty draft again rather than piling up another, and starts afresh once it has answers', async () => {
    const browser = await signIn(context, practitioner);
    const person = await createPerson(context, {
      organisationId,
      givenNames: 'Mia',
      familyName: 'Clarke',
      allocatedTo: practitioner.id,
    });
    const first = await startFromPerson(browser, person);
    expect(await startFromPerson(browser, person)).toBe(first);
    await answer(browser, `/decisions/${first}/request`, forms.request(), `/decisions/${first}/people`);
    const second = await startFromPerson(browser, person);
    expect(second).not.toBe(first);
    const started = await context.db
      .selectFrom('audit_events')
      .select('entity_id')
      .where('action', '=', 'decision.started')
      .where('person_id', '=', person)
      .execute();
    expect(started.map((event) => event.entity_id).sort()).toEqual([first, second].sort());
  });

  it('discards a draft its author no longer needs: kept and audited, out of every list, and never changed again', async () => {
    const browser = await signIn(context, practitioner);
    const person = await createPerson(context, {
      organisationId,
      givenNames: 'Noah',
      familyName: 'Price',
      allocatedTo: practitioner.id,
    });
    const id = await startFromPerson(browser, person);
    const base = `/decisions/${id}`;
    const overview = await browser.get(base);
    expect(overview.body).toContain('Discard this draft');
    expect(overview.body).toContain(`action="${base}/discard"`);

    // Only its author may discard it.
    const managerBrowser = await signIn(context, manager);
    expect((await managerBrowser.get(base)).body).not.toContain('Discard this draft');
    expect((await managerBrowser.post(`${base}/discard`, {})).statusCode).toBe(403);

    expect((await browser.get('/decisions')).body).toContain('Noah Price');
    const discarded = await browser.post(`${base}/discard`, {});
    expect(discarded.statusCode).toBe(303);
    expect(discarded.headers['location']).toBe(`${base}?done=discarded`);
    const row = await context.db
      .selectFrom('sharing_decisions')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('discarded');
    const events = await context.db
      .selectFrom('audit_events')
      .select(['actor_user_id'])
      .where('action', '=', 'decision.discarded')
      .where('entity_id', '=', id)
      .execute();
    expect(events).toEqual([{ actor_user_id: practitioner.id }]);

    const after = await browser.get(`${base}?done=discarded`);
    expect(after.body).toContain('The draft has been discarded');
    expect(after.body).not.toContain('Discard this draft');
    expect((await browser.get('/decisions')).body).not.toContain('Noah Price');
    expect((await browser.get(`/people/${person}/sharing`)).body).not.toContain(id);
    // Discarding twice, or answering a discarded draft, is refused; a new start makes a new draft.
    const again = await browser.post(`${base}/discard`, {});
    expect(again.statusCode).toBe(400);
    expect(errorSummary(again.body)).toEqual(['Only a draft can be discarded']);
    await expect(
      context.services.sharing.save(asPractitioner, id, {
        request: routineShareAnswers({ personIds: [person], schoolId }).request,
      }),
    ).rejects.toThrow();
    await expect(
      context.db.updateTable('sharing_decisions').set({ status: 'draft' }).where('id', '=', id).execute(),
    ).rejects.toThrow(/a discarded draft cannot change/);
    expect(await startFromPerson(browser, person)).not.toBe(id);
  });

  it('keeps a draft waiting for advice until the advice is given', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: uncoveredChildId });
    await context.services.sharing.askAdvice(asPractitioner, id, {
      adviser: 'caldicott_guardian',
      question: 'Is public task right here?',
      anonymised: true,
    });
    const refused = await browser.post(`/decisions/${id}/discard`, {});
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      'You have asked for advice on this draft: discard it once the advice has been given',
    ]);
  });
});

describe('the task list', () => {
  it('names what must be done before a task can start, and only tasks it lists as what stands in the way', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: childId });
    const overview = await browser.get(`/decisions/${id}`);
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('Complete “About the request” first');
    expect(overview.body).toContain(
      'Complete “About the request”, “Who will receive it” and “What will be shared” first',
    );
    // The decision page asks about telling the family and the risks: it is named once, as its task.
    expect(overview.body).toContain('Complete “Your decision”');
    expect(overview.body).not.toContain('Telling the family');
    expect(overview.body).not.toContain('Safety and risks');
    expectClean(overview.body);
  });
});

describe('the lawful basis page (R2.17, R2.20)', () => {
  it('says, where the basis is chosen, that data protection law is not a barrier to sharing but a framework (golden rule 1)', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: childId });
    const answers = routineShareAnswers({ personIds: [childId], schoolId });
    await context.services.sharing.save(asPractitioner, id, without(answers, 'lawfulBasis'));
    const page = await browser.get(`/decisions/${id}/lawful-basis`);
    expect(page.statusCode).toBe(200);
    // The source policy: the Data Protection Act "is not a barrier to sharing information but provides
    // a framework to ensure that personal information ... is shared appropriately".
    expect(page.body).toContain(
      'Data protection law is not a barrier to sharing information: it provides a framework to make sure that personal information is shared appropriately.',
    );
  });

  it('asks a statutory duty (s16LA) for the provision, not a public-interest justification, and records it with no approval', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: uncoveredChildId });
    const answers = routineShareAnswers({ personIds: [uncoveredChildId], schoolId });
    await context.services.sharing.save(asPractitioner, id, without(answers, 'lawfulBasis'));
    const base = `/decisions/${id}`;
    const page = await browser.get(`${base}/lawful-basis`);
    expect(page.body).toContain('The statutory provision or court order that requires you to share');
    expect(page.body).toContain(
      'You will be asked for why you are not observing the duty of confidence and the statutory provision or court order.',
    );
    expect(page.body).toContain(
      'You will be asked for why you are not observing the duty of confidence and the public-interest justification. The decision waits for approval by the',
    );
    expectClean(page.body);

    const s16la = forms.lawfulBasis({
      commonLaw: 'statutory-duty-s16la',
      confidenceReason: 'The school is a relevant partner and must be told of the safeguarding concern.',
      justification: 'Typed before the basis was changed.',
      statute: '',
    });
    const missing = await browser.post(`${base}/lawful-basis`, s16la);
    expect(missing.statusCode).toBe(400);
    expect(errorSummary(missing.body)).toEqual([
      'Name the statutory provision or court order that requires you to share',
    ]);
    await answer(
      browser,
      `${base}/lawful-basis`,
      { ...s16la, statute: 'Children Act 2004, section 16LA' },
      `${base}/decision`,
    );
    const saved = await context.services.sharing.open(asPractitioner, id);
    expect(saved.answers.lawfulBasis).toMatchObject({
      commonLaw: 'statutory-duty-s16la',
      statute: 'Children Act 2004, section 16LA',
    });
    expect(saved.answers.lawfulBasis).not.toHaveProperty('justification');
    expect(saved.assessment).toMatchObject({ withoutConsent: true, override: false, approvals: [] });
    const recorded = await browser.post(`${base}/record`);
    expect(recorded.statusCode, errorSummary(recorded.body).join('; ')).toBe(303);
    expect((await context.services.sharing.open(asPractitioner, id)).status).toBe('recorded');
    const sheet = await browser.get(`${base}/record-sheet`);
    expect(sheet.body).toContain('Children Act 2004, section 16LA');
  });

  it('records Schedule 1 paragraph 2 with Article 9(2)(h) when Schedule 1 is left unanswered, and shows it on check your answers', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: childId });
    const answers = routineShareAnswers({ personIds: [childId], schoolId });
    await context.services.sharing.save(asPractitioner, id, without(answers, 'lawfulBasis'));
    const base = `/decisions/${id}`;
    const page = await browser.get(`${base}/lawful-basis`);
    expect(page.body).toContain(
      'Recorded with the Schedule 1 condition “Health or social care purposes (paragraph 2)”: you need not choose it below.',
    );
    // Consent covers the share, so consent is already the common-law position.
    expect(page.body).toMatch(/name="commonLaw" type="radio" value="consent" checked/);
    await answer(
      browser,
      `${base}/lawful-basis`,
      forms.lawfulBasis({ article9: 'health-social-care', schedule1: '' }),
      `${base}/decision`,
    );
    const saved = await context.services.sharing.open(asPractitioner, id);
    expect(saved.answers.lawfulBasis).toMatchObject({
      article9: 'health-social-care',
      schedule1: 'health-social-care-purposes',
    });
    const check = await browser.get(`${base}/check-your-answers`);
    expect(check.body).toContain('Health or social care purposes (paragraph 2)');

    // Another Article 9 condition still asks for its Schedule 1 condition.
    const unpaired = await browser.post(
      `${base}/lawful-basis`,
      forms.lawfulBasis({ article9: 'substantial-public-interest', schedule1: '' }),
    );
    expect(unpaired.statusCode).toBe(400);
    expect(errorSummary(unpaired.body)).toEqual(['Select the Data Protection Act 2018 Schedule 1 condition']);
  });

  it('counts the characters left on the long answers, to the limits the forms keep', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: childId });
    const answers = routineShareAnswers({ personIds: [childId], schoolId });
    await context.services.sharing.save(asPractitioner, id, without(answers, 'lawfulBasis'));
    const base = `/decisions/${id}`;
    const counted = (html: string) =>
      [...html.matchAll(/data-maxlength="(\d+)"/g)].map((match) => Number(match[1]));
    expect(counted((await browser.get(`${base}/request`)).body)).toEqual([4000]);
    expect(counted((await browser.get(`${base}/recipients`)).body)).toEqual([2000]);
    expect(counted((await browser.get(`${base}/lawful-basis`)).body)).toEqual([4000, 500]);
    const information = counted((await browser.get(`${base}/information`)).body);
    expect(information).toContain(1000);
    expect(information.slice(-2)).toEqual([4000, 2000]);
    expect(counted((await browser.get(`${base}/decision`)).body)).toEqual([
      2000, 2000, 4000, 4000, 4000, 4000,
    ]);
    const tooLong = await browser.post(`${base}/decision`, forms.decision({ reasons: 'x'.repeat(4001) }));
    expect(tooLong.statusCode).toBe(400);
    await context.services.sharing.save(asPractitioner, id, answers);
    await context.services.sharing.record(asPractitioner, id);
    expect(counted((await browser.get(`${base}/addenda/new`)).body)).toEqual([4000]);
  });

  it('keeps an overriding public interest waiting for approval, with its justification', async () => {
    const browser = await signIn(context, practitioner);
    const id = await context.services.sharing.start(asPractitioner, { personId: uncoveredChildId });
    const answers = routineShareAnswers({ personIds: [uncoveredChildId], schoolId });
    await context.services.sharing.save(asPractitioner, id, without(answers, 'lawfulBasis'));
    const base = `/decisions/${id}`;
    const publicInterest = forms.lawfulBasis({
      commonLaw: 'public-interest',
      confidenceReason: 'Risk of significant harm outweighs confidence.',
      justification: '',
      statute: 'Not asked for this basis',
    });
    const missing = await browser.post(`${base}/lawful-basis`, publicInterest);
    expect(errorSummary(missing.body)).toEqual([
      'Give the public-interest justification, based on the facts, for sharing without consent',
    ]);
    await answer(
      browser,
      `${base}/lawful-basis`,
      { ...publicInterest, justification: 'School reports bruising; health information protects him.' },
      `${base}/decision`,
    );
    const saved = await context.services.sharing.open(asPractitioner, id);
    expect(saved.answers.lawfulBasis).not.toHaveProperty('statute');
    expect(saved.assessment.approvals).toEqual([
      { kind: 'public-interest', approvers: ['caldicott_guardian'], status: 'not-requested' },
    ]);
    expect((await browser.post(`${base}/record`)).statusCode).toBe(400);
  });
});

describe('what each page records', () => {
  it('declares on every sharing page the audit event it writes, or that it writes none', () => {
    // The disclosure pages under a decision are the disclosure log's, not these.
    const pages = context.app.routeRules.filter(
      (rule) =>
        (/^\/(decisions|advice|approvals)(\/|$)/.test(rule.url) && !rule.url.includes('/disclosures')) ||
        rule.url === '/people/:personId/sharing',
    );
    // A route without a declaration does not start (src/web/declarations.test.ts), so each has one.
    expect(pages.length).toBeGreaterThan(30);
    const declared = (method: string, url: string) =>
      pages.find((rule) => rule.method === method && rule.url === url)?.audit;
    expect(declared('POST', '/decisions/new')).toEqual(['decision.started', 'decision.reopened']);
    expect(declared('POST', '/decisions/:id/discard')).toEqual(['decision.discarded']);
    expect(declared('POST', '/decisions/:id/request')).toEqual(['decision.saved']);
    expect(declared('POST', '/decisions/:id/record')).toEqual(['decision.recorded']);
    expect(declared('GET', '/people/:personId/sharing')).toEqual(['person.sharing_history_viewed']);
    expect(declared('GET', '/advice/:adviceId')).toEqual(['advice.viewed']);
    expect(declared('POST', '/approvals/:approvalId')).toEqual(['approval.given', 'approval.refused']);
    expect(declared('GET', '/decisions')).toBe('none');
    // Read by others than its author, the overview records the read; by its author, nothing.
    expect(declared('GET', '/decisions/:id')).toEqual({ sometimes: ['decision.viewed'] });
  });
});
