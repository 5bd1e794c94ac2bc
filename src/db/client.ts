import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

export type Db = Kysely<Database>;

// Return bigint columns (audit sequence numbers) as JavaScript numbers: they stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
// Calendar dates (dates of birth, review dates) stay yyyy-mm-dd text: a JavaScript Date would add a time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

/** Each handle's connection pool, for the pool's gauges in /metrics. */
const pools = new WeakMap<Db, pg.Pool>();

export function createDb(connectionString: string, poolSize = 10): Db {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    application_name: 'safeshare',
  });
  // A client that loses its server must not crash the process, idle (the pool's 'error') or checked
  // out (its own): the query in flight fails, the request answers 503, and the next query reconnects.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

/** A handle's connection pool, for a library that takes one (the job queue, ADR 0032). */
export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (pool === undefined) throw new Error('the database handle was not made by createDb');
  return pool;
}

/** How a handle's pool is used now: connections open, idle, and requests waiting for one. */
export function poolUse(db: Db): { total: number; idle: number; waiting: number; max: number } | undefined {
  const pool = pools.get(db);
  if (pool === undefined) return undefined;
  return {
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
    max: pool.options.max,
  };
}

/** A database handle or an open transaction: repositories take either. */
export type Executor = Kysely<Database> | Transaction<Database>;
