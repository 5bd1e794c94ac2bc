import { sql } from 'kysely';
import type { Db } from '../db/client.ts';

/** What a scrape reads from the database, in one round trip each: chain lengths, the outbox, the jobs' last runs. */
export async function databaseReadings(db: Db) {
  const [chains, outbox, jobs] = await Promise.all([
    db.selectFrom('audit_chain_heads').select(['organisation_id', 'seq']).execute(),
    db
      .selectFrom('mail_outbox')
      .select((eb) => eb.fn.countAll<number>().as('waiting'))
      .where('sent_at', 'is', null)
      .executeTakeFirstOrThrow(),
    sql<{ job: string; finished_at: Date; outcome: string | null }>`
      SELECT DISTINCT ON (job) job, finished_at, outcome FROM job_runs
      WHERE finished_at IS NOT NULL ORDER BY job, finished_at DESC`.execute(db),
  ]);
  return { chains, waiting: outbox.waiting, jobs: jobs.rows };
}
