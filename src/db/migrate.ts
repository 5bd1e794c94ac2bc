import { Migrator, type MigrationResult } from 'kysely';
import type { Db } from './client.ts';
import { migrations } from './migrations/index.ts';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Applies every pending migration in name (timestamp) order; throws when one fails. */
export async function migrateToLatest(db: Db): Promise<MigrationResult[]> {
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
    throw new MigrationError(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`);
  }
  return results ?? [];
}
