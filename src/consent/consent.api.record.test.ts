import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { addPerson, consentWorld, type ConsentWorld } from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { systemActor } from '../audit/index.ts';

let context: TestContext;
let world: ConsentWorld;
let practitioner: TestStaff;
let token: string;
let readOnlyToken: string;
let colleagueToken: string;
let elsewhereToken: string;
let childId: string;
let organisationId: string;

/** A consent given by a competent child, in the API's shape: every member the form asks for. */
const given = {
  decision: 'given',
  givenOn: '2026-11-20',
  consentGivenBy: ['child'],
  childCapacity: 'competent',
  childView: 'Happy for the school nurse to know.',
  prevailingView: 'child',
  purposeIds: ['health-care'],
  useDescription: 'To plan health support with the school nurse.',
  recipientRoles: ['School nurse'],
  methodIds: ['secure-exchange'],
  categoryIds: ['health'],
  retentionPeriod: 'Until he is 25',
  retentionFormIds: ['electronic'],
  toldSharedWithoutConsent: true,
  toldMayWithdraw: true,
  howGiven: 'verbal',
};

beforeAll(async () => {
  context = await testApp();
  world = consentWorld(context);
  organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const elsewhereOrganisation = await createOrganisation(context, {
    name: `Wiltshire Council ${randomUUID().slice(0, 6)}`,
  });
  practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
  });
  const colleague = await createStaff(context, { organisationId, roles: ['practitioner'] });
  const elsewhere = await createStaff(context, {
    organisationId: elsewhereOrganisation,
    roles: ['practitioner'],
  });
  const issue = async (
    staff: TestStaff,
    scopes?: Parameters<TestContext['services']['apiTokens']['issue']>[4],
  ) => (await context.services.apiTokens.issue(systemActor, staff.id, 'Mosaic', 30, scopes)).token;
  token = await issue(practitioner);
  readOnlyToken = await issue(practitioner, ['people.read']);
  colleagueToken = await issue(colleague);
  elsewhereToken = await issue(elsewhere);
  childId = await addPerson(world, organisationId, {
    givenNames: 'Oliver',
    familyName: 'Nowak',
    dateOfBirth: '2012-03-08',
    allocateTo: practitioner.id,
  });
}, 60_000);

async function post(url: string, body: unknown, bearer = token) {
  return context.app.inject({
    method: 'POST',
    url,
    payload: body as object,
    headers: { authorization: `Bearer ${bearer}` },
  });
}

