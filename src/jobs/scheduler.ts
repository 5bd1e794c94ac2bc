import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { claimPeriod, finishPeriod, latestRuns, recordLatestRun } from './jobs.repository.ts';

/**
 * When a job runs: every so many milliseconds on every app server (work that is safe to share, like
 * mail delivery), or once a day at a London wall-clock time on exactly one app server.
 */
export type JobSchedule =
  { readonly name: string; readonly every: number } | { readonly name: string; readonly dailyAt: string };

/** The job's work; resolves to a short summary of what it did ("sent 3, 1 failed"), never personal data. */
export type JobWork = () => Promise<string>;

/** The part of a pino logger the scheduler uses. */
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
  /** "every 15 seconds", "daily at 07:00 (London time)". */
  readonly schedule: string;
  readonly lastRun: JobRun | undefined;
}

export class JobError extends Error {
  override readonly name = 'JobError';
}

/** The job_runs period of interval jobs: one row each, overwritten by every run. */
export const latestPeriod = 'latest';

const jobName = /^[a-z][a-z0-9-]{1,62}$/;
const wallClock = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const outcomeLimit = 500;
const dailyRetryMs = 60_000;

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The London calendar date (yyyy-mm-dd) and wall-clock time (HH:MM) at an instant. */
export function londonDateTime(at: Date): { readonly date: string; readonly time: string } {
  const parts = Object.fromEntries(londonParts.formatToParts(at).map((part) => [part.type, part.value]));
  return {
    date: `${parts['year']}-${parts['month']}-${parts['day']}`,
    time: `${parts['hour']}:${parts['minute']}`,
  };
}

/** An error as its name and code only: messages can quote data (an address, a value), logs must not. */
export function describeJobError(error: unknown): string {
  if (!(error instanceof Error)) return 'failed';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code) ? `${error.name} ${code}` : error.name;
}

interface RegisteredJob {
  readonly schedule: JobSchedule;
  readonly work: JobWork;
  running: Promise<void> | undefined;
  /** When this process last started (or tried to claim) the job, by the clock. */
  lastStartedAt: number | undefined;
  /** Daily jobs: the London date this process has settled (it ran the job, or another server claimed it). */
  settledFor: string | undefined;
}

export interface SchedulerDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly log: JobLog;
  /** How often the scheduler looks for due jobs (real time). */
  readonly checkEveryMs?: number;
  /** Told of every run this process makes, for the job counters in /metrics. */
  readonly observe?: (job: string, ok: boolean, seconds: number) => void;
}

/**
 * A small in-process scheduler. Every app server runs one; daily jobs claim `(job, London date)` in
 * job_runs with INSERT ... ON CONFLICT DO NOTHING, so exactly one server runs each daily job a day.
 * A failing job is logged and recorded and never stops the process or the other jobs.
 */
