import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { createDb, type Db } from '../db/client.ts';
import type { JsonValue } from '../lib/canonical-json.ts';
import { ManualClock } from '../lib/clock.ts';
import { changeDigest, committedEventHash } from './audit.hash.ts';
import { auditService, systemActor, type AuditService, type VerificationResult } from './index.ts';

interface Chained {
  readonly database: TestDatabase;
  readonly audit: AuditService;
  readonly organisations: readonly { id: string; name: string }[];
}

async function addOrganisations(db: Db, names: readonly string[]): Promise<{ id: string; name: string }[]> {
  const now = new Date();
  return db
    .insertInto('organisations')
    .values(
      names.map((name) => ({
        name,
        kind: 'local_authority' as const,
        switchboard_phone: null,
        hosted: true,
        created_at: now,
        updated_at: now,
      })),
    )
    .returning(['id', 'name'])
    .execute();
}

async function appendEvents(
  db: Db,
  audit: AuditService,
  organisationId: string,
  count: number,
  clock: ManualClock,
): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    clock.advance(1000);
    await db.transaction().execute((trx) =>
      audit.record(trx, {
        organisationId,
        actor: { userId: randomUUID(), label: `Practitioner ${index}` },
        action: 'person.viewed',
        entity: { type: 'person', id: randomUUID() },
        personId: randomUUID(),
        change: {
          reason: 'allocated worker',
          note: `visit ${index}`,
          nested: { checked: index % 2 === 0, items: [1, 'two', null] },
        },
      }),
    );
  }
}

/** A database with two organisations, Ashford and Barnet, of 10 events each. */
async function chained(): Promise<Chained> {
  const database = await freshDatabase();
  const clock = new ManualClock();
  const audit = auditService({ db: database.db, clock });
  const organisations = await addOrganisations(database.db, ['Ashford Borough Council', 'Barnet Council']);
  for (const organisation of organisations)
    await appendEvents(database.db, audit, organisation.id, 10, clock);
  return { database, audit, organisations };
}

/**
 * Changes history the way only the tables' owner or a superuser can (never the application role,
 * ADR 0022): with the append-only triggers switched off.
 */
async function tamper(db: Db, ...statements: ReturnType<typeof sql>[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(trx);
    for (const statement of statements) await statement.execute(trx);
    await sql`ALTER TABLE audit_events ENABLE TRIGGER USER`.execute(trx);
  });
}

/** Every break verification listed, in order, without its wording. */
function breaks(result: VerificationResult) {
  if (result.ok) throw new Error(`verification passed (${result.events} events) where it should have failed`);
  return result.findings.map((found) => ({
    organisationName: found.organisationName,
    seq: found.seq,
    lastSeq: found.lastSeq,
    problem: found.problem,
  }));
}

const ashfordId = sql`(SELECT id FROM organisations WHERE name = 'Ashford Borough Council')`;
const barnetId = sql`(SELECT id FROM organisations WHERE name = 'Barnet Council')`;

describe('the hash an append computes in the database', () => {
  it('is the SHA-256 of the canonical text Safeshare computes, whatever the text holds, and the chain verifies', async () => {
    const database = await freshDatabase();
    const clock = new ManualClock();
    const audit = auditService({ db: database.db, clock });
    const [organisation] = await addOrganisations(database.db, ['Calderdale Council']);
    if (organisation === undefined) throw new Error('no organisation');
    const labels = [
      'Zoë O’Brien "the duty worker" \\ back\\slash',
      'Łukasz 🙂 Wiśniewski\u2028line separator',
      'tab\there and \u00e9\u0301 combined',
      '中文 العربية עברית',
    ];
    for (const [index, label] of labels.entries()) {
      clock.advance(1000);
      await database.db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId: organisation.id,
          actor: { userId: index % 2 === 0 ? null : randomUUID(), label },
          action: 'person.viewed',
          entity: { type: 'person', id: index === 3 ? null : randomUUID() },
          personId: index === 0 ? null : randomUUID(),
          change: { note: label },
        }),
      );
    }
    const rows = await database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('organisation_id', '=', organisation.id)
      .orderBy('seq')
      .execute();
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3, 4]);
    for (const row of rows) {
      expect(row.actor_label).toBe(labels[row.seq - 1]);
      expect(row.hash).toBe(
        committedEventHash({
          organisationId: row.organisation_id,
          seq: row.seq,
          prevHash: row.prev_hash,
          occurredAt: row.occurred_at,
          actorUserId: row.actor_user_id,
          actorLabel: row.actor_label,
          action: row.action,
          entityType: row.entity_type,
          entityId: row.entity_id,
          personId: row.person_id,
          changeDigest: row.change_digest ?? '',
        }),
      );
    }
    expect(rows.slice(1).map((row) => row.prev_hash)).toEqual(rows.slice(0, -1).map((row) => row.hash));
    expect((await audit.verify()).ok).toBe(true);
  });
});

