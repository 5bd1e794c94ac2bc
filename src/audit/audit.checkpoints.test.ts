import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { standaloneVerifier, type StandaloneVerifier } from '../../test/support/audit-proofs.ts';
import { freshDatabase, type TestDatabase } from '../../test/support/harness.ts';
import type { Db } from '../db/client.ts';
import { ManualClock } from '../lib/clock.ts';
import { checkpointLine, readCheckpointFile } from './audit.checkpoint-file.ts';
import {
  CheckpointError,
  checkpointsService,
  type CheckpointSettings,
  type CheckpointsService,
} from './audit.checkpoints.service.ts';
import { changeDigest, committedEventHash, eventHash, genesisHash } from './audit.hash.ts';
import { eventLeafHash, rootOfLeafHashes } from './audit.merkle.ts';
import {
  checkpointSigner,
  openCheckpoint,
  privateKeyFromSeed,
  trustedKeyOf,
  type TrustedKey,
} from './audit.signing.ts';
import { auditService, type AuditService, type VerificationResult } from './audit.service.ts';

/**
 * Signed checkpoints (ADR 0023): the job that signs them after the fact, the proofs drawn from them,
 * and `audit verify` held to an export of them, which finds what the chain alone cannot.
 */

const seed = Buffer.alloc(32, 0x5a);
const signer = checkpointSigner(privateKeyFromSeed(seed));
const keys: TrustedKey[] = [trustedKeyOf(signer)];

let standalone: StandaloneVerifier;
beforeAll(async () => {
  standalone = await standaloneVerifier();
});

interface World {
  readonly database: TestDatabase;
  readonly clock: ManualClock;
  readonly audit: AuditService;
  readonly checkpoints: CheckpointsService;
  readonly organisations: readonly { id: string; name: string }[];
}

async function world(
  names: readonly string[],
  events: number,
  settings: Partial<CheckpointSettings> = {},
): Promise<World> {
  const database = await freshDatabase();
  const clock = new ManualClock('2026-12-04T09:00:00Z');
  const audit = auditService({ db: database.db, clock });
  const checkpoints = checkpointsService({
    db: database.db,
    clock,
    settings: { everyEvents: 5, everyMinutes: 15, signingKey: { seed }, mailDpo: false, ...settings },
  });
  const now = clock.now();
  const organisations = await database.db
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
  const made = { database, clock, audit, checkpoints, organisations };
  for (const organisation of organisations) await record(made, organisation.id, events);
  return made;
}

async function record(at: World, organisationId: string, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    at.clock.advance(1000);
    await at.database.db.transaction().execute((trx) =>
      at.audit.record(trx, {
        organisationId,
        actor: { userId: randomUUID(), label: `Duty social worker ${String(index)}` },
        action: 'person.viewed',
        entity: { type: 'person', id: randomUUID() },
        personId: randomUUID(),
        change: { reason: 'allocated worker', visit: index, checked: index % 2 === 0 },
      }),
    );
  }
}

function idOf(at: World, index: number): string {
  const organisation = at.organisations[index];
  if (organisation === undefined) throw new Error('no such organisation');
  return organisation.id;
}

async function checkpointRows(db: Db, organisationId: string) {
  return db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('tree_size')
    .execute();
}

async function eventHashes(db: Db, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select('hash')
    .where('organisation_id', '=', organisationId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.hash);
}

/** As only the tables' owner can (never the application role, ADR 0022): with the append-only triggers off. */
async function tamper(db: Db, ...statements: RawBuilder<unknown>[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(trx);
    await sql`ALTER TABLE audit_chain_heads DISABLE TRIGGER USER`.execute(trx);
    for (const statement of statements) await statement.execute(trx);
    await sql`ALTER TABLE audit_events ENABLE TRIGGER USER`.execute(trx);
    await sql`ALTER TABLE audit_chain_heads ENABLE TRIGGER USER`.execute(trx);
  });
}