async function consentCount(): Promise<number> {
  const row = await context.db
    .selectFrom('consents')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('person_id', '=', childId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

interface ProblemBody {
  readonly status: number;
  readonly errors?: readonly { readonly pointer: string; readonly code?: string; readonly detail: string }[];
}

describe('POST /api/v1/people/:personId/consents', () => {
  it('records consent under the form’s rules, answers 201 with its address, and audits it with the token’s name', async () => {
    const response = await post(`/api/v1/people/${childId}/consents`, given);
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json<{ id: string; status: string; reviewOn: string; links: { self: string } }>();
    expect(body).toMatchObject({
      personId: childId,
      decision: 'given',
      status: 'given',
      givenOn: '2026-11-20',
    });
    // The default review date: the shortest review interval of its purposes (R3.4).
    expect(body.reviewOn > '2026-11-20').toBe(true);
    expect(response.headers['location']).toBe(`${context.config.publicUrl}/api/v1/consents/${body.id}`);
    const row = await context.db
      .selectFrom('consents')
      .select(['told_may_withdraw', 'child_capacity', 'recipient_roles'])
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      told_may_withdraw: true,
      child_capacity: 'competent',
      recipient_roles: ['School nurse'],
    });
    const audit = await context.db
      .selectFrom('audit_events')
      .select(['actor_label', 'person_id'])
      .where('action', '=', 'consent.recorded')
      .where('entity_id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(audit).toEqual({ actor_label: 'Priya Sharma (API token Mosaic)', person_id: childId });
  });

  it('refuses with 422, naming each member, what the consent form refuses; nothing is recorded', async () => {
    const before = await consentCount();
    const cases: [object, string][] = [
      [{ ...given, toldMayWithdraw: false }, '/toldMayWithdraw'],
      [{ ...given, toldSharedWithoutConsent: undefined }, '/toldSharedWithoutConsent'],
      [{ ...given, givenOn: '2027-01-01' }, '/givenOn'],
      [{ ...given, childCapacity: undefined }, '/childCapacity'],
      [{ ...given, childView: undefined }, '/childView'],
      [{ ...given, consentGivenBy: [] }, '/consentGivenBy'],
      [{ ...given, consentGivenBy: ['parent_carer'] }, '/parentCarerId'],
      [{ ...given, purposeIds: ['not-a-purpose'] }, '/purposeIds'],
      [{ ...given, methodIds: [] }, '/methodIds'],
      [{ ...given, reviewOn: '2026-11-01' }, '/reviewOn'],
      [{ ...given, childCapacity: 'not_competent' }, '/consentGivenBy'],
      [{ decision: 'not_sought', givenOn: '2026-11-20', purposeIds: ['health-care'] }, '/notSoughtReason'],
    ];
    for (const [body, pointer] of cases) {
      const response = await post(`/api/v1/people/${childId}/consents`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(
        response.json<ProblemBody>().errors?.map((error) => error.pointer),
        JSON.stringify(body),
      ).toContain(pointer);
    }
    expect(await consentCount()).toBe(before);
  });

  it('refuses recipients outside the partner directory with the service’s own rule code', async () => {
    const before = await consentCount();
    const response = await post(`/api/v1/people/${childId}/consents`, {
      ...given,
      recipientOrganisationIds: [randomUUID()],
    });
    expect(response.statusCode).toBe(422);
    expect(response.json<ProblemBody>().errors).toEqual([
      expect.objectContaining({ pointer: '/recipientOrganisationIds', code: 'CONSENT.RECIPIENT_UNKNOWN' }),
    ]);
    expect(await consentCount()).toBe(before);
  });

  it('answers 400 for a body of the wrong shape, with a pointer to each member', async () => {
    const before = await consentCount();
    for (const [body, pointer] of [
      [{ ...given, givenOn: '20/11/2026' }, '/givenOn'],
      [{ ...given, toldMayWithdraw: 'yes' }, '/toldMayWithdraw'],
      [{ ...given, recipientRoles: ['School nurse\nand the head'] }, '/recipientRoles/0'],
      [{ ...given, decision: 'maybe' }, '/decision'],
      [{ ...given, status: 'withdrawn' }, '/'],
    ] as const) {
      const response = await post(`/api/v1/people/${childId}/consents`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json<ProblemBody>().errors?.map((error) => error.pointer)).toContain(pointer);
    }
    expect(await consentCount()).toBe(before);
  });

  it('reads a person the account may not open, or another organisation’s, as not found, and needs consent.record', async () => {
    const before = await consentCount();
    for (const bearer of [colleagueToken, elsewhereToken]) {
      const response = await post(`/api/v1/people/${childId}/consents`, given, bearer);
      expect(response.statusCode).toBe(404);
    }
    const unscoped = await post(`/api/v1/people/${childId}/consents`, given, readOnlyToken);
    expect(unscoped.statusCode).toBe(403);
    expect(unscoped.json<{ detail: string }>().detail).toContain('"consent.record"');
    expect(await consentCount()).toBe(before);
  });
});

describe('POST /api/v1/consents/:id/withdrawal', () => {
  it('withdraws at once, links to what relied on it, and refuses a second withdrawal and a record replacing it', async () => {
    const recorded = await post(`/api/v1/people/${childId}/consents`, given);
    const { id } = recorded.json<{ id: string }>();
    const early = await post(`/api/v1/consents/${id}/withdrawal`, {
      withdrawnOn: '2026-11-19',
      withdrawalMethod: 'telephone',
      withdrawnBy: 'child',
    });
    expect(early.statusCode).toBe(422);
    expect(early.json<ProblemBody>().errors?.[0]?.pointer).toBe('/withdrawnOn');

    const unscoped = await post(
      `/api/v1/consents/${id}/withdrawal`,
      { withdrawnOn: '2026-11-25', withdrawalMethod: 'telephone', withdrawnBy: 'child' },
      readOnlyToken,
    );
    expect(unscoped.statusCode).toBe(403);
    const elsewhere = await post(
      `/api/v1/consents/${id}/withdrawal`,
      { withdrawnOn: '2026-11-25', withdrawalMethod: 'telephone', withdrawnBy: 'child' },
      elsewhereToken,
    );
    expect(elsewhere.statusCode).toBe(404);

    const response = await post(`/api/v1/consents/${id}/withdrawal`, {
      withdrawnOn: '2026-11-25',
      withdrawalMethod: 'telephone',
      withdrawnBy: 'child',
      withdrawalNote: 'Rang the duty desk.',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      id,
      status: 'withdrawn',
      links: { afterWithdrawal: `${context.config.publicUrl}/consent-withdrawals/${id}` },
    });
    const row = await context.db
      .selectFrom('consents')
      .select(['status', 'withdrawn_on', 'withdrawal_method'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'withdrawn', withdrawn_on: '2026-11-25', withdrawal_method: 'telephone' });

    const again = await post(`/api/v1/consents/${id}/withdrawal`, {
      withdrawnOn: '2026-11-26',
      withdrawalMethod: 'letter',
      withdrawnBy: 'child',
    });
    expect(again.statusCode).toBe(422);
    expect(again.json<ProblemBody>().errors?.[0]?.code).toBe('CONSENT.ALREADY_WITHDRAWN');

    const replacing = await post(`/api/v1/people/${childId}/consents`, { ...given, supersedesId: id });
    expect(replacing.statusCode).toBe(422);
    expect(replacing.json<ProblemBody>().errors?.[0]?.pointer).toBe('/supersedesId');
  });

  it('reads an unknown consent as not found', async () => {
    const response = await post(`/api/v1/consents/${randomUUID()}/withdrawal`, {
      withdrawnOn: '2026-11-25',
      withdrawalMethod: 'telephone',
      withdrawnBy: 'child',
    });
    expect(response.statusCode).toBe(404);
  });
});
