import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  viewerOf,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { letterDisclosure, signedForLetter } from '../../test/support/disclosure-fixtures.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';
import { systemActor } from '../audit/index.ts';

let context: TestContext;
let decisionId: string;
let token: string;
let elsewhereToken: string;
let igLeadToken: string;
let colleagueToken: string;
let igLead: TestStaff;
let childId: string;
let schoolId: string;
let asPractitioner: ReturnType<typeof viewerOf>;

const letter = letterDisclosure();

beforeAll(async () => {
  context = await testApp();
  const world = consentWorld(context);
  const organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  schoolId = await createOrganisation(context, {
    name: `Oakfield Primary School ${randomUUID().slice(0, 6)}`,
    hosted: false,
  });
  const practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
  });
  const elsewhere = await createStaff(context, { roles: ['practitioner'] });
  const issue = async (staff: TestStaff) =>
    (await context.services.apiTokens.issue(systemActor, staff.id, 'Mosaic case management', 30)).token;
  token = await issue(practitioner);
  elsewhereToken = await issue(elsewhere);
  igLead = await createStaff(context, { organisationId, roles: ['ig_lead'], displayName: 'Iris Grant' });
  igLeadToken = await issue(igLead);
  // A practitioner of the same council with no part in the decision: they may not open it.
  colleagueToken = await issue(
    await createStaff(context, { organisationId, roles: ['practitioner'], displayName: 'Tom Ellis' }),
  );
  asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  childId = await addPerson(world, organisationId, {
    givenNames: 'Oliver',
    familyName: 'Nowak',
    dateOfBirth: '2012-03-08',
    allocateTo: practitioner.id,
  });
  await world.consents.record(
    asPractitioner,
    childId,
    givenConsentAnswers({
      recipientOrganisationIds: [schoolId],
      categoryIds: ['education', 'health'],
      methodIds: ['post'],
    }),
  );
  decisionId = (
    await context.services.sharing.recordComplete(
      asPractitioner,
      routineShareAnswers({ personIds: [childId], schoolId }),
    )
  ).id;
}, 60_000);

