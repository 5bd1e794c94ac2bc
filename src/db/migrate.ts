import { Migrator, type MigrationResult } from 'kysely';
import type { Db } from './client.ts';
import { migrations } from './migrations/index.ts';
import { grantApplicationRole } from './roles.ts';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export interface MigrationOptions {
  /**
   * The role the app connects as, when it is not the role migrating: after the migrations it is
   * given its privileges on every table, new ones included (src/db/roles.ts, ADR 0022).
   */
  readonly applicationRole?: string | undefined;
}

/**
 * Applies every pending migration in name (timestamp) order, then the application role's grants;
 * throws when one fails.
 */
export async function migrateToLatest(db: Db, options: MigrationOptions = {}): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error');
    const cause = error instanceof Error ? error.message : JSON.stringify(error);
    // insufficient_privilege: DATABASE_URL names the application role, which may not change the schema.
    const refused = typeof error === 'object' && error !== null && 'code' in error && error.code === '42501';
    throw new MigrationError(
      `migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}` +
        (refused
          ? `. The role migrating may not change the schema: set MIGRATION_DATABASE_URL to the role that owns Safeshare's tables (docs/operations.md, "Database roles")`
          : ''),
    );
  }
  if (options.applicationRole !== undefined) await grantApplicationRole(db, options.applicationRole);
  return results ?? [];
}
