import { sql } from 'kysely';
import type { Db, Executor } from './client.ts';
import { jobQueueSchema } from './job-queue.ts';

/**
 * Safeshare's two database roles (ADR 0022): the owner, which migrations run as and which owns
 * every table, and the application role, which the app connects as. The application role owns
 * nothing and is given, after every migration run, exactly the privileges below: it can neither
 * switch off nor drop the audit trail's triggers (only an owner can), nor change an audit event.
 */

/**
 * The audit trail's tables and all the application may do to them (invariant 2). Appending an event
 * inserts it and moves the chain head: `SELECT ... FOR UPDATE` on the head needs UPDATE, granted on
 * the two columns an append changes and no other. Signed checkpoints and the Merkle subtrees kept
 * for proofs are only ever added (ADR 0023). No DELETE, no TRUNCATE on any of them.
 */
const auditTablePrivileges = {
  audit_events: sql`SELECT, INSERT`,
  audit_chain_heads: sql`SELECT, INSERT, UPDATE (seq, hash)`,
  audit_checkpoints: sql`SELECT, INSERT`,
  audit_merkle_subtrees: sql`SELECT, INSERT`,
  // Erasures are written only by audit_erase_event, which runs as the owner (ADR 0025).
  audit_erasures: sql`SELECT`,
  // Erasures of the consent register's, the decisions' and the disclosures' rows: written only by retention_erase_person (ADR 0033).
  retention_erasures: sql`SELECT`,
} as const;

/** The one way the application may change an audit event: erase a version 2 event's content (ADR 0025). */
const auditErasure = 'audit_erase_event(uuid, bigint, uuid, timestamptz, uuid, text)';

/** The one way the application may erase a person's records in the append-only tables: a recorded disposal (ADR 0033). */
const personErasure = 'retention_erase_person(uuid, uuid, uuid, timestamptz)';
/** The same for an incident, a record about no one person (ADR 0033). */
const incidentErasure = 'retention_erase_incident(uuid, uuid, uuid, timestamptz)';

/** Kysely's bookkeeping: the application reads it (to see that the schema is current) and never writes it. */
const migrationTables = ['schema_migrations', 'schema_migrations_lock'] as const;

/** Serialises the grants step between app servers starting together: concurrent GRANTs on one table fail. */
const grantsLock = 0x5afe_0022;

/**
 * Gives the application role its privileges on every table and sequence of the schema that the
 * migrating role owns, from nothing: privileges added by hand are taken away again, so the
 * database holds what this file says. Run after every migration run, so a table a later migration
 * creates gets its grants at once; the audit tables keep theirs. A no-op when the role is the one
 * migrating (one role for both: the owner cannot be restricted).
 */
export async function grantApplicationRole(db: Db, applicationRole: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${grantsLock})`.execute(trx);
    const migrating = await sql<{ role: string }>`SELECT current_user AS role`.execute(trx);
    if (migrating.rows[0]?.role === applicationRole) return;

    // Relations of the schema the migrating role may grant on (its own, or its group's); not an extension's.
    const owned = await sql<{ name: string; kind: string }>`
      SELECT c.relname AS name, c.relkind::text AS kind
      FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace
        AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
        AND pg_has_role(current_user, c.relowner, 'USAGE')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY c.relname`.execute(trx);
    const role = sql.id(applicationRole);
    const restricted = new Set<string>([...Object.keys(auditTablePrivileges), ...migrationTables]);
    const tables = owned.rows.filter((row) => row.kind !== 'S').map((row) => row.name);
    const sequences = owned.rows.filter((row) => row.kind === 'S').map((row) => row.name);
    const ordinary = tables.filter((name) => !restricted.has(name));
    const list = (names: readonly string[]) => sql.join(names.map((name) => sql.id(name)));

    if (tables.length > 0) await sql`REVOKE ALL ON TABLE ${list(tables)} FROM ${role}`.execute(trx);
    if (sequences.length > 0) await sql`REVOKE ALL ON SEQUENCE ${list(sequences)} FROM ${role}`.execute(trx);
    if (ordinary.length > 0)
      await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ${list(ordinary)} TO ${role}`.execute(trx);
    if (sequences.length > 0) await sql`GRANT USAGE ON SEQUENCE ${list(sequences)} TO ${role}`.execute(trx);
    for (const [table, privileges] of Object.entries(auditTablePrivileges))
      if (tables.includes(table))
        await sql`GRANT ${privileges} ON TABLE ${sql.id(table)} TO ${role}`.execute(trx);
    for (const table of migrationTables)
      if (tables.includes(table)) await sql`GRANT SELECT ON TABLE ${sql.id(table)} TO ${role}`.execute(trx);
    await grantJobQueue(trx, applicationRole);
    for (const erasureFunction of [auditErasure, personErasure, incidentErasure]) {
      const erasure = await sql<{
        found: boolean;
      }>`SELECT to_regprocedure(${erasureFunction}) IS NOT NULL AS found`.execute(trx);
      if (erasure.rows[0]?.found === true)
        await sql`GRANT EXECUTE ON FUNCTION ${sql.raw(erasureFunction)} TO ${role}`.execute(trx);
    }
  });
}

