import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/index.ts';
import { errorSummary } from '../../test/support/browser.ts';
import { createOrganisation, createStaff, signIn } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { administratorOf } from './staff.authority.ts';
import { StaffNotFoundError } from './staff.service.ts';

let context: TestContext;

beforeAll(async () => {
  context = await testApp();
});

async function callApi(token: string | undefined, cookie?: string) {
  return context.app.inject({
    method: 'GET',
    url: '/api/v1/organisations',
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(cookie === undefined ? {} : { cookie }),
    },
  });
}

describe('API tokens', () => {
  it('lets an administrator issue a token, shown once, that the API accepts until it is revoked', async () => {
    const admin = await createStaff(context, { roles: ['admin'] });
    const system = await createStaff(context, {
      roles: ['practitioner'],
      organisationId: admin.organisationId,
    });
    const browser = await signIn(context, admin);
    await browser.get(`/admin/staff/${system.id}/api-tokens/new`);
    const issued = await browser.post(`/admin/staff/${system.id}/api-tokens/new`, {
      name: 'Mosaic case management',
      validDays: '30',
      scopes: ['people.read', 'disclosures.log'],
    });
    expect(issued.statusCode).toBe(201);
    expect(issued.headers['cache-control']).toBe('no-store');
    const token = /id="api-token">([^<]+)</.exec(issued.body)?.[1] ?? '';
    expect(token).toMatch(/^ss_[A-Za-z0-9_-]{43}$/);

    const stored = await context.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', system.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_digest).not.toContain(token.slice(3));
    expect(stored.scopes).toEqual(['people.read', 'disclosures.log']);
    expect((await browser.get(`/admin/staff/${system.id}`)).body).not.toContain(token);

    const ok = await callApi(token);
    expect(ok.statusCode).toBe(200);
    expect(ok.json<{ organisations: unknown[] }>().organisations.length).toBeGreaterThan(0);

    await browser.get(`/admin/staff/${system.id}`);
    expect((await browser.post(`/admin/staff/${system.id}/api-tokens/${stored.id}/revoke`)).statusCode).toBe(
      303,
    );
    const revoked = await callApi(token);
    expect(revoked.statusCode).toBe(401);
    expect(revoked.headers['content-type']).toContain('application/problem+json');
    const actions = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', stored.id)
      .execute();
    expect(actions.map((event) => event.action)).toEqual(['api_token.issued', 'api_token.revoked']);
  });

  it('refuses missing, unknown and expired tokens, and never takes the session cookie on the API', async () => {
    const staff = await createStaff(context, { roles: ['practitioner'] });
    expect((await callApi(undefined)).statusCode).toBe(401);
    expect((await callApi('ss_not-a-real-token')).statusCode).toBe(401);
    const { token } = await context.services.apiTokens.issue(systemActor, staff.id, 'short-lived', 1);
    expect((await callApi(token)).statusCode).toBe(200);
    context.clock.advance(86_400_000 + 1000);
    expect((await callApi(token)).statusCode).toBe(401);

    const browser = await signIn(context, staff);
    const session = browser.cookie('__Host-safeshare_session') ?? '';
    expect((await callApi(undefined, `__Host-safeshare_session=${session}`)).statusCode).toBe(401);
  });

  it("stops a deactivated account's tokens at once", async () => {
    const staff = await createStaff(context, { roles: ['practitioner'] });
    const { token } = await context.services.apiTokens.issue(systemActor, staff.id, 'system', 30);
    expect((await callApi(token)).statusCode).toBe(200);
    await context.services.staff.setActive(systemActor, staff.id, false);
    expect((await callApi(token)).statusCode).toBe(401);
  });

  it('refuses bad input on the token form, issuing nothing', async () => {
    const admin = await createStaff(context, { roles: ['admin'] });
    const browser = await signIn(context, admin);
    await browser.get(`/admin/staff/${admin.id}/api-tokens/new`);
    const cases: Record<string, string | string[]>[] = [
      { name: '', validDays: '30', scopes: 'people.read' },
      { name: 'x'.repeat(10_000), validDays: '30', scopes: 'people.read' },
      { name: '<script>alert(1)</script>', validDays: '30', scopes: 'people.read' },
      { name: 'system', validDays: '0', scopes: 'people.read' },
      { name: 'system', validDays: '366', scopes: 'people.read' },
      { name: 'system', validDays: "30'; DROP TABLE api_tokens;--", scopes: 'people.read' },
      { name: ['a', 'b'], validDays: '30', scopes: 'people.read' },
      { name: 'system', validDays: '30', scopes: 'people.read', admin: 'true' },
      { name: 'system', validDays: '30' },
      { name: 'system', validDays: '30', scopes: 'audit.everything' },
      { name: 'system', validDays: '30', scopes: ['people.read', 'root'] },
    ];
    for (const form of cases) {
      const response = await browser.post(`/admin/staff/${admin.id}/api-tokens/new`, form);
      expect(response.statusCode).toBe(400);
      expect(errorSummary(response.body).length).toBeGreaterThan(0);
    }
    expect(
      await context.db.selectFrom('api_tokens').select('id').where('user_id', '=', admin.id).execute(),
    ).toEqual([]);
    expect((await browser.get('/admin/staff/not-a-uuid/api-tokens/new')).statusCode).toBe(404);
  });
});

