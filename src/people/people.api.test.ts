import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/index.ts';
import { createOrganisation, createStaff, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';

let context: TestContext;
let organisationId: string;
let practitioner: TestStaff;
let token: string;
let readOnlyToken: string;

beforeAll(async () => {
  context = await testApp();
  organisationId = await createOrganisation(context);
  practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
  });
  token = (await context.services.apiTokens.issue(systemActor, practitioner.id, 'Mosaic', 30)).token;
  readOnlyToken = (
    await context.services.apiTokens.issue(systemActor, practitioner.id, 'Mosaic reader', 30, ['people.read'])
  ).token;
});

function call(method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) {
  return context.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

async function peopleCount(): Promise<number> {
  const row = await context.db
    .selectFrom('people')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

const amelia = {
  givenNames: 'Amelia',
  familyName: 'Kowalczyk',
  dateOfBirth: '2016-04-12',
  nhsNumber: '943 476 5919',
  postcode: 'sn1 1rq',
};

describe('the people API', () => {
  it('registers a person under the page rules, allocated to the account, which can then read the record', async () => {
    const registered = await call('POST', '/api/v1/people', amelia);
    expect(registered.statusCode, registered.body).toBe(201);
    const person = registered.json<{
      id: string;
      nhsNumber: string;
      dateOfBirth: string;
      links: { self: string };
    }>();
    expect(person).toMatchObject({ nhsNumber: '9434765919', dateOfBirth: '2016-04-12' });
    expect(registered.headers['location']).toBe(person.links.self);
    expect(registered.headers['location']).not.toContain('Amelia');

    const read = await call('GET', `/api/v1/people/${person.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json<{ familyName: string }>().familyName).toBe('Kowalczyk');
    const events = await context.db
      .selectFrom('audit_events')
      .select(['action', 'actor_label'])
      .where('person_id', '=', person.id)
      .orderBy('seq')
      .execute();
    expect(events.map((event) => event.action)).toEqual([
      'person.created',
      'person.allocated',
      'person.viewed',
    ]);
    expect(events[0]?.actor_label).toBe('Priya Sharma (API token Mosaic)');

    const again = await call('POST', '/api/v1/people', { ...amelia, givenNames: 'Amy' });
    expect(again.statusCode).toBe(422);
    expect(again.json<{ errors: { pointer: string }[] }>().errors.map((error) => error.pointer)).toEqual([
      '/nhsNumber',
    ]);
  });

  it('refuses bad details with 400 naming each member, and registers nothing', async () => {
    const before = await peopleCount();
    for (const body of [
      { ...amelia, nhsNumber: '943 476 5918' },
      { ...amelia, nhsNumber: undefined, dateOfBirth: '2999-01-01' },
      { ...amelia, nhsNumber: undefined, dateOfBirth: '12/04/2016' },
      { ...amelia, nhsNumber: undefined, givenNames: '' },
      { ...amelia, nhsNumber: undefined, familyName: 'Robert"); DROP TABLE people;--' },
      { ...amelia, nhsNumber: undefined, role: 'admin' },
      [amelia],
    ]) {
      const response = await call('POST', '/api/v1/people', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect(await peopleCount()).toBe(before);
  });

  it('needs the people.register scope to register, and people.read to search and read', async () => {
    const before = await peopleCount();
    const refused = await call(
      'POST',
      '/api/v1/people',
      { ...amelia, nhsNumber: undefined },
      {
        authorization: `Bearer ${readOnlyToken}`,
      },
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ detail: string }>().detail).toContain('"people.register"');
    expect(await peopleCount()).toBe(before);
    const search = await call(
      'POST',
      '/api/v1/people/search',
      { query: 'Kowalczyk' },
      {
        authorization: `Bearer ${readOnlyToken}`,
      },
    );
    expect(search.statusCode).toBe(200);
  });

  it('names in a search only the people the account may open, counting the rest, and reads others as not found', async () => {
    const colleague = await createStaff(context, { organisationId, roles: ['practitioner'] });
    const hidden = await context.services.people.register(
      systemActor,
      organisationId,
      {
        givenNames: 'Amelia',
        familyName: 'Kowalczyk',
        knownAs: null,
        dateOfBirth: '2014-01-30',
        nhsNumber: null,
        localReference: null,
        upn: null,
        externalId: null,
        addressLine1: null,
        addressLine2: null,
        town: null,
        postcode: null,
      },
      { allocateTo: colleague.id },
    );
    const search = await call('POST', '/api/v1/people/search', { query: 'amelia kowalczik' });
    expect(search.statusCode, search.body).toBe(200);
    const results = search.json<{ matches: { id: string; dateOfBirth: string }[]; restricted: number }>();
    expect(results.matches.map((match) => match.dateOfBirth)).toEqual(['2016-04-12']);
    expect(results.restricted).toBe(1);
    expect(search.body).not.toContain(hidden);

    const byDate = await call('POST', '/api/v1/people/search', { dateOfBirth: '2016-04-12' });
    expect(byDate.json<{ matches: unknown[] }>().matches).toHaveLength(1);
    expect((await call('POST', '/api/v1/people/search', {})).statusCode).toBe(400);
    expect((await call('POST', '/api/v1/people/search', { query: '%%' })).statusCode).toBe(400);

    const other = await call('GET', `/api/v1/people/${hidden}`);
    expect(other.statusCode).toBe(404);
    expect((await call('GET', '/api/v1/people/not-an-id')).statusCode).toBe(404);
    const viewed = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('person_id', '=', hidden)
      .where('action', '=', 'person.viewed')
      .execute();
    expect(viewed).toEqual([]);
  });

  it('registers once however often a request with the same Idempotency-Key is retried', async () => {
    const before = await peopleCount();
    const body = { givenNames: 'Leon', familyName: 'Kowalczyk', dateOfBirth: '2019-09-01' };
    const headers = { 'idempotency-key': 'c0ffee00-register-leon' };
    const first = await call('POST', '/api/v1/people', body, headers);
    const retry = await call('POST', '/api/v1/people', body, headers);
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    expect(await peopleCount()).toBe(before + 1);
  });
});