/** graphile-worker's record of its own migrations: read by a worker at start to see that the schema is current. */
const jobQueueMigrations = 'migrations';

/**
 * The job queue (ADR 0032): the application role adds, takes, finishes and retries jobs, so it
 * gets SELECT, INSERT, UPDATE and DELETE on the queue's tables and USAGE on its sequences, from
 * nothing, as in `public`; graphile-worker's migration record SELECT only. It may not create in the
 * schema, nor alter, drop or re-secure the tables: only the owner, which installs the queue, can.
 * Nothing on the views (the worker uses the tables and functions; functions are PUBLIC's to call).
 */
async function grantJobQueue(trx: Executor, applicationRole: string): Promise<void> {
  const owned = await sql<{ name: string; kind: string }>`
    SELECT c.relname AS name, c.relkind::text AS kind
    FROM pg_class c
    WHERE c.relnamespace = to_regnamespace(${jobQueueSchema})
      AND c.relkind IN ('r', 'p', 'v', 'S')
      AND pg_has_role(current_user, c.relowner, 'USAGE')
    ORDER BY c.relname`.execute(trx);
  if (owned.rows.length === 0) return;
  const role = sql.id(applicationRole);
  const list = (names: readonly string[]) => sql.join(names.map((name) => sql.id(jobQueueSchema, name)));
  const relations = owned.rows.filter((row) => row.kind !== 'S').map((row) => row.name);
  const sequences = owned.rows.filter((row) => row.kind === 'S').map((row) => row.name);
  const tables = owned.rows.filter((row) => row.kind === 'r' || row.kind === 'p').map((row) => row.name);
  const worked = tables.filter((name) => name !== jobQueueMigrations);

  await sql`GRANT USAGE ON SCHEMA ${sql.id(jobQueueSchema)} TO ${role}`.execute(trx);
  if (relations.length > 0) await sql`REVOKE ALL ON TABLE ${list(relations)} FROM ${role}`.execute(trx);
  if (sequences.length > 0) await sql`REVOKE ALL ON SEQUENCE ${list(sequences)} FROM ${role}`.execute(trx);
  if (worked.length > 0)
    await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ${list(worked)} TO ${role}`.execute(trx);
  if (tables.includes(jobQueueMigrations))
    await sql`GRANT SELECT ON TABLE ${list([jobQueueMigrations])} TO ${role}`.execute(trx);
  if (sequences.length > 0) await sql`GRANT USAGE ON SEQUENCE ${list(sequences)} TO ${role}`.execute(trx);
}

/** The role a connection acts as. */
export async function currentRole(db: Db): Promise<string> {
  const result = await sql<{ role: string }>`SELECT current_user AS role`.execute(db);
  const role = result.rows[0]?.role;
  if (role === undefined) throw new Error('the database did not say which role this connection acts as');
  return role;
}

/**
 * What makes a connection's role unfit to run Safeshare in production: being a superuser, or owning
 * the audit tables (itself or through a role it belongs to), since either can switch off the
 * audit trail's triggers and rewrite history. Empty when the role is fit.
 */
export async function applicationRoleProblems(db: Db): Promise<string[]> {
  const result = await sql<{ role: string; superuser: boolean; owned: string[] | null }>`
    SELECT current_user AS role, r.rolsuper AS superuser,
           (SELECT array_agg(format('%s (owned by %s)', c.relname, pg_get_userbyid(c.relowner)) ORDER BY c.relname)
            FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace
              AND c.relname IN (${sql.join(Object.keys(auditTablePrivileges))})
              AND pg_has_role(current_user, c.relowner, 'MEMBER')) AS owned
    FROM pg_roles r
    WHERE r.rolname = current_user`.execute(db);
  const found = result.rows[0];
  if (found === undefined) throw new Error('the database did not describe the role this connection acts as');
  if (found.superuser)
    return [
      `the database role "${found.role}" is a superuser, so it could switch off the audit trail's triggers and rewrite history`,
    ];
  if (found.owned !== null && found.owned.length > 0)
    return [
      `the database role "${found.role}" owns the audit tables or belongs to their owner (${found.owned.join(', ')}), so it could switch off their triggers and rewrite history`,
    ];
  return [];
}
