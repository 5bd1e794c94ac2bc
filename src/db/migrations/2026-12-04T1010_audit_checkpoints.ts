import { sql, type Kysely } from 'kysely';

/**
 * Signed checkpoints over each organisation's audit chain (ADR 0023), and the Merkle subtrees kept
 * to build proofs from. Both are append-only, as the events are: the application role may only
 * INSERT and SELECT them (src/db/roles.ts), and triggers refuse UPDATE, DELETE and TRUNCATE.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE audit_checkpoints (
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      tree_size bigint NOT NULL CHECK (tree_size > 0),
      root_hash text NOT NULL CHECK (root_hash ~ '^[0-9a-f]{64}$'),
      signed_at timestamptz NOT NULL,
      key_id text NOT NULL CHECK (key_id ~ '^[0-9a-f]{8}$'),
      note text NOT NULL,
      edge text[] NOT NULL,
      PRIMARY KEY (organisation_id, tree_size)
    )`.execute(db);
  await sql`
    CREATE TABLE audit_merkle_subtrees (
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      level smallint NOT NULL CHECK (level > 0 AND level % 8 = 0),
      index bigint NOT NULL CHECK (index >= 0),
      hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
      PRIMARY KEY (organisation_id, level, index)
    )`.execute(db);
  for (const table of ['audit_checkpoints', 'audit_merkle_subtrees']) {
    await sql`
      CREATE TRIGGER ${sql.id(`${table}_append_only`)} BEFORE UPDATE OR DELETE ON ${sql.id(table)}
      FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`.execute(db);
    await sql`
      CREATE TRIGGER ${sql.id(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.id(table)}
      FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE audit_merkle_subtrees`.execute(db);
  await sql`DROP TABLE audit_checkpoints`.execute(db);
}
