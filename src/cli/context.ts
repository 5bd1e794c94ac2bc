import { loadConfig, type Config } from '../config.ts';
import { systemClock } from '../lib/clock.ts';
import { openDatabase, resolveSecretKey, secretBoxFor, type Database } from '../runtime.ts';
import { services as buildServices, type Dependencies, type Services } from '../services.ts';
import { migrateToLatest } from '../db/migrate.ts';

export interface CliContext extends Dependencies {
  readonly services: Services;
  readonly database: Database;
}

/**
 * Opens Safeshare's database for one command (the embedded server when DATABASE_URL is not set),
 * applies pending migrations, runs the work and closes everything, whatever happens.
 */
export async function withSafeshare<T>(
  work: (context: CliContext) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const config: Config = await resolveSecretKey(loadConfig());
  const database = await openDatabase(config, (message) => process.stderr.write(`[database] ${message}\n`));
  try {
    if (options.migrate !== false) await migrateToLatest(database.db);
    const dependencies = { db: database.db, clock: systemClock, secretBox: secretBoxFor(config), config };
    return await work({ ...dependencies, services: buildServices(dependencies), database });
  } finally {
    await database.close();
  }
}
