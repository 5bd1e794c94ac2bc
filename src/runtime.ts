import { hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { MigrationResult } from 'kysely';
import { ConfigError, type Config } from './config.ts';
import { createDb, type Db } from './db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.ts';
import { migrateToLatest } from './db/migrate.ts';
import { applicationRoleProblems, currentRole } from './db/roles.ts';
import { SecretBox } from './lib/secret-box.ts';

export interface Database {
  /** As the application role: everything but migrations (ADR 0022). */
  readonly db: Db;
  readonly embedded: EmbeddedServer | undefined;
  /** Applies pending migrations as the owner, then gives the application role its grants. */
  migrate(): Promise<MigrationResult[]>;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts the embedded server when none is configured. The app works as
 * the application role; migrations run as the owner (MIGRATION_DATABASE_URL, or the embedded
 * server's superuser).
 */
export async function openDatabase(config: Config, log: (message: string) => void): Promise<Database> {
  const embedded =
    config.databaseUrl === undefined
      ? await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log })
      : undefined;
  const db = createDb(
    config.databaseUrl ?? embedded?.applicationConnectionString ?? '',
    config.databasePoolSize,
    { preparedStatements: config.databasePreparedStatements },
  );
  const ownerUrl = config.migrationDatabaseUrl ?? embedded?.connectionString;
  if (ownerUrl === undefined)
    log(
      'warning: MIGRATION_DATABASE_URL is not set, so any pending migration runs as the role in DATABASE_URL, which ' +
        "must own Safeshare's tables to apply it; an owner can switch off the audit trail's triggers. Set DATABASE_URL to a " +
        'least-privilege application role and MIGRATION_DATABASE_URL to the owner (docs/operations.md, "Database roles").',
    );
  return {
    db,
    embedded,
    async migrate() {
      if (ownerUrl === undefined) return migrateToLatest(db);
      const owner = createDb(ownerUrl, 2);
      try {
        return await migrateToLatest(owner, { applicationRole: await currentRole(db) });
      } finally {
        await owner.destroy();
      }
    },
    async close() {
      await db.destroy();
      await embedded?.stop();
    },
  };
}

/**
 * The application role must not be able to rewrite the audit trail: in production Safeshare refuses
 * to start as a superuser or as the owner of the audit tables; elsewhere it warns.
 */
export async function checkApplicationRole(
  database: Database,
  config: Config,
  log: (message: string) => void,
): Promise<void> {
  const problems = await applicationRoleProblems(database.db);
  if (problems.length === 0) return;
  const remedy =
    'Connect with DATABASE_URL as an application role that is not a superuser and owns no table, and migrate ' +
    'with MIGRATION_DATABASE_URL as the owner (docs/operations.md, "Database roles").';
  if (config.environment === 'production')
    throw new ConfigError(`DATABASE_URL: ${problems.join('; ')}. ${remedy}`);
  for (const problem of problems) log(`warning: ${problem}. ${remedy}`);
}

/**
 * The key that seals secrets and signs cookies. Production sets SECRET_KEY; elsewhere a key is made
 * once and kept in the data folder (mode 600).
 */
export async function resolveSecretKey(config: Config): Promise<Config> {
  if (config.secretKey !== undefined) return config;
  const file = path.join(config.dataDir, 'secret.key');
  const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (existing !== undefined && /^[0-9a-f]{64}$/.test(existing.trim())) {
    return { ...config, secretKey: Buffer.from(existing.trim(), 'hex') };
  }
  const key = randomBytes(32);
  await fs.mkdir(config.dataDir, { recursive: true });
  await fs.writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  return { ...config, secretKey: key };
}

export function secretBoxFor(config: Config): SecretBox {
  if (config.secretKey === undefined) throw new Error('no secret key configured');
  return new SecretBox(
    Buffer.from(hkdfSync('sha256', config.secretKey, Buffer.alloc(0), 'safeshare secrets', 32)),
  );
}
