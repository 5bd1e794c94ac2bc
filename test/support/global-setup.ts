import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../src/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A connection URL to the test server's maintenance database (the database name is replaced per test file). */
    databaseServerUrl: string;
    templateDatabase: string;
    engine: 'embedded' | 'server';
  }
}

/**
 * Once per run: a PostgreSQL server (the embedded one in a throw-away folder, or the server named by
 * TEST_DATABASE_URL) and a migrated template database that every test file clones.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const engine = process.env['SAFESHARE_TEST_ENGINE'] === 'server' ? 'server' : 'embedded';
  let embedded: EmbeddedServer | undefined;
  let serverUrl: string;
  let scratch: string | undefined;
  if (engine === 'server') {
    const url = process.env['TEST_DATABASE_URL'];
    if (url === undefined) throw new Error('SAFESHARE_TEST_ENGINE=server needs TEST_DATABASE_URL');
    serverUrl = url;
  } else {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-test-'));
    await fs.chmod(scratch, 0o755);
    embedded = await startEmbeddedPostgres({
      dataDir: scratch,
      port: await freePort(),
      database: 'postgres',
    });
    serverUrl = embedded.connectionString;
  }
  const template = `safeshare_template_${process.pid}`;
  try {
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${template}`);
    await adminQuery(serverUrl, `CREATE DATABASE ${template}`);
    const templateDb = createDb(withDatabase(serverUrl, template), 2);
    await migrateToLatest(templateDb).finally(() => templateDb.destroy());
  } catch (error) {
    await embedded?.stop();
    throw error;
  }

  project.provide('databaseServerUrl', serverUrl);
  project.provide('templateDatabase', template);
  project.provide('engine', engine);

  return async () => {
    // Each test file drops its own databases (harness.ts); any still here were left behind.
    const left = await leftBehind(serverUrl, testDatabasePrefix(template));
    for (const name of left) await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => undefined);
    await embedded?.stop();
    if (scratch !== undefined) await fs.rm(scratch, { recursive: true, force: true }).catch(() => undefined);
    if (left.length > 0) {
      // Vitest reports an error thrown here without failing the run, so the exit code says it too.
      process.exitCode = 1;
      throw new Error(`${String(left.length)} test databases were left behind on the server (now dropped)`);
    }
  };
}

/** The names of this run's test databases: `safeshare_test_<pid>_...` beside `safeshare_template_<pid>`. */
export function testDatabasePrefix(template: string): string {
  return `${template.replace('_template_', '_test_')}_`;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** This run's test databases still on the server. */
async function leftBehind(url: string, prefix: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname',
      [prefix],
    );
    return result.rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

export async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