/** Every event from `from` on given a new hash chained to the one before, and the head moved with them. */
async function rehashFrom(db: Db, organisationId: string, from: number): Promise<RawBuilder<unknown>[]> {
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('seq')
    .execute();
  const statements: RawBuilder<unknown>[] = [];
  let previous = genesisHash;
  for (const row of rows) {
    if (row.seq < from) {
      previous = row.hash;
      continue;
    }
    const envelope = {
      organisationId,
      seq: row.seq,
      prevHash: previous,
      occurredAt: row.occurred_at,
      actorUserId: row.actor_user_id,
      actorLabel: row.actor_label,
      action: row.action,
      entityType: row.entity_type,
      entityId: row.entity_id,
      personId: row.person_id,
    };
    // Re-hashed as it was recorded: version 2 over the change's digest, re-computed (ADR 0025); version 1 over the change.
    const digest = row.change_salt === null ? row.change_digest : changeDigest(row.change_salt, row.change);
    const hash =
      digest === null
        ? eventHash({ ...envelope, change: row.change })
        : committedEventHash({ ...envelope, changeDigest: digest });
    statements.push(
      sql`UPDATE audit_events SET prev_hash = ${previous}, hash = ${hash}, change_digest = ${digest} WHERE organisation_id = ${organisationId} AND seq = ${row.seq}`,
    );
    previous = hash;
  }
  statements.push(
    sql`UPDATE audit_chain_heads SET hash = ${previous} WHERE organisation_id = ${organisationId}`,
  );
  return statements;
}

function breaks(result: VerificationResult) {
  if (result.ok)
    throw new Error(`verification passed (${String(result.events)} events) where it should have failed`);
  return result.findings.map((found) => ({
    organisationName: found.organisationName,
    seq: found.seq,
    lastSeq: found.lastSeq,
    problem: found.problem,
  }));
}

