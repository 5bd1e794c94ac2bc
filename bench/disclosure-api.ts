/**
 * Recording a full disclosure over the JSON API (the decision already made): requests per second
 * and latency with autocannon, 20 connections on loopback, each request a signed-for letter with
 * its whole checklist, checked by the method policy and written with its audit event.
 * Usage: npm run bench:disclosure  (BENCH_DATABASE_URL=postgres://... adds the machine's server)
 */
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.ts';
import { systemActor } from '../src/audit/index.ts';
import { loadConfig } from '../src/config.ts';
import { systemClock } from '../src/lib/clock.ts';
import { SecretBox } from '../src/lib/secret-box.ts';
import { testNhsNumbers } from '../src/lib/nhs-number.ts';
import { services as buildServices } from '../src/services.ts';
import { letterDisclosure } from '../test/support/disclosure-fixtures.ts';
import { routineShareAnswers } from '../test/support/sharing-fixtures.ts';
import { autocannon, benchTargets, type LoadResult } from './support.ts';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 15);
const letter = letterDisclosure();

async function load(url: string, token: string, options: readonly string[]): Promise<LoadResult> {
  return autocannon([
    ...options,
    '-m',
    'POST',
    '-H',
    `authorization=Bearer ${token}`,
    '-H',
    'content-type=application/json',
    '-b',
    JSON.stringify(letter),
    url,
  ]);
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
  const councilId = await services.orgs.create(systemActor, {
    name: 'Swindon Borough Council',
    kind: 'local_authority',
    switchboardPhone: '01793463000',
    hosted: true,
  });
  const schoolId = await services.orgs.create(systemActor, {
    name: 'Oakfield Primary School',
    kind: 'school',
    switchboardPhone: '01793000000',
    hosted: false,
  });
  const userId = await services.staff.create(systemActor, {
    organisationId: councilId,
    email: 'bench.user@swindon.gov.uk',
    displayName: 'Bench User',
    jobTitle: null,
    roles: ['practitioner'],
    lineManagerId: null,
    password: 'a long bench password',
  });
  const viewer = {
    userId,
    displayName: 'Bench User',
    email: 'bench.user@swindon.gov.uk',
    organisationId: councilId,
    organisationName: 'Swindon Borough Council',
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
      nhsNumber: testNhsNumbers(0).next().value,
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
  const app = await buildApp({ ...dependencies, services, logger: false });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `${base}/api/v1/decisions/${decision.id}/disclosures`;
  // autocannon runs in its own process, so the load generator does not share the app's event loop.
  await load(url, token, ['-c', '5', '-a', '200']);
  const result = await load(url, token, ['-c', '20', '-d', String(seconds)]);
  console.log(
    `${database.label}: POST a disclosure ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
      `${result['2xx']} recorded of ${result.requests.total}, errors ${result.errors + result.non2xx}`,
  );
  await app.close();
  await database.dispose();
}
