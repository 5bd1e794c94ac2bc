import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOrganisation } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { bodyOf, paramsOf } from '../api/validation.ts';
import { systemActor } from '../audit/index.ts';
import { nothingToAudit } from '../lib/request-context.ts';
import { createTemplates } from './render.ts';
import { webPlugin, type WebOptions } from './web.plugin.ts';

/**
 * What a route declares is what the shell holds it to: its API body and parameters are checked
 * before the handler runs, its answer against its response schema, and a successful request against
 * the audit events it says it writes.
 */
let context: TestContext;
let organisationId: string;
const apps: FastifyInstance[] = [];
/** How many times each handler of the tiny app ran. */
const ran = new Map<string, number>();

beforeAll(async () => {
  context = await testApp();
  organisationId = await createOrganisation(context);
});

afterAll(async () => {
  for (const app of apps) await app.close();
});

const greeting = z.strictObject({ name: z.string().trim().min(1).max(40), visits: z.number().int().min(0) });
const thingParams = z.strictObject({ id: z.uuid() });
const answer = z.strictObject({ hello: z.string() });

function counted(name: string): void {
  ran.set(name, (ran.get(name) ?? 0) + 1);
}

/** The web shell alone, with a few routes that keep, or break, what they declare. */
async function tinyApp(settings: Partial<Pick<WebOptions, 'environment'>>) {
  const app = Fastify({ logger: false });
  apps.push(app);
  await app.register(webPlugin, {
    templates: createTemplates(),
    auth: context.services.auth,
    apiTokens: context.services.apiTokens,
    serviceName: 'Safeshare',
    cookieSecret: 'a-test-cookie-secret-of-enough-length',
    secureCookies: false,
    ...settings,
  });
  const recordEvent = (action: string) =>
    context.db.transaction().execute((trx) =>
      context.services.audit.record(trx, {
        organisationId,
        actor: systemActor,
        action,
        entity: { type: 'test', id: null },
        change: {},
      }),
    );
  const describedAs = (summary: string) => ({
    scope: 'any' as const,
    summary,
    success: { status: 200, description: 'A greeting', schema: answer },
  });
  app.get(
    '/api/v1/unrecorded',
    { config: { access: 'public', audit: ['thing.viewed'], api: describedAs('Forgets its event') } },
    async () => ({ hello: 'world' }),
  );
  app.get(
    '/api/v1/recorded',
    { config: { access: 'public', audit: ['thing.viewed'], api: describedAs('Writes its event') } },
    async () => {
      await recordEvent('thing.viewed');
      return { hello: 'world' };
    },
  );
  app.get(
    '/api/v1/recorded-otherwise',
    { config: { access: 'public', audit: ['thing.viewed'], api: describedAs('Writes another event') } },
    async () => {
      await recordEvent('thing.changed');
      return { hello: 'world' };
    },
  );
  app.get(
    '/api/v1/refused',
    { config: { access: 'public', audit: ['thing.viewed'], api: describedAs('Refuses') } },
    async (_request, reply) => reply.code(404).send({ hello: 'nobody' }),
  );
  app.get(
    '/api/v1/unlike',
    { config: { access: 'public', audit: 'none', api: describedAs('Answers unlike its schema') } },
    async () => ({ hello: 42 }),
  );
  app.get('/quiet-page', { config: { access: 'public', audit: 'none' } }, async (_request, reply) => {
    await recordEvent('thing.viewed');
    return reply.type('text/html').send('<p>A page that says it records nothing</p>');
  });
  app.get<{ Querystring: { event?: string } }>(
    '/sometimes-page',
    { config: { access: 'public', audit: { sometimes: ['thing.viewed'] } } },
    async (request, reply) => {
      if (request.query.event !== undefined) await recordEvent(request.query.event);
      return reply.type('text/html').send('<p>A page read by someone, perhaps recorded</p>');
    },
  );
  app.get(
    '/unrecorded-page',
    { config: { access: 'public', audit: ['thing.viewed'] } },
    async (_request, reply) => reply.type('text/html').send('<p>A page</p>'),
  );
  app.get('/staff-page', { config: { access: 'staff', audit: ['thing.viewed'] } }, async (_request, reply) =>
    reply.type('text/html').send('<p>A page for staff</p>'),
  );
  app.get(
    '/elsewhere-page',
    { config: { access: 'public', audit: ['thing.viewed'] } },
    async (_request, reply) => {
      nothingToAudit();
      return reply.redirect('/unrecorded-page', 303);
    },
  );
  app.post(
    '/api/v1/greetings',
    {
      config: {
        access: 'public',
        audit: 'none',
        api: { ...describedAs('Greets'), body: greeting },
      },
    },
    async (request) => {
      counted('greetings');
      const { name, visits } = bodyOf(request, greeting);
      return { hello: `${name} (${visits})` };
    },
  );
  app.get(
    '/api/v1/things/:id',
    {
      config: {
        access: 'public',
        audit: 'none',
        api: { ...describedAs('Reads a thing'), params: thingParams },
      },
    },
    async (request) => {
      counted('things');
      return { hello: paramsOf(request, thingParams).id };
    },
  );
  app.get(
    '/api/v1/undeclared-body',
    { config: { access: 'public', audit: 'none', api: describedAs('Reads a body it does not declare') } },
    async (request) => bodyOf(request, greeting),
  );
  await app.ready();
  return app;
}