describe('signing checkpoints', () => {
  it('signs after the fact, never at the append: at every N events, and the rest once the latest is M minutes old', async () => {
    const at = await world(['Ashford Borough Council'], 12);
    const organisationId = idOf(at, 0);
    // Recording events signed nothing.
    expect(await checkpointRows(at.database.db, organisationId)).toEqual([]);

    // The chain's first checkpoints: every 5 events, and its last event at once, being the first run.
    expect(await at.checkpoints.signDue()).toEqual({ signed: 3, chains: 1, behind: 0, broken: [] });
    expect((await checkpointRows(at.database.db, organisationId)).map((row) => row.tree_size)).toEqual([
      5, 10, 12,
    ]);

    await record(at, organisationId, 3);
    expect((await at.checkpoints.signDue()).signed).toBe(1);
    await record(at, organisationId, 2);
    // 17 events, the latest checkpoint (15) not yet 15 minutes old: nothing due.
    expect((await at.checkpoints.signDue()).signed).toBe(0);
    at.clock.advance(15 * 60_000);
    expect((await at.checkpoints.signDue()).signed).toBe(1);
    expect(await at.checkpoints.signDue()).toEqual({ signed: 0, chains: 0, behind: 0, broken: [] });

    const rows = await checkpointRows(at.database.db, organisationId);
    expect(rows.map((row) => row.tree_size)).toEqual([5, 10, 12, 15, 17]);
    const hashes = await eventHashes(at.database.db, organisationId);
    for (const row of rows) {
      const opened = openCheckpoint(row.note, keys);
      if (!opened.ok) throw new Error(opened.reason);
      const root = rootOfLeafHashes(hashes.slice(0, row.tree_size).map(eventLeafHash)).toString('hex');
      expect(opened.statement).toEqual({
        organisationId,
        treeSize: row.tree_size,
        rootHash: root,
        signedAt: row.signed_at,
      });
      expect(row.root_hash).toBe(root);
      expect(row.key_id).toBe(signer.keyId);
    }
    expect(rows[4]?.note).toMatch(
      new RegExp(
        `^safeshare-audit/${organisationId}\\n17\\n[A-Za-z0-9+/]{43}=\\ntime 2026-12-04T09:15:17\\.000Z\\n\\n— safeshare-audit [A-Za-z0-9+/]{91}=\\n$`,
      ),
    );
  });

  it('keeps the subtrees of 256 events, so a proof reads a few hundred events, not the whole chain', async () => {
    const at = await world(['Bristol City Council'], 600, { everyEvents: 1000 });
    const organisationId = idOf(at, 0);
    expect((await at.checkpoints.signDue()).signed).toBe(1);
    const subtrees = await at.database.db
      .selectFrom('audit_merkle_subtrees')
      .select(['level', 'index', 'hash'])
      .where('organisation_id', '=', organisationId)
      .orderBy('index')
      .execute();
    const leaves = (await eventHashes(at.database.db, organisationId)).map(eventLeafHash);
    expect(subtrees).toEqual([
      { level: 8, index: 0, hash: rootOfLeafHashes(leaves.slice(0, 256)).toString('hex') },
      { level: 8, index: 1, hash: rootOfLeafHashes(leaves.slice(256, 512)).toString('hex') },
    ]);
    for (const seq of [1, 300, 513, 600]) {
      const proof = await at.checkpoints.inclusionProof(organisationId, seq);
      expect(standalone.verifyDocument(proof, keys).ok, `event ${String(seq)}`).toBe(true);
    }
    await record(at, organisationId, 10);
    at.clock.advance(15 * 60_000);
    await at.checkpoints.signDue();
    const consistency = await at.checkpoints.consistencyProof(organisationId, 600, 610);
    expect(standalone.verifyDocument(consistency, keys)).toEqual({
      ok: true,
      message: expect.stringMatching(
        /^the checkpoint of 600 events signed .* is the beginning of the checkpoint of 610 events/,
      ) as string,
    });
  });

  it('signs each checkpoint once when two app servers run the job at the same moment', async () => {
    const at = await world(['Cheshire East Council', 'Cheshire West and Chester Council'], 23);
    const other = checkpointsService({
      db: at.database.db,
      clock: at.clock,
      settings: { everyEvents: 5, everyMinutes: 15, signingKey: { seed }, mailDpo: false },
    });
    await Promise.all([at.checkpoints.signDue(), other.signDue(), at.checkpoints.signDue()]);
    for (const index of [0, 1])
      expect((await checkpointRows(at.database.db, idOf(at, index))).map((row) => row.tree_size)).toEqual([
        5, 10, 15, 20, 23,
      ]);
  });

  it('signs nothing past a broken event, and says where the chain breaks', async () => {
    const at = await world(['Dorset Council'], 10);
    const organisationId = idOf(at, 0);
    await at.checkpoints.signDue();
    await record(at, organisationId, 6);
    await tamper(
      at.database.ownerDb,
      sql`UPDATE audit_events SET actor_label = 'Someone else' WHERE organisation_id = ${organisationId} AND seq = 13`,
    );
    at.clock.advance(15 * 60_000);
    expect(await at.checkpoints.signDue()).toEqual({
      signed: 1,
      chains: 1,
      behind: 0,
      broken: [{ organisationId, seq: 13, detail: 'event 13 has been altered' }],
    });
    expect((await checkpointRows(at.database.db, organisationId)).map((row) => row.tree_size)).toEqual([
      5, 10, 12,
    ]);
  });

  it('catches up a long chain in batches, carrying the tree over from one checkpoint to the next', async () => {
    const at = await world(['Essex County Council'], 40, { everyEvents: 7 });
    const organisationId = idOf(at, 0);
    expect(await at.checkpoints.signDue({ batch: 9 })).toEqual({
      signed: 6,
      chains: 1,
      behind: 0,
      broken: [],
    });
    const rows = await checkpointRows(at.database.db, organisationId);
    expect(rows.map((row) => row.tree_size)).toEqual([7, 14, 21, 28, 35, 40]);
    const hashes = (await eventHashes(at.database.db, organisationId)).map(eventLeafHash);
    for (const row of rows)
      expect(row.root_hash).toBe(rootOfLeafHashes(hashes.slice(0, row.tree_size)).toString('hex'));
  });

  it('lets the application role only add checkpoints and subtrees, and refuses even the owner a change', async () => {
    const at = await world(['Fenland District Council'], 5);
    await at.checkpoints.signDue();
    await record(at, idOf(at, 0), 300);
    at.clock.advance(15 * 60_000);
    await at.checkpoints.signDue();
    for (const table of ['audit_checkpoints', 'audit_merkle_subtrees']) {
      for (const statement of [
        sql`UPDATE ${sql.table(table)} SET organisation_id = organisation_id`,
        sql`DELETE FROM ${sql.table(table)}`,
        sql`TRUNCATE ${sql.table(table)}`,
      ]) {
        await expect(
          statement.execute(at.database.db),
          `${table} as the application role`,
        ).rejects.toMatchObject({
          code: '42501',
          message: `permission denied for table ${table}`,
        });
        await expect(statement.execute(at.database.ownerDb), `${table} as its owner`).rejects.toMatchObject({
          message: expect.stringMatching(
            /^audit trail is append-only: (UPDATE|DELETE|TRUNCATE) on/,
          ) as string,
        });
      }
    }
  });
});

