import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { SecretBox } from '../../src/lib/secret-box.ts';
import { services as buildServices } from '../../src/services.ts';
import { TestBrowser } from '../support/browser.ts';

/**
 * While the database cannot be reached (down, restarting, the network lost) Safeshare stays up:
 * pages and the API answer 503 with a clear message and nothing saved, and /readyz says so.
 */
let app: FastifyInstance;
let db: Db;

async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 1));
    });
  });
}

beforeAll(async () => {
  db = createDb(`postgres://safeshare@127.0.0.1:${await closedPort()}/safeshare`, 2);
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), secretKey: randomBytes(32) };
  const dependencies = { db, clock: new ManualClock(), secretBox: new SecretBox(randomBytes(32)), config };
  app = await buildApp({ ...dependencies, services: buildServices(dependencies), logger: false });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await db.destroy();
});

it('answers 503 on pages and the API, and reports unavailable, without ever stopping', async () => {
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  expect(ready.statusCode).toBe(503);
  expect(ready.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
  expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

  const browser = new TestBrowser(app);
  expect((await browser.get('/sign-in')).statusCode).toBe(200);
  const page = await browser.post('/sign-in', { email: 'sam.taylor@example.gov.uk', password: 'a password' });
  expect(page.statusCode).toBe(503);
  expect(page.headers['retry-after']).toBe('30');
  expect(page.body).toContain('Sorry, the service is unavailable');
  expect(page.body).toContain('Nothing has been saved');
  expect(page.body).not.toContain('ECONNREFUSED');

  const api = await app.inject({
    method: 'GET',
    url: '/api/v1/organisations',
    headers: { authorization: `Bearer ss_${'a'.repeat(43)}` },
  });
  expect(api.statusCode).toBe(503);
  expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(api.json()).toMatchObject({ status: 503, title: 'Sorry, the service is unavailable' });
});