describe('the audit events a route declares', () => {
  it('answers 500 under test when a successful route writes none of them, on the API and on pages', async () => {
    const app = await tinyApp({ environment: 'test' });
    const unrecorded = await app.inject({ method: 'GET', url: '/api/v1/unrecorded' });
    expect(unrecorded.statusCode).toBe(500);
    expect(unrecorded.body).toContain('GET /api/v1/unrecorded succeeded without writing the audit event');
    expect(unrecorded.body).toContain('thing.viewed');
    expect((await app.inject({ method: 'GET', url: '/api/v1/recorded-otherwise' })).statusCode).toBe(500);
    expect((await app.inject({ method: 'GET', url: '/unrecorded-page' })).statusCode).toBe(500);
  });

  it('lets a route that writes its declared event answer as it does, and does not hold a refusal to it', async () => {
    const app = await tinyApp({ environment: 'test' });
    const recorded = await app.inject({ method: 'GET', url: '/api/v1/recorded' });
    expect(recorded.statusCode).toBe(200);
    expect(recorded.json()).toEqual({ hello: 'world' });
    expect((await app.inject({ method: 'GET', url: '/api/v1/refused' })).statusCode).toBe(404);
    // Sent to sign in before the handler: nothing happened that had to be recorded.
    const signedOut = await app.inject({ method: 'GET', url: '/staff-page' });
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.headers['location']).toMatch(/^\/sign-in/);
    // A handler that says it did nothing its route records (sending the browser elsewhere).
    expect((await app.inject({ method: 'GET', url: '/elsewhere-page' })).statusCode).toBe(303);
    // Each request has a record of its own: the event written by one does not count for the next.
    expect((await app.inject({ method: 'GET', url: '/api/v1/unrecorded' })).statusCode).toBe(500);
  });

  it('answers 500 under test when a route writes an event it does not declare, whether it declares none or only some', async () => {
    const app = await tinyApp({ environment: 'test' });
    const quiet = await app.inject({ method: 'GET', url: '/quiet-page' });
    expect(quiet.statusCode).toBe(500);
    expect(quiet.body).toContain('GET /quiet-page wrote audit events it does not declare (thing.viewed)');
    expect((await app.inject({ method: 'GET', url: '/sometimes-page?event=thing.changed' })).statusCode).toBe(
      500,
    );
  });

  it('lets a route that writes its events only sometimes write one of them, or none', async () => {
    const app = await tinyApp({ environment: 'test' });
    expect((await app.inject({ method: 'GET', url: '/sometimes-page?event=thing.viewed' })).statusCode).toBe(
      200,
    );
    expect((await app.inject({ method: 'GET', url: '/sometimes-page' })).statusCode).toBe(200);
  });

  it('outside tests, keeps the answer (the lapse is logged as an error)', async () => {
    const app = await tinyApp({ environment: 'production' });
    const unrecorded = await app.inject({ method: 'GET', url: '/api/v1/unrecorded' });
    expect(unrecorded.statusCode).toBe(200);
    expect(unrecorded.json()).toEqual({ hello: 'world' });
  });

  it('refuses to start if a route declares no audit event', async () => {
    const strict = Fastify({ logger: false });
    apps.push(strict);
    await strict.register(webPlugin, {
      templates: createTemplates(),
      auth: context.services.auth,
      apiTokens: context.services.apiTokens,
      serviceName: 'Safeshare',
      cookieSecret: 'a-test-cookie-secret-of-enough-length',
      secureCookies: false,
    });
    expect(() => strict.get('/undeclared', { config: { access: 'public' } }, async () => 'open')).toThrow(
      /declares no audit event/,
    );
    expect(() =>
      strict.get('/declared', { config: { access: 'public', audit: 'none' } }, async () => 'open'),
    ).not.toThrow();
  });

  it('records each route’s declaration in the route table', async () => {
    const app = await tinyApp({ environment: 'test' });
    expect(app.routeRules.find((rule) => rule.url === '/api/v1/recorded')?.audit).toEqual(['thing.viewed']);
    expect(app.routeRules.find((rule) => rule.url === '/assets/*')?.audit).toBe('none');
  });
});

