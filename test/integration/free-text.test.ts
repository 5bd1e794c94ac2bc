import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import { textRefusalOf } from '../../src/web/request-text.ts';
import { errorSummary, type TestBrowser } from '../support/browser.ts';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  viewerOf,
  type ConsentWorld,
} from '../support/consent-fixtures.ts';
import { letterDisclosure } from '../support/disclosure-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../support/factories.ts';
import { testApp, type TestContext } from '../support/harness.ts';
import { routineShareAnswers } from '../support/sharing-fixtures.ts';

/**
 * One text rule for every free-text answer, on the pages and over the API (src/lib/text.ts): a NUL or
 * other control character, text that is not UTF-8, or markup is refused with 400 and a clear message,
 * never a 500, and nothing is stored (invariant 8).
 */

let context: TestContext;
let world: ConsentWorld;
let practitioner: TestStaff;
let browser: TestBrowser;
let token: string;
let organisationId: string;
let schoolId: string;
let childId: string;

// Reads write audit events too; a refused answer must write none of the others.
const reads = [
  'advice.viewed',
  'consent.evidence_viewed',
  'consent.notice_viewed',
  'consent.reviews_viewed',
  'consent.viewed',
  'decision.viewed',
  'person.sharing_history_viewed',
  'person.viewed',
];

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
  practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
  });
  token = (await context.services.apiTokens.issue(systemActor, practitioner.id, 'Mosaic case management', 30))
    .token;
  childId = await addPerson(world, organisationId, {
    givenNames: 'Oliver',
    familyName: 'Nowak',
    dateOfBirth: '2012-03-08',
    allocateTo: practitioner.id,
  });
  await world.consents.record(
    asPractitioner(),
    childId,
    givenConsentAnswers({ recipientOrganisationIds: [schoolId], categoryIds: ['education', 'health'] }),
  );
  browser = await signIn(context, practitioner);
}, 60_000);

function asPractitioner() {
  return viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
}

