import { beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation, createStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { systemActor } from '../audit/index.ts';

let context: TestContext;
let first: string;
let second: string;

beforeAll(async () => {
  context = await testApp({ API_REQUESTS_PER_MINUTE: '3' });
  const organisationId = await createOrganisation(context, { name: 'Swindon Borough Council' });
  const token = async () => {
    const staff = await createStaff(context, { organisationId, roles: ['practitioner'] });
    return (await context.services.apiTokens.issue(systemActor, staff.id, 'Mosaic case management', 30))
      .token;
  };
  first = await token();
  second = await token();
}, 60_000);

const call = (token?: string) =>
  context.app.inject({
    method: 'GET',
    url: '/api/v1/organisations',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

describe('rate limits per API token', () => {
  it('announces the policy and what remains, then refuses the token over its limit with 429 problem+json', async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await call(first);
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-policy']).toBe('"token";q=3;w=60');
      remaining.push(String(response.headers['ratelimit']).split(';')[1] ?? '');
    }
    expect(remaining).toEqual(['r=2', 'r=1', 'r=0']);

    const refused = await call(first);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit']).toMatch(/^"token";r=0;t=\d+$/);
    expect(refused.json()).toMatchObject({ status: 429, title: 'Too many requests' });
  });

  it('counts each token on its own', async () => {
    const response = await call(second);
    expect(response.statusCode).toBe(200);
    expect(response.headers['ratelimit']).toMatch(/^"token";r=2;t=\d+$/);
  });

  it('refuses a request without a valid token with 401 before counting it', async () => {
    const response = await call();
    expect(response.statusCode).toBe(401);
    expect(response.headers['ratelimit-policy']).toBeUndefined();
    expect((await call('not-a-token')).statusCode).toBe(401);
  });
});
