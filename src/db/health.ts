import { sql } from 'kysely';
import type { Db } from './client.ts';

export type DatabaseReadiness =
  { readonly reachable: true } | { readonly reachable: false; readonly error: unknown };

/** Whether the database answers a trivial query now: the readiness probe's question. */
export async function databaseReachable(db: Db): Promise<DatabaseReadiness> {
  try {
    await sql`SELECT 1`.execute(db);
    return { reachable: true };
  } catch (error) {
    return { reachable: false, error };
  }
}
