import { sql, type Kysely } from 'kysely';

/**
 * The secure exchange's sealed objects (ADR 0020): each file and message under a data key of its
 * own, wrapped by a key-encryption key kept outside the database. A row is never deleted: shredding
 * clears the wrapped key (and the object store drops the bytes), so the record of what was sent,
 * its size and digest, stays while its content can never be read again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE exchange_objects (
      id uuid PRIMARY KEY,
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      kek_id text CHECK (kek_id IS NULL OR kek_id ~ '^[0-9a-z-]{1,64}$'),
      wrapped_key text,
      plaintext_bytes bigint NOT NULL CHECK (plaintext_bytes >= 0),
      sealed_bytes bigint NOT NULL CHECK (sealed_bytes > 0),
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      created_at timestamptz NOT NULL,
      shredded_at timestamptz,
      CHECK ((shredded_at IS NULL) = (wrapped_key IS NOT NULL AND kek_id IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX exchange_objects_kek_idx ON exchange_objects (kek_id) WHERE shredded_at IS NULL`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION exchange_objects_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'exchange objects are kept: shred them instead' USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF OLD.shredded_at IS NOT NULL THEN
        RAISE EXCEPTION 'a shredded exchange object cannot change' USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF (NEW.id, NEW.organisation_id, NEW.plaintext_bytes, NEW.sealed_bytes, NEW.sha256, NEW.created_at)
        IS DISTINCT FROM (OLD.id, OLD.organisation_id, OLD.plaintext_bytes, OLD.sealed_bytes, OLD.sha256, OLD.created_at)
      THEN
        RAISE EXCEPTION 'an exchange object changes only its key wrapping or its shredding' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`CREATE TRIGGER exchange_objects_guard BEFORE UPDATE OR DELETE ON exchange_objects FOR EACH ROW EXECUTE FUNCTION exchange_objects_guard()`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE exchange_objects`.execute(db);
  await sql`DROP FUNCTION exchange_objects_guard()`.execute(db);
}
