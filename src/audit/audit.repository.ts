import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Executor } from '../db/client.ts';
import { genesisHash } from './audit.hash.ts';
import type { AuditEventsTable } from './audit.table.ts';

export type AuditEventRow = Omit<Selectable<AuditEventsTable>, 'change'> & {
  change: Record<string, unknown>;
};

/** An event as an append sends it: everything but its place in the chain, which the statement takes. */
export type UnchainedEventRow = Omit<AuditEventRow, 'seq' | 'prev_hash' | 'hash'>;

/**
 * Appends an event in one statement: locks the organisation's one-row chain head, takes the next
 * sequence number and the previous hash from it, finishes the event's canonical text
 * (`textBeforeChain`, then `committedTextOfChain` written in SQL) and hashes it with SHA-256, inserts
 * the event and moves the head. Every append serialises on the head, so the chain never forks and
 * never skips a number; with one statement the head is held for that statement and the commit,
 * not for a further round trip through the application. The first event of an organisation
 * creates its head (two first appends race on its key; the loser then locks the winner's row).
 */
export async function appendChained(
  trx: Transaction<Database>,
  row: UnchainedEventRow,
  textBeforeChain: string,
): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const appended = await sql<{ seq: number }>`
      WITH head AS (
        SELECT seq, hash FROM audit_chain_heads WHERE organisation_id = ${row.organisation_id} FOR UPDATE
      ), chained AS (
        SELECT seq + 1 AS seq, hash AS prev_hash,
               encode(sha256(convert_to(${textBeforeChain}::text || '"prevHash":"' || hash || '","seq":' || (seq + 1)::text || '}', 'UTF8')), 'hex') AS hash
        FROM head
      ), appended AS (
        INSERT INTO audit_events (organisation_id, seq, prev_hash, hash, occurred_at, actor_user_id, actor_label, action, entity_type, entity_id, person_id, change,
                                  hash_version, change_salt, change_digest)
        SELECT ${row.organisation_id}, chained.seq, chained.prev_hash, chained.hash, ${row.occurred_at}, ${row.actor_user_id}, ${row.actor_label},
               ${row.action}, ${row.entity_type}, ${row.entity_id}, ${row.person_id}, ${JSON.stringify(row.change)}::jsonb,
               ${row.hash_version}, ${row.change_salt}, ${row.change_digest}
        FROM chained
        RETURNING seq, hash
      )
      UPDATE audit_chain_heads SET seq = appended.seq, hash = appended.hash
      FROM appended WHERE audit_chain_heads.organisation_id = ${row.organisation_id}
      RETURNING appended.seq`.execute(trx);
    if (appended.rows.length === 1) return;
    await trx
      .insertInto('audit_chain_heads')
      .values({ organisation_id: row.organisation_id, seq: 0, hash: genesisHash })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  throw new Error('audit chain head could not be locked');
}

export interface ChainHeadRow {
  readonly organisation_id: string;
  readonly name: string;
  /** How many events the head records now (verification re-reads the head in each chain's snapshot). */
  readonly seq: number;
}

/** Every chain, in organisation name order (the order verification reports in). */
export async function chainHeads(db: Executor): Promise<ChainHeadRow[]> {
  return db
    .selectFrom('audit_chain_heads')
    .innerJoin('organisations', 'organisations.id', 'audit_chain_heads.organisation_id')
    .select(['audit_chain_heads.organisation_id', 'organisations.name', 'audit_chain_heads.seq'])
    .orderBy('organisations.name')
    .orderBy('audit_chain_heads.organisation_id')
    .execute();
}

export async function chainHead(
  db: Executor,
  organisationId: string,
): Promise<{ seq: number; hash: string } | undefined> {
  return db
    .selectFrom('audit_chain_heads')
    .select(['seq', 'hash'])
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
}

/**
 * Organisations that have events but no chain head (a head deleted together with its chain would
 * otherwise hide the whole chain from verification). A loose index scan over the primary key reads
 * one entry per organisation, not every event.
 */
export async function chainsWithoutHead(
  db: Executor,
): Promise<{ organisation_id: string; name: string; first_seq: number }[]> {
  const result = await sql<{ organisation_id: string; name: string; first_seq: number }>`
    WITH RECURSIVE chains (organisation_id) AS (
      (SELECT organisation_id FROM audit_events ORDER BY organisation_id LIMIT 1)
      UNION ALL
      SELECT (SELECT e.organisation_id FROM audit_events e WHERE e.organisation_id > chains.organisation_id ORDER BY e.organisation_id LIMIT 1)
      FROM chains WHERE chains.organisation_id IS NOT NULL
    )
    SELECT chains.organisation_id, coalesce(o.name, '(unknown organisation)') AS name,
           (SELECT min(seq) FROM audit_events e WHERE e.organisation_id = chains.organisation_id) AS first_seq
    FROM chains
    LEFT JOIN organisations o ON o.id = chains.organisation_id
    WHERE chains.organisation_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM audit_chain_heads h WHERE h.organisation_id = chains.organisation_id)
    ORDER BY name`.execute(db);
  return result.rows;
}

