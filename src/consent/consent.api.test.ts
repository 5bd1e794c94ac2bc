import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addPerson,
  consentWorld,
  givenConsentAnswers,
  viewerOf,
  type ConsentWorld,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { fhirR4Validators, schemaErrors } from '../../test/support/fhir-schema.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { systemActor } from '../audit/index.ts';
import type { FhirBundle } from './consent.fhir.ts';
import type { ConsentAnswers } from './consent.schema.ts';

let context: TestContext;
let world: ConsentWorld;
let practitioner: TestStaff;
let practitionerToken: string;
let colleagueToken: string;
let elsewhereToken: string;
let adminToken: string;
let childId: string;
let brotherId: string;
let givenId: string;
let refusedId: string;

function answers(overrides: Partial<ConsentAnswers> = {}): ConsentAnswers {
  return givenConsentAnswers({
    childView: 'Happy for the school nurse to know.',
    purposeIds: ['health-care'],
    useDescription: null,
    methodIds: ['secure-exchange'],
    categoryIds: ['health'],
    retentionPeriod: null,
    retentionFormIds: [],
    howGiven: 'verbal',
    evidenceNote: null,
    ...overrides,
  });
}

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  world = consentWorld(context);
  const organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const otherOrganisationId = await createOrganisation(context, {
    name: `Wiltshire Council ${randomUUID().slice(0, 6)}`,
  });
  practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
  });
  const colleague = await createStaff(context, { organisationId, roles: ['practitioner'] });
  const elsewhere = await createStaff(context, {
    organisationId: otherOrganisationId,
    roles: ['practitioner', 'dpo'],
  });
  const admin = await createStaff(context, { organisationId, roles: ['admin'] });
  const issue = async (staff: TestStaff) =>
    (await context.services.apiTokens.issue(systemActor, staff.id, 'Mosaic case management', 30)).token;
  practitionerToken = await issue(practitioner);
  colleagueToken = await issue(colleague);
  elsewhereToken = await issue(elsewhere);
  adminToken = await issue(admin);
  childId = await addPerson(world, organisationId, {
    givenNames: 'Oliver',
    familyName: 'Nowak',
    dateOfBirth: '2012-03-08',
    allocateTo: practitioner.id,
  });
  brotherId = await addPerson(world, organisationId, {
    givenNames: 'Jakub',
    familyName: 'Nowak',
    dateOfBirth: '2015-07-19',
    allocateTo: practitioner.id,
  });
  const asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  givenId = await world.consents.record(asPractitioner, childId, answers());
  refusedId = await world.consents.record(
    asPractitioner,
    childId,
    answers({
      decision: 'refused',
      purposeIds: ['youth-justice'],
      categoryIds: ['police-intelligence'],
      givenOn: '2026-11-10',
    }),
  );
}, 60_000);

