/**
 * Requests per second and latency of an authenticated page (the home page, rendered in the GOV.UK
 * layout with a session looked up in the database), with autocannon: 50 connections on loopback.
 * Usage: npm run bench:http  (BENCH_DATABASE_URL=postgres://... adds the machine's server)
 */
import { buildApp } from '../src/app.ts';
import { systemActor } from '../src/audit/index.ts';
import type { Db } from '../src/db/client.ts';
import { newToken, tokenDigest } from '../src/lib/tokens.ts';
import { services as buildServices } from '../src/services.ts';
import { autocannon, benchDependencies, benchTargets, runsAlone, type LoadResult } from './support.ts';

/** Safeshare listening on loopback, and the session cookie of a signed-in practitioner and admin. */
export interface SignedInSite {
  readonly url: string;
  readonly sessionToken: string;
  close(): Promise<void>;
}

/** Builds Safeshare over `db` with a council and a member of staff signed in, and listens on loopback. */
export async function signedInSite(db: Db, databaseUrl: string): Promise<SignedInSite> {
  const dependencies = benchDependencies(db, databaseUrl);
  const services = buildServices(dependencies);
  const organisationId = await services.orgs.create(systemActor, {
    name: 'Reading Borough Council',
    kind: 'local_authority',
    switchboardPhone: null,
    hosted: true,
  });
  const userId = await services.staff.create(systemActor, {
    organisationId,
    email: 'bench.user@reading.gov.uk',
    displayName: 'Bench User',
    jobTitle: null,
    roles: ['practitioner', 'admin'],
    lineManagerId: null,
    password: 'a long bench password',
  });
  const sessionToken = newToken();
  await db
    .insertInto('sessions')
    .values({
      id_digest: tokenDigest(sessionToken),
      user_id: userId,
      stage: 'active',
      created_at: new Date(),
      last_seen_at: new Date(),
    })
    .execute();
  const app = await buildApp({ ...dependencies, services, logger: false });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, sessionToken, close: () => app.close() };
}

/** GETs a page of the site signed in (`/`, the home page, unless another), with autocannon's `options` (in its own process). */
export async function getSignedInPage(
  site: SignedInSite,
  path: string,
  options: readonly string[],
): Promise<LoadResult> {
  return autocannon([
    ...options,
    '-H',
    `cookie=__Host-safeshare_session=${site.sessionToken}`,
    `${site.url}${path}`,
  ]);
}

if (runsAlone(import.meta.url)) {
  const seconds = Number(process.env['BENCH_SECONDS'] ?? 15);
  for await (const database of benchTargets(20)) {
    const site = await signedInSite(database.db, database.url);
    await getSignedInPage(site, '/', ['-c', '10', '-a', '500']);
    const result = await getSignedInPage(site, '/', ['-c', '50', '-d', String(seconds)]);
    console.log(
      `${database.label}: GET / (signed in) ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
        `${result['2xx']} ok of ${result.requests.total}, errors ${result.errors + result.non2xx}`,
    );
    await site.close();
    await database.dispose();
  }
}
