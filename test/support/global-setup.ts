import { randomBytes } from 'node:crypto';
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
    /** The application role the tests' Safeshare connects as, as it does in production (ADR 0022). */
    applicationRole: { readonly name: string; readonly password: string };
  }
}

/**
 * Once per run: a PostgreSQL server (the embedded one in a throw-away folder, or the server named by
 * TEST_DATABASE_URL), the application role (the embedded server's own, or one made for this run on
 * the server) and a migrated template database, with that role's grants, that every test file clones.
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
  let applicationRole: { name: string; password: string };
  try {
    applicationRole = embedded
      ? roleOf(embedded.applicationConnectionString)
      : await createRunRole(serverUrl, `safeshare_test_app_${process.pid}`);
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${template}`);
    await adminQuery(serverUrl, `CREATE DATABASE ${template}`);
    const templateDb = createDb(withDatabase(serverUrl, template), 2);
    await migrateToLatest(templateDb, { applicationRole: applicationRole.name }).finally(() =>
      templateDb.destroy(),
    );
  } catch (error) {
    await embedded?.stop();
    throw error;
  }

  project.provide('databaseServerUrl', serverUrl);
  project.provide('templateDatabase', template);
  project.provide('engine', engine);
  project.provide('applicationRole', applicationRole);

  return async () => {
    // Each test file drops its own databases (harness.ts); any still here were left behind.
    const left = await leftBehind(serverUrl, testDatabasePrefix(template));
    for (const name of left) await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => undefined);
    // The embedded cluster goes with its folder; on a shared server this run's role is dropped.
    if (!embedded) await adminQuery(serverUrl, `DROP ROLE IF EXISTS ${applicationRole.name}`);
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

/** The same server and database as another role. */
export function asRole(url: string, role: { readonly name: string; readonly password: string }): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(role.name);
  parsed.password = encodeURIComponent(role.password);
  return parsed.toString();
}

function roleOf(url: string): { name: string; password: string } {
  const parsed = new URL(url);
  return { name: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
}

/**
 * A login role for this run on a shared server, with no attribute beyond LOGIN (not a superuser, no
 * CREATEDB or CREATEROLE), as a council's DBA makes the application role.
 */
async function createRunRole(url: string, name: string): Promise<{ name: string; password: string }> {
  const password = randomBytes(18).toString('base64url');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
    // A run killed before its clean-up may have left the role (process ids are reused): reset it.
    await client.query(
      `${exists.rowCount === 0 ? 'CREATE' : 'ALTER'} ROLE ${client.escapeIdentifier(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${client.escapeLiteral(password)}`,
    );
  } catch (error) {
    throw new Error(
      `The tests connect as a least-privilege application role, and TEST_DATABASE_URL's role could not create one (${error instanceof Error ? error.message : String(error)}): give it CREATEROLE, or use a superuser for tests.`,
    );
  } finally {
    await client.end();
  }
  return { name, password };
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
