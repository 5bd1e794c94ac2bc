/**
 * Person search at scale: 1,000,000 people across 5 organisations (200,000 each, a large council
 * and then some), names drawn from common UK given and family names, then ~500 searches of mixed
 * kinds within one organisation, timed end to end through the people service as the search page
 * calls it (transaction, trigram word match, key lookup, ranking, need-to-know for each result).
 * Target: p95 <= 20 ms. Runs on the embedded server, and on BENCH_DATABASE_URL's server when set.
 *
 *   npm run bench:people                      (PEOPLE=1000000 SEARCHES=500 by default)
 */
import { sql } from 'kysely';
import { auditService } from '../src/audit/index.ts';
import { staffService, type Viewer } from '../src/auth/index.ts';
import type { Db } from '../src/db/client.ts';
import { systemClock } from '../src/lib/clock.ts';
import { notificationsService } from '../src/notifications/index.ts';
import { formatNhsNumber } from '../src/lib/nhs-number.ts';
import { peopleService, type PeopleService } from '../src/people/index.ts';
import { benchTargets } from './support.ts';

const peopleCount = Number.parseInt(process.env['PEOPLE'] ?? '1000000', 10);
const searchCount = Number.parseInt(process.env['SEARCHES'] ?? '500', 10);
const organisations = 5;
const batchSize = 100_000;

const givenNames = [
  'oliver',
  'george',
  'harry',
  'noah',
  'jack',
  'leo',
  'arthur',
  'muhammad',
  'oscar',
  'charlie',
  'jacob',
  'thomas',
  'henry',
  'william',
  'freddie',
  'alfie',
  'theo',
  'archie',
  'joshua',
  'james',
  'jayden',
  'ethan',
  'isaac',
  'mason',
  'lucas',
  'logan',
  'riley',
  'tyler',
  'dylan',
  'kai',
  'reuben',
  'ibrahim',
  'yusuf',
  'adam',
  'ali',
  'omar',
  'aarav',
  'arjun',
  'kwame',
  'kofi',
  'tomasz',
  'jakub',
  'liam',
  'connor',
  'callum',
  'lewis',
  'ryan',
  'daniel',
  'samuel',
  'joseph',
  'olivia',
  'amelia',
  'isla',
  'ava',
  'mia',
  'ivy',
  'lily',
  'isabella',
  'rosie',
  'sophia',
  'grace',
  'freya',
  'willow',
  'florence',
  'emily',
  'ella',
  'poppy',
  'evie',
  'elsie',
  'charlotte',
  'evelyn',
  'sienna',
  'daisy',
  'phoebe',
  'ruby',
  'chloe',
  'jessica',
  'amber',
  'leah',
  'aisha',
  'fatima',
  'maryam',
  'zara',
  'hannah',
  'priya',
  'ananya',
  'amara',
  'chantelle',
  'zofia',
  'maja',
  'niamh',
  'siobhan',
  'ellie',
  'megan',
  'katie',
  'lauren',
  'sophie',
  'holly',
  'bethany',
  'jade',
];
const familyNames = [
  'smith',
  'jones',
  'williams',
  'taylor',
  'brown',
  'davies',
  'evans',
  'wilson',
  'thomas',
  'johnson',
  'roberts',
  'robinson',
  'thompson',
  'wright',
  'walker',
  'white',
  'edwards',
  'hughes',
  'green',
  'hall',
  'lewis',
  'harris',
  'clarke',
  'patel',
  'jackson',
  'wood',
  'turner',
  'martin',
  'cooper',
  'hill',
  'ward',
  'morris',
  'moore',
  'clark',
  'lee',
  'king',
  'baker',
  'harrison',
  'morgan',
  'allen',
  'james',
  'scott',
  'phillips',
  'watson',
  'davis',
  'parker',
  'price',
  'bennett',
  'young',
  'griffiths',
  'mitchell',
  'kelly',
  'cook',
  'carter',
  'richardson',
  'bailey',
  'collins',
  'bell',
  'shaw',
  'murphy',
  'miller',
  'cox',
  'richards',
  'khan',
  'marshall',
  'anderson',
  'simpson',
  'ellis',
  'adams',
  'singh',
  'begum',
  'wilkinson',
  'foster',
  'chapman',
  'powell',
  'webb',
  'rogers',
  'gray',
  'mason',
  'ali',
  'hunt',
  'hussain',
  'campbell',
  'matthews',
  'owen',
  'palmer',
  'holmes',
  'mills',
  'barnes',
  'knight',
  'lloyd',
  'butler',
  'russell',
  'barker',
  'fisher',
  'stevens',
  'jenkins',
  'murray',
  'dixon',
  'harvey',
  'kowalski',
  'nowak',
  'okafor',
  'mensah',
  'ahmed',
  "o'brien",
  'macdonald',
  'smith-jones',
  'wisniewski',
  'adeyemi',
  'nguyen',
  'oconnor',
];

