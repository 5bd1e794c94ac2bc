import { Migrator, type MigrationResult } from 'kysely';
import type { Db } from './client.ts';
import { installJobQueue } from './job-queue.ts';
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

/** The hint for a migration refused for want of privilege: the role in DATABASE_URL may not change the schema. */
const ownerHint = `. The role migrating may not change the schema: set MIGRATION_DATABASE_URL to the role that owns Safeshare's tables (docs/operations.md, "Database roles")`;

function refusedForPrivilege(error: unknown): boolean {
  // insufficient_privilege: DATABASE_URL names the application role, which may not change the schema.
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '42501';
}

/**
 * Installs or upgrades the job queue's schema (its own migrations, ADR 0032), applies every pending
 * migration in name (timestamp) order, then the application role's grants; throws when one fails.
 */
export async function migrateToLatest(db: Db, options: MigrationOptions = {}): Promise<MigrationResult[]> {
  try {
    await installJobQueue(db);
  } catch (error) {
    const cause = error instanceof Error ? error.message : JSON.stringify(error);
    throw new MigrationError(
      `the job queue's schema could not be installed: ${cause}${refusedForPrivilege(error) ? ownerHint : ''}`,
    );
  }
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
    throw new MigrationError(
      `migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}${refusedForPrivilege(error) ? ownerHint : ''}`,
    );
  }
  if (options.applicationRole !== undefined) await grantApplicationRole(db, options.applicationRole);
  return results ?? [];
}
