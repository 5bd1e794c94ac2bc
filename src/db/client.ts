import { createHash } from 'node:crypto';
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

export interface DbOptions {
  /**
   * Whether each connection prepares the statements it runs with parameters, so PostgreSQL parses
   * and plans each once per connection rather than at every run (ADR 0036). Off for a connection
   * pooler in transaction mode that does not carry prepared statements (DATABASE_PREPARED_STATEMENTS).
   */
  readonly preparedStatements?: boolean;
}

export function createDb(connectionString: string, poolSize = 10, options: DbOptions = {}): Db {
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
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    if (options.preparedStatements !== false) prepareStatements(client);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

/** The most statements one connection prepares; past it, statements run unprepared as before. */
const preparedPerConnection = 1000;

/**
 * Statements worth preparing: the ones that read or write rows, with parameters (kysely's), whose
 * columns are named. A statement with `*` in its result is left unprepared: a prepared statement's
 * result columns are fixed, so a column added by a later migration would make PostgreSQL refuse it
 * ("cached plan must not change result type") on a connection opened before.
 */
function preparable(text: string): boolean {
  return (
    /^\s*(select|insert|update|delete|with)\b/i.test(text) &&
    !/(\.\*|\bselect\s+\*|\breturning\s+\*)/i.test(text)
  );
}

/**
 * A preparable statement's name, the digest of its text (kysely's texts repeat exactly; the values
 * vary), or null for one left unprepared: both worked out once a text, as the same texts recur.
 */
const statementNames = new Map<string, string | null>();
function statementName(text: string): string | null {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = preparable(text) ? `s${createHash('sha256').update(text).digest('hex').slice(0, 32)}` : null;
    if (statementNames.size < 10_000) statementNames.set(text, name);
  }
  return name;
}

/**
 * Has a connection run each preparable statement as a named prepared statement (ADR 0036). The
 * driver parses a name once per connection and then only binds and executes it: PostgreSQL's
 * parsing and planning, about 40% of its time a statement, is spent once, not at every request.
 */
function prepareStatements(client: pg.PoolClient): void {
  const prepared = new Set<string>();
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const named = (...args: unknown[]): unknown => {
    const [text, values] = args;
    if (args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(text);
      if (name !== null && (prepared.has(name) || prepared.size < preparedPerConnection)) {
        prepared.add(name);
        return query({ name, text, values });
      }
    }
    return query(...args);
  };
  client.query = named as typeof client.query;
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