/**
 * One batch of people: names skewed towards the start of each list (as real names are: Smith is
 * common, Wisniewski rare), 70% children, NHS numbers from the 999 test range with valid check
 * digits (about 1 in 11 left blank: those nine digits are never issued), a case reference each.
 */
async function insertBatch(
  db: Db,
  organisationIds: readonly string[],
  from: number,
  to: number,
): Promise<void> {
  await sql`
    INSERT INTO people (organisation_id, given_names, family_name, known_as, date_of_birth, nhs_number, local_reference, upn, created_at, updated_at)
    SELECT (${sql.val([...organisationIds])}::uuid[])[1 + g % ${organisations}],
      initcap(given[1 + floor(power(random(), 1.4) * cardinality(given))::int]),
      initcap(family[1 + floor(power(random(), 1.4) * cardinality(family))::int]),
      CASE WHEN random() < 0.05 THEN initcap(given[1 + floor(random() * cardinality(given))::int]) END,
      CASE WHEN random() < 0.7 THEN date '2008-01-01' + floor(random() * 6900)::int ELSE date '1965-01-01' + floor(random() * 12800)::int END,
      CASE WHEN check_digit < 10 THEN prefix::text || check_digit::text END,
      'LR' || lpad(g::text, 7, '0'),
      NULL,
      now(), now()
    FROM generate_series(${from}::int, ${to - 1}::int) AS g
    CROSS JOIN (SELECT ${sql.val(givenNames)}::text[] AS given, ${sql.val(familyNames)}::text[] AS family) AS names
    CROSS JOIN LATERAL (SELECT 999000000::bigint + g AS prefix) AS p
    CROSS JOIN LATERAL (
      SELECT (11 - ((prefix / 100000000 % 10) * 10 + (prefix / 10000000 % 10) * 9 + (prefix / 1000000 % 10) * 8 + (prefix / 100000 % 10) * 7
        + (prefix / 10000 % 10) * 6 + (prefix / 1000 % 10) * 5 + (prefix / 100 % 10) * 4 + (prefix / 10 % 10) * 3 + (prefix % 10) * 2) % 11) % 11 AS check_digit
    ) AS c`.execute(db);
}

