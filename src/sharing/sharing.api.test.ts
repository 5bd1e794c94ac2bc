import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  viewerOf,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';
import { systemActor } from '../audit/index.ts';

let context: TestContext;
let schoolId: string;
let childId: string;
let withdrawnChildId: string;
let practitionerToken: string;
let elsewhereToken: string;
let igLeadToken: string;

beforeAll(async () => {
  context = await testApp();
  const world = consentWorld(context);
  const organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const otherOrganisationId = await createOrganisation(context, {
    name: `Wiltshire Council ${randomUUID().slice(0, 6)}`,
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
  const elsewhere = await createStaff(context, {
    organisationId: otherOrganisationId,
    roles: ['practitioner', 'dpo'],
  });
  const issue = async (staff: TestStaff) =>
    (await context.services.apiTokens.issue(systemActor, staff.id, 'Mosaic case management', 30)).token;
  practitionerToken = await issue(practitioner);
  elsewhereToken = await issue(elsewhere);
  igLeadToken = await issue(await createStaff(context, { organisationId, roles: ['ig_lead'] }));
  const asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  childId = await addPerson(world, organisationId, {
    givenNames: 'Oliver',
    familyName: 'Nowak',
    dateOfBirth: '2012-03-08',
    allocateTo: practitioner.id,
  });
  withdrawnChildId = await addPerson(world, organisationId, {
    givenNames: 'Jakub',
    familyName: 'Nowak',
    dateOfBirth: '2015-07-19',
    allocateTo: practitioner.id,
  });
  await world.consents.record(
    asPractitioner,
    childId,
    givenConsentAnswers({ recipientOrganisationIds: [schoolId], categoryIds: ['education', 'health'] }),
  );
  const consentId = await world.consents.record(
    asPractitioner,
    withdrawnChildId,
    givenConsentAnswers({ recipientOrganisationIds: [schoolId], categoryIds: ['education', 'health'] }),
  );
  await world.consents.withdraw(asPractitioner, consentId, {
    withdrawnOn: '2026-11-28',
    method: 'letter',
    by: 'parent_carer',
    note: null,
  });
}, 60_000);

async function post(body: unknown, token = practitionerToken) {
  return context.app.inject({
    method: 'POST',
    url: '/api/v1/decisions',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

async function decisionCount(): Promise<number> {
  const row = await context.db
    .selectFrom('sharing_decisions')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('POST /api/v1/decisions', () => {
  it('records a complete routine decision under the rules of the pages, with the consent it relied on', async () => {
    const response = await post(routineShareAnswers({ personIds: [childId], schoolId }));
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json<{
      id: string;
      reference: string;
      status: string;
      outcome: string;
      policy: { version: string };
      consent: { outcome: string; consentId: string | null }[];
    }>();
    expect(body).toMatchObject({
      status: 'recorded',
      outcome: 'share-in-part',
      policy: { version: context.services.policy.version },
    });
    expect(body.consent[0]?.outcome).toBe('covered');
    expect(body.consent[0]?.consentId).not.toBeNull();
    expect(response.headers.location).toContain(`/api/v1/decisions/${body.id}`);
    const fetched = await context.app.inject({
      method: 'GET',
      url: `/api/v1/decisions/${body.id}`,
      headers: { authorization: `Bearer ${practitionerToken}` },
    });
    expect(fetched.json<{ reference: string }>().reference).toBe(body.reference);
    const recorded = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', body.id)
      .execute();
    expect(recorded.map((event) => event.action)).toEqual(
      expect.arrayContaining(['decision.started', 'decision.recorded']),
    );
  });

  it('refuses malformed decisions with problem+json naming each member, changing nothing', async () => {
    const before = await decisionCount();
    const answers = routineShareAnswers({ personIds: [childId], schoolId });
    const response = await post({
      ...answers,
      request: { ...answers.request, purposeId: 'NOT A PURPOSE', receivedOn: '31/02/2026' },
      surprise: true,
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const pointers = response.json<{ errors: { pointer: string }[] }>().errors.map((error) => error.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/request/purposeId', '/request/receivedOn', '/']));
    expect(await decisionCount()).toBe(before);
  });

  it('refuses a share relying on withdrawn consent, and one that needs approval, with 422 and changes nothing', async () => {
    const before = await decisionCount();
    const relyingOnWithdrawn = await post(routineShareAnswers({ personIds: [withdrawnChildId], schoolId }));
    expect(relyingOnWithdrawn.statusCode).toBe(422);
    expect(
      relyingOnWithdrawn
        .json<{ errors: { detail: string }[] }>()
        .errors.map((error) => error.detail)
        .join(' '),
    ).toContain('DECISION.CONSENT_WITHDRAWN');
    const answers = routineShareAnswers({ personIds: [withdrawnChildId], schoolId });
    const override = await post({
      ...answers,
      lawfulBasis: {
        unsure: false,
        article6: 'public-task',
        article9: 'health-social-care',
        schedule1: 'safeguarding',
        commonLaw: 'public-interest',
        confidenceReason: 'Risk of harm.',
        justification: 'Bruising reported at school.',
      },
    });
    expect(override.statusCode).toBe(422);
    expect(
      override
        .json<{ errors: { detail: string }[] }>()
        .errors.map((error) => error.detail)
        .join(' '),
    ).toContain('DECISION.APPROVAL_NEEDED');
    const contradictory = await post({
      ...answers,
      people: { personIds: [childId], systemTransfer: false },
      information: { ...answers.information, withheld: ['education'] },
    });
    expect(contradictory.statusCode).toBe(422);
    expect(
      contradictory
        .json<{ errors: { detail: string }[] }>()
        .errors.map((error) => error.detail)
        .join(' '),
    ).toContain('DECISION.SHARED_AND_WITHHELD');
    expect(await decisionCount()).toBe(before);
  });

  it('refuses an information governance lead, who cannot record a decision on the pages either', async () => {
    const before = await decisionCount();
    const response = await post(routineShareAnswers({ personIds: [childId], schoolId }), igLeadToken);
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(await decisionCount()).toBe(before);
  });

  it('does not let another organisation record about, or read, this organisation’s people', async () => {
    const before = await decisionCount();
    const response = await post(routineShareAnswers({ personIds: [childId], schoolId }), elsewhereToken);
    expect(response.statusCode).toBe(422);
    expect(await decisionCount()).toBe(before);
    const [first] = await context.db.selectFrom('sharing_decisions').select('id').limit(1).execute();
    const read = await context.app.inject({
      method: 'GET',
      url: `/api/v1/decisions/${first?.id ?? randomUUID()}`,
      headers: { authorization: `Bearer ${elsewhereToken}` },
    });
    expect(read.statusCode).toBe(404);
    const malformed = await context.app.inject({
      method: 'GET',
      url: '/api/v1/decisions/not-a-uuid',
      headers: { authorization: `Bearer ${elsewhereToken}` },
    });
    expect(malformed.statusCode).toBe(404);
  });
});

describe('API token scopes', () => {
  it('refuses a token without the scope a route needs, before reading the body, and names the token in the trail', async () => {
    const practitioner = await context.db
      .selectFrom('users')
      .select('id')
      .where('display_name', '=', 'Priya Sharma')
      .executeTakeFirstOrThrow();
    const issue = async (scopes: ('people.read' | 'decisions.record')[]) =>
      (
        await context.services.apiTokens.issue(
          systemActor,
          practitioner.id,
          `Mosaic ${scopes.join(' ')}`,
          30,
          scopes,
        )
      ).token;
    const readOnly = await issue(['people.read']);
    const recordOnly = await issue(['decisions.record']);
    const before = await decisionCount();

    const refused = await post(routineShareAnswers({ personIds: [childId], schoolId }), readOnly);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json<{ detail: string }>().detail).toContain('"decisions.record"');
    expect(await decisionCount()).toBe(before);

    const recorded = await post(routineShareAnswers({ personIds: [childId], schoolId }), recordOnly);
    expect(recorded.statusCode, recorded.body).toBe(201);
    const id = recorded.json<{ id: string }>().id;
    const read = async (token: string) =>
      context.app.inject({
        method: 'GET',
        url: `/api/v1/decisions/${id}`,
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await read(recordOnly)).statusCode).toBe(403);
    expect((await read(readOnly)).statusCode).toBe(200);
    // Reference data needs no scope.
    const directory = await context.app.inject({
      method: 'GET',
      url: '/api/v1/organisations',
      headers: { authorization: `Bearer ${readOnly}` },
    });
    expect(directory.statusCode).toBe(200);

    const labels = await context.db
      .selectFrom('audit_events')
      .select('actor_label')
      .where('entity_id', '=', id)
      .execute();
    expect(labels.map((event) => event.actor_label)).toContain(
      'Priya Sharma (API token Mosaic decisions.record)',
    );
  });
});

describe('Idempotency-Key on the API', () => {
  const keyed = (body: unknown, key: string, token = practitionerToken) =>
    context.app.inject({
      method: 'POST',
      url: '/api/v1/decisions',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      payload: JSON.stringify(body),
    });

  it('answers a retry with the first answer and records once; refuses the key for another request', async () => {
    const before = await decisionCount();
    const body = routineShareAnswers({ personIds: [childId], schoolId });
    const key = randomUUID();
    const first = await keyed(body, key);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const retry = await keyed(body, key);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers['location']).toBe(first.headers['location']);
    expect(retry.json()).toEqual(first.json());
    expect(await decisionCount()).toBe(before + 1);

    const otherRequest = await keyed(routineShareAnswers({ personIds: [withdrawnChildId], schoolId }), key);
    expect(otherRequest.statusCode).toBe(422);
    expect(otherRequest.json<{ title: string }>().title).toBe('Idempotency-Key already used');
    // Keys are each token's own: another token's same key is a new request.
    const elsewhere = await keyed(body, key, igLeadToken);
    expect(elsewhere.headers['idempotent-replayed']).toBeUndefined();
    expect(await decisionCount()).toBe(before + 1);
  });

  it('keeps a refusal as the answer too, and answers 409 while the first request is still running', async () => {
    const incomplete = { ...routineShareAnswers({ personIds: [childId], schoolId }), lawfulBasis: undefined };
    const key = randomUUID();
    const refused = await keyed(incomplete, key);
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    expect(refused.statusCode).toBeLessThan(500);
    const again = await keyed(incomplete, key);
    expect(again.statusCode).toBe(refused.statusCode);
    expect(again.body).toBe(refused.body);

    const running = randomUUID();
    const token = await context.db
      .selectFrom('api_tokens')
      .select('id')
      .where('name', '=', 'Mosaic case management')
      .executeTakeFirstOrThrow();
    expect(await context.services.apiIdempotency.claim(token.id, running, 'another digest')).toEqual({
      kind: 'claimed',
    });
    const before = await decisionCount();
    const busy = await keyed(routineShareAnswers({ personIds: [childId], schoolId }), running);
    // A different digest reads as another request; the same digest, claimed and unanswered, as running.
    expect(busy.statusCode).toBe(422);
    await context.services.apiIdempotency.release(token.id, running);
    const body = routineShareAnswers({ personIds: [childId], schoolId });
    const digestKey = randomUUID();
    const firstTry = await keyed(body, digestKey);
    expect(firstTry.statusCode).toBe(201);
    await context.db
      .updateTable('api_idempotency_keys')
      .set({ status_code: null, body: null })
      .where('key', '=', digestKey)
      .execute();
    const whileRunning = await keyed(body, digestKey);
    expect(whileRunning.statusCode).toBe(409);
    expect(whileRunning.headers['retry-after']).toBe('5');
    expect(await decisionCount()).toBe(before + 1);
  });

  it('refuses a malformed key before doing anything', async () => {
    const before = await decisionCount();
    for (const key of ['', 'has space', 'x'.repeat(256), 'é']) {
      const response = await keyed(routineShareAnswers({ personIds: [childId], schoolId }), key);
      expect(response.statusCode, key).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect(await decisionCount()).toBe(before);
  });
});
