import { randomUUID } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/harness.ts';
import type { Db } from '../db/client.ts';
import { ManualClock } from '../lib/clock.ts';
import { eventHash } from './audit.hash.ts';
import { auditService, systemActor, type AuditService, type VerificationResult } from './index.ts';

const officer = { userId: null, label: 'Information governance lead' };

async function refusal(db: Db, statement: RawBuilder<unknown>): Promise<{ code: string; message: string }> {
  try {
    await statement.execute(db);
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return { code: code ?? '(none)', message };
  }
  throw new Error(`allowed: ${statement.compile(db).sql}`);
}

async function tamper(db: Db, ...statements: RawBuilder<unknown>[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(trx);
    for (const statement of statements) await statement.execute(trx);
    await sql`ALTER TABLE audit_events ENABLE TRIGGER USER`.execute(trx);
  });
}

function breaks(result: VerificationResult) {
  if (result.ok)
    throw new Error(`verification passed (${String(result.events)} events) where it should have failed`);
  return result.findings.map((found) => ({ seq: found.seq, problem: found.problem, detail: found.detail }));
}

interface Setting {
  readonly database: TestDatabase;
  readonly audit: AuditService;
  readonly organisationId: string;
  readonly child: string;
  readonly other: string;
}

/** A chain of 6 events: 1, 3 and 5 about the child, the rest about someone else. */
async function setting(): Promise<Setting> {
  const database = await freshDatabase();
  const clock = new ManualClock();
  const audit = auditService({ db: database.db, clock });
  const now = new Date();
  const organisation = await database.db
    .insertInto('organisations')
    .values({
      name: 'Ashford Borough Council',
      kind: 'local_authority',
      switchboard_phone: null,
      hosted: true,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const child = randomUUID();
  const other = randomUUID();
  for (let index = 1; index <= 6; index += 1) {
    clock.advance(1000);
    const personId = index % 2 === 1 ? child : other;
    await database.db.transaction().execute((trx) =>
      audit.record(trx, {
        organisationId: organisation.id,
        actor: systemActor,
        action: 'person.updated',
        entity: { type: 'person', id: personId },
        personId,
        change: { name: `Name ${String(index)}`, dateOfBirth: '2015-03-0' + String(index) },
      }),
    );
  }
  return { database, audit, organisationId: organisation.id, child, other };
}

async function erase(at: Setting, personId: string) {
  return at.database.db.transaction().execute((trx) =>
    at.audit.eraseEvents(trx, {
      organisationId: at.organisationId,
      personId,
      entities: [],
      disposalId: randomUUID(),
      by: officer,
    }),
  );
}

async function events(at: Setting) {
  return at.database.db
    .selectFrom('audit_events')
    .select(['seq', 'hash', 'change', 'change_salt', 'hash_version'])
    .where('organisation_id', '=', at.organisationId)
    .orderBy('seq')
    .execute();
}

describe('erasing the content of audit events (ADR 0025)', () => {
  let at: Setting;
  beforeAll(async () => {
    at = await setting();
  });

  it('records new events as version 2, with a salt and a digest of their change', async () => {
    for (const row of await events(at)) {
      expect(row.hash_version).toBe(2);
      expect(row.change_salt).toHaveLength(16);
    }
  });

  it("erases a person's content in place, keeps every hash, records each erasure, and the chain still verifies", async () => {
    const before = await events(at);
    expect(await erase(at, at.child)).toEqual({ erased: 3, alreadyErased: 0, keptVersion1: 0 });
    const after = await events(at);
    expect(after.map((row) => row.hash)).toEqual(before.map((row) => row.hash));
    expect(after.filter((row) => row.seq % 2 === 1).map((row) => [row.change, row.change_salt])).toEqual([
      [{ erased: true }, null],
      [{ erased: true }, null],
      [{ erased: true }, null],
    ]);
    expect(JSON.stringify(after)).not.toContain('Name 1');
    expect(after.find((row) => row.seq === 2)?.change).toEqual({ name: 'Name 2', dateOfBirth: '2015-03-02' });
    const recorded = await at.database.db
      .selectFrom('audit_erasures')
      .select(['seq', 'erased_by_label'])
      .orderBy('seq')
      .execute();
    expect(recorded).toEqual([1, 3, 5].map((seq) => ({ seq, erased_by_label: officer.label })));
    expect(await at.audit.verify()).toEqual({ ok: true, events: 6, chains: 1, erased: 3 });
    // Erasing again finds nothing left to erase.
    expect(await erase(at, at.child)).toEqual({ erased: 0, alreadyErased: 3, keptVersion1: 0 });
  });

  it('still refuses the application role any UPDATE or DELETE of an event, and any write to the erasures', async () => {
    const denied = { code: '42501', message: 'permission denied for table audit_events' };
    expect(
      await refusal(
        at.database.db,
        sql`UPDATE audit_events SET change = '{"erased": true}', change_salt = NULL`,
      ),
    ).toEqual(denied);
    expect(await refusal(at.database.db, sql`DELETE FROM audit_events`)).toEqual(denied);
    expect(
      await refusal(
        at.database.db,
        sql`INSERT INTO audit_erasures (organisation_id, seq, disposal_id, erased_at, erased_by_label)
            VALUES (${at.organisationId}, 2, ${randomUUID()}, now(), 'me')`,
      ),
    ).toEqual({ code: '42501', message: 'permission denied for table audit_erasures' });
  });

  it('lets even the owner make no update but the recorded erasure', async () => {
    const refused = { code: '42501', message: 'audit trail is append-only: UPDATE on audit_events refused' };
    const owner = at.database.ownerDb;
    const org = at.organisationId;
    // Event 2 is not erased and has no erasure recorded.
    expect(
      await refusal(
        owner,
        sql`UPDATE audit_events SET change = '{"erased": true}', change_salt = NULL WHERE organisation_id = ${org} AND seq = 2`,
      ),
    ).toEqual(refused);
    await owner
      .insertInto('audit_erasures')
      .values({
        organisation_id: org,
        seq: 2,
        disposal_id: randomUUID(),
        erased_at: new Date(),
        erased_by_user_id: null,
        erased_by_label: 'test',
      })
      .execute();
    // With its erasure recorded, only the tombstone and the salt may change: not the envelope, not other content.
    expect(
      await refusal(
        owner,
        sql`UPDATE audit_events SET change = '{"erased": true}', change_salt = NULL, actor_label = 'Someone else' WHERE organisation_id = ${org} AND seq = 2`,
      ),
    ).toEqual(refused);
    expect(
      await refusal(
        owner,
        sql`UPDATE audit_events SET change = '{"erased": "partly"}', change_salt = NULL WHERE organisation_id = ${org} AND seq = 2`,
      ),
    ).toEqual(refused);
    expect(
      await refusal(
        owner,
        sql`UPDATE audit_events SET change_digest = repeat('0', 64) WHERE organisation_id = ${org} AND seq = 2`,
      ),
    ).toEqual(refused);
    // An erased event stays erased.
    expect(
      await refusal(
        owner,
        sql`UPDATE audit_events SET change = '{"name": "back"}' WHERE organisation_id = ${org} AND seq = 1`,
      ),
    ).toEqual(refused);
    expect(
      await refusal(owner, sql`DELETE FROM audit_events WHERE organisation_id = ${org} AND seq = 1`),
    ).toEqual({
      code: '42501',
      message: 'audit trail is append-only: DELETE on audit_events refused',
    });
    expect(await refusal(owner, sql`DELETE FROM audit_erasures`)).toEqual({
      code: '42501',
      message: 'audit trail is append-only: DELETE on audit_erasures refused',
    });
  });
});

describe('verification of a chain with erased events', () => {
  let at: Setting;
  beforeAll(async () => {
    at = await setting();
    await erase(at, at.child);
  });

  it("detects an erased event's envelope altered", async () => {
    await tamper(
      at.database.ownerDb,
      sql`UPDATE audit_events SET action = 'person.viewed' WHERE organisation_id = ${at.organisationId} AND seq = 3`,
    );
    expect(breaks(await at.audit.verify())).toEqual([
      { seq: 3, problem: 'altered', detail: 'event 3 has been altered' },
    ]);
    await tamper(
      at.database.ownerDb,
      sql`UPDATE audit_events SET action = 'person.updated' WHERE organisation_id = ${at.organisationId} AND seq = 3`,
    );
    expect((await at.audit.verify()).ok).toBe(true);
  });

  it("detects an erased event's tombstone replaced, and content dropped without a recorded erasure", async () => {
    await tamper(
      at.database.ownerDb,
      sql`UPDATE audit_events SET change = '{"name": "Invented"}' WHERE organisation_id = ${at.organisationId} AND seq = 5`,
      sql`UPDATE audit_events SET change = '{"erased": true}', change_salt = NULL WHERE organisation_id = ${at.organisationId} AND seq = 4`,
    );
    expect(breaks(await at.audit.verify())).toEqual([
      { seq: 4, problem: 'altered', detail: 'the content of event 4 was removed without a recorded erasure' },
      { seq: 5, problem: 'altered', detail: 'the erased content of event 5 has been altered' },
    ]);
  });

  it("detects a present event's change altered, though its hash covers only the digest", async () => {
    await tamper(
      at.database.ownerDb,
      sql`UPDATE audit_events SET change = jsonb_set(change, '{name}', '"Name 7"') WHERE organisation_id = ${at.organisationId} AND seq = 6`,
    );
    expect(breaks(await at.audit.verify())).toContainEqual({
      seq: 6,
      problem: 'altered',
      detail: 'the content of event 6 has been altered',
    });
  });
});

describe('events hashed with their content (version 1)', () => {
  it('are not erased in place but counted for the disposal to report, and still verify', async () => {
    const at = await setting();
    const head = await at.database.db
      .selectFrom('audit_chain_heads')
      .selectAll()
      .where('organisation_id', '=', at.organisationId)
      .executeTakeFirstOrThrow();
    const event = {
      organisationId: at.organisationId,
      seq: head.seq + 1,
      prevHash: head.hash,
      occurredAt: new Date('2026-01-01T09:00:00.000Z'),
      actorUserId: null,
      actorLabel: 'Safeshare',
      action: 'person.created',
      entityType: 'person',
      entityId: at.child,
      personId: at.child,
      change: { name: 'Recorded before' },
    };
    const hash = eventHash(event);
    // As recorded before erasable hashing: no version given, so version 1.
    await at.database.ownerDb.transaction().execute(async (trx) => {
      await sql`INSERT INTO audit_events (organisation_id, seq, prev_hash, hash, occurred_at, actor_user_id, actor_label, action, entity_type, entity_id, person_id, change)
        VALUES (${event.organisationId}, ${event.seq}, ${event.prevHash}, ${hash}, ${event.occurredAt}, NULL, 'Safeshare', 'person.created', 'person', ${at.child}, ${at.child}, ${JSON.stringify(event.change)}::jsonb)`.execute(
        trx,
      );
      await sql`UPDATE audit_chain_heads SET seq = ${event.seq}, hash = ${hash} WHERE organisation_id = ${at.organisationId}`.execute(
        trx,
      );
    });
    expect(await erase(at, at.child)).toEqual({ erased: 3, alreadyErased: 0, keptVersion1: 1 });
    expect(await at.audit.verify()).toEqual({ ok: true, events: 7, chains: 1, erased: 3 });
    expect(
      await refusal(
        at.database.db,
        sql`SELECT audit_erase_event(${at.organisationId}::uuid, 7::bigint, ${randomUUID()}::uuid, now(), NULL::uuid, 'me')`,
      ),
    ).toEqual({
      code: '0A000',
      message: 'audit event 7 was hashed with its content (version 1): it cannot be erased in place',
    });
  });
});