describe('proofs', () => {
  let at: World;
  beforeAll(async () => {
    at = await world(['Gateshead Council', 'Halton Borough Council'], 23);
    await at.checkpoints.signDue();
  });

  it('proves every event in the latest checkpoint, and the stand-alone verifier accepts each and refuses each altered', async () => {
    const organisationId = idOf(at, 0);
    for (let seq = 1; seq <= 23; seq += 1) {
      const proof = await at.checkpoints.inclusionProof(organisationId, seq, { withEvent: seq % 5 === 0 });
      expect(proof).toMatchObject({ organisationId, leafIndex: seq - 1, treeSize: 23, event: { seq } });
      expect(standalone.verifyDocument(proof, keys)).toEqual({
        ok: true,
        message: expect.stringContaining(`event ${String(seq)} `) as string,
      });
      const other = randomBytes(32).toString('hex');
      const alterations: unknown[] = [
        { ...proof, event: { ...proof.event, hash: other } },
        { ...proof, inclusionPath: proof.inclusionPath.map((node, index) => (index === 0 ? other : node)) },
        { ...proof, leafIndex: seq },
        { ...proof, checkpoint: { ...proof.checkpoint, rootHash: other } },
        {
          ...proof,
          checkpoint: { ...proof.checkpoint, note: proof.checkpoint.note.replace('\n23\n', '\n24\n') },
        },
        { ...proof, organisationId: idOf(at, 1) },
      ];
      if (proof.event.canonical !== undefined)
        alterations.push({
          ...proof,
          event: { ...proof.event, canonical: proof.event.canonical.replace('"action":"', '"action":"un') },
        });
      for (const altered of alterations) expect(standalone.verifyDocument(altered, keys).ok).toBe(false);
      // Nor with another key.
      const stranger = checkpointSigner(privateKeyFromSeed(Buffer.alloc(32, 1)));
      expect(standalone.verifyDocument(proof, [standalone.parseKey(stranger.verifierKey)]).ok).toBe(false);
    }
  });

  it('proves every checkpoint the beginning of every later one', async () => {
    const organisationId = idOf(at, 1);
    const sizes = [5, 10, 15, 20, 23];
    for (const from of sizes)
      for (const to of sizes.filter((size) => size >= from)) {
        const proof = await at.checkpoints.consistencyProof(organisationId, from, to);
        expect(standalone.verifyDocument(proof, keys).ok, `${String(from)} to ${String(to)}`).toBe(true);
        if (proof.consistencyPath.length > 0) {
          const altered = [randomBytes(32).toString('hex'), ...proof.consistencyPath.slice(1)];
          expect(standalone.verifyDocument({ ...proof, consistencyPath: altered }, keys).ok).toBe(false);
        }
      }
  });

  it('refuses the proofs it cannot give, saying why', async () => {
    const organisationId = idOf(at, 0);
    await expect(at.checkpoints.inclusionProof(organisationId, 24)).rejects.toThrow(
      'event 24 is not in the checkpoint of 23 events: the next checkpoint will cover it',
    );
    await expect(at.checkpoints.inclusionProof(organisationId, 0)).rejects.toThrow(CheckpointError);
    await expect(at.checkpoints.inclusionProof(randomUUID(), 1)).rejects.toThrow(
      'has no signed checkpoint yet',
    );
    await expect(at.checkpoints.consistencyProof(organisationId, 5, 7)).rejects.toThrow(
      'no checkpoint of 7 events',
    );
    await expect(at.checkpoints.consistencyProof(organisationId, 10, 5)).rejects.toThrow('--from must be');
  });

  it('refuses to prove an event once the chain no longer matches its checkpoint', async () => {
    const other = await world(['Isle of Wight Council'], 12);
    const organisationId = idOf(other, 0);
    await other.checkpoints.signDue();
    await tamper(
      other.database.ownerDb,
      sql`UPDATE audit_events SET action = 'person.forgotten' WHERE organisation_id = ${organisationId} AND seq = 4`,
    );
    await tamper(other.database.ownerDb, ...(await rehashFrom(other.database.ownerDb, organisationId, 4)));
    expect((await other.audit.verify()).ok).toBe(true);
    await expect(other.checkpoints.inclusionProof(organisationId, 9)).rejects.toThrow(
      /no longer matches the checkpoint of 12 events/,
    );
    await expect(other.checkpoints.consistencyProof(organisationId, 5, 12)).rejects.toThrow(
      /no longer matches/,
    );
  });
});

