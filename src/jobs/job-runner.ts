import { EventEmitter } from 'node:events';
import {
  Logger,
  runTaskList,
  type JobHelpers,
  type LogLevel,
  type Task,
  type TaskList,
  type WorkerEvents,
  type WorkerPool,
} from 'graphile-worker';
import { poolOf, type Db } from '../db/client.ts';
import { isJobPayload, jobQueueSchema, type JobPayload } from '../db/job-queue.ts';
import type { Clock } from '../lib/clock.ts';
import { londonInstant, londonToday } from '../lib/time.ts';
import { claimRun, finishRun, hasRun, latestRuns, queueRun, recordRun, startRun } from './jobs.repository.ts';

/**
 * When a job runs: every so many milliseconds, once a day at a London wall-clock time, or once each
 * time a capability schedules it (`scheduleOnce` in src/db/job-queue.ts). Whichever it is, one app
 * server runs each run: the jobs wait in graphile-worker's queue in PostgreSQL (ADR 0032).
 */
export type JobSchedule =
  | { readonly name: string; readonly every: number }
  | { readonly name: string; readonly dailyAt: string }
  | { readonly name: string; readonly once: true };

/**
 * The job's work, given the ids it was scheduled with (none for interval and daily jobs); resolves to
 * a short summary of what it did ("sent 3, 1 failed"), never personal data.
 */
export type JobWork = (payload: JobPayload) => Promise<string>;

