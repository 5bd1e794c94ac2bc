/**
 * The oversight dashboard over a million disclosures: one council's four years of sharing (about
 * 278,000 recorded decisions, 1,000,000 disclosures spread over 1,461 days, 22 members of staff in
 * two teams, five recipient organisations), written with generate_series into a fresh database,
 * then the dashboard page fetched over HTTP by a signed-in Data Protection Officer, one request at a
 * time, and its p95 measured (goal: under 300 ms). Also the dashboard filtered to a team, and the
 * first page of the organisation's decisions.
 *
 *   npm run bench:dashboard                 (DISCLOSURES=1000000 REQUESTS=200 by default)
 */
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { systemActor } from '../src/audit/index.ts';
import type { Db } from '../src/db/client.ts';
import { newToken, tokenDigest } from '../src/lib/tokens.ts';
import { services as buildServices } from '../src/services.ts';
import { seedMany } from '../test/support/oversight-seed.ts';
import { benchDependencies, benchOrganisations, benchTargets, runsAlone } from './support.ts';

export interface DashboardSite {
  readonly url: string;
  readonly cookie: string;
  readonly teamManagerId: string;
  /** How long writing the data set took, in seconds. */
  readonly seededSeconds: number;
  close(): Promise<void>;
}

/** A council with `disclosures` disclosures and a signed-in DPO, listening on loopback. */
export async function dashboardSite(
  db: Db,
  databaseUrl: string,
  disclosures: number,
): Promise<DashboardSite> {
  const dependencies = benchDependencies(db, databaseUrl);
  const services = buildServices(dependencies);
  const organisationId = await services.orgs.create(systemActor, {
    name: 'Wokingham Borough Council',
    kind: 'local_authority',
    switchboardPhone: null,
    hosted: true,
  });
  const recipients = await benchOrganisations(db, 5);
  const member = (
    name: string,
    roles: ('practitioner' | 'manager' | 'dpo')[],
    lineManagerId: string | null,
  ) =>
    services.staff.create(systemActor, {
      organisationId,
      email: `${name.toLowerCase().replace(/\s+/g, '.')}@wokingham.gov.uk`,
      displayName: name,
      jobTitle: null,
      roles,
      lineManagerId,
      password: 'a long bench password',
    });
  const dpoId = await member('Dana Officer', ['dpo'], null);
  const managers = [
    await member('Morgan North', ['manager'], null),
    await member('Mel South', ['manager'], null),
  ];
  const staffIds: string[] = [];
  for (let index = 0; index < 20; index += 1)
    staffIds.push(
      await member(`Practitioner ${String(index + 1)}`, ['practitioner'], managers[index % 2] ?? null),
    );

  const started = performance.now();
  const perDecision = 4;
  const notShareEvery = 10;
  await seedMany(db, {
    organisationId,
    staffIds,
    recipientOrganisationIds: recipients,
    // Nine decisions in ten are to share, each with four disclosures.
    decisions: Math.ceil(disclosures / perDecision / (1 - 1 / notShareEvery)),
    perDecision,
    days: 1461,
    until: new Date().toISOString(),
    withoutConsentEvery: 7,
    notShareEvery,
  });
  // As autovacuum leaves a settled table: statistics gathered and the visibility map set (index-only scans).
  await sql`VACUUM ANALYZE`.execute(db);
  const seededSeconds = (performance.now() - started) / 1000;

  const sessionToken = newToken();
  await db
    .insertInto('sessions')
    .values({
      id_digest: tokenDigest(sessionToken),
      user_id: dpoId,
      stage: 'active',
      created_at: new Date(),
      last_seen_at: new Date(),
    })
    .execute();
  const app = await buildApp({ ...dependencies, services, logger: false });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    cookie: `__Host-safeshare_session=${sessionToken}`,
    teamManagerId: managers[0] ?? '',
    seededSeconds,
    close: () => app.close(),
  };
}

export interface Timings {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly bytes: number;
}

/** GETs `path` `count` times, one after another, and gives the percentiles of the times taken. */
export async function timePage(site: DashboardSite, path: string, count: number): Promise<Timings> {
  const times: number[] = [];
  let bytes = 0;
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    const response = await fetch(`${site.url}${path}`, { headers: { cookie: site.cookie } });
    const body = await response.text();
    times.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`${path} answered ${String(response.status)}`);
    bytes = body.length;
  }
  times.sort((a, b) => a - b);
  const at = (share: number) => times[Math.min(times.length - 1, Math.ceil(share * times.length) - 1)] ?? 0;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: times[times.length - 1] ?? 0, bytes };
}

export const dashboardGoalMs = 300;

if (runsAlone(import.meta.url)) {
  const disclosures = Number.parseInt(process.env['DISCLOSURES'] ?? '1000000', 10);
  const requests = Number.parseInt(process.env['REQUESTS'] ?? '200', 10);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  for await (const database of benchTargets(20)) {
    const site = await dashboardSite(database.db, database.url, disclosures);
    const counted = await sql<{ count: string }>`SELECT count(*) FROM disclosures`.execute(database.db);
    console.log(
      `${database.label}: ${Number(counted.rows[0]?.count ?? 0).toLocaleString('en-GB')} disclosures written in ${site.seededSeconds.toFixed(0)} s`,
    );
    const pages = [
      ['GET /oversight (the last 12 months)', '/oversight'],
      ['GET /oversight for one team', `/oversight?team=${site.teamManagerId}`],
      ['GET /oversight/decisions (first page)', '/oversight/decisions'],
    ] as const;
    for (const [label, path] of pages) {
      await timePage(site, path, 10);
      const timings = await timePage(site, path, requests);
      console.log(
        `  ${label}: ${String(requests)} requests one at a time, p50 ${ms(timings.p50)}, p95 ${ms(timings.p95)}, p99 ${ms(timings.p99)}, max ${ms(timings.max)} ` +
          `(${Math.round(timings.bytes / 1024).toLocaleString('en-GB')} KB)` +
          (path === '/oversight'
            ? `: goal p95 < ${String(dashboardGoalMs)} ms ${timings.p95 < dashboardGoalMs ? 'met' : 'NOT met'}`
            : ''),
      );
    }
    await site.close();
    await database.dispose();
  }
}
