import { loadConfig, type Config } from '../config.ts';
import { systemClock } from '../lib/clock.ts';
import { openDatabase, resolveSecretKey, secretBoxFor, type Database } from '../runtime.ts';
import { services as buildServices, type Dependencies, type Services } from '../services.ts';

export interface CliContext extends Dependencies {
  readonly services: Services;
  readonly database: Database;
}

/**
 * Opens Safeshare's database for one command (the embedded server when DATABASE_URL is not set),
 * applies pending migrations as the owner, runs the work as the application role and closes
 * everything, whatever happens.
 */
export async function withSafeshare<T>(
  work: (context: CliContext) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const config: Config = await resolveSecretKey(loadConfig());
  const database = await openDatabase(config, (message) => process.stderr.write(`[database] ${message}\n`));
  try {
    if (options.migrate !== false) await database.migrate();
    const dependencies = { db: database.db, clock: systemClock, secretBox: secretBoxFor(config), config };
    return await work({ ...dependencies, services: buildServices(dependencies), database });
  } finally {
    await database.close();
  }
}
