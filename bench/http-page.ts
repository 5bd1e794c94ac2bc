/**
 * Requests per second and latency of an authenticated page (the home page, rendered in the GOV.UK
 * layout with a session looked up in the database), with autocannon: 50 connections on loopback.
 * Usage: npm run bench:http  (BENCH_DATABASE_URL=postgres://... adds the machine's server)
 */
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.ts';
import { systemActor } from '../src/audit/index.ts';
import { loadConfig } from '../src/config.ts';
import { systemClock } from '../src/lib/clock.ts';
import { SecretBox } from '../src/lib/secret-box.ts';
import { newToken, tokenDigest } from '../src/lib/tokens.ts';
import { services as buildServices } from '../src/services.ts';
import { autocannon, benchTargets, type LoadResult } from './support.ts';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 15);

async function load(url: string, token: string, options: readonly string[]): Promise<LoadResult> {
  return autocannon([...options, '-H', `cookie=__Host-safeshare_session=${token}`, `${url}/`]);
}

for await (const database of benchTargets(20)) {
  const { db } = database;
  const config = {
    ...loadConfig({
      NODE_ENV: 'production',
      PUBLIC_URL: 'http://localhost',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      DATABASE_URL: database.url,
      SECRET_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
      POLICY_PACK: 'default',
    }),
  };
  const dependencies = { db, clock: systemClock, secretBox: new SecretBox(randomBytes(32)), config };
  const services = buildServices(dependencies);
  const organisationId = await services.orgs.create(systemActor, {
    name: 'Swindon Borough Council',
    kind: 'local_authority',
    switchboardPhone: null,
    hosted: true,
  });
  const userId = await services.staff.create(systemActor, {
    organisationId,
    email: 'bench.user@swindon.gov.uk',
    displayName: 'Bench User',
    jobTitle: null,
    roles: ['practitioner', 'admin'],
    lineManagerId: null,
    password: 'a long bench password',
  });
  const token = newToken();
  await db
    .insertInto('sessions')
    .values({
      id_digest: tokenDigest(token),
      user_id: userId,
      stage: 'active',
      created_at: new Date(),
      last_seen_at: new Date(),
    })
    .execute();
  const app = await buildApp({ ...dependencies, services, logger: false });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  // autocannon runs in its own process, so the load generator does not share the app's event loop.
  await load(url, token, ['-c', '10', '-a', '500']);
  const result = await load(url, token, ['-c', '50', '-d', String(seconds)]);
  const ok = result['2xx'];
  console.log(
    `${database.label}: GET / (signed in) ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
      `${ok} ok of ${result.requests.total}, errors ${result.errors + result.non2xx}`,
  );
  await app.close();
  await database.dispose();
}
