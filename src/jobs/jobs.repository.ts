import { sql } from 'kysely';
import type { Db } from '../db/client.ts';
import { jobQueueSchema } from '../db/job-queue.ts';

/** One job's run for a period, as job_runs holds it. */
export interface JobRunRow {
  readonly job: string;
  readonly period: string;
  readonly started_at: Date;
  readonly finished_at: Date | null;
  readonly outcome: string | null;
}

/** Records a whole run at once: an interval job's latest (replacing the one before), or a run by hand. */
export async function recordRun(
  db: Db,
  run: { job: string; period: string; startedAt: Date; finishedAt: Date; outcome: string },
): Promise<void> {
  await db
    .insertInto('job_runs')
    .values({
      job: run.job,
      period: run.period,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      outcome: run.outcome,
    })
    .onConflict((conflict) =>
      conflict.columns(['job', 'period']).doUpdateSet((eb) => ({
        started_at: eb.ref('excluded.started_at'),
        finished_at: eb.ref('excluded.finished_at'),
        outcome: eb.ref('excluded.outcome'),
      })),
    )
    .execute();
}

/** Records that a one-off run has started: a retry of it starts it again, clearing the failed attempt's outcome. */
export async function startRun(db: Db, job: string, period: string, startedAt: Date): Promise<void> {
  await db
    .insertInto('job_runs')
    .values({ job, period, started_at: startedAt })
    .onConflict((conflict) =>
      conflict
        .columns(['job', 'period'])
        .doUpdateSet({ started_at: startedAt, finished_at: null, outcome: null }),
    )
    .execute();
}

/**
 * Claims a daily job's London date: false when a run for it has finished without failing (this run
 * is then a repeat, and does nothing). A retry of a failed or interrupted run claims it again.
 */
export async function claimRun(db: Db, job: string, period: string, startedAt: Date): Promise<boolean> {
  const claimed = await db
    .insertInto('job_runs')
    .values({ job, period, started_at: startedAt })
    .onConflict((conflict) =>
      conflict
        .columns(['job', 'period'])
        .doUpdateSet({ started_at: startedAt, finished_at: null, outcome: null })
        .where((eb) =>
          eb.or([eb('job_runs.finished_at', 'is', null), eb('job_runs.outcome', 'like', 'failed:%')]),
        ),
    )
    .returning('job')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** Whether a job has a run recorded for a period (a daily job's London date), whatever its outcome. */
export async function hasRun(db: Db, job: string, period: string): Promise<boolean> {
  const found = await db
    .selectFrom('job_runs')
    .select('job')
    .where('job', '=', job)
    .where('period', '=', period)
    .executeTakeFirst();
  return found !== undefined;
}

export async function finishRun(
  db: Db,
  job: string,
  period: string,
  finishedAt: Date,
  outcome: string,
): Promise<void> {
  await db
    .updateTable('job_runs')
    .set({ finished_at: finishedAt, outcome })
    .where('job', '=', job)
    .where('period', '=', period)
    .execute();
}

/** The most recent run of each of the named jobs (from any app server). */
export async function latestRuns(db: Db, jobs: readonly string[]): Promise<JobRunRow[]> {
  if (jobs.length === 0) return [];
  return db
    .selectFrom('job_runs')
    .select(['job', 'period', 'started_at', 'finished_at', 'outcome'])
    .distinctOn('job')
    .where('job', 'in', [...jobs])
    .orderBy('job')
    .orderBy('started_at', 'desc')
    .execute();
}

/** How a job already waiting under the same key is treated (graphile-worker's job_key_mode). */
export type KeyMode = 'replace' | 'preserve_run_at' | 'unsafe_dedupe';

/**
 * Puts a run of a job in the queue under a key (graphile-worker's `add_job`): `replace` moves a
 * waiting run to this one's time, `preserve_run_at` keeps its time (and revives one that failed for
 * good), `unsafe_dedupe` adds nothing while any run holds the key, even one running or failed.
 */
export async function queueRun(
  db: Db,
  run: {
    job: string;
    payload: Readonly<Record<string, string>>;
    runAt: Date;
    key: string;
    keyMode: KeyMode;
    maxAttempts: number;
  },
): Promise<void> {
  await sql`
    SELECT ${sql.id(jobQueueSchema, 'add_job')}(
      identifier => ${run.job}, payload => ${JSON.stringify(run.payload)}::json, run_at => ${run.runAt},
      max_attempts => ${run.maxAttempts}, job_key => ${run.key}, job_key_mode => ${run.keyMode})`.execute(db);
}