export function createScheduler(deps: SchedulerDependencies) {
  const { db, clock, log } = deps;
  const jobs = new Map<string, RegisteredJob>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function describeSchedule(schedule: JobSchedule): string {
    if ('every' in schedule) {
      const seconds = schedule.every / 1000;
      return seconds < 120 ? `every ${seconds} seconds` : `every ${Math.round(seconds / 60)} minutes`;
    }
    return `daily at ${schedule.dailyAt} (London time)`;
  }

  async function perform(name: string, job: RegisteredJob): Promise<{ ok: boolean; outcome: string }> {
    const started = performance.now();
    const result = await attempt(name, job);
    deps.observe?.(name, result.ok, (performance.now() - started) / 1000);
    return result;
  }

  async function attempt(name: string, job: RegisteredJob): Promise<{ ok: boolean; outcome: string }> {
    try {
      const outcome = (await job.work()).slice(0, outcomeLimit);
      return { ok: true, outcome };
    } catch (error) {
      const described = describeJobError(error);
      log.error({ job: name, error: described }, 'scheduled job failed');
      return { ok: false, outcome: `failed: ${described}` };
    }
  }

  async function recordLatest(name: string, startedAt: Date, outcome: string): Promise<void> {
    await recordLatestRun(db, {
      job: name,
      period: latestPeriod,
      startedAt,
      finishedAt: clock.now(),
      outcome,
    });
  }

  /** Claims a period for a job; false when another server (or an earlier run) already has it. */
  async function claim(name: string, period: string, startedAt: Date): Promise<boolean> {
    return claimPeriod(db, name, period, startedAt);
  }

  async function finish(name: string, period: string, outcome: string): Promise<void> {
    await finishPeriod(db, name, period, clock.now(), outcome);
  }

  async function runInterval(name: string, job: RegisteredJob): Promise<void> {
    const startedAt = clock.now();
    job.lastStartedAt = startedAt.getTime();
    const result = await perform(name, job);
    log.debug({ job: name, outcome: result.outcome }, 'scheduled job finished');
    await recordLatest(name, startedAt, result.outcome);
  }

  async function runDaily(name: string, job: RegisteredJob, date: string): Promise<void> {
    const startedAt = clock.now();
    job.lastStartedAt = startedAt.getTime();
    if (!(await claim(name, date, startedAt))) {
      job.settledFor = date;
      return;
    }
    job.settledFor = date;
    const result = await perform(name, job);
    log.info({ job: name, period: date, outcome: result.outcome }, 'daily job finished');
    await finish(name, date, result.outcome);
  }

  function dueWork(name: string, job: RegisteredJob): (() => Promise<void>) | undefined {
    const now = clock.now();
    if ('every' in job.schedule) {
      const due = job.lastStartedAt === undefined || now.getTime() - job.lastStartedAt >= job.schedule.every;
      return due ? () => runInterval(name, job) : undefined;
    }
    const london = londonDateTime(now);
    // A claim that failed (database unreachable) is tried again a minute later, not every tick.
    const retrying = job.lastStartedAt !== undefined && now.getTime() - job.lastStartedAt < dailyRetryMs;
    const due = job.settledFor !== london.date && london.time >= job.schedule.dailyAt && !retrying;
    return due ? () => runDaily(name, job, london.date) : undefined;
  }

  /** Starts a job's run unless it is already running; the promise never rejects. */
  function launch(name: string, job: RegisteredJob, work: () => Promise<void>): Promise<void> {
    const running = work()
      .catch((error: unknown) =>
        log.error({ job: name, error: describeJobError(error) }, 'could not record a scheduled job run'),
      )
      .finally(() => {
        job.running = undefined;
      });
    job.running = running;
    return running;
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    const started: Promise<void>[] = [];
    for (const [name, job] of jobs) {
      if (job.running !== undefined) continue;
      const work = dueWork(name, job);
      if (work !== undefined) started.push(launch(name, job, work));
    }
    await Promise.all(started);
  }

  return {
    /** Adds a job. Names are unique, lower-case with hyphens, e.g. `mail-delivery`. */
    register(schedule: JobSchedule, work: JobWork): void {
      if (!jobName.test(schedule.name))
        throw new JobError(`job name "${schedule.name}" must be lower-case letters, digits and hyphens`);
      if (jobs.has(schedule.name)) throw new JobError(`a job named "${schedule.name}" is already registered`);
      if ('every' in schedule && (!Number.isInteger(schedule.every) || schedule.every < 1000))
        throw new JobError('an interval job runs at most once a second');
      if ('dailyAt' in schedule && !wallClock.test(schedule.dailyAt))
        throw new JobError('dailyAt is a 24-hour London time, HH:MM');
      jobs.set(schedule.name, {
        schedule,
        work,
        running: undefined,
        lastStartedAt: undefined,
        settledFor: undefined,
      });
    },

    names(): string[] {
      return [...jobs.keys()];
    },

    /** Starts every job that is due and not already running, and waits for them. */
    tick,

    start(): void {
      if (timer !== undefined || stopped) return;
      const check = () => void tick();
      timer = setInterval(check, deps.checkEveryMs ?? 1000);
      timer.unref();
      check();
    },

    /** Stops looking for due jobs and waits for the runs in progress (so the database can then be closed). */
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await Promise.all(
        [...jobs.values()].flatMap((job) => (job.running === undefined ? [] : [job.running])),
      );
    },

    /**
     * Runs a job now, once, and returns its outcome (throws when it fails). A daily job takes today's
     * claim when it is still free, so the scheduled run does not repeat the work today.
     */
    async runNow(name: string): Promise<string> {
      const job = jobs.get(name);
      if (job === undefined)
        throw new JobError(`there is no job named "${name}"; jobs: ${[...jobs.keys()].join(', ')}`);
      const startedAt = clock.now();
      let period = latestPeriod;
      if ('dailyAt' in job.schedule) {
        const today = londonDateTime(startedAt).date;
        period = (await claim(name, today, startedAt)) ? today : `manual ${startedAt.toISOString()}`;
        if (period !== today) await claim(name, period, startedAt);
      }
      const result = await perform(name, job);
      log.info({ job: name, period, outcome: result.outcome }, 'job run by hand');
      if (period === latestPeriod) await recordLatest(name, startedAt, result.outcome);
      else await finish(name, period, result.outcome);
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

export type Scheduler = ReturnType<typeof createScheduler>;
