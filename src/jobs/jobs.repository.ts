import type { Db } from '../db/client.ts';

/** One job's run for a period, as job_runs holds it. */
export interface JobRunRow {
  readonly job: string;
  readonly period: string;
  readonly started_at: Date;
  readonly finished_at: Date | null;
  readonly outcome: string | null;
}

/** Records an interval job's latest run, replacing the one before. */
export async function recordLatestRun(
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

/** Claims a period for a job with INSERT ... ON CONFLICT DO NOTHING; false when it was already claimed. */
export async function claimPeriod(db: Db, job: string, period: string, startedAt: Date): Promise<boolean> {
  const claimed = await db
    .insertInto('job_runs')
    .values({ job, period, started_at: startedAt })
    .onConflict((conflict) => conflict.columns(['job', 'period']).doNothing())
    .returning('job')
    .executeTakeFirst();
  return claimed !== undefined;
}

export async function finishPeriod(
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
