import { sql } from 'kysely';
import type { Executor } from '../db/client.ts';
import type { AuditCheckpointsTable } from './audit.table.ts';

export type CheckpointRow = AuditCheckpointsTable;

/**
 * Takes the organisation's checkpoint lock for this transaction, without waiting: false when another
 * app server is signing that chain's checkpoints now (the job runs on every app server).
 */
export async function tryLockCheckpoints(trx: Executor, organisationId: string): Promise<boolean> {
  const result = await sql<{ locked: boolean }>`
    SELECT pg_try_advisory_xact_lock(hashtextextended(${`audit-checkpoints:${organisationId}`}, 0)) AS locked`.execute(
    trx,
  );
  return result.rows[0]?.locked === true;
}

/**
 * Chains with events beyond their latest checkpoint: each chain's head beside its latest checkpoint,
 * found backwards on the checkpoints' primary key.
 */
export async function chainsAheadOfCheckpoints(
  db: Executor,
): Promise<{ organisation_id: string; seq: number; tree_size: number | null }[]> {
  const result = await sql<{ organisation_id: string; seq: number; tree_size: number | null }>`
    SELECT h.organisation_id, h.seq, c.tree_size
    FROM audit_chain_heads h
    LEFT JOIN LATERAL (
      SELECT tree_size FROM audit_checkpoints c
      WHERE c.organisation_id = h.organisation_id
      ORDER BY tree_size DESC LIMIT 1
    ) c ON true
    WHERE h.seq > coalesce(c.tree_size, 0)
    ORDER BY h.organisation_id`.execute(db);
  return result.rows;
}

export async function latestCheckpoint(
  db: Executor,
  organisationId: string,
): Promise<CheckpointRow | undefined> {
  return db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('tree_size', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function checkpointOfSize(
  db: Executor,
  organisationId: string,
  treeSize: number,
): Promise<CheckpointRow | undefined> {
  return db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('tree_size', '=', treeSize)
    .executeTakeFirst();
}

/** One page of an organisation's checkpoints larger than a size, smallest first. */
export async function checkpointsAfter(
  db: Executor,
  organisationId: string,
  afterSize: number,
  limit: number,
): Promise<CheckpointRow[]> {
  return db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('tree_size', '>', afterSize)
    .orderBy('tree_size')
    .limit(limit)
    .execute();
}

/** Organisations that have checkpoints, by a loose index scan over the primary key. */
export async function checkpointedOrganisations(db: Executor): Promise<string[]> {
  const result = await sql<{ organisation_id: string }>`
    WITH RECURSIVE chains (organisation_id) AS (
      (SELECT organisation_id FROM audit_checkpoints ORDER BY organisation_id LIMIT 1)
      UNION ALL
      SELECT (SELECT c.organisation_id FROM audit_checkpoints c WHERE c.organisation_id > chains.organisation_id ORDER BY c.organisation_id LIMIT 1)
      FROM chains WHERE chains.organisation_id IS NOT NULL
    )
    SELECT organisation_id FROM chains WHERE organisation_id IS NOT NULL ORDER BY organisation_id`.execute(
    db,
  );
  return result.rows.map((row) => row.organisation_id);
}

export async function insertCheckpoints(trx: Executor, rows: readonly CheckpointRow[]): Promise<void> {
  if (rows.length === 0) return;
  // Another app server that signed the same size first keeps its checkpoint.
  await trx
    .insertInto('audit_checkpoints')
    .values([...rows])
    .onConflict((conflict) => conflict.columns(['organisation_id', 'tree_size']).doNothing())
    .execute();
}

export async function insertSubtrees(
  trx: Executor,
  rows: readonly { organisation_id: string; level: number; index: number; hash: string }[],
): Promise<void> {
  for (let at = 0; at < rows.length; at += 1000) {
    await trx
      .insertInto('audit_merkle_subtrees')
      .values(rows.slice(at, at + 1000))
      .onConflict((conflict) => conflict.columns(['organisation_id', 'level', 'index']).doNothing())
      .execute();
  }
}

/** Stored subtrees of one level, `count` of them from index `first`, in index order (absent ones missing). */
export async function subtreesOfLevel(
  db: Executor,
  organisationId: string,
  level: number,
  first: number,
  count: number,
): Promise<{ index: number; hash: string }[]> {
  return db
    .selectFrom('audit_merkle_subtrees')
    .select(['index', 'hash'])
    .where('organisation_id', '=', organisationId)
    .where('level', '=', level)
    .where('index', '>=', first)
    .where('index', '<', first + count)
    .orderBy('index')
    .execute();
}

/** The chained hashes of the events with sequence numbers after `afterSeq`, up to `lastSeq`, in order. */
export async function eventHashes(
  db: Executor,
  organisationId: string,
  afterSeq: number,
  lastSeq: number,
): Promise<{ seq: number; hash: string }[]> {
  return db
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .where('organisation_id', '=', organisationId)
    .where('seq', '>', afterSeq)
    .where('seq', '<=', lastSeq)
    .orderBy('seq')
    .execute();
}
