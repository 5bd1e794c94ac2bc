import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Executor } from '../db/client.ts';
import { genesisHash } from './audit.hash.ts';
import type { AuditEventsTable } from './audit.table.ts';

export type AuditEventRow = Omit<AuditEventsTable, 'change'> & { change: Record<string, unknown> };

/**
 * Locks the organisation's one-row chain head (creating it on the first event) and returns it.
 * Every append serialises on this row, so the chain never forks and never skips a number.
 */
export async function lockChainHead(trx: Transaction<Database>, organisationId: string): Promise<{ seq: number; hash: string }> {
  const head = await sql<{ seq: number; hash: string }>`
    INSERT INTO audit_chain_heads (organisation_id, seq, hash) VALUES (${organisationId}, 0, ${genesisHash})
    ON CONFLICT (organisation_id) DO UPDATE SET seq = audit_chain_heads.seq
    RETURNING seq, hash`.execute(trx);
  const row = head.rows[0];
  if (!row) throw new Error('audit chain head could not be locked');
  return row;
}

export async function appendEvent(trx: Transaction<Database>, row: AuditEventRow): Promise<void> {
  await trx
    .insertInto('audit_events')
    .values({ ...row, change: JSON.stringify(row.change) })
    .execute();
  await trx
    .updateTable('audit_chain_heads')
    .set({ seq: row.seq, hash: row.hash })
    .where('organisation_id', '=', row.organisation_id)
    .execute();
}

export async function chainHeads(db: Executor): Promise<{ organisation_id: string; seq: number; hash: string; name: string }[]> {
  return db
    .selectFrom('audit_chain_heads')
    .innerJoin('organisations', 'organisations.id', 'audit_chain_heads.organisation_id')
    .select(['audit_chain_heads.organisation_id', 'audit_chain_heads.seq', 'audit_chain_heads.hash', 'organisations.name'])
    .orderBy('organisations.name')
    .execute();
}

/** One page of a chain in sequence order, after a given sequence number (keyset pagination). */
export async function chainPage(db: Executor, organisationId: string, afterSeq: number, limit: number): Promise<AuditEventRow[]> {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}
