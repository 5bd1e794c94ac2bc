import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { backupEmbedded, restoreEmbedded } from '../db/backup.ts';
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

  program
    .command('backup')
    .description(
      'Write an online backup of the embedded database to a file while Safeshare runs (for a PostgreSQL server use pg_basebackup or pg_dump: docs/operations.md)',
    )
    .requiredOption('--to <file>', 'the backup file to write (a tar archive); it must not exist yet')
    .action(async (options: { to: string }) => {
      await withSafeshare(
        async ({ database }) => {
          if (database.embedded === undefined)
            throw new Error(
              'DATABASE_URL names a PostgreSQL server: back it up with pg_basebackup or pg_dump (docs/operations.md, "Backups")',
            );
          const started = performance.now();
          const summary = await backupEmbedded(
            database.embedded,
            createWriteStream(options.to, { flags: 'wx', mode: 0o600 }),
          );
          console.log(
            `backed up ${String(summary.files)} files (${(summary.bytes / 1_048_576).toFixed(1)} MB, ${String(summary.walSegments)} write-ahead log segments, ${summary.startLsn} to ${summary.stopLsn}) to ${options.to} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
          );
        },
        { migrate: false },
      );
    });

  program
    .command('restore')
    .description(
      "Restore a backup made by `safeshare backup` into an empty data folder (DATA_DIR, or --data-dir); the next start replays the backup's log",
    )
    .requiredOption('--from <file>', 'the backup file')
    .option('--data-dir <folder>', 'the data folder to restore into (default: DATA_DIR)')
    .action(async (options: { from: string; dataDir?: string }) => {
      const dataDir = options.dataDir ?? loadConfig().dataDir;
      await fs.access(options.from);
      const { files } = await restoreEmbedded(createReadStream(options.from), dataDir);
      console.log(
        `restored ${String(files)} files into ${dataDir}. Start Safeshare on it, then run: npx safeshare audit verify --checkpoints <your exported checkpoints>`,
      );
    });
}
