import type { Command } from 'commander';
import { withSafeshare } from './context.ts';

export function databaseCommands(program: Command): void {
  program
    .command('migrate')
    .description(
      "Apply every pending database migration as the owner (MIGRATION_DATABASE_URL), then the application role's grants (exits non-zero when one fails)",
    )
    .action(async () => {
      await withSafeshare(
        async ({ database }) => {
          const results = await database.migrate();
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
