/**
 * Recording a full disclosure over the JSON API (the decision already made): requests per second
 * and latency with autocannon, 20 connections on loopback, each request a signed-for letter with
 * its whole checklist, checked by the method policy and written with its audit event.
 * Usage: npm run bench:disclosure  (BENCH_DATABASE_URL=postgres://... adds the machine's server;
 * `-- --with-pgbench` also runs pgbench's TPC-B with 8 clients on the same server, just before, and
 * prints the disclosures' rate as a share of it: the machine's noise then moves both sides)
 */
import { buildApp } from '../src/app.ts';
import { systemActor } from '../src/audit/index.ts';
import type { Db } from '../src/db/client.ts';
import { testNhsNumbers } from '../src/lib/nhs-number.ts';
import { services as buildServices } from '../src/services.ts';
import { letterDisclosure } from '../test/support/disclosure-fixtures.ts';
import { routineShareAnswers } from '../test/support/sharing-fixtures.ts';
import {
  autocannon,
  benchDependencies,
  benchTargets,
  pgbench,
  runsAlone,
  type LoadResult,
} from './support.ts';

/** A recorded decision to share, and a token of the practitioner who made it. */
export interface DisclosureTarget {
  /** POST /api/v1/decisions/:id/disclosures of the decision. */
  readonly url: string;
  /** The practitioner's API token. */
  readonly token: string;
}

/** Safeshare listening on loopback, with decisions to share that disclosures are POSTed under. */
export interface DisclosureEndpoint {
  /** One decision per council: each council's events go to its own audit chain. */
  readonly decisions: readonly [DisclosureTarget, ...DisclosureTarget[]];
  close(): Promise<void>;
}

const councils = [
  { name: 'Swindon Borough Council', phone: '01793463000', domain: 'swindon.gov.uk' },
  { name: 'Wiltshire Council', phone: '03004560100', domain: 'wiltshire.gov.uk' },
  { name: 'Bath and North East Somerset Council', phone: '01225394041', domain: 'bathnes.gov.uk' },
  { name: 'South Gloucestershire Council', phone: '01454868009', domain: 'southglos.gov.uk' },
] as const;

/**
 * Builds Safeshare over `db` with a school and, for each of `councilCount` councils (at most 4), a
 * practitioner, a child allocated to them with consent given to share with the school, and a recorded
 * decision to share; then listens on loopback.
 */
export async function disclosureEndpoint(
  db: Db,
  databaseUrl: string,
  councilCount = 1,
): Promise<DisclosureEndpoint> {
  const production = benchDependencies(db, databaseUrl);
  // The load is one token's: its rate limit (120 a minute by default) would refuse all but the first
  // requests with 429, and the figures would measure refusals.
  const dependencies = { ...production, config: { ...production.config, apiRequestsPerMinute: 100_000 } };
  const services = buildServices(dependencies);
  const schoolId = await services.orgs.create(systemActor, {
    name: 'Oakfield Primary School',
    kind: 'school',
    switchboardPhone: '01793000000',
    hosted: false,
  });
  const nhsNumbers = testNhsNumbers(0);
  const decisions: { url: string; token: string }[] = [];
  const app = await buildApp({ ...dependencies, services, logger: false });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  for (const council of councils.slice(0, councilCount)) {
    const councilId = await services.orgs.create(systemActor, {
      name: council.name,
      kind: 'local_authority',
      switchboardPhone: council.phone,
      hosted: true,
    });
    const email = `bench.user@${council.domain}`;
    const userId = await services.staff.create(systemActor, {
      organisationId: councilId,
      email,
      displayName: 'Bench User',
      jobTitle: null,
      roles: ['practitioner'],
      lineManagerId: null,
      password: 'a long bench password',
    });
    const viewer = {
      userId,
      displayName: 'Bench User',
      email,
      organisationId: councilId,
      organisationName: council.name,
      roles: ['practitioner'] as const,
    };
    const childId = await services.people.register(
      systemActor,
      councilId,
      {
        givenNames: 'Oliver',
        familyName: 'Nowak',
        knownAs: null,
        dateOfBirth: '2012-03-08',
        nhsNumber: nhsNumbers.next().value,
        localReference: null,
        upn: null,
        externalId: null,
        addressLine1: null,
        addressLine2: null,
        town: null,
        postcode: null,
      },
      { allocateTo: userId },
    );
    await services.consent.record(viewer, childId, {
      decision: 'given',
      givenOn: '2026-11-20',
      givenByChild: true,
      parentCarerId: null,
      childCapacity: 'competent',
      capacityNotAssessedReason: null,
      prevailingView: 'child',
      childView: 'Happy for school to know.',
      purposeIds: ['education-support'],
      useDescription: null,
      recipientOrganisationIds: [schoolId],
      recipientRoles: [],
      methodIds: ['post'],
      categoryIds: ['education', 'health'],
      retentionPeriod: null,
      retentionFormIds: [],
      toldSharedWithoutConsent: true,
      toldMayWithdraw: true,
      howGiven: 'written',
      evidenceNote: null,
      notSoughtReasonId: null,
      notSoughtDetail: null,
      reviewOn: null,
      expiresOn: null,
      supersedesId: null,
    });
    const decision = await services.sharing.recordComplete(
      viewer,
      routineShareAnswers({ personIds: [childId], schoolId }),
    );
    const { token } = await services.apiTokens.issue(systemActor, userId, 'bench', 30);
    decisions.push({ url: `${base}/api/v1/decisions/${decision.id}/disclosures`, token });
  }
  const [first, ...rest] = decisions;
  if (first === undefined) throw new Error('no council to disclose from');
  return { decisions: [first, ...rest], close: () => app.close() };
}

const letter = JSON.stringify(letterDisclosure());

/** POSTs a signed-for letter with its checklist under the decision, with autocannon's `options` (in its own process). */
export async function postDisclosures(
  decision: DisclosureTarget,
  options: readonly string[],
): Promise<LoadResult> {
  return autocannon([
    ...options,
    '-m',
    'POST',
    '-H',
    `authorization=Bearer ${decision.token}`,
    '-H',
    'content-type=application/json',
    '-b',
    letter,
    decision.url,
  ]);
}

if (runsAlone(import.meta.url)) {
  const seconds = Number(process.env['BENCH_SECONDS'] ?? 15);
  const withPgbench = process.argv.includes('--with-pgbench');
  for await (const database of benchTargets(20)) {
    const reference = withPgbench ? await pgbench(database.url, 8, seconds) : undefined;
    const endpoint = await disclosureEndpoint(database.db, database.url);
    const [decision] = endpoint.decisions;
    await postDisclosures(decision, ['-c', '5', '-a', '200']);
    const result = await postDisclosures(decision, ['-c', '20', '-d', String(seconds)]);
    const share =
      reference === undefined
        ? ''
        : 'tps' in reference
          ? `; pgbench TPC-B, 8 clients: ${Math.round(reference.tps)} TPS, so ${((100 * result.requests.average) / reference.tps).toFixed(1)}% of it`
          : `; ${reference.missing}`;
    console.log(
      `${database.label}: POST a disclosure ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
        `${result['2xx']} recorded of ${result.requests.total}, errors ${result.errors + result.non2xx}${share}`,
    );
    // A figure made of refusals is no figure.
    if (result.errors + result.non2xx > 0) process.exitCode = 1;
    await endpoint.close();
    await database.dispose();
  }
}
