import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createDb, type Db } from '../src/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { systemClock } from '../src/lib/clock.ts';
import { SecretBox } from '../src/lib/secret-box.ts';
import type { Dependencies } from '../src/services.ts';

/**
 * True when the module is the script node was asked to run, false when another script (bench/all.ts)
 * imports it for its measurement: each benchmark still runs alone with its own npm script.
 */
export function runsAlone(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(realpathSync(script)).href === moduleUrl;
}

/** A migrated scratch database for one benchmark run, and how to throw it away. */
export interface BenchTarget {
  readonly label: string;
  readonly url: string;
  readonly db: Db;
  /** The embedded server, when the target is one (the crash trials stop it under load). */
  readonly server?: EmbeddedServer;
  dispose(): Promise<void>;
}

/**
 * The engines a benchmark runs on: always an embedded server in a temporary folder on a free port,
 * and the machine's PostgreSQL too when BENCH_DATABASE_URL names it (a scratch database is created
 * there and dropped afterwards).
 */
export async function* benchTargets(poolSize = 12): AsyncGenerator<BenchTarget> {
  yield await embeddedTarget(poolSize);
  const serverUrl = process.env['BENCH_DATABASE_URL'];
  if (serverUrl !== undefined && serverUrl !== '') yield await serverTarget(serverUrl, poolSize);
}

/** An embedded server in a temporary folder on a free port, with a migrated database `bench`. */
export async function embeddedTarget(poolSize: number): Promise<BenchTarget> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-bench-'));
  // As root the embedded server runs as another user, which must reach this folder.
  await fs.chmod(folder, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: folder,
    port: await freePort(),
    database: 'bench',
  }).catch(async (error: unknown) => {
    await fs.rm(folder, { recursive: true, force: true });
    throw error;
  });
  const db = createDb(server.connectionString, poolSize);
  await migrateToLatest(db);
  const version = await serverVersion(server.connectionString);
  return {
    label: `embedded PostgreSQL ${version}`,
    url: server.connectionString,
    db,
    server,
    async dispose() {
      await db.destroy();
      await server.stop();
      await fs.rm(folder, { recursive: true, force: true });
    },
  };
}

/** A scratch database, migrated, on the PostgreSQL server `serverUrl` names; dropped by `dispose`. */
export async function serverTarget(serverUrl: string, poolSize: number): Promise<BenchTarget> {
  const name = `safeshare_bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), poolSize);
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    throw error;
  }
  const version = await serverVersion(url.toString());
  return {
    label: `machine's PostgreSQL ${version}`,
    url: url.toString(),
    db,
    async dispose() {
      await db.destroy();
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return result.rows[0]?.server_version.split(' ')[0] ?? '?';
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

export async function freePort(): Promise<number> {
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

/** Inserts organisations straight into the table (the audit chain needs only their ids). */
export async function benchOrganisations(db: Db, count: number): Promise<string[]> {
  const now = new Date();
  const rows = await db
    .insertInto('organisations')
    .values(
      Array.from({ length: count }, (_, index) => ({
        name: `Bench Borough Council ${index + 1} ${randomBytes(3).toString('hex')}`,
        kind: 'local_authority' as const,
        switchboard_phone: null,
        hosted: true,
        created_at: now,
        updated_at: now,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** What the app is built with in a benchmark: production settings, silent logs, throw-away keys. */
export function benchDependencies(db: Db, databaseUrl: string): Dependencies {
  const config = loadConfig({
    NODE_ENV: 'production',
    PUBLIC_URL: 'http://localhost',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    DATABASE_URL: databaseUrl,
    SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    POLICY_PACK: 'default',
  });
  return { db, clock: systemClock, secretBox: new SecretBox(randomBytes(32)), config };
}

export function formatRate(count: number, milliseconds: number): string {
  return `${Math.round((count * 1000) / milliseconds).toLocaleString('en-GB')}/s`;
}

/** What autocannon reports of a load run. */
export interface LoadResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly errors: number;
  readonly non2xx: number;
  readonly '2xx': number;
}

const autocannonCli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/** Runs autocannon in its own process, so the load generator does not share the app's event loop. */
export async function autocannon(args: readonly string[]): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [autocannonCli, ...args, '-j'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as LoadResult;
}

/** What pgbench measured, or why it could not run. */
export type PgbenchResult = { readonly tps: number } | { readonly missing: string };

/**
 * PostgreSQL's own benchmark on the server `url` points at, in a scratch database of its own: TPC-B
 * (pgbench's default script) at scale 1, so every transaction also updates the one branch row, as
 * every audit append of an organisation updates its one chain head.
 */
export async function pgbench(url: string, clients: number, seconds: number): Promise<PgbenchResult> {
  const run = promisify(execFile);
  try {
    await run('pgbench', ['--version']);
  } catch {
    return { missing: 'no pgbench on this machine' };
  }
  const name = `safeshare_pgbench_${randomBytes(5).toString('hex')}`;
  await adminQuery(url, `CREATE DATABASE ${name}`);
  try {
    const scratch = new URL(url);
    scratch.pathname = `/${name}`;
    await run('pgbench', ['-i', '-q', '-s', '1', scratch.toString()]);
    const { stdout } = await run('pgbench', [
      '-c',
      String(clients),
      '-j',
      String(Math.min(clients, os.cpus().length)),
      '-T',
      String(seconds),
      scratch.toString(),
    ]);
    const tps = /tps = ([\d.]+)/.exec(stdout)?.[1];
    if (tps === undefined) throw new Error(`pgbench printed no rate:\n${stdout}`);
    return { tps: Number(tps) };
  } finally {
    await adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