async function generate(db: Db): Promise<{ organisationId: string; practitioner: Viewer; dpo: Viewer }> {
  const now = new Date();
  const orgRows = await db
    .insertInto('organisations')
    .values(
      Array.from({ length: organisations }, (_, index) => ({
        name: `Bench Borough Council ${index + 1}`,
        kind: 'local_authority' as const,
        hosted: true,
        created_at: now,
        updated_at: now,
      })),
    )
    .returning('id')
    .execute();
  const organisationIds = orgRows.map((row) => row.id);
  const organisationId = organisationIds[0] ?? '';
  const staff = async (name: string, roles: Viewer['roles'], lineManagerId: string | null) =>
    (
      await db
        .insertInto('users')
        .values({
          organisation_id: organisationId,
          email: `${name.toLowerCase().replace(/\s/g, '.')}@bench.gov.uk`,
          display_name: name,
          roles: [...roles],
          line_manager_id: lineManagerId,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const managerId = await staff('Bench Manager', ['manager'], null);
  const practitionerId = await staff('Bench Practitioner', ['practitioner'], managerId);
  const dpoId = await staff('Bench Officer', ['dpo'], null);

  const started = performance.now();
  for (let from = 0; from < peopleCount; from += batchSize) {
    await insertBatch(db, organisationIds, from, Math.min(peopleCount, from + batchSize));
    process.stdout.write(
      `\r  generated ${Math.min(peopleCount, from + batchSize).toLocaleString('en-GB')} people`,
    );
  }
  process.stdout.write('\n');
  // A caseload: 40 children allocated to the practitioner, each with two relatives.
  await sql`
    INSERT INTO allocations (organisation_id, person_id, user_id, started_at)
    SELECT organisation_id, id, ${practitionerId}, now() FROM people WHERE organisation_id = ${organisationId} ORDER BY random() LIMIT 40`.execute(
    db,
  );
  await sql`
    INSERT INTO person_relationships (organisation_id, person_id, related_person_id, relationship, parental_responsibility, created_at)
    SELECT a.organisation_id, a.person_id, r.id, (ARRAY['mother', 'sibling'])[n], n = 1, now()
    FROM allocations a CROSS JOIN generate_series(1, 2) n
    CROSS JOIN LATERAL (SELECT id FROM people WHERE organisation_id = a.organisation_id AND id <> a.person_id AND n > 0 OFFSET floor(random() * 10000)::int LIMIT 1) r
    ON CONFLICT DO NOTHING`.execute(db);
  // As autovacuum leaves a live table: statistics current, GIN pending lists merged.
  await sql`VACUUM ANALYZE`.execute(db);
  console.log(`  loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const viewer = (userId: string, displayName: string, roles: Viewer['roles']): Viewer => ({
    userId,
    displayName,
    email: '',
    organisationId,
    organisationName: 'Bench Borough Council 1',
    roles,
  });
  return {
    organisationId,
    practitioner: viewer(practitionerId, 'Bench Practitioner', ['practitioner']),
    dpo: viewer(dpoId, 'Bench Officer', ['dpo']),
  };
}

type Kind =
  | 'typo full name'
  | 'typo family name'
  | 'partial name'
  | 'date of birth'
  | 'name and date of birth'
  | 'NHS number'
  | 'case reference';

interface Search {
  readonly kind: Kind;
  readonly query: string | null;
  readonly dateOfBirth: string | null;
  readonly target: string;
}

function mutate(word: string, random: () => number): string {
  if (word.length < 4) return word;
  const at = 1 + Math.floor(random() * (word.length - 2));
  switch (Math.floor(random() * 3)) {
    case 0:
      return `${word.slice(0, at)}${word.charAt(at + 1)}${word.charAt(at)}${word.slice(at + 2)}`; // swap
    case 1:
      return `${word.slice(0, at)}${word.slice(at + 1)}`; // drop
    default:
      return `${word.slice(0, at)}${'aeiouy'.charAt(Math.floor(random() * 6))}${word.slice(at + 1)}`; // substitute
  }
}

/** Searches a practitioner might type, built from real rows of the organisation (a fixed seed, so runs compare). */
async function searches(db: Db, organisationId: string): Promise<Search[]> {
  let seed = 20_261_130;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  await sql`SELECT setseed(0.42)`.execute(db);
  const rows = await sql<{
    id: string;
    given_names: string;
    family_name: string;
    date_of_birth: string;
    nhs_number: string | null;
    local_reference: string;
  }>`
    SELECT id, given_names, family_name, date_of_birth, nhs_number, local_reference FROM people
    WHERE organisation_id = ${organisationId} AND nhs_number IS NOT NULL ORDER BY random() LIMIT ${searchCount}`.execute(
    db,
  );
  const kinds: readonly [Kind, number][] = [
    ['typo full name', 0.25],
    ['typo family name', 0.15],
    ['partial name', 0.15],
    ['date of birth', 0.15],
    ['name and date of birth', 0.1],
    ['NHS number', 0.1],
    ['case reference', 0.1],
  ];
  return rows.rows.map((row, index) => {
    let position = (index + 0.5) / rows.rows.length;
    let kind: Kind = 'typo full name';
    for (const [candidate, share] of kinds) {
      if (position < share) {
        kind = candidate;
        break;
      }
      position -= share;
    }
    const given = row.given_names.toLowerCase();
    const family = row.family_name.toLowerCase();
    const search = (query: string | null, dateOfBirth: string | null = null): Search => ({
      kind,
      query,
      dateOfBirth,
      target: row.id,
    });
    switch (kind) {
      case 'typo full name':
        return search(
          random() < 0.5 ? `${mutate(given, random)} ${family}` : `${given} ${mutate(family, random)}`,
        );
      case 'typo family name':
        return search(mutate(family, random));
      case 'partial name':
        return search(
          random() < 0.5
            ? family.slice(0, Math.max(3, family.length - 3))
            : `${given.slice(0, 3)} ${family.slice(0, Math.max(3, family.length - 2))}`,
        );
      case 'date of birth':
        return search(null, row.date_of_birth);
      case 'name and date of birth':
        return search(mutate(family, random), row.date_of_birth);
      case 'NHS number':
        return search(formatNhsNumber(row.nhs_number ?? ''));
      case 'case reference':
        return search(row.local_reference);
    }
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

function summary(times: readonly number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`;
}

async function run(
  people: PeopleService,
  viewer: Viewer,
  list: readonly Search[],
): Promise<{ times: number[]; byKind: Map<Kind, { times: number[]; found: number }> }> {
  const times: number[] = [];
  const byKind = new Map<Kind, { times: number[]; found: number }>();
  for (const search of list) {
    const started = performance.now();
    const results = await people.search(viewer, { query: search.query, dateOfBirth: search.dateOfBirth });
    const elapsed = performance.now() - started;
    times.push(elapsed);
    const entry = byKind.get(search.kind) ?? { times: [], found: 0 };
    entry.times.push(elapsed);
    if (
      results.matches.some((match) => match.id === search.target) ||
      results.restricted.includes(search.target)
    )
      entry.found += 1;
    byKind.set(search.kind, entry);
  }
  return { times, byKind };
}

for await (const database of benchTargets(4)) {
  const { db } = database;
  try {
    console.log(
      `\n${database.label}: ${peopleCount.toLocaleString('en-GB')} people in ${organisations} organisations, ${searchCount} searches in one`,
    );
    const { organisationId, practitioner, dpo } = await generate(db);
    const audit = auditService({ db, clock: systemClock });
    const people = peopleService({
      db,
      clock: systemClock,
      audit,
      notifications: notificationsService({ db, clock: systemClock, baseUrl: 'http://localhost' }),
      staff: staffService({ db, clock: systemClock, audit, trainingValidMonths: 12 }),
    });
    const list = await searches(db, organisationId);
    await run(people, practitioner, list.slice(0, 50)); // warm-up: connections, plans, caches
    for (const [label, viewer] of [
      ['practitioner (need-to-know checked per result)', practitioner],
      ['DPO (whole organisation)', dpo],
    ] as const) {
      const { times, byKind } = await run(people, viewer, list);
      console.log(`  ${label}: ${summary(times)}`);
      for (const [kind, entry] of byKind) {
        console.log(
          `    ${kind.padEnd(24)} ${String(entry.times.length).padStart(3)} searches  ${summary(entry.times)}  target in results ${Math.round((100 * entry.found) / entry.times.length)}%`,
        );
      }
    }
    const sorted = (await run(people, practitioner, list)).times.sort((a, b) => a - b);
    const p95 = percentile(sorted, 95);
    console.log(`  target p95 <= 20 ms: ${p95 <= 20 ? 'met' : 'NOT met'} (${p95.toFixed(1)} ms)`);
    if (p95 > 20) process.exitCode = 1;
  } finally {
    await database.dispose();
  }
}
