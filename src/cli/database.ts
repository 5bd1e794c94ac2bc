import type { Command } from 'commander';
import { migrateToLatest } from '../db/migrate.ts';
import { withSafeshare } from './context.ts';

export function databaseCommands(program: Command): void {
  program
    .command('migrate')
    .description('Apply every pending database migration (exits non-zero when one fails)')
    .action(async () => {
      await withSafeshare(
        async ({ db }) => {
          const results = await migrateToLatest(db);
          console.log(
            results.length === 0
              ? 'The database is up to date.'
              : results.map((result) => `applied ${result.migrationName}`).join('\n'),
          );
        },
        { migrate: false },
      );
    });
}
