import { sql } from 'kysely';
import type { Db } from './client.ts';

export type DatabaseReadiness =
  { readonly reachable: true } | { readonly reachable: false; readonly error: unknown };

/** Node's network errors that mean the server could not be reached or went away. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
/** pg-pool's and pg's messages for a connection that could not be made or was lost. */
const lostConnection =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * Whether an error means the database cannot be reached just now (it is down, restarting, or the
 * connection was lost), rather than that the request was wrong: such a request answers 503 and can
 * be tried again. PostgreSQL's connection exceptions (class 08) and shutdowns (57P01-57P03) count.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (networkCodes.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))
    )
      return true;
    if (lostConnection.test(cause.message)) return true;
    cause = cause.cause;
  }
  return false;
}

/** Whether the database answers a trivial query now: the readiness probe's question. */
export async function databaseReachable(db: Db): Promise<DatabaseReadiness> {
  try {
    await sql`SELECT 1`.execute(db);
    return { reachable: true };
  } catch (error) {
    return { reachable: false, error };
  }
}