async function changes(): Promise<number> {
  const row = await context.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('action', 'not in', reads)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function api(url: string, body: unknown) {
  return context.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

interface ProblemBody {
  readonly status: number;
  readonly errors?: readonly { readonly pointer: string; readonly detail: string }[];
}

async function recordedDecision(): Promise<string> {
  return (
    await context.services.sharing.recordComplete(
      asPractitioner(),
      routineShareAnswers({ personIds: [childId], schoolId }),
    )
  ).id;
}

describe('a NUL character in free text', () => {
  it('is refused on a consent review, with the error summary, and the review is not recorded', async () => {
    const sisterId = await addPerson(world, organisationId, {
      givenNames: 'Maja',
      familyName: 'Nowak',
      dateOfBirth: '2014-06-02',
      allocateTo: practitioner.id,
    });
    const consentId = await world.consents.record(asPractitioner(), sisterId, givenConsentAnswers());
    const before = await context.db
      .selectFrom('consents')
      .selectAll()
      .where('id', '=', consentId)
      .executeTakeFirstOrThrow();
    const beforeChanges = await changes();
    const response = await browser.post(`/consents/${consentId}/review`, {
      reviewOutcome: 'still_valid',
      'nextReviewOn-day': '1',
      'nextReviewOn-month': '6',
      'nextReviewOn-year': '2027',
      reviewNote: 'Talked it\u0000through',
    });
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toEqual([
      'The note must not contain control characters, such as a null character',
    ]);
    expect(
      await context.db
        .selectFrom('consents')
        .selectAll()
        .where('id', '=', consentId)
        .executeTakeFirstOrThrow(),
    ).toEqual(before);
    expect(await changes()).toBe(beforeChanges);
  });

  it('is refused in a sharing decision’s details over the API with a pointer to the member', async () => {
    const answers = routineShareAnswers({ personIds: [childId], schoolId });
    const decisions = await context.db.selectFrom('sharing_decisions').select('id').execute();
    const beforeChanges = await changes();
    const response = await api('/api/v1/decisions', {
      ...answers,
      request: { ...answers.request, details: 'School asked for\u0000attendance' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<ProblemBody>().errors).toEqual([
      {
        pointer: '/request/details',
        detail: 'Details must not contain control characters, such as a null character',
      },
    ]);
    expect(await context.db.selectFrom('sharing_decisions').select('id').execute()).toEqual(decisions);
    expect(await changes()).toBe(beforeChanges);
  });

  it('is refused in a disclosure’s description over the API', async () => {
    const decisionId = await recordedDecision();
    const beforeChanges = await changes();
    const response = await api(
      `/api/v1/decisions/${decisionId}/disclosures`,
      letterDisclosure({ description: 'Reports\u0000sent' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json<ProblemBody>().errors).toEqual([
      {
        pointer: '/description',
        detail: 'Description must not contain control characters, such as a null character',
      },
    ]);
    expect(
      await context.db.selectFrom('disclosures').select('id').where('decision_id', '=', decisionId).execute(),
    ).toEqual([]);
    expect(await changes()).toBe(beforeChanges);
  });

  it('is refused in a checklist answer and a receipt over the API', async () => {
    const decisionId = await recordedDecision();
    const beforeChanges = await changes();
    const letter = letterDisclosure();
    const response = await api(`/api/v1/decisions/${decisionId}/disclosures`, {
      ...letter,
      checklist: { ...letter.checklist, recipientName: 'Rebecca\u0000Sutton' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json<ProblemBody>().errors).toContainEqual({
      pointer: '/checklist/recipientName',
      detail: expect.stringContaining('The recipient’s name must not contain control characters') as unknown,
    });
    expect(await changes()).toBe(beforeChanges);
  });

  it('is refused in an addendum’s body, and no addendum is added', async () => {
    const decisionId = await recordedDecision();
    await browser.get(`/decisions/${decisionId}/addenda/new`);
    const beforeChanges = await changes();
    const response = await browser.post(`/decisions/${decisionId}/addenda/new`, {
      kind: 'later-fact',
      body: 'The school\u0000confirmed receipt.',
    });
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toEqual([
      'The addendum must not contain control characters, such as a null character',
    ]);
    expect(
      await context.db
        .selectFrom('sharing_addenda')
        .select('id')
        .where('decision_id', '=', decisionId)
        .execute(),
    ).toEqual([]);
    expect(await changes()).toBe(beforeChanges);
  });

  it('is refused in a person’s address, and the person is unchanged', async () => {
    const before = await context.db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', childId)
      .executeTakeFirstOrThrow();
    await browser.get(`/people/${childId}/edit`);
    const beforeChanges = await changes();
    const response = await browser.post(`/people/${childId}/edit`, {
      givenNames: before.given_names,
      familyName: before.family_name,
      knownAs: '',
      'dateOfBirth-day': '8',
      'dateOfBirth-month': '3',
      'dateOfBirth-year': '2012',
      nhsNumber: before.nhs_number ?? '',
      localReference: before.local_reference ?? '',
      upn: '',
      externalId: '',
      addressLine1: '12 Drove\u0000Road',
      addressLine2: 'Flat\t2',
      town: 'Swindon',
      postcode: 'SN1 3AB',
    });
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toEqual([
      'Address line 1 must not contain control characters, such as a null character',
      'Address line 2 must be on one line, without line breaks or tabs',
    ]);
    expect(
      await context.db.selectFrom('people').selectAll().where('id', '=', childId).executeTakeFirstOrThrow(),
    ).toEqual(before);
    expect(await changes()).toBe(beforeChanges);
  });
});

describe('text that is not UTF-8', () => {
  it('is refused in a form with the GOV.UK error page, and nothing is stored', async () => {
    const decisionId = await recordedDecision();
    await browser.get(`/decisions/${decisionId}/addenda/new`);
    const beforeChanges = await changes();
    // %FF and a lone %C3 are bytes that are not UTF-8: the form used to store them as the text "%FF".
    const payload = `_csrf=${encodeURIComponent(browser.csrfToken ?? '')}&kind=later-fact&body=Receipt%FF%C3confirmed`;
    const response = await browser.request('POST', `/decisions/${decisionId}/addenda/new`, payload, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('What you sent could not be read');
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);
    expect(
      await context.db
        .selectFrom('sharing_addenda')
        .select('id')
        .where('decision_id', '=', decisionId)
        .execute(),
    ).toEqual([]);
    expect(await changes()).toBe(beforeChanges);
  });

  it('is refused in a JSON body with problem+json, and nothing is stored', async () => {
    const decisions = await context.db.selectFrom('sharing_decisions').select('id').execute();
    const json = Buffer.from(
      JSON.stringify(routineShareAnswers({ personIds: [childId], schoolId })).replace(
        '"details":"',
        '"details":"\u0001',
      ),
      'utf8',
    );
    // The byte 0xFF is never UTF-8; the default reader put U+FFFD in its place.
    const payload = Buffer.from(json.toString('latin1').replace('\u0001', '\u00ff'), 'latin1');
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/v1/decisions',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ title: string }>().title).toBe('What you sent could not be read');
    expect(await context.db.selectFrom('sharing_decisions').select('id').execute()).toEqual(decisions);
  });

  it('still reads forms as browsers send them: escapes, plus signs, repeated fields and non-ASCII text', async () => {
    const decisionId = await recordedDecision();
    await browser.get(`/decisions/${decisionId}/addenda/new`);
    const response = await browser.post(`/decisions/${decisionId}/addenda/new`, {
      kind: 'later-fact',
      body: 'Zoë’s school confirmed receipt: 100% + 2 letters & a call.\r\nSecond line.',
    });
    expect(response.statusCode).toBe(303);
    const addenda = await context.db
      .selectFrom('sharing_addenda')
      .select('body')
      .where('decision_id', '=', decisionId)
      .execute();
    expect(addenda.map((addendum) => addendum.body)).toEqual([
      'Zoë’s school confirmed receipt: 100% + 2 letters & a call.\r\nSecond line.',
    ]);
  });
});

describe('markup in free text', () => {
  it('is refused over the API as on the pages, with a pointer, and nothing is stored', async () => {
    const answers = routineShareAnswers({ personIds: [childId], schoolId });
    const decisions = await context.db.selectFrom('sharing_decisions').select('id').execute();
    const beforeChanges = await changes();
    const response = await api('/api/v1/decisions', {
      ...answers,
      request: { ...answers.request, details: '<script>alert(1)</script>' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<ProblemBody>().errors).toEqual([
      { pointer: '/request/details', detail: 'Details must not contain < or >' },
    ]);
    expect(await context.db.selectFrom('sharing_decisions').select('id').execute()).toEqual(decisions);
    expect(await changes()).toBe(beforeChanges);
  });
});

describe('the database backstop', () => {
  async function databaseError(run: () => Promise<unknown>): Promise<unknown> {
    try {
      await run();
    } catch (error) {
      return error;
    }
    throw new Error('PostgreSQL accepted the text');
  }

  it('maps the errors PostgreSQL raises for text it cannot take to 400 with a clear message', async () => {
    const nulInText = await databaseError(() => sql`select ${'a\u0000b'}::text`.execute(context.db));
    const nulInJson = await databaseError(() =>
      sql`select ${'{"note":"a\\u0000b"}'}::jsonb`.execute(context.db),
    );
    const tooLong = await databaseError(() =>
      context.db.transaction().execute(async (trx) => {
        await sql`create temporary table short_text (value varchar(3)) on commit drop`.execute(trx);
        await sql`insert into short_text values (${'abcd'})`.execute(trx);
      }),
    );
    expect(textRefusalOf(nulInText)).toMatchObject({
      status: 400,
      title: 'What you entered contains characters that cannot be saved',
    });
    expect(textRefusalOf(nulInJson)).toMatchObject({
      status: 400,
      title: 'What you entered contains characters that cannot be saved',
    });
    expect(textRefusalOf(tooLong)).toMatchObject({ status: 400, title: 'What you entered is too long' });
    // Any other database error stays a 500: it is Safeshare's fault, not the text's.
    expect(textRefusalOf(await databaseError(() => sql`select 1/0`.execute(context.db)))).toBeUndefined();
  });
});
