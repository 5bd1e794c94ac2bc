import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/index.ts';
import { createStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { apiIdempotency } from './idempotency.ts';

let context: TestContext;
let tokenId: string;

beforeAll(async () => {
  context = await testApp();
  const staff = await createStaff(context);
  tokenId = (await context.services.apiTokens.issue(systemActor, staff.id, 'Mosaic', 30)).id;
});

describe('Idempotency-Key when Safeshare fails', () => {
  it('frees the key after a 5xx answer, so that the retry runs rather than being told to wait', async () => {
    // A route that fails once, as one would when the database went away mid-request.
    const app = Fastify();
    app.addHook('onRequest', async (request) => {
      request.apiToken = { id: tokenId, name: 'Mosaic', scopes: [] };
    });
    await app.register(apiIdempotency, { keys: context.services.apiIdempotency });
    let calls = 0;
    app.post('/api/v1/flaky', async (_request, reply) => {
      calls += 1;
      if (calls === 1) return reply.code(503).send({ error: 'unavailable' });
      return reply.code(201).send({ made: calls });
    });
    await app.ready();
    const send = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/flaky',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'retry-after-503' },
        payload: '{}',
      });
    expect((await send()).statusCode).toBe(503);
    const retry = await send();
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    const replay = await send();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual({ made: 2 });
    expect(calls).toBe(2);
    await app.close();
  });

  it('has the database refuse a token with no scope or an unknown one', async () => {
    for (const scopes of [[], ['people.read', 'audit.everything']]) {
      await expect(
        context.db
          .updateTable('api_tokens')
          .set({ scopes: scopes as never })
          .where('id', '=', tokenId)
          .execute(),
      ).rejects.toThrow(/api_tokens_scopes_check/);
    }
  });
});
