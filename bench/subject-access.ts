/**
 * The subject access report for one person with a long history: 100 recorded decisions about them,
 * 1,000 disclosures under those, and 10,000 audit events of staff opening their record, written into
 * a fresh database; then the report produced as a PDF and as a CSV, several times each, the median
 * time against the goal of 2 seconds (issue 12). The report reads one query per kind (decisions,
 * disclosures, consent, consent events, reads, organisation names), never one per row.
 *
 *   npm run bench:subject-access             (DISCLOSURES=1000 READS=10000 RUNS=5 by default)
 */
import os from 'node:os';
import { sql } from 'kysely';
import { systemActor } from '../src/audit/index.ts';
import type { Viewer } from '../src/auth/index.ts';
import type { Db } from '../src/db/client.ts';
import { londonToday } from '../src/lib/time.ts';
import { services as buildServices, type Services } from '../src/services.ts';
import { benchDependencies, benchOrganisations, benchTargets, runsAlone } from './support.ts';

export const subjectAccessGoalMs = 2000;

export interface SubjectAccessTimings {
  readonly pdfMs: number;
  readonly csvMs: number;
  readonly pdfBytes: number;
  readonly csvBytes: number;
  readonly seededSeconds: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** A council, a child with `disclosures` disclosures and `reads` reads of their record, and a DPO's request about them. */
async function seed(db: Db, services: Services, disclosures: number, reads: number) {
  const organisationId = await services.orgs.create(systemActor, {
    name: 'Slough Borough Council',
    kind: 'local_authority',
    switchboardPhone: '0118 937 3787',
    hosted: true,
  });
  const recipients = await benchOrganisations(db, 5);
  const member = (name: string, roles: ('practitioner' | 'dpo')[]) =>
    services.staff.create(systemActor, {
      organisationId,
      email: `${name.toLowerCase().replace(/\s+/g, '.')}@slough.gov.uk`,
      displayName: name,
      jobTitle: null,
      roles,
      lineManagerId: null,
      password: 'a long bench password',
    });
  const practitionerId = await member('Priya Sharma', ['practitioner']);
  const dpoId = await member('Dana Okafor', ['dpo']);
  const personId = await services.people.register(
    systemActor,
    organisationId,
    {
      givenNames: 'Amelia',
      familyName: 'Hughes',
      knownAs: null,
      dateOfBirth: '2014-05-12',
      nhsNumber: null,
      localReference: null,
      upn: null,
      externalId: null,
      addressLine1: null,
      addressLine2: null,
      town: null,
      postcode: null,
    },
    { allocateTo: practitionerId },
  );
  const decisions = Math.ceil(disclosures / 10);
  // Recorded decisions about the child, each to a partner, on a lawful basis, over four years.
  await sql`
    INSERT INTO sharing_decisions (organisation_id, status, started_by, purpose_id, answers, outcome, policy_name,
      policy_version, assessment, recorded_by, recorded_at, created_at, updated_at)
    SELECT ${organisationId}, 'recorded', ${practitionerId}, 'safeguarding',
      jsonb_build_object(
        'recipients', jsonb_build_object('recipients', jsonb_build_array(jsonb_build_object('name', 'Sam Recipient',
          'role', 'Designated safeguarding lead', 'organisationId', (${recipients}::uuid[])[1 + i % 5], 'reason', 'Safeguarding'))),
        'information', jsonb_build_object('shared', jsonb_build_array(jsonb_build_object('categoryId', 'education', 'relevance', 'Attendance')),
          'withheld', '[]'::jsonb, 'description', 'Attendance and progress', 'thirdParties', CASE WHEN i % 4 = 0 THEN 'withheld' ELSE 'none' END,
          'confirmed', '[]'::jsonb),
        'lawfulBasis', jsonb_build_object('unsure', false, 'article6', 'public-task', 'commonLaw', CASE WHEN i % 3 = 0 THEN 'public-interest' ELSE 'consent' END),
        'openness', jsonb_build_object('told', i % 5 <> 0),
        'outcome', jsonb_build_object('outcome', 'share', 'notShareReasonIds', '[]'::jsonb, 'reasons', 'Seeded')),
      'share', 'bench', '1',
      jsonb_build_object('bulk', false, 'withoutConsent', i % 3 = 0, 'override', false, 'internal', false,
        'specialCategory', false, 'criminalOffence', false, 'consent', '[]'::jsonb, 'approvals', '[]'::jsonb),
      ${practitionerId}, now() - make_interval(days => 1461 - i * 14), now(), now()
    FROM generate_series(1, ${decisions}) AS i`.execute(db);
  await sql`
    INSERT INTO sharing_decision_people (decision_id, person_id, organisation_id)
    SELECT id, ${personId}, organisation_id FROM sharing_decisions WHERE organisation_id = ${organisationId}`.execute(
    db,
  );
  await sql`
    INSERT INTO disclosures (organisation_id, decision_id, method, recipient_name, recipient_role, recipient_organisation_id,
      purpose_id, category_ids, description, checklist, method_advice, policy_version, disclosed_at, disclosed_by, created_at)
    SELECT d.organisation_id, d.id, (ARRAY['secure-exchange', 'secure-email', 'telephone', 'post', 'in-person'])[1 + k % 5],
      'Sam Recipient', 'Designated safeguarding lead', (d.answers -> 'recipients' -> 'recipients' -> 0 ->> 'organisationId')::uuid,
      'safeguarding', ARRAY['education'], 'Attendance and progress for the term', '{}'::jsonb, '{}'::jsonb, '1',
      d.recorded_at + make_interval(days => k), d.recorded_by, d.recorded_at
    FROM sharing_decisions d CROSS JOIN generate_series(1, 10) AS k
    WHERE d.organisation_id = ${organisationId}`.execute(db);
  const practitioner: Viewer = {
    userId: practitionerId,
    displayName: 'Priya Sharma',
    email: 'priya.sharma@slough.gov.uk',
    organisationId,
    organisationName: 'Slough Borough Council',
    roles: ['practitioner'],
  };
  // The reads, through the people service as a page would write them, a thousand to a transaction.
  for (let done = 0; done < reads; done += 1000)
    await db.transaction().execute(async (trx) => {
      for (let index = done; index < Math.min(reads, done + 1000); index += 1)
        await services.audit.record(trx, {
          organisationId,
          actor: { userId: practitionerId, label: 'Priya Sharma' },
          action: 'person.viewed',
          entity: { type: 'person', id: personId },
          personId,
          change: { basis: 'allocated', page: 'record' },
        });
    });
  await services.people.open(practitioner, personId, 'record');
  const dpo: Viewer = { ...practitioner, userId: dpoId, displayName: 'Dana Okafor', roles: ['dpo'] };
  const today = londonToday(new Date());
  const requestId = await services.subjectAccess.create(dpo, {
    personId,
    requesterKind: 'self',
    requesterName: '',
    requesterRelationship: '',
    receivedOn: today,
    verification: 'Seen in person with a passport.',
    verifiedOn: today,
  });
  await sql`ANALYZE`.execute(db);
  return { dpo, requestId };
}

/** Seeds one person's history and times the report's production as PDF and CSV (median of `runs`). */
export async function timeSubjectAccess(
  db: Db,
  databaseUrl: string,
  options: { disclosures: number; reads: number; runs: number },
): Promise<SubjectAccessTimings> {
  const services = buildServices(benchDependencies(db, databaseUrl));
  const started = performance.now();
  const { dpo, requestId } = await seed(db, services, options.disclosures, options.reads);
  const seededSeconds = (performance.now() - started) / 1000;
  const time = async (format: 'pdf' | 'csv') => {
    const report = await services.subjectAccess.produce(dpo, requestId, format); // warm up
    const times: number[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      const at = performance.now();
      await services.subjectAccess.produce(dpo, requestId, format);
      times.push(performance.now() - at);
    }
    return { ms: median(times), bytes: report.bytes.length };
  };
  const pdf = await time('pdf');
  const csv = await time('csv');
  return { pdfMs: pdf.ms, csvMs: csv.ms, pdfBytes: pdf.bytes, csvBytes: csv.bytes, seededSeconds };
}

if (runsAlone(import.meta.url)) {
  const disclosures = Number.parseInt(process.env['DISCLOSURES'] ?? '1000', 10);
  const reads = Number.parseInt(process.env['READS'] ?? '10000', 10);
  const runs = Number.parseInt(process.env['RUNS'] ?? '5', 10);
  for await (const database of benchTargets(10)) {
    try {
      const timings = await timeSubjectAccess(database.db, database.url, { disclosures, reads, runs });
      const counted = await sql<{ disclosures: string; events: string }>`
        SELECT (SELECT count(*) FROM disclosures) AS disclosures, (SELECT count(*) FROM audit_events WHERE person_id IS NOT NULL) AS events`.execute(
        database.db,
      );
      const row = counted.rows[0];
      console.log(
        `load average ${os
          .loadavg()
          .map((value) => value.toFixed(2))
          .join(' ')} on ${String(os.cpus().length)} cores: read the times beside it`,
      );
      console.log(
        `${database.label}: one person with ${Number(row?.disclosures ?? 0).toLocaleString('en-GB')} disclosures and ${Number(row?.events ?? 0).toLocaleString('en-GB')} audit events about them, written in ${timings.seededSeconds.toFixed(1)} s`,
      );
      for (const [format, ms, bytes] of [
        ['PDF', timings.pdfMs, timings.pdfBytes],
        ['CSV', timings.csvMs, timings.csvBytes],
      ] as const)
        console.log(
          `  subject access report as ${format}: median ${ms.toFixed(0)} ms of ${String(runs)} runs (${(bytes / 1024).toFixed(0)} KB); goal under ${String(subjectAccessGoalMs)} ms: ${ms < subjectAccessGoalMs ? 'met' : 'NOT met'}`,
        );
    } finally {
      await database.dispose();
    }
  }
}
