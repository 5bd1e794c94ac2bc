import { sql, type Kysely } from 'kysely';

/**
 * The platform operator role: the people who keep the partner directory every hosted organisation
 * shares (organisations, e-mail domains, fax numbers, postal addresses, trusted links). Administrators
 * manage only their own organisation's staff and may no longer change the directory (ADR 0011).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users DROP CONSTRAINT users_roles_check`.execute(db);
  await sql`
    ALTER TABLE users ADD CONSTRAINT users_roles_check
      CHECK (roles <@ ARRAY['practitioner', 'manager', 'caldicott_guardian', 'dpo', 'ig_lead', 'child_protection_adviser', 'it_service_desk', 'auditor', 'admin', 'platform_operator']::text[])`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the platform operator migration cannot be reversed: restore from a backup instead');
}