describe('API tokens across organisations (ADR 0011)', () => {
  /** The hosted case: a council and a hospital on one Safeshare; the hospital's administrator, a council practitioner. */
  async function hostedPair() {
    const council = await createOrganisation(context, {
      name: `Swindon Borough Council ${Math.random().toString(36).slice(2, 8)}`,
    });
    const hospital = await createOrganisation(context, {
      name: `Great Western Hospitals NHS Foundation Trust ${Math.random().toString(36).slice(2, 8)}`,
    });
    const hospitalAdmin = await createStaff(context, { roles: ['admin'], organisationId: hospital });
    const councilPractitioner = await createStaff(context, {
      roles: ['practitioner'],
      organisationId: council,
    });
    return { hospital, hospitalAdmin, councilPractitioner };
  }

  async function trail() {
    return (await context.db.selectFrom('audit_events').select('seq').execute()).length;
  }

  it('answers 404 to a hospital administrator issuing a token for a council practitioner, and issues nothing', async () => {
    const { hospitalAdmin, councilPractitioner } = await hostedPair();
    const browser = await signIn(context, hospitalAdmin);
    const events = await trail();
    const form = await browser.get(`/admin/staff/${councilPractitioner.id}/api-tokens/new`);
    expect(form.statusCode).toBe(404);
    const issued = await browser.post(`/admin/staff/${councilPractitioner.id}/api-tokens/new`, {
      name: 'Mosaic case management',
      validDays: '30',
    });
    expect(issued.statusCode).toBe(404);
    expect(issued.body).not.toMatch(/ss_[A-Za-z0-9_-]{43}/);
    expect(
      await context.db
        .selectFrom('api_tokens')
        .select('id')
        .where('user_id', '=', councilPractitioner.id)
        .execute(),
    ).toEqual([]);
    expect(await trail()).toBe(events);
  });

  it('answers 404 to a hospital administrator revoking a council token, which keeps working', async () => {
    const { hospitalAdmin, councilPractitioner } = await hostedPair();
    const { id, token } = await context.services.apiTokens.issue(
      systemActor,
      councilPractitioner.id,
      'Mosaic case management',
      30,
    );
    const browser = await signIn(context, hospitalAdmin);
    await browser.get('/');
    const events = await trail();
    expect(
      (await browser.post(`/admin/staff/${councilPractitioner.id}/api-tokens/${id}/revoke`)).statusCode,
    ).toBe(404);
    expect(
      (
        await context.db
          .selectFrom('api_tokens')
          .select('revoked_at')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).revoked_at,
    ).toBeNull();
    expect(await trail()).toBe(events);
    expect((await callApi(token)).statusCode).toBe(200);
  });

  it('refuses issue, list and revoke in the service itself for another organisation’s staff', async () => {
    const { hospital, hospitalAdmin, councilPractitioner } = await hostedPair();
    const { id } = await context.services.apiTokens.issue(
      systemActor,
      councilPractitioner.id,
      'Mosaic case management',
      30,
    );
    const administrator = administratorOf({
      userId: hospitalAdmin.id,
      displayName: 'Rowan Blake',
      email: hospitalAdmin.email,
      organisationId: hospital,
      organisationName: 'Great Western Hospitals',
      roles: ['admin'],
    });
    const events = await trail();
    await expect(
      context.services.apiTokens.issue(administrator, councilPractitioner.id, 'Mosaic case management', 30),
    ).rejects.toBeInstanceOf(StaffNotFoundError);
    expect(await context.services.apiTokens.listFor(administrator, councilPractitioner.id)).toEqual([]);
    await expect(
      context.services.apiTokens.revoke(administrator, councilPractitioner.id, id),
    ).rejects.toThrow('That token does not exist or is already revoked');
    expect(
      (
        await context.db
          .selectFrom('api_tokens')
          .select('id')
          .where('user_id', '=', councilPractitioner.id)
          .execute()
      ).map((row) => row.id),
    ).toEqual([id]);
    expect(
      (
        await context.db
          .selectFrom('api_tokens')
          .select('revoked_at')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).revoked_at,
    ).toBeNull();
    expect(await trail()).toBe(events);
  });
});