/** The names of organisations, by id (those that still exist). */
export async function organisationNames(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** An event as verification reads it: the time as ISO text with microseconds, so no date is parsed and no digit is lost. */
export interface VerifiableRow {
  readonly seq: number;
  readonly prev_hash: string;
  readonly hash: string;
  /** `2026-11-30T09:00:00.000000` (UTC). */
  readonly occurred_at: string;
  readonly actor_user_id: string | null;
  readonly actor_label: string;
  readonly action: string;
  readonly entity_type: string;
  readonly entity_id: string | null;
  readonly person_id: string | null;
  readonly change: unknown;
  readonly hash_version: number;
  readonly change_salt: Buffer | null;
  readonly change_digest: string | null;
  /** For a version 2 event whose salt is gone: whether `audit_erasures` records its erasure; otherwise null. */
  readonly erasure_recorded: boolean | null;
}

/** One page of a chain in sequence order, after a given sequence number (keyset pagination on the primary key). */
export async function chainPage(
  db: Executor,
  organisationId: string,
  afterSeq: number,
  limit: number,
): Promise<VerifiableRow[]> {
  const result = await sql<VerifiableRow>`
    SELECT seq, prev_hash, hash,
           to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS occurred_at,
           actor_user_id, actor_label, action, entity_type, entity_id, person_id, change,
           hash_version, change_salt, change_digest,
           CASE WHEN hash_version = 2 AND change_salt IS NULL
                THEN EXISTS (SELECT 1 FROM audit_erasures x WHERE x.organisation_id = e.organisation_id AND x.seq = e.seq)
           END AS erasure_recorded
    FROM audit_events e
    WHERE organisation_id = ${organisationId} AND seq > ${afterSeq}
    ORDER BY seq
    LIMIT ${limit}`.execute(db);
  return result.rows;
}

export interface TrailFilter {
  readonly personId: string | null;
  /**
   * With `personId`: the records about the person whose events may name them only in their change
   * (a decision, perhaps about several people, its disclosures), found by the trail's services
   * (`RecordsAbout`) and matched by entity as well as by the events' person.
   */
  readonly personRecords?: readonly { readonly type: string; readonly id: string }[];
  readonly actorUserId: string | null;
  readonly action: string | null;
  /** London dates, `yyyy-mm-dd`, both inclusive. */
  readonly from: string | null;
  readonly to: string | null;
}

export type TrailCursor = { readonly before: number } | { readonly after: number } | null;

/** An organisation's events that match the trail's filter, before ordering and paging. */
export function filteredTrail(db: Executor, organisationId: string, filter: TrailFilter) {
  let query = db.selectFrom('audit_events').selectAll().where('organisation_id', '=', organisationId);
  const personId = filter.personId;
  const records = filter.personRecords ?? [];
  if (personId !== null)
    query =
      records.length === 0
        ? query.where('person_id', '=', personId)
        : query.where((eb) =>
            eb.or([
              eb('person_id', '=', personId),
              eb(
                eb.refTuple('entity_type', 'entity_id'),
                'in',
                sql<
                  [string, string]
                >`(SELECT * FROM unnest(${records.map((record) => record.type)}::text[], ${records.map((record) => record.id)}::text[]))`,
              ),
            ]),
          );
  if (filter.actorUserId !== null) query = query.where('actor_user_id', '=', filter.actorUserId);
  if (filter.action !== null) query = query.where('action', '=', filter.action);
  if (filter.from !== null)
    query = query.where(
      'occurred_at',
      '>=',
      sql<Date>`(${filter.from}::date)::timestamp AT TIME ZONE 'Europe/London'`,
    );
  if (filter.to !== null)
    query = query.where(
      'occurred_at',
      '<',
      sql<Date>`(${filter.to}::date + 1)::timestamp AT TIME ZONE 'Europe/London'`,
    );
  return query;
}

/**
 * One page of an organisation's trail, newest first, by keyset on (time, sequence number): every
 * filter has an index that ends in the time (organisation, action / actor / person, then time), so
 * a page costs the same at the first event as at the millionth. Fetches one row more than asked,
 * to tell whether there is a further page.
 */
export async function trailPage(
  db: Executor,
  organisationId: string,
  filter: TrailFilter,
  cursor: TrailCursor,
  limit: number,
): Promise<AuditEventRow[]> {
  const query = filteredTrail(db, organisationId, filter);
  if (cursor === null)
    return query
      .orderBy('occurred_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(limit + 1)
      .execute();

  const olderPage = 'before' in cursor;
  const at = await db
    .selectFrom('audit_events')
    .select(['occurred_at', 'seq'])
    .where('organisation_id', '=', organisationId)
    .where('seq', '=', olderPage ? cursor.before : cursor.after)
    .executeTakeFirst();
  if (at === undefined) return [];
  if (olderPage) {
    return query
      .where('occurred_at', '<=', at.occurred_at)
      .where((eb) => eb(eb.refTuple('occurred_at', 'seq'), '<', eb.tuple(at.occurred_at, at.seq)))
      .orderBy('occurred_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(limit + 1)
      .execute();
  }
  const newer = await query
    .where('occurred_at', '>=', at.occurred_at)
    .where((eb) => eb(eb.refTuple('occurred_at', 'seq'), '>', eb.tuple(at.occurred_at, at.seq)))
    .orderBy('occurred_at', 'asc')
    .orderBy('seq', 'asc')
    .limit(limit + 1)
    .execute();
  return newer.reverse();
}

export async function eventBySeq(
  db: Executor,
  organisationId: string,
  seq: number,
): Promise<AuditEventRow | undefined> {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('seq', '=', seq)
    .executeTakeFirst();
}

/** The actions an organisation's trail holds, by a loose index scan over (organisation, action, time). */
export async function distinctActions(db: Executor, organisationId: string): Promise<string[]> {
  const result = await sql<{ action: string }>`
    WITH RECURSIVE actions (action) AS (
      (SELECT action FROM audit_events WHERE organisation_id = ${organisationId} ORDER BY action LIMIT 1)
      UNION ALL
      SELECT (SELECT e.action FROM audit_events e WHERE e.organisation_id = ${organisationId} AND e.action > actions.action ORDER BY e.action LIMIT 1)
      FROM actions WHERE actions.action IS NOT NULL
    )
    SELECT action FROM actions WHERE action IS NOT NULL ORDER BY action`.execute(db);
  return result.rows.map((row) => row.action);
}

/**
 * The organisation's staff, for the "user" filter. The audit trail imports no other capability, so
 * it reads the users table itself: names and ids only.
 */
export async function organisationStaff(
  db: Executor,
  organisationId: string,
): Promise<{ id: string; display_name: string; active: boolean }[]> {
  return db
    .selectFrom('users')
    .select(['id', 'display_name', 'active'])
    .where('organisation_id', '=', organisationId)
    .orderBy('display_name')
    .orderBy('id')
    .execute();
}

/** The transaction of the change an event records: the event commits or rolls back with it (invariant 2). */
export type AuditTransaction = Transaction<Database>;

/** One entity's events in an organisation's chain, oldest first (audit_events_entity_idx). */
export async function entityHistory(
  db: Executor,
  organisationId: string,
  entity: { readonly type: string; readonly id: string },
  limit: number,
) {
  return db
    .selectFrom('audit_events')
    .select(['action', 'actor_label', 'occurred_at'])
    .where('organisation_id', '=', organisationId)
    .where('entity_type', '=', entity.type)
    .where('entity_id', '=', entity.id)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Who erased an event's content, for which disposal, and when (ADR 0025). */
export interface Erasure {
  readonly organisationId: string;
  readonly seq: number;
  readonly disposalId: string;
  readonly erasedAt: Date;
  readonly byUserId: string | null;
  readonly byLabel: string;
}

/**
 * Erases a version 2 event's change through the one path the database allows (ADR 0025): the
 * owner's `audit_erase_event` records the erasure in `audit_erasures` and replaces the change with
 * the tombstone and drops the salt, nothing else. True if erased now, false if it already was.
 * The database refuses a version 1 event (its hash covers the change itself).
 */
export async function eraseEventContent(trx: Transaction<Database>, erasure: Erasure): Promise<boolean> {
  const result = await sql<{ erased: boolean }>`
    SELECT audit_erase_event(${erasure.organisationId}::uuid, ${erasure.seq}::bigint, ${erasure.disposalId}::uuid,
                             ${erasure.erasedAt}::timestamptz, ${erasure.byUserId}::uuid, ${erasure.byLabel}) AS erased`.execute(
    trx,
  );
  return result.rows[0]?.erased === true;
}

/**
 * The sequence numbers of the events in one chain that a disposal erases, by hash version (ADR
 * 0025): those about the person, and those about any of the records (`entities`) it erased, which
 * may name the person only in their change.
 */
export async function eventsToErase(
  trx: Executor,
  organisationId: string,
  about: { readonly personId: string | null; readonly entities: readonly { type: string; id: string }[] },
): Promise<{ seq: number; hash_version: number; erased: boolean }[]> {
  const types = about.entities.map((entity) => entity.type);
  const ids = about.entities.map((entity) => entity.id);
  const result = await sql<{ seq: number; hash_version: number; erased: boolean }>`
    SELECT seq, hash_version, (hash_version = 2 AND change_salt IS NULL) AS erased
    FROM audit_events
    WHERE organisation_id = ${organisationId} AND person_id = ${about.personId}::uuid
    UNION
    SELECT e.seq, e.hash_version, (e.hash_version = 2 AND e.change_salt IS NULL) AS erased
    FROM unnest(${types}::text[], ${ids}::text[]) AS x (entity_type, entity_id)
    JOIN audit_events e ON e.organisation_id = ${organisationId} AND e.entity_type = x.entity_type
      AND e.entity_id = x.entity_id
    ORDER BY seq`.execute(trx);
  return result.rows;
}