describe('audit verify held to exported checkpoints', () => {
  const names = ['Kent County Council', 'Lambeth Council', 'Medway Council'];
  let at: World;
  let exported: string;
  let restore: () => Promise<void>;
  const verify = () =>
    at.audit.verify({ checkpoints: readCheckpointFile(exported, keys).checkpoints, findingLimit: 1000 });

  beforeAll(async () => {
    at = await world(names, 30, { everyEvents: 4 });
    await at.checkpoints.signDue();
    exported = '';
    for await (const record of at.checkpoints.since(new Map())) exported += checkpointLine(record);
    const owner = at.database.ownerDb;
    await sql`CREATE TABLE kept_events AS SELECT * FROM audit_events`.execute(owner);
    await sql`CREATE TABLE kept_heads AS SELECT * FROM audit_chain_heads`.execute(owner);
    restore = () =>
      tamper(
        owner,
        sql`DELETE FROM audit_events`,
        sql`INSERT INTO audit_events SELECT * FROM kept_events`,
        sql`DELETE FROM audit_chain_heads`,
        sql`INSERT INTO audit_chain_heads SELECT * FROM kept_heads`,
      );
  });

  it('exports every checkpoint, each line trusted for what its signature covers', () => {
    const read = readCheckpointFile(exported, keys);
    expect(read.problems).toEqual([]);
    // Every 4 events and the last (30), in three chains.
    expect(read.checkpoints).toHaveLength(3 * 8);
  });

  it('passes an untouched trail', async () => {
    expect(await verify()).toEqual({ ok: true, events: 90, chains: 3, erased: 0 });
  });

  it('(a) finds a tail cut away with its head moved back, which the chain alone cannot', async () => {
    const lambeth = idOf(at, 1);
    await tamper(
      at.database.ownerDb,
      sql`DELETE FROM audit_events WHERE organisation_id = ${lambeth} AND seq > 20`,
      sql`UPDATE audit_chain_heads SET seq = 20, hash = (SELECT hash FROM audit_events WHERE organisation_id = ${lambeth} AND seq = 20) WHERE organisation_id = ${lambeth}`,
    );
    try {
      expect((await at.audit.verify()).ok).toBe(true);
      const result = await verify();
      expect(breaks(result)).toEqual([
        { organisationName: 'Lambeth Council', seq: 21, lastSeq: 30, problem: 'truncated' },
      ]);
      expect(result.ok ? '' : result.findings[0]?.detail).toMatch(
        /^the chain has 20 events but the checkpoint signed 2026-12-04T\S+ records 30: events 21 to 30 were cut away$/,
      );
    } finally {
      await restore();
    }
  });

  it('(b) finds a whole chain deleted with its head, naming the organisation', async () => {
    const medway = idOf(at, 2);
    await tamper(
      at.database.ownerDb,
      sql`DELETE FROM audit_events WHERE organisation_id = ${medway}`,
      sql`DELETE FROM audit_chain_heads WHERE organisation_id = ${medway}`,
    );
    try {
      expect(await at.audit.verify()).toEqual({ ok: true, events: 60, chains: 2, erased: 0 });
      const result = await verify();
      expect(breaks(result)).toEqual([
        { organisationName: 'Medway Council', seq: 1, lastSeq: 30, problem: 'missing' },
      ]);
      expect(result.ok ? '' : result.findings[0]?.detail).toMatch(
        /^the whole chain is gone, its head with it: the checkpoint signed \S+ records 30 events$/,
      );
    } finally {
      await restore();
    }
  });

  it('(c) finds an event forged with every later event re-hashed, between the two checkpoints around it', async () => {
    const kent = idOf(at, 0);
    await tamper(
      at.database.ownerDb,
      sql`UPDATE audit_events SET change = '{"reason":"no reason"}'::jsonb WHERE organisation_id = ${kent} AND seq = 14`,
    );
    await tamper(at.database.ownerDb, ...(await rehashFrom(at.database.ownerDb, kent, 14)));
    try {
      expect((await at.audit.verify()).ok).toBe(true);
      const result = await verify();
      expect(breaks(result)).toEqual([
        { organisationName: 'Kent County Council', seq: 13, lastSeq: 16, problem: 'altered' },
      ]);
      expect(result.ok ? '' : result.findings[0]?.detail).toMatch(
        /^the chain no longer matches the checkpoint of 16 events signed \S+ \(it still matches the one of 12 events signed \S+\): an event from 13 to 16 was altered, removed or inserted, and every later event re-hashed$/,
      );
    } finally {
      await restore();
    }
  });

  it('names the lines of an export it cannot trust: altered, signed by another key, or a second history', async () => {
    const lines = exported.trimEnd().split('\n');
    const stranger = checkpointSigner(privateKeyFromSeed(Buffer.alloc(32, 2)));
    const first = JSON.parse(lines[0] ?? '{}') as {
      note: string;
      rootHash: string;
      treeSize: number;
      organisationId: string;
      signedAt: string;
    };
    const forkRoot = randomBytes(32).toString('hex');
    const forkNote = signer.signNote(
      first.note
        .slice(0, first.note.indexOf('\n\n') + 1)
        .replace(/\n[A-Za-z0-9+/]{43}=\n/, `\n${Buffer.from(forkRoot, 'hex').toString('base64')}\n`),
    );
    const text = [
      ...lines,
      JSON.stringify({ ...first, rootHash: forkRoot }),
      JSON.stringify({
        ...first,
        note: stranger.signNote(first.note.slice(0, first.note.indexOf('\n\n') + 1)),
      }),
      JSON.stringify({ ...first, rootHash: forkRoot, note: forkNote }),
      'not json',
    ].join('\n');
    expect(readCheckpointFile(text, keys).problems).toEqual([
      { line: 25, reason: 'its fields differ from the signed checkpoint it carries' },
      {
        line: 26,
        reason: 'its checkpoint cannot be trusted: no signature on it verifies with the trusted keys',
      },
      {
        line: 27,
        reason: `it signs another root for ${String(first.treeSize)} events of organisation ${first.organisationId} than line 1: two histories were signed (a fork)`,
      },
      { line: 28, reason: 'it is not a checkpoint (a JSON object with a signed note)' },
    ]);
  });

  it('detects and locates 1,000 random tamperings: tails cut, chains deleted, events forged and re-hashed, single fields edited, events removed', async () => {
    // A small, seeded generator, so a failure can be replayed.
    let state = 20261204;
    const next = (below: number) => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return Math.floor((state / 2 ** 32) * below);
    };
    const kinds = ['cut', 'drop', 'forge', 'edit', 'remove'] as const;
    const fields = [
      'actor_label',
      'action',
      'entity_type',
      'change',
      'occurred_at',
      'person_id',
      'prev_hash',
      'hash',
    ] as const;
    const tally = new Map<string, number>();
    for (let round = 0; round < 1000; round += 1) {
      const kind = kinds[next(kinds.length)] ?? 'edit';
      const index = next(3);
      const organisationId = idOf(at, index);
      const seq = kind === 'drop' ? 1 : 1 + next(30);
      const where = sql`organisation_id = ${organisationId} AND seq = ${seq}`;
      // A forgery changes what the event says (a hash or a link would only be re-hashed back).
      const field = fields[next(kind === 'forge' ? 6 : fields.length)] ?? 'action';
      const edit = {
        actor_label: sql`UPDATE audit_events SET actor_label = actor_label || '.' WHERE ${where}`,
        action: sql`UPDATE audit_events SET action = 'person.deleted' WHERE ${where}`,
        entity_type: sql`UPDATE audit_events SET entity_type = 'consent' WHERE ${where}`,
        change: sql`UPDATE audit_events SET change = change || '{"visit": -1}'::jsonb WHERE ${where}`,
        occurred_at: sql`UPDATE audit_events SET occurred_at = occurred_at - interval '1 second' WHERE ${where}`,
        person_id: sql`UPDATE audit_events SET person_id = ${randomUUID()} WHERE ${where}`,
        prev_hash: sql`UPDATE audit_events SET prev_hash = ${randomBytes(32).toString('hex')} WHERE ${where}`,
        hash: sql`UPDATE audit_events SET hash = ${randomBytes(32).toString('hex')} WHERE ${where}`,
      }[field];
      const statements: RawBuilder<unknown>[] = {
        cut: [
          sql`DELETE FROM audit_events WHERE organisation_id = ${organisationId} AND seq >= ${seq}`,
          sql`UPDATE audit_chain_heads SET seq = ${seq - 1}, hash = coalesce((SELECT hash FROM audit_events WHERE organisation_id = ${organisationId} AND seq = ${seq - 1}), ${genesisHash}) WHERE organisation_id = ${organisationId}`,
        ],
        drop: [
          sql`DELETE FROM audit_events WHERE organisation_id = ${organisationId}`,
          sql`DELETE FROM audit_chain_heads WHERE organisation_id = ${organisationId}`,
        ],
        forge: [edit],
        edit: [edit],
        remove: [sql`DELETE FROM audit_events WHERE ${where}`],
      }[kind];
      await tamper(at.database.ownerDb, ...statements);
      // A forger re-hashes the event and every one after it, and moves the head to match.
      if (kind === 'forge')
        await tamper(at.database.ownerDb, ...(await rehashFrom(at.database.ownerDb, organisationId, seq)));
      const result = await verify();
      const label = `round ${String(round)}: ${kind}${kind === 'edit' || kind === 'forge' ? ` ${field}` : ''} of event ${String(seq)} of ${names[index] ?? ''}`;
      expect(result.ok, label).toBe(false);
      const located = result.ok
        ? []
        : result.findings.filter(
            (found) => found.organisationId === organisationId && found.seq <= seq && seq <= found.lastSeq,
          );
      expect(located.length, label).toBeGreaterThan(0);
      // A re-hashed forgery is found between the two checkpoints around it (every 4 events).
      if (kind === 'forge')
        expect(Math.min(...located.map((found) => found.lastSeq - found.seq)), label).toBeLessThan(4);
      tally.set(kind, (tally.get(kind) ?? 0) + 1);
      await restore();
    }
    expect([...tally.values()].reduce((sum, count) => sum + count, 0)).toBe(1000);
    for (const kind of kinds) expect(tally.get(kind) ?? 0).toBeGreaterThan(100);
    expect(await verify()).toEqual({ ok: true, events: 90, chains: 3, erased: 0 });
  }, 600_000);
});