describe('appends under concurrency', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase();
  });

  it('keeps every chain gap-free through 200 concurrent transactions over 12 connections', async () => {
    const db = createDb(database.url, 12);
    try {
      const audit = auditService({ db, clock: new ManualClock() });
      // Both chains start empty, so the first appends also race to create their chain heads.
      const [north, south] = await addOrganisations(db, [
        'North Somerset Council',
        'South Gloucestershire Council',
      ]);
      if (north === undefined || south === undefined) throw new Error('organisations not created');
      await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          db.transaction().execute(async (trx) => {
            await sql`SELECT pg_sleep(${(index % 7) / 1000})`.execute(trx);
            await audit.record(trx, {
              organisationId: index % 3 === 0 ? south.id : north.id,
              actor: systemActor,
              action: 'person.viewed',
              entity: { type: 'person', id: String(index) },
              change: { writer: index },
            });
          }),
        ),
      );
      const chains = await db
        .selectFrom('audit_events')
        .select([
          'organisation_id',
          (eb) => eb.fn.countAll<string>().as('events'),
          (eb) => eb.fn.min('seq').as('first'),
          (eb) => eb.fn.max('seq').as('last'),
        ])
        .groupBy('organisation_id')
        .execute();
      const byOrganisation = new Map(
        chains.map((chain) => [
          chain.organisation_id,
          { events: Number(chain.events), first: chain.first, last: chain.last },
        ]),
      );
      expect(byOrganisation.get(south.id)).toEqual({ events: 67, first: 1, last: 67 });
      expect(byOrganisation.get(north.id)).toEqual({ events: 133, first: 1, last: 133 });
      const heads = await db.selectFrom('audit_chain_heads').select(['organisation_id', 'seq']).execute();
      expect(new Map(heads.map((head) => [head.organisation_id, head.seq]))).toEqual(
        new Map([
          [north.id, 133],
          [south.id, 67],
        ]),
      );
      expect(await audit.verify()).toEqual({ ok: true, events: 200, chains: 2, erased: 0 });
      // Every writer was recorded exactly once.
      const writers = await db
        .selectFrom('audit_events')
        .select(sql<number>`(change->>'writer')::int`.as('writer'))
        .execute();
      expect(new Set(writers.map((row) => row.writer)).size).toBe(200);
    } finally {
      await db.destroy();
    }
  });

  it('rolls the event back with the transaction that wrote it, leaving no gap', async () => {
    const audit = auditService({ db: database.db, clock: new ManualClock() });
    const [organisation] = await addOrganisations(database.db, ['Rollback District Council']);
    if (organisation === undefined) throw new Error('organisation not created');
    const event = {
      organisationId: organisation.id,
      actor: systemActor,
      action: 'person.viewed',
      entity: { type: 'person', id: null },
      change: {},
    };
    await database.db.transaction().execute((trx) => audit.record(trx, event));
    await expect(
      database.db.transaction().execute(async (trx) => {
        await audit.record(trx, event);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await database.db.transaction().execute((trx) => audit.record(trx, event));
    const seqs = await database.db
      .selectFrom('audit_events')
      .select('seq')
      .where('organisation_id', '=', organisation.id)
      .orderBy('seq')
      .execute();
    expect(seqs.map((row) => row.seq)).toEqual([1, 2]);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('stores changes that jsonb would refuse (NUL, lone surrogates) so that they still verify', async () => {
    const audit = auditService({ db: database.db, clock: new ManualClock() });
    const [organisation] = await addOrganisations(database.db, ['Awkward Characters Council']);
    if (organisation === undefined) throw new Error('organisation not created');
    const sparse: JsonValue[] = [1];
    sparse[2] = 3;
    await database.db.transaction().execute((trx) =>
      audit.record(trx, {
        organisationId: organisation.id,
        actor: { userId: null, label: 'Nul\u0000label' },
        action: 'person.viewed',
        entity: { type: 'person', id: null },
        change: {
          'key\u0000': 'a\u0000b',
          lone: '\uD800x',
          sparse,
          missing: undefined,
          huge: 1e300,
          tiny: 5e-324,
          negativeZero: -0,
        },
      }),
    );
    const row = await database.db
      .selectFrom('audit_events')
      .select(['change', 'actor_label'])
      .where('organisation_id', '=', organisation.id)
      .executeTakeFirstOrThrow();
    expect(row.actor_label).toBe('Nul\uFFFDlabel');
    expect(row.change).toEqual({
      'key\uFFFD': 'a\uFFFDb',
      lone: '\uFFFDx',
      sparse: [1, null, 3],
      huge: 1e300,
      tiny: 5e-324,
      negativeZero: 0,
    });
    expect((await audit.verify()).ok).toBe(true);
  });
});

describe('tampering is detected and located', () => {
  it('finds one altered byte of a change, naming the organisation and the event', async () => {
    const { database, audit } = await chainedInBeforeAll.altered;
    expect((await audit.verify()).ok).toBe(true);
    await tamper(
      database.ownerDb,
      sql`UPDATE audit_events SET change = jsonb_set(change, '{note}', '"visit 5"'::jsonb) WHERE seq = 7 AND organisation_id = (SELECT id FROM organisations WHERE name = 'Barnet Council')`,
    );
    expect(breaks(await audit.verify())).toEqual([
      { organisationName: 'Barnet Council', seq: 7, lastSeq: 7, problem: 'altered' },
    ]);
  });

  it('finds one altered byte of an actor label', async () => {
    const { database, audit } = await chainedInBeforeAll.actor;
    await tamper(
      database.ownerDb,
      sql`UPDATE audit_events SET actor_label = 'Practitioner 9' WHERE seq = 5 AND organisation_id = (SELECT id FROM organisations WHERE name = 'Ashford Borough Council')`,
    );
    expect(breaks(await audit.verify())).toEqual([
      { organisationName: 'Ashford Borough Council', seq: 5, lastSeq: 5, problem: 'altered' },
    ]);
  });

  it('finds a deleted event as missing at its sequence number', async () => {
    const { database, audit } = await chainedInBeforeAll.deleted;
    await tamper(
      database.ownerDb,
      sql`DELETE FROM audit_events WHERE seq = 4 AND organisation_id = (SELECT id FROM organisations WHERE name = 'Barnet Council')`,
    );
    expect(breaks(await audit.verify())).toEqual([
      { organisationName: 'Barnet Council', seq: 4, lastSeq: 4, problem: 'missing' },
    ]);
  });

  it('finds two events whose places were swapped', async () => {
    const { database, audit } = await chainedInBeforeAll.swapped;
    const ashford = sql`(SELECT id FROM organisations WHERE name = 'Ashford Borough Council')`;
    // Through a spare number: the primary key is checked row by row.
    await tamper(
      database.ownerDb,
      sql`UPDATE audit_events SET seq = 1000005 WHERE seq = 5 AND organisation_id = ${ashford}`,
      sql`UPDATE audit_events SET seq = 5 WHERE seq = 6 AND organisation_id = ${ashford}`,
      sql`UPDATE audit_events SET seq = 6 WHERE seq = 1000005 AND organisation_id = ${ashford}`,
    );
    // Event 6 now at 5 does not follow event 4; event 5 now at 6 carries another number than it was hashed with. Event 7 links to
    // the event now at 5 (its true predecessor), and is not reported: the walk re-anchored after the break.
    expect(breaks(await audit.verify())).toEqual([
      { organisationName: 'Ashford Borough Council', seq: 5, lastSeq: 5, problem: 'out of order' },
      { organisationName: 'Ashford Borough Council', seq: 6, lastSeq: 6, problem: 'altered' },
    ]);
  });

  it('finds the last event deleted, through the chain head', async () => {
    const { database, audit } = await chainedInBeforeAll.truncated;
    await tamper(
      database.ownerDb,
      sql`DELETE FROM audit_events WHERE seq = 10 AND organisation_id = (SELECT id FROM organisations WHERE name = 'Barnet Council')`,
    );
    expect(breaks(await audit.verify())).toEqual([
      { organisationName: 'Barnet Council', seq: 10, lastSeq: 10, problem: 'truncated' },
    ]);
  });

  it('finds an altered time, even one changed by microseconds only', async () => {
    const { database, audit } = await chainedInBeforeAll.time;
    await tamper(
      database.ownerDb,
      sql`UPDATE audit_events SET occurred_at = occurred_at + interval '1 microsecond' WHERE seq = 3 AND organisation_id = (SELECT id FROM organisations WHERE name = 'Ashford Borough Council')`,
    );
    expect(breaks(await audit.verify())).toEqual([
      { organisationName: 'Ashford Borough Council', seq: 3, lastSeq: 3, problem: 'altered' },
    ]);
  });

  it('finds a re-linked event (only its previous hash changed)', async () => {
    const { database, audit } = await chainedInBeforeAll.relinked;
    await tamper(
      database.ownerDb,
      sql`UPDATE audit_events SET prev_hash = repeat('a', 64) WHERE seq = 8 AND organisation_id = (SELECT id FROM organisations WHERE name = 'Barnet Council')`,
    );
    expect(breaks(await audit.verify())).toEqual([
      { organisationName: 'Barnet Council', seq: 8, lastSeq: 8, problem: 'altered' },
    ]);
  });

  it('finds a whole chain deleted with its head', async () => {
    const { database, audit } = await chainedInBeforeAll.headless;
    await database.ownerDb.transaction().execute(async (trx) => {
      await sql`ALTER TABLE audit_chain_heads DISABLE TRIGGER USER`.execute(trx);
      await sql`DELETE FROM audit_chain_heads WHERE organisation_id = (SELECT id FROM organisations WHERE name = 'Ashford Borough Council')`.execute(
        trx,
      );
      await sql`ALTER TABLE audit_chain_heads ENABLE TRIGGER USER`.execute(trx);
    });
    expect(breaks(await audit.verify())).toEqual([
      { organisationName: 'Ashford Borough Council', seq: 1, lastSeq: 1, problem: 'missing' },
    ]);
  });
});

describe('every break is listed, not only the first', () => {
  it('lists an altered event and a deleted one in the same chain, each with its kind and number, and reads on to the end', async () => {
    const { database, audit } = await chainedInBeforeAll.alteredAndDeleted;
    await tamper(
      database.ownerDb,
      sql`UPDATE audit_events SET actor_label = 'Someone else' WHERE seq = 3 AND organisation_id = ${ashfordId}`,
      sql`DELETE FROM audit_events WHERE seq = 7 AND organisation_id = ${ashfordId}`,
    );
    const result = await audit.verify();
    expect(breaks(result)).toEqual([
      { organisationName: 'Ashford Borough Council', seq: 3, lastSeq: 3, problem: 'altered' },
      { organisationName: 'Ashford Borough Council', seq: 7, lastSeq: 7, problem: 'missing' },
    ]);
    expect(result).toMatchObject({ events: 19, chains: 2, moreFindings: 0 });
  });

  it("lists breaks in two organisations' chains, a run of deleted events as one break", async () => {
    const { database, audit } = await chainedInBeforeAll.twoChains;
    await tamper(
      database.ownerDb,
      sql`UPDATE audit_events SET change = change || '{"note": "visit 0"}'::jsonb WHERE seq = 2 AND organisation_id = ${ashfordId}`,
      sql`DELETE FROM audit_events WHERE seq IN (4, 5, 6) AND organisation_id = ${barnetId}`,
    );
    const result = await audit.verify();
    expect(breaks(result)).toEqual([
      { organisationName: 'Ashford Borough Council', seq: 2, lastSeq: 2, problem: 'altered' },
      { organisationName: 'Barnet Council', seq: 4, lastSeq: 6, problem: 'missing' },
    ]);
    if (!result.ok)
      expect(result.findings[1]?.detail).toBe('events 4 to 6 are missing (the next event found is 7)');
  });

  it('lists a truncated chain (its last events deleted) after an earlier break in it', async () => {
    const { database, audit } = await chainedInBeforeAll.truncatedAfterBreak;
    await tamper(
      database.ownerDb,
      sql`UPDATE audit_events SET action = 'person.not_viewed' WHERE seq = 2 AND organisation_id = ${barnetId}`,
      sql`DELETE FROM audit_events WHERE seq IN (9, 10) AND organisation_id = ${barnetId}`,
    );
    expect(breaks(await audit.verify())).toEqual([
      { organisationName: 'Barnet Council', seq: 2, lastSeq: 2, problem: 'altered' },
      { organisationName: 'Barnet Council', seq: 9, lastSeq: 10, problem: 'truncated' },
    ]);
  });

  it('lists breaks up to the limit and counts the rest', async () => {
    const { database, audit } = await chainedInBeforeAll.overLimit;
    // Every odd event of both chains: ten breaks, each reported once.
    await tamper(
      database.ownerDb,
      sql`UPDATE audit_events SET actor_label = actor_label || '.' WHERE seq % 2 = 1`,
    );
    const all = await audit.verify();
    expect(breaks(all)).toHaveLength(10);
    expect(all).toMatchObject({ ok: false, events: 20, moreFindings: 0 });
    const limited = await audit.verify({ findingLimit: 3 });
    expect(breaks(limited)).toEqual([
      { organisationName: 'Ashford Borough Council', seq: 1, lastSeq: 1, problem: 'altered' },
      { organisationName: 'Ashford Borough Council', seq: 3, lastSeq: 3, problem: 'altered' },
      { organisationName: 'Ashford Borough Council', seq: 5, lastSeq: 5, problem: 'altered' },
    ]);
    expect(limited).toMatchObject({ ok: false, events: 20, moreFindings: 7 });
  });

  it('reports an event altered and re-hashed once, at the broken link, across a page boundary', async () => {
    const { database, audit } = await chainedInBeforeAll.rehashed;
    const row = await database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('organisation_id', '=', sql<string>`${ashfordId}`)
      .where('seq', '=', 4)
      .executeTakeFirstOrThrow();
    const change = { ...row.change, note: 'rewritten' };
    if (row.change_salt === null) throw new Error('event 4 should be recorded with a salted digest');
    // Version 2 (ADR 0025): the forger re-computes the change's digest, then the event's hash over it.
    const digest = changeDigest(row.change_salt, change);
    const rehashed = committedEventHash({
      organisationId: row.organisation_id,
      seq: row.seq,
      prevHash: row.prev_hash,
      occurredAt: row.occurred_at,
      actorUserId: row.actor_user_id,
      actorLabel: row.actor_label,
      action: row.action,
      entityType: row.entity_type,
      entityId: row.entity_id,
      personId: row.person_id,
      changeDigest: digest,
    });
    await tamper(
      database.ownerDb,
      sql`UPDATE audit_events SET change = ${JSON.stringify(change)}::jsonb, change_digest = ${digest}, hash = ${rehashed} WHERE seq = 4 AND organisation_id = ${ashfordId}`,
    );
    expect(breaks(await audit.verify())).toEqual([
      { organisationName: 'Ashford Borough Council', seq: 5, lastSeq: 5, problem: 'out of order' },
    ]);
  });
});

describe('the database refuses to change history', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of audit events even to their owner, and leaves them unchanged', async () => {
    const { database, audit } = await chainedInBeforeAll.guarded;
    const before = await database.db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('organisation_id')
      .orderBy('seq')
      .execute();
    await expect(
      sql`UPDATE audit_events SET actor_label = 'someone else' WHERE seq = 1`.execute(database.ownerDb),
    ).rejects.toThrow(/append-only: UPDATE on audit_events refused/);
    await expect(sql`DELETE FROM audit_events WHERE seq = 2`.execute(database.ownerDb)).rejects.toThrow(
      /append-only: DELETE on audit_events refused/,
    );
    await expect(sql`TRUNCATE audit_events`.execute(database.ownerDb)).rejects.toThrow(
      /append-only: TRUNCATE on audit_events refused/,
    );
    await expect(sql`DELETE FROM audit_chain_heads`.execute(database.ownerDb)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_chain_heads CASCADE`.execute(database.ownerDb)).rejects.toThrow(
      /append-only/,
    );
    const after = await database.db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('organisation_id')
      .orderBy('seq')
      .execute();
    expect(after).toEqual(before);
    expect(after).toHaveLength(20);
    expect(await audit.verify()).toEqual({ ok: true, events: 20, chains: 2, erased: 0 });
  });
});

// One chained database per scenario, built before the tests run (each test file has its own server-side databases).
const scenarios = [
  'altered',
  'actor',
  'deleted',
  'swapped',
  'truncated',
  'time',
  'relinked',
  'headless',
  'guarded',
  'alteredAndDeleted',
  'twoChains',
  'truncatedAfterBreak',
  'overLimit',
  'rehashed',
] as const;
const chainedInBeforeAll = {} as Record<(typeof scenarios)[number], Promise<Chained>>;
beforeAll(async () => {
  for (const name of scenarios) {
    chainedInBeforeAll[name] = chained();
  }
  await Promise.all(Object.values(chainedInBeforeAll));
});