async function post(url: string, body: unknown, bearer = token) {
  return context.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

async function disclosureCount(): Promise<number> {
  const row = await context.db
    .selectFrom('disclosures')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('POST /api/v1/decisions/:id/disclosures', () => {
  it('records a disclosure by signed-for post under the decision, then its receipt', async () => {
    const response = await post(`/api/v1/decisions/${decisionId}/disclosures`, letter);
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json<{
      id: string;
      method: string;
      receipt: { dueOn: string | null; confirmedAt: string | null };
    }>();
    expect(created.method).toBe('post');
    expect(created.receipt.dueOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const confirmed = await post(`/api/v1/disclosures/${created.id}/receipt`, {
      how: 'The SENCo rang to confirm the letter arrived.',
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json<{ receipt: { how: string } }>().receipt.how).toBe(
      'The SENCo rang to confirm the letter arrived.',
    );
  });

  it('answers with the disclosure exactly as it reads back, recorded and read only by those who may open the decision', async () => {
    const response = await post(`/api/v1/decisions/${decisionId}/disclosures`, letter);
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json<{ id: string }>();
    expect(response.headers['location']).toMatch(new RegExp(`/api/v1/disclosures/${created.id}$`));
    const read = (bearer: string) =>
      context.app.inject({
        method: 'GET',
        url: `/api/v1/disclosures/${created.id}`,
        headers: { authorization: `Bearer ${bearer}` },
      });
    // The answer is made from the row the insert handed back, not read again: it must be what a read gives.
    const readBack = await read(token);
    expect(readBack.statusCode).toBe(200);
    expect(response.json()).toEqual(readBack.json());
    expect(readBack.json()).toMatchObject({
      decisionId,
      recipient: { organisationId: schoolId, name: 'Rebecca Sutton' },
      disclosedBy: 'Priya Sharma',
      checklist: { trackingReference: 'RR123456785GB', address: { postcode: 'SN2 1AA' } },
      receipt: { confirmedAt: null, confirmedByName: null, overdue: false },
    });
    // Whoever may not open the decision can neither disclose under it nor read what was disclosed.
    const before = await disclosureCount();
    expect(
      (await post(`/api/v1/decisions/${decisionId}/disclosures`, letter, colleagueToken)).statusCode,
    ).toBe(404);
    expect((await read(colleagueToken)).statusCode).toBe(404);
    expect(await disclosureCount()).toBe(before);
  });

  it('refuses an incomplete checklist (422) or a malformed body (400) with problem+json, changing nothing', async () => {
    const before = await disclosureCount();
    const incomplete = await post(
      `/api/v1/decisions/${decisionId}/disclosures`,
      letterDisclosure({ checklist: signedForLetter({ trackingReference: '' }) }),
    );
    expect(incomplete.statusCode).toBe(422);
    expect(incomplete.headers['content-type']).toContain('application/problem+json');
    expect(
      incomplete.json<{ errors: { pointer: string }[] }>().errors.map((error) => error.pointer),
    ).toContain('/checklist/trackingReference');
    const malformed = await post(`/api/v1/decisions/${decisionId}/disclosures`, {
      ...letter,
      method: 'carrier-pigeon',
      extra: 1,
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json<{ errors: { pointer: string }[] }>().errors.map((error) => error.pointer)).toEqual(
      expect.arrayContaining(['/method', '/']),
    );
    expect(await disclosureCount()).toBe(before);
  });

  it('answers 404 to another organisation and to malformed ids', async () => {
    expect(
      (await post(`/api/v1/decisions/${decisionId}/disclosures`, letter, elsewhereToken)).statusCode,
    ).toBe(404);
    expect((await post('/api/v1/decisions/not-an-id/disclosures', letter)).statusCode).toBe(404);
    const read = await context.app.inject({
      method: 'GET',
      url: `/api/v1/disclosures/${randomUUID()}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(read.statusCode).toBe(404);
  });

  it('refuses an information governance lead over the API, as the page does: one access rule per action', async () => {
    const before = await disclosureCount();
    const overApi = await post(`/api/v1/decisions/${decisionId}/disclosures`, letter, igLeadToken);
    expect(overApi.statusCode).toBe(403);
    expect(overApi.headers['content-type']).toContain('application/problem+json');
    const browser = await signIn(context, igLead);
    expect((await browser.get(`/decisions/${decisionId}/disclosures/new`)).statusCode).toBe(403);
    expect(await disclosureCount()).toBe(before);
  });
});

describe('GET /api/v1/people/{id}/sharing-history', () => {
  async function get(url: string, bearer = token) {
    return context.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}` } });
  }

  it("pages through a person's decisions and disclosures, newest first, each once, following next", async () => {
    // Three more decisions and a disclosure under the first: at least five entries.
    for (let index = 0; index < 3; index += 1) {
      context.clock.advance(60_000);
      await context.services.sharing.recordComplete(
        asPractitioner,
        routineShareAnswers({ personIds: [childId], schoolId }),
      );
    }
    context.clock.advance(60_000);
    expect((await post(`/api/v1/decisions/${decisionId}/disclosures`, letter)).statusCode).toBe(201);
    const whole = await get(`/api/v1/people/${childId}/sharing-history?limit=100`);
    expect(whole.statusCode, whole.body).toBe(200);
    const all = whole.json<{ entries: { kind: string; at: string }[]; next: string | null }>();
    expect(all.next).toBeNull();
    expect(all.entries.length).toBeGreaterThanOrEqual(5);
    expect(all.entries.map((entry) => entry.at)).toEqual(
      [...all.entries.map((entry) => entry.at)].sort().reverse(),
    );
    expect(all.entries.some((entry) => entry.kind === 'disclosure')).toBe(true);

    const paged: unknown[] = [];
    let url: string | null = `/api/v1/people/${childId}/sharing-history?limit=2`;
    let pages = 0;
    while (url !== null) {
      const response = await get(url.replace(/^https?:\/\/[^/]+/, ''));
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json<{ entries: unknown[]; next: string | null }>();
      expect(page.entries.length).toBeLessThanOrEqual(2);
      paged.push(...page.entries);
      url = page.next;
      pages += 1;
    }
    expect(pages).toBe(Math.ceil(all.entries.length / 2));
    expect(paged).toEqual(all.entries);
    const viewed = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('person_id', '=', childId)
      .where('action', '=', 'person.sharing_history_viewed')
      .execute();
    expect(viewed.length).toBe(pages + 1);
  });

  it('refuses a bad limit or cursor with 400, and reads a person the account may not open as not found', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'cursor=not%20base64!', 'page=2']) {
      const response = await get(`/api/v1/people/${childId}/sharing-history?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect((await get(`/api/v1/people/${childId}/sharing-history`, elsewhereToken)).statusCode).toBe(404);
    expect((await get(`/api/v1/people/${randomUUID()}/sharing-history`)).statusCode).toBe(404);
  });
});
