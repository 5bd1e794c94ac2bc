import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.ts';

export interface BenchDatabase {
  readonly label: string;
  readonly url: string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** A scratch database on the embedded server, and on BENCH_DATABASE_URL's server when it is set. */
export async function benchDatabases(): Promise<BenchDatabase[]> {
  const databases: BenchDatabase[] = [];
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-bench-'));
  await fs.chmod(folder, 0o755);
  const embedded: EmbeddedServer = await startEmbeddedPostgres({ dataDir: folder, port: await freePort(), database: 'bench' });
  databases.push({
    label: 'embedded PostgreSQL 18',
    url: embedded.connectionString,
    async close() {
      await embedded.stop();
      await fs.rm(folder, { recursive: true, force: true });
    },
  });
  const server = process.env['BENCH_DATABASE_URL'];
  if (server !== undefined && server !== '') {
    const name = `safeshare_bench_${process.pid}`;
    await adminQuery(server, `DROP DATABASE IF EXISTS ${name}`);
    await adminQuery(server, `CREATE DATABASE ${name}`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    const version = await serverVersion(server);
    databases.push({
      label: `machine's PostgreSQL ${version}`,
      url: url.toString(),
      close: () => adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    });
  }
  return databases;
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
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