/** The part of a pino logger the job runner uses. */
export interface JobLog {
  debug(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export interface JobRun {
  readonly period: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly outcome: string | null;
}

export interface JobStatus {
  readonly name: string;
  /** "every 15 seconds", "daily at 07:00 (London time)", "when scheduled". */
  readonly schedule: string;
  readonly lastRun: JobRun | undefined;
}

export class JobError extends Error {
  override readonly name = 'JobError';
}

/** The job_runs period of interval jobs: one row each, overwritten by every run. */
const latestPeriod = 'latest';

const jobName = /^[a-z][a-z0-9-]{1,62}$/;
const wallClock = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const outcomeLimit = 500;
/** Daily jobs: tried this often, e^attempts seconds apart, so the last about 3½ hours after the first. */
const dailyAttempts = 10;
/** Interval jobs: their next run is their retry; only handing the next run over is tried again. */
const intervalAttempts = 3;
/** How often each app server checks that every recurring job has its next run waiting. */
const keepScheduleMs = 5 * 60_000;

/**
 * The next time a daily job is due after an instant: its London wall-clock time on the London date
 * of `after` or the day after, so 07:00 is 06:00 UTC in summer and 07:00 UTC in winter, whatever
 * the process's time zone.
 */
export function nextDailyRun(dailyAt: string, after: Date): Date {
  let date = londonToday(after);
  for (;;) {
    const due = londonInstant(date, dailyAt);
    if (due !== undefined && due > after) return due;
    date = new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  }
}

/** An error as its name and code only: messages can quote data (an address, a value), logs must not. */
function describeJobError(error: unknown): string {
  if (!(error instanceof Error)) return 'failed';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code) ? `${error.name} ${code}` : error.name;
}

/** The one waiting run of an interval job holds this key, so app servers never queue a second. */
const intervalKey = (name: string) => `${name}:next`;
/** A daily job's run for a London date holds this key, so each date has one run, whoever queues it. */
const dailyKey = (name: string, date: string) => `${name}:${date}`;

/** The instant a daily run was due, which it carries (a retry moves the queue's run_at). */
function dueOf(payload: unknown): Date | undefined {
  const due = (payload as { due?: unknown } | null)?.due;
  return typeof due === 'string' && !Number.isNaN(Date.parse(due)) ? new Date(due) : undefined;
}

/** How graphile-worker's levels go into Safeshare's log: its troubles as warnings and errors, the rest as debug. */
const queueLevels: Record<`${LogLevel}`, keyof JobLog> = {
  error: 'error',
  warning: 'warn',
  info: 'debug',
  debug: 'debug',
};

function queueLogger(log: JobLog): Logger {
  return new Logger((scope) => (level, message) => {
    const details: Record<string, unknown> = { source: 'graphile-worker' };
    if (scope.taskIdentifier !== undefined) details['job'] = scope.taskIdentifier;
    if (scope.jobId !== undefined) details['jobId'] = scope.jobId;
    // A job's failure is logged by the runner below, briefly; the queue's line carries a stack.
    if (message.startsWith('Failed task ')) log.debug(details, message.split('\n')[0] ?? message);
    else log[queueLevels[level]](details, message);
  });
}

interface RegisteredJob {
  readonly schedule: JobSchedule;
  readonly work: JobWork;
}

export interface JobRunnerDependencies {
  /** As the application role: the worker works the queue's rows and never changes its schema. */
  readonly db: Db;
  /** Stamps job_runs; when a job falls due is real time, the database's (a test clock cannot move it). */
  readonly clock: Clock;
  readonly log: JobLog;
  /** Told of every run this process makes, for the job counters in /metrics. */
  readonly observe?: (job: string, ok: boolean, seconds: number) => void;
  /** How often an idle worker looks for jobs that have come due; new jobs are announced at once. */
  readonly pollIntervalMs?: number;
  /**
   * How many jobs this app server runs at once (default 2: a long daily job leaves mail delivery a
   * worker). Each worker looks for due jobs every poll interval, so each adds idle load (ADR 0032).
   */
  readonly concurrency?: number;
  /** How long after a worker was lost to a fault (the database went away) the workers start again. */
  readonly restartAfterMs?: number;
}

/**
 * The jobs this app server runs, through graphile-worker's queue. A recurring job's next run waits in
 * the queue under a key: an interval job's one waiting run, a daily job's run for each London date.
 * A run hands over the next before it works, and every app server checks at start and every five
 * minutes that each recurring job has its next run waiting (adding one only where none is), so a run
 * is made once whichever server takes it. One-off jobs wait where `scheduleOnce` put them. Every run
 * is recorded in job_runs for `safeshare jobs list` and /metrics; a failing job is logged and
 * recorded without personal data and never stops the process.
 */
export function createJobRunner(deps: JobRunnerDependencies) {
  const { db, clock, log } = deps;
  const jobs = new Map<string, RegisteredJob>();
  let workers: WorkerPool | undefined;
  let active = false;
  let restart: NodeJS.Timeout | undefined;
  let keeping: NodeJS.Timeout | undefined;

  function describeSchedule(schedule: JobSchedule): string {
    if ('every' in schedule) {
      const seconds = schedule.every / 1000;
      return seconds < 120 ? `every ${seconds} seconds` : `every ${Math.round(seconds / 60)} minutes`;
    }
    if ('dailyAt' in schedule) return `daily at ${schedule.dailyAt} (London time)`;
    return 'when scheduled';
  }

  async function perform(name: string, job: RegisteredJob, payload: JobPayload) {
    const started = performance.now();
    let result: { ok: boolean; outcome: string };
    try {
      result = { ok: true, outcome: (await job.work(payload)).slice(0, outcomeLimit) };
    } catch (error) {
      const described = describeJobError(error);
      log.error({ job: name, error: described }, 'scheduled job failed');
      result = { ok: false, outcome: `failed: ${described}` };
    }
    deps.observe?.(name, result.ok, (performance.now() - started) / 1000);
    return result;
  }

  /** Queues a daily job's run for the London date of `due`, unless that date has one already. */
  async function queueDaily(name: string, due: Date): Promise<void> {
    await queueRun(db, {
      job: name,
      payload: { due: due.toISOString() },
      runAt: due,
      key: dailyKey(name, londonToday(due)),
      keyMode: 'unsafe_dedupe',
      maxAttempts: dailyAttempts,
    });
  }

  /**
   * Every recurring job's next run, where none waits: an interval job's now (a waiting one keeps its
   * time; one that failed for good is revived); a daily job's today, if its time has passed and no
   * run is recorded for today (an app server catching up after all were down), else its next time.
   */
  async function keepSchedule(): Promise<void> {
    const now = new Date();
    for (const [name, { schedule }] of jobs) {
      if ('every' in schedule)
        await queueRun(db, {
          job: name,
          payload: {},
          runAt: now,
          key: intervalKey(name),
          keyMode: 'preserve_run_at',
          maxAttempts: intervalAttempts,
        });
      else if ('dailyAt' in schedule) {
        const today = londonToday(now);
        const dueToday = londonInstant(today, schedule.dailyAt);
        const missed = dueToday !== undefined && dueToday <= now && !(await hasRun(db, name, today));
        await queueDaily(name, missed ? dueToday : nextDailyRun(schedule.dailyAt, now));
      }
    }
  }

  function intervalTask(name: string, job: RegisteredJob, every: number): Task {
    return async () => {
      // The next run first: it takes the key, so this run is not repeated, and a run that dies midway
      // does not end the job's runs. Should this fail, the queue tries again, this run undone.
      await queueRun(db, {
        job: name,
        payload: {},
        runAt: new Date(Date.now() + every),
        key: intervalKey(name),
        keyMode: 'replace',
        maxAttempts: intervalAttempts,
      });
      const startedAt = clock.now();
      const result = await perform(name, job, {});
      log.debug({ job: name, outcome: result.outcome }, 'scheduled job finished');
      await recordRun(db, {
        job: name,
        period: latestPeriod,
        startedAt,
        finishedAt: clock.now(),
        outcome: result.outcome,
      }).catch((error: unknown) =>
        log.error({ job: name, error: describeJobError(error) }, 'could not record a scheduled job run'),
      );
    };
  }

  /** A daily or one-off run, recorded as it ends; a failure goes back to the queue to be tried again. */
  async function finishAttempt(
    name: string,
    period: string,
    result: { ok: boolean; outcome: string },
    helpers: JobHelpers,
  ): Promise<void> {
    const { attempts, max_attempts: maxAttempts } = helpers.job;
    const outcome = result.ok
      ? result.outcome
      : `${result.outcome} (attempt ${attempts} of ${maxAttempts}; ${attempts < maxAttempts ? 'to be tried again' : 'given up'})`;
    try {
      await finishRun(db, name, period, clock.now(), outcome);
    } catch (error) {
      // Done but not recorded: the work must not be repeated for want of a record.
      log.error(
        { job: name, period, error: describeJobError(error) },
        'could not record a scheduled job run',
      );
      if (result.ok) return;
    }
    log.info({ job: name, period, outcome }, 'job finished');
    // The queue keeps this message (and nothing else of the error) and runs the job again later.
    if (!result.ok) throw new JobError(outcome);
  }

  function dailyTask(name: string, job: RegisteredJob, dailyAt: string): Task {
    return async (payload, helpers) => {
      const due = dueOf(payload) ?? new Date();
      // The next date's run first, under its own key: this run keeps its retries.
      await queueDaily(name, nextDailyRun(dailyAt, new Date(Math.max(Date.now(), +due))));
      const period = londonToday(due);
      if (!(await claimRun(db, name, period, clock.now()))) {
        log.debug({ job: name, period }, 'daily job already run for its date');
        return;
      }
      await finishAttempt(name, period, await perform(name, job, {}), helpers);
    };
  }

  function onceTask(name: string, job: RegisteredJob): Task {
    return async (payload, helpers) => {
      if (!isJobPayload(payload)) throw new JobError(`${name} was scheduled with more than ids`);
      const period = `job ${helpers.job.id}`;
      await startRun(db, name, period, clock.now());
      await finishAttempt(name, period, await perform(name, job, payload), helpers);
    };
  }

  function taskList(): TaskList {
    return Object.fromEntries(
      [...jobs].map(([name, job]) => {
        const { schedule } = job;
        if ('every' in schedule) return [name, intervalTask(name, job, schedule.every)];
        if ('dailyAt' in schedule) return [name, dailyTask(name, job, schedule.dailyAt)];
        return [name, onceTask(name, job)];
      }),
    );
  }

  /**
   * Starts the workers, and the schedule's upkeep. graphile-worker's crontab is not used: it matches
   * UTC, and in this version an error in it escapes as an unhandled rejection (ADR 0032).
   */
  async function launch(): Promise<void> {
    await keepSchedule();
    const events = new EventEmitter() as WorkerEvents;
    // A worker that could not release its job stops for good: start the workers again.
    events.on('worker:fatalError', ({ error }) => {
      log.error(
        { error: describeJobError(error) },
        'a job worker stopped; starting the workers again shortly',
      );
      void relaunch();
    });
    workers = runTaskList(
      {
        schema: jobQueueSchema,
        concurrency: deps.concurrency ?? 2,
        pollInterval: deps.pollIntervalMs ?? 2000,
        noHandleSignals: true,
        logger: queueLogger(log),
        events,
      },
      taskList(),
      poolOf(db),
    );
    keeping = setInterval(
      () =>
        void keepSchedule().catch((error: unknown) =>
          log.warn({ error: describeJobError(error) }, 'could not check the jobs are scheduled'),
        ),
      keepScheduleMs,
    );
    keeping.unref();
  }

  async function halt(): Promise<void> {
    if (keeping !== undefined) clearInterval(keeping);
    keeping = undefined;
    const current = workers;
    workers = undefined;
    await current?.gracefulShutdown('Safeshare is stopping the job workers');
  }

  async function relaunch(): Promise<void> {
    await halt().catch(() => undefined);
    if (active) startLater();
  }

  function startLater(): void {
    if (restart !== undefined) return;
    restart = setTimeout(() => {
      restart = undefined;
      if (!active || workers !== undefined) return;
      launch().catch((error: unknown) => {
        log.error(
          { error: describeJobError(error) },
          'could not start the job workers; trying again shortly',
        );
        startLater();
      });
    }, deps.restartAfterMs ?? 30_000);
    restart.unref();
  }

  return {
    /** Adds a job. Names are unique, lower-case with hyphens, e.g. `mail-delivery`. */
    register(schedule: JobSchedule, work: JobWork): void {
      if (!jobName.test(schedule.name))
        throw new JobError(`job name "${schedule.name}" must be lower-case letters, digits and hyphens`);
      if (jobs.has(schedule.name)) throw new JobError(`a job named "${schedule.name}" is already registered`);
      if (active) throw new JobError('jobs are registered before the runner starts');
      if ('every' in schedule && (!Number.isInteger(schedule.every) || schedule.every < 1000))
        throw new JobError('an interval job runs at most once a second');
      if ('dailyAt' in schedule && !wallClock.test(schedule.dailyAt))
        throw new JobError('dailyAt is a 24-hour London time, HH:MM');
      // 01:00 to 01:59 is skipped when the clocks go forward and comes twice when they go back.
      if ('dailyAt' in schedule && schedule.dailyAt.startsWith('01:'))
        throw new JobError('dailyAt may not fall between 01:00 and 01:59, the hour the clocks change');
      jobs.set(schedule.name, { schedule, work });
    },

    names(): string[] {
      return [...jobs.keys()];
    },

    /**
     * Starts working the queue; throws when it cannot start. Later faults (the database gone, a
     * worker lost) are logged, and the workers are started again 30 seconds later.
     */
    async start(): Promise<void> {
      if (active) return;
      active = true;
      try {
        await launch();
      } catch (error) {
        active = false;
        await halt();
        throw error;
      }
    },

    /** Stops taking jobs and waits for those running (so the database can then be closed). */
    async stop(): Promise<void> {
      active = false;
      if (restart !== undefined) clearTimeout(restart);
      restart = undefined;
      await halt();
    },

    /**
     * Runs an interval or daily job now, in this process, once, and returns its outcome (throws when
     * it fails). It does not move the job's schedule; a daily job's run by hand is recorded apart.
     */
    async runNow(name: string): Promise<string> {
      const job = jobs.get(name);
      if (job === undefined)
        throw new JobError(`there is no job named "${name}"; jobs: ${[...jobs.keys()].join(', ')}`);
      if ('once' in job.schedule)
        throw new JobError(`${name} runs only when scheduled, with the ids it needs`);
      const startedAt = clock.now();
      const period = 'every' in job.schedule ? latestPeriod : `manual ${startedAt.toISOString()}`;
      const result = await perform(name, job, {});
      log.info({ job: name, period, outcome: result.outcome }, 'job run by hand');
      await recordRun(db, { job: name, period, startedAt, finishedAt: clock.now(), outcome: result.outcome });
      if (!result.ok) throw new JobError(`${name} ${result.outcome}`);
      return result.outcome;
    },

    /** Every registered job with its most recent recorded run (from any app server). */
    async status(): Promise<JobStatus[]> {
      const runs = await latestRuns(db, [...jobs.keys()]);
      const latest = new Map(
        runs.map((run) => [
          run.job,
          {
            period: run.period,
            startedAt: run.started_at,
            finishedAt: run.finished_at,
            outcome: run.outcome,
          },
        ]),
      );
      return [...jobs.values()].map((job) => ({
        name: job.schedule.name,
        schedule: describeSchedule(job.schedule),
        lastRun: latest.get(job.schedule.name),
      }));
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
