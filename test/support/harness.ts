import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { SecretBox } from '../../src/lib/secret-box.ts';
import { services as buildServices, type Services } from '../../src/services.ts';
import { adminQuery, asRole, testDatabasePrefix, withDatabase } from './global-setup.ts';

export interface TestDatabase {
  /** As the application role, as Safeshare connects in production (ADR 0022). */
  readonly db: Db;
  readonly url: string;
  /**
   * As the owner of the tables (the server's superuser in tests): only for what the application role
   * may not do, such as tampering with the audit trail to prove verification finds it.
   */
  readonly ownerDb: Db;
  readonly name: string;
}

/** The databases and app servers the running test file made, released when the file ends. */
const madeHere: TestDatabase[] = [];
const appsHere: FastifyInstance[] = [];

/**
 * Closes the app servers and drops the databases the test file made. Run after every test file by
 * test/support/per-file.ts: test files share one module graph per worker (isolate: false), so a hook
 * registered here, when the module first loads, would run after the first file only.
 */
export async function releaseFileResources(): Promise<void> {
  for (const app of appsHere.splice(0)) await app.close();
  const server = inject('databaseServerUrl');
  for (const made of madeHere.splice(0)) {
    await made.db.destroy();
    await made.ownerDb.destroy();
    await adminQuery(server, `DROP DATABASE IF EXISTS ${made.name} WITH (FORCE)`);
  }
}

/** A database of its own for this test file, cloned from the migrated template; dropped after the file. */
export async function freshDatabase(): Promise<TestDatabase> {
  const server = inject('databaseServerUrl');
  const name = `${testDatabasePrefix(inject('templateDatabase'))}${randomBytes(6).toString('hex')}`;
  await adminQuery(server, `CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  const ownerUrl = withDatabase(server, name);
  const url = asRole(ownerUrl, inject('applicationRole'));
  const made = { db: createDb(url, 10), url, ownerDb: createDb(ownerUrl, 4), name };
  madeHere.push(made);
  return made;
}

export interface TestContext extends TestDatabase {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly clock: ManualClock;
  readonly config: Config;
  readonly secretBox: SecretBox;
}

/**
 * The real application over a fresh database, with a clock the test moves. Given `database`, it is
 * another app server over that same database instead (as a council runs several).
 */
export async function testApp(
  settings: Record<string, string> = {},
  options: { database?: TestDatabase } = {},
): Promise<TestContext> {
  const database = options.database ?? (await freshDatabase());
  const config: Config = {
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...settings }),
    secretKey: randomBytes(32),
  };
  const clock = new ManualClock();
  const secretBox = new SecretBox(randomBytes(32));
  const dependencies = { db: database.db, clock, secretBox, config };
  const services = buildServices(dependencies);
  const app = await buildApp({ ...dependencies, services, logger: false });
  await app.ready();
  appsHere.push(app);
  return { ...database, app, services, clock, config, secretBox };
}
