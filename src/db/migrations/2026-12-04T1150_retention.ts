import { sql, type Kysely } from 'kysely';

/**
 * Erasable audit content (ADR 0025). Events recorded from now on are hashed as version 2: the hash
 * covers the envelope and a salted digest of the change, so a disposal can erase the change and the
 * chain still verifies. Events already recorded stay version 1. The only change the database allows
 * to an event is that erasure, made by the owner's `audit_erase_event` for an event it has first
 * recorded in the append-only `audit_erasures`; the application role still cannot UPDATE events.
 * `audit_erasures` has no foreign key to the events: one would make TRUNCATE of the events fail on
 * the key before their trigger refuses it (the function checks that the event exists).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE audit_events
      ADD COLUMN hash_version smallint NOT NULL DEFAULT 1 CHECK (hash_version IN (1, 2)),
      ADD COLUMN change_salt bytea CHECK (octet_length(change_salt) = 16),
      ADD COLUMN change_digest text CHECK (change_digest ~ '^[0-9a-f]{64}$'),
      ADD CONSTRAINT audit_events_version_fields CHECK (
        (hash_version = 1 AND change_salt IS NULL AND change_digest IS NULL)
        OR (hash_version = 2 AND change_digest IS NOT NULL))`.execute(db);
  await sql`
    CREATE TABLE audit_erasures (
      organisation_id uuid NOT NULL,
      seq bigint NOT NULL,
      disposal_id uuid NOT NULL,
      erased_at timestamptz NOT NULL,
      erased_by_user_id uuid REFERENCES users (id),
      erased_by_label text NOT NULL,
      PRIMARY KEY (organisation_id, seq)
    )`.execute(db);
  await sql`
    CREATE TRIGGER audit_erasures_append_only BEFORE UPDATE OR DELETE ON audit_erasures
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`.execute(db);
  await sql`
    CREATE TRIGGER audit_erasures_no_truncate BEFORE TRUNCATE ON audit_erasures
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`.execute(db);

  // Refuses every UPDATE and DELETE of an event but one: a version 2 event whose erasure is recorded
  // losing its salt and its change becoming the tombstone, every other column as it was.
  await sql`
    CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE'
         AND OLD.hash_version = 2 AND OLD.change_salt IS NOT NULL
         AND NEW.change_salt IS NULL AND NEW.change = '{"erased": true}'::jsonb
         AND to_jsonb(NEW) - 'change' - 'change_salt' = to_jsonb(OLD) - 'change' - 'change_salt'
         AND EXISTS (SELECT 1 FROM audit_erasures x WHERE x.organisation_id = OLD.organisation_id AND x.seq = OLD.seq)
      THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END
    $$`.execute(db);
  await sql`DROP TRIGGER audit_events_append_only ON audit_events`.execute(db);
  await sql`
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`.execute(db);

  // The narrow path: runs as the owner, records the erasure, then makes the one allowed update.
  await sql`
    CREATE FUNCTION audit_erase_event(
      organisation uuid, event_seq bigint, disposal uuid, at timestamptz, by_user uuid, by_label text
    ) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
      version smallint;
      salt bytea;
    BEGIN
      SELECT e.hash_version, e.change_salt INTO version, salt
        FROM audit_events e WHERE e.organisation_id = organisation AND e.seq = event_seq FOR UPDATE;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'audit event % of organisation % does not exist', event_seq, organisation
          USING ERRCODE = 'no_data_found';
      END IF;
      IF version <> 2 THEN
        RAISE EXCEPTION 'audit event % was hashed with its content (version 1): it cannot be erased in place', event_seq
          USING ERRCODE = 'feature_not_supported';
      END IF;
      IF salt IS NULL THEN
        RETURN false;
      END IF;
      INSERT INTO audit_erasures (organisation_id, seq, disposal_id, erased_at, erased_by_user_id, erased_by_label)
        VALUES (organisation, event_seq, disposal, at, by_user, by_label);
      UPDATE audit_events SET change = '{"erased": true}'::jsonb, change_salt = NULL
        WHERE organisation_id = organisation AND seq = event_seq;
      RETURN true;
    END
    $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION audit_erase_event(uuid, bigint, uuid, timestamptz, uuid, text) FROM PUBLIC`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION audit_erase_event(uuid, bigint, uuid, timestamptz, uuid, text)`.execute(db);
  await sql`DROP TRIGGER audit_events_append_only ON audit_events`.execute(db);
  await sql`
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`.execute(db);
  await sql`DROP FUNCTION audit_events_refuse_change()`.execute(db);
  await sql`DROP TABLE audit_erasures`.execute(db);
  await sql`
    ALTER TABLE audit_events
      DROP CONSTRAINT audit_events_version_fields,
      DROP COLUMN change_digest,
      DROP COLUMN change_salt,
      DROP COLUMN hash_version`.execute(db);
}