describe('the body, parameters and response an API route declares', () => {
  it('answers 400 problem+json with a pointer to each bad member, and the handler never runs', async () => {
    const app = await tinyApp({ environment: 'test' });
    const before = ran.get('greetings') ?? 0;
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/greetings',
      payload: { name: '   ', visits: -1, extra: true },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 400, type: 'about:blank' });
    expect(
      response
        .json<{ errors: { pointer: string }[] }>()
        .errors.map((error) => error.pointer)
        .sort(),
    ).toEqual(['/', '/name', '/visits']);
    expect((await app.inject({ method: 'POST', url: '/api/v1/greetings', payload: [] })).statusCode).toBe(
      400,
    );
    expect(ran.get('greetings') ?? 0).toBe(before);
  });

  it('gives the handler the parsed body, not what was sent', async () => {
    const app = await tinyApp({ environment: 'test' });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/greetings',
      payload: { name: '  Aisha Khan  ', visits: 3 },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ hello: 'Aisha Khan (3)' });
  });

  it('answers 404 for parameters that do not parse, and the handler never runs', async () => {
    const app = await tinyApp({ environment: 'test' });
    const before = ran.get('things') ?? 0;
    const malformed = await app.inject({ method: 'GET', url: '/api/v1/things/not-an-id' });
    expect(malformed.statusCode).toBe(404);
    expect(malformed.headers['content-type']).toContain('application/problem+json');
    expect(ran.get('things') ?? 0).toBe(before);
    const id = '0b4f1c5e-2d6a-4f3b-9c8e-7a1d2e3f4a5b';
    expect((await app.inject({ method: 'GET', url: `/api/v1/things/${id}` })).json()).toEqual({ hello: id });
  });

  it('will not let a handler read a body its route does not declare', async () => {
    const app = await tinyApp({ environment: 'test' });
    expect((await app.inject({ method: 'GET', url: '/api/v1/undeclared-body' })).statusCode).toBe(500);
  });

  it('answers 500 under test when a successful answer does not match the declared response schema', async () => {
    const app = await tinyApp({ environment: 'test' });
    const unlike = await app.inject({ method: 'GET', url: '/api/v1/unlike' });
    expect(unlike.statusCode).toBe(500);
    expect(unlike.body).toContain('/hello');
  });
});
