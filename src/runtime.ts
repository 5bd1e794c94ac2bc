import { hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.ts';
import { createDb, type Db } from './db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.ts';
import { SecretBox } from './lib/secret-box.ts';

export interface Database {
  readonly db: Db;
  readonly embedded: EmbeddedServer | undefined;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded server when none is configured. */
export async function openDatabase(config: Config, log: (message: string) => void): Promise<Database> {
  const embedded =
    config.databaseUrl === undefined
      ? await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log })
      : undefined;
  const db = createDb(config.databaseUrl ?? embedded?.connectionString ?? '', config.databasePoolSize);
  return {
    db,
    embedded,
    async close() {
      await db.destroy();
      await embedded?.stop();
    },
  };
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