async function call(url: string, token?: string, headers: Record<string, string> = {}) {
  return context.app.inject({
    method: 'GET',
    url,
    headers: { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });
}

async function exportsOf(entityId: string): Promise<number> {
  const row = await context.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('action', '=', 'consent.exported')
    .where('entity_id', '=', entityId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('GET /api/v1/consents/:id', () => {
  it('gives an allocated practitioner’s system the consent as FHIR R4 that validates, and audits the export', async () => {
    const { consent: validate } = fhirR4Validators();
    const before = await exportsOf(givenId);
    const response = await call(`/api/v1/consents/${givenId}`, practitionerToken);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    const resource: unknown = response.json();
    expect(validate(resource), schemaErrors(validate)).toBe(true);
    expect(resource).toMatchObject({
      resourceType: 'Consent',
      id: givenId,
      status: 'active',
      patient: { reference: `Patient/${childId}` },
      policyRule: { coding: [{ code: 'OPTIN' }] },
    });
    expect(await exportsOf(givenId)).toBe(before + 1);
    const audit = await context.db
      .selectFrom('audit_events')
      .select(['person_id', 'actor_user_id', 'change'])
      .where('action', '=', 'consent.exported')
      .where('entity_id', '=', givenId)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ person_id: childId, actor_user_id: practitioner.id });
    expect(JSON.stringify(audit.change)).toContain('api');
  }, 60_000);

  it('answers 404 problem+json, the same as for no record at all, to another organisation, to an unallocated colleague, and for unknown or malformed ids; none is audited', async () => {
    const before = await exportsOf(givenId);
    const unknown = await call(`/api/v1/consents/${randomUUID()}`, practitionerToken);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    for (const response of [
      await call(`/api/v1/consents/${givenId}`, elsewhereToken),
      await call(`/api/v1/consents/${givenId}`, colleagueToken),
      await call('/api/v1/consents/not-a-uuid', practitionerToken),
      await call(`/api/v1/consents/${givenId}'%20OR%201=1`, practitionerToken),
    ]) {
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toEqual(unknown.json());
    }
    expect(await exportsOf(givenId)).toBe(before);
  });

  it('asks for a token (401) without one, with a session cookie instead, or with a bad one; refuses a token whose roles do not reach consent (403)', async () => {
    const none = await call(`/api/v1/consents/${givenId}`);
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await call(`/api/v1/consents/${givenId}`, 'ss_not-a-real-token')).statusCode).toBe(401);
    const browser = await signIn(context, practitioner);
    expect(
      (
        await call(`/api/v1/consents/${givenId}`, undefined, {
          cookie: `__Host-safeshare_session=${browser.cookie('__Host-safeshare_session') ?? ''}`,
        })
      ).statusCode,
    ).toBe(401);
    const admin = await call(`/api/v1/consents/${givenId}`, adminToken);
    expect(admin.statusCode).toBe(403);
    expect(admin.headers['content-type']).toContain('application/problem+json');
  });
});

describe('GET /api/v1/people/:personId/consents', () => {
  it('gives the person’s consents as a FHIR searchset Bundle that validates, each consent audited', async () => {
    const { bundle: validate } = fhirR4Validators();
    const before = { given: await exportsOf(givenId), refused: await exportsOf(refusedId) };
    const response = await call(`/api/v1/people/${childId}/consents`, practitionerToken);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    const bundle = response.json<FhirBundle>();
    expect(validate(bundle), schemaErrors(validate)).toBe(true);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 2 });
    expect(bundle.entry.map((entry) => entry.resource.id)).toEqual([givenId, refusedId]);
    expect(bundle.entry[0]?.fullUrl).toBe(`${context.config.publicUrl}/api/v1/consents/${givenId}`);
    expect(bundle.entry[1]?.resource.provision.provision?.[0]?.type).toBe('deny');
    expect(bundle.link[0]?.url).toBe(`${context.config.publicUrl}/api/v1/people/${childId}/consents`);
    expect(await exportsOf(givenId)).toBe(before.given + 1);
    expect(await exportsOf(refusedId)).toBe(before.refused + 1);
  }, 60_000);

  it('gives an empty Bundle for a person with no consent, and audits that reading too', async () => {
    const response = await call(`/api/v1/people/${brotherId}/consents`, practitionerToken);
    expect(response.statusCode).toBe(200);
    expect(response.json<FhirBundle>()).toMatchObject({ total: 0, entry: [] });
    expect(await exportsOf(brotherId)).toBe(1);
  });

  it('answers 404 for another organisation’s person, an unallocated colleague, unknown and malformed ids; 401 without a token', async () => {
    for (const response of [
      await call(`/api/v1/people/${childId}/consents`, elsewhereToken),
      await call(`/api/v1/people/${childId}/consents`, colleagueToken),
      await call(`/api/v1/people/${randomUUID()}/consents`, practitionerToken),
      await call('/api/v1/people/Oliver%20Nowak/consents', practitionerToken),
    ]) {
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect((await call(`/api/v1/people/${childId}/consents`)).statusCode).toBe(401);
  });
});
