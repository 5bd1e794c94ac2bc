import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { JobQueueError, scheduleOnce } from '../db/job-queue.ts';
import { currentRole, grantApplicationRole } from '../db/roles.ts';
import { ManualClock, systemClock } from '../lib/clock.ts';
import { londonToday } from '../lib/time.ts';
import { createJobRunner, JobError, nextDailyRun, type JobLog, type JobRunner } from './job-runner.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await freshDatabase();
});

/** The runners a test started: stopped after it, so no worker outlives its test (or the database). */
const started: JobRunner[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((runner) => runner.stop()));
});

interface LogLine {
  readonly level: string;
  readonly details: Record<string, unknown>;
  readonly message: string;
}

function collectingLog(): JobLog & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (details: Record<string, unknown>, message: string) =>
    void lines.push({ level, details, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** An app server's job runner over this file's database, as the application role, looking for due jobs often. */
function appServer(log: JobLog = collectingLog()): JobRunner {
  const runner = createJobRunner({ db: database.db, clock: systemClock, log, pollIntervalMs: 100 });
  started.push(runner);
  return runner;
}

let jobCounter = 0;
function uniqueJobName(base: string): string {
  jobCounter += 1;
  return `${base}-${jobCounter}`;
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(25);
  }
}

async function runsOf(job: string) {
  return database.db
    .selectFrom('job_runs')
    .selectAll()
    .where('job', '=', job)
    .orderBy('started_at')
    .execute();
}

/** The jobs of one name waiting (or failed) in the queue, read as the application role. */
async function queued(job: string) {
  const result = await sql<{
    key: string | null;
    run_at: Date;
    attempts: number;
    last_error: string | null;
    payload: unknown;
  }>`
    SELECT j.key, j.run_at, j.attempts, j.last_error, j.payload
    FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
    WHERE t.identifier = ${job} ORDER BY j.id`.execute(database.db);
  return result.rows;
}

describe('daily jobs at a London wall-clock time', () => {
  it('falls due at 07:00 London: 07:00 UTC in GMT and 06:00 UTC in BST, the days the clocks change included', () => {
    const next = (after: string, dailyAt = '07:00') => nextDailyRun(dailyAt, new Date(after)).toISOString();
    // GMT: November, and the Saturday before the clocks go forward (Sunday 29 March 2026).
    expect(next('2026-11-30T05:00:00Z')).toBe('2026-11-30T07:00:00.000Z');
    expect(next('2026-03-28T05:00:00Z')).toBe('2026-03-28T07:00:00.000Z');
    // Saturday's run done, Sunday's is at 06:00 UTC: the clocks went forward at 01:00 UTC.
    expect(next('2026-03-28T07:00:00Z')).toBe('2026-03-29T06:00:00.000Z');
    // BST: July; after the run, the next is tomorrow's.
    expect(next('2026-07-01T05:00:00Z')).toBe('2026-07-01T06:00:00.000Z');
    expect(next('2026-07-01T06:00:00Z')).toBe('2026-07-02T06:00:00.000Z');
    // Saturday 24 October in BST, Sunday 25 October in GMT again.
    expect(next('2026-10-24T05:00:00Z')).toBe('2026-10-24T06:00:00.000Z');
    expect(next('2026-10-24T06:00:00Z')).toBe('2026-10-25T07:00:00.000Z');
    // The nightly exchange expiry at 00:15 London is 23:15 UTC the day before in summer.
    expect(next('2026-06-30T22:00:00Z', '00:15')).toBe('2026-06-30T23:15:00.000Z');
    expect(next('2026-12-01T00:00:00Z', '00:15')).toBe('2026-12-01T00:15:00.000Z');
  });

  it('does not depend on the time zone the process runs in (production sets none; the tests set UTC)', () => {
    const before = process.env['TZ'];
    try {
      for (const zone of ['Europe/London', 'America/New_York', 'Pacific/Auckland']) {
        process.env['TZ'] = zone;
        expect(nextDailyRun('07:00', new Date('2026-07-01T05:00:00Z')).toISOString()).toBe(
          '2026-07-01T06:00:00.000Z',
        );
      }
    } finally {
      if (before === undefined) delete process.env['TZ'];
      else process.env['TZ'] = before;
    }
  });

  it('runs a daily job once however many app servers work the queue, and queues its next London date', async () => {
    const name = uniqueJobName('consent-review-reminders');
    // Due at midnight London, so already due today: as if every app server had been down at its
    // time, the first to start catches it up; the others find it run or waiting under its key.
    const dailyAt = '00:00';
    let runs = 0;
    const work = async () => {
      runs += 1;
      await sleep(50);
      return `sent ${runs} reminder(s)`;
    };
    const servers = [appServer(), appServer()];
    for (const server of servers) server.register({ name, dailyAt }, work);
    await Promise.all(servers.map((server) => server.start()));

    const today = londonToday(new Date());
    await until(async () => (await runsOf(name)).some((run) => run.finished_at !== null));
    await sleep(1000);
    expect(runs).toBe(1);
    // A third app server started later the same day does not run it again either.
    const late = appServer();
    late.register({ name, dailyAt }, work);
    await late.start();
    await sleep(1000);
    expect(runs).toBe(1);

    const recorded = await runsOf(name);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ period: today, outcome: 'sent 1 reminder(s)' });
    // Tomorrow's run waits, once, at midnight London.
    const tomorrow = nextDailyRun(dailyAt, new Date());
    expect(await queued(name)).toEqual([
      {
        key: `${name}:${londonToday(tomorrow)}`,
        run_at: tomorrow,
        attempts: 0,
        last_error: null,
        payload: { due: tomorrow.toISOString() },
      },
    ]);
  });
});

describe('interval jobs', () => {
  it('runs at start and then each interval on one app server at a time, with one run waiting in the queue', async () => {
    const name = uniqueJobName('mail-delivery');
    let runs = 0;
    let running = 0;
    let overlapped = false;
    const work = async () => {
      runs += 1;
      running += 1;
      overlapped ||= running > 1;
      await sleep(30);
      running -= 1;
      return `sent ${runs}`;
    };
    const servers = [appServer(), appServer()];
    for (const server of servers) server.register({ name, every: 1000 }, work);
    const startedAt = Date.now();
    await Promise.all(servers.map((server) => server.start()));
    await until(() => runs >= 3, 10_000);
    const seconds = (Date.now() - startedAt) / 1000;
    // Two servers each running it would make about twice as many runs as intervals.
    expect(runs).toBeLessThanOrEqual(Math.floor(seconds) + 1);
    expect(overlapped).toBe(false);
    await until(async () => (await runsOf(name))[0]?.outcome === `sent ${runs}`);
    const waiting = await queued(name);
    expect(waiting.filter((job) => job.key === `${name}:next`)).toHaveLength(1);
    expect((await runsOf(name)).map((run) => run.period)).toEqual(['latest']);
  });

  it('when stopped, waits for the run in progress', async () => {
    const runner = appServer();
    const name = uniqueJobName('slow');
    let finished = false;
    let begun: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      begun = resolve;
    });
    runner.register({ name, every: 60_000 }, async () => {
      begun();
      await sleep(200);
      finished = true;
      return 'done';
    });
    await runner.start();
    await running;
    await runner.stop();
    expect(finished).toBe(true);
    await until(async () => (await runsOf(name))[0]?.outcome === 'done');
  });
});

describe('one-off jobs', () => {
  it('runs a delayed job after its time and not before, with the ids it was given, once per key', async () => {
    const name = uniqueJobName('exchange-package-expiry');
    const ran: { at: number; payload: unknown }[] = [];
    const runner = appServer();
    runner.register({ name, once: true }, async (payload) => {
      ran.push({ at: Date.now(), payload });
      return 'expired 1 package';
    });
    await runner.start();
    const packageId = randomUUID();
    const runAt = new Date(Date.now() + 1500);
    await database.db.transaction().execute(async (trx) => {
      // Scheduled twice under one key: the second replaces the first, so it runs once.
      await scheduleOnce(trx, name, { packageId: randomUUID() }, new Date(Date.now() + 60_000), {
        key: packageId,
      });
      await scheduleOnce(trx, name, { packageId }, runAt, { key: packageId });
    });
    // A job scheduled in a transaction that rolls back was never scheduled.
    await database.db
      .transaction()
      .execute(async (trx) => {
        await scheduleOnce(trx, name, { packageId: randomUUID() }, new Date());
        throw new Error('the change was refused');
      })
      .catch(() => undefined);

    await sleep(1000);
    expect(ran).toEqual([]);
    await until(() => ran.length === 1);
    expect(ran[0]?.at).toBeGreaterThanOrEqual(runAt.getTime());
    expect(ran[0]?.payload).toEqual({ packageId });
    await sleep(500);
    expect(ran).toHaveLength(1);
    await until(async () => (await runsOf(name))[0]?.outcome === 'expired 1 package');
    expect((await runsOf(name))[0]?.period).toMatch(/^job \d+$/);
    await until(async () => (await queued(name)).length === 0);
    expect(ran).toHaveLength(1);
  });

  it('retries a failing job with back-off, recording each failure without personal data', async () => {
    const name = uniqueJobName('incident-clock-reminder');
    const log = collectingLog();
    const attempts: number[] = [];
    const runner = appServer(log);
    runner.register({ name, once: true }, async () => {
      attempts.push(Date.now());
      if (attempts.length === 1)
        throw Object.assign(new TypeError('could not remind jo.bloggs@swindon.gov.uk'), { code: 'E_REMIND' });
      return 'sent 1 clock reminder';
    });
    await runner.start();
    await scheduleOnce(database.db, name, { incidentId: randomUUID() }, new Date(), { maxAttempts: 3 });

    const failure = 'failed: TypeError E_REMIND (attempt 1 of 3; to be tried again)';
    await until(async () => (await runsOf(name))[0]?.outcome === failure);
    const [waiting] = await queued(name);
    // The queue keeps the same words, and waits e^1 seconds before the next attempt.
    expect(waiting?.last_error).toBe(failure);
    expect(waiting?.attempts).toBe(1);
    expect((waiting?.run_at.getTime() ?? 0) - (attempts[0] ?? 0)).toBeGreaterThan(2000);

    await until(async () => (await runsOf(name))[0]?.outcome === 'sent 1 clock reminder');
    expect(attempts).toHaveLength(2);
    expect((attempts[1] ?? 0) - (attempts[0] ?? 0)).toBeGreaterThanOrEqual(2500);
    // The queue lets go of the job just after its run is recorded, in its own statement.
    await until(async () => (await queued(name)).length === 0);
    expect(attempts).toHaveLength(2);
    expect(log.lines.filter((line) => line.level === 'error')).toEqual([
      {
        level: 'error',
        details: { job: name, error: 'TypeError E_REMIND' },
        message: 'scheduled job failed',
      },
    ]);
    expect(JSON.stringify(log.lines)).not.toContain('jo.bloggs');
  });

  it('gives up after its last attempt, and says so', async () => {
    const name = uniqueJobName('retention-review');
    const runner = appServer();
    runner.register({ name, once: true }, async () => {
      throw new RangeError('out of range');
    });
    await runner.start();
    await scheduleOnce(database.db, name, { reviewId: randomUUID() }, new Date(), { maxAttempts: 1 });
    const givenUp = 'failed: RangeError (attempt 1 of 1; given up)';
    await until(async () => (await runsOf(name))[0]?.outcome === givenUp);
    await until(
      async () => (await queued(name)).length === 1 && (await queued(name))[0]?.last_error !== null,
    );
    // Kept in the queue, failed for good, for an operator to see; never tried again.
    expect(await queued(name)).toMatchObject([{ attempts: 1, last_error: givenUp }]);
  });

  it('refuses a payload or key that is more than ids, and a badly named job', async () => {
    const at = new Date();
    await expect(
      scheduleOnce(database.db, 'incident-clock-reminder', { recipient: 'jo.bloggs@swindon.gov.uk' }, at),
    ).rejects.toThrow(JobQueueError);
    await expect(
      scheduleOnce(database.db, 'incident-clock-reminder', { child: 'Ava Stone' }, at),
    ).rejects.toThrow(JobQueueError);
    await expect(
      scheduleOnce(database.db, 'incident-clock-reminder', { incidentId: randomUUID() }, at, {
        key: 'Ava Stone',
      }),
    ).rejects.toThrow(JobQueueError);
    await expect(scheduleOnce(database.db, 'Incident Clock', {}, at)).rejects.toThrow(JobQueueError);
    expect(await queued('incident-clock-reminder')).toEqual([]);
  });
});

describe('when a worker cannot finish a job (the database refuses it)', () => {
  it('starts the workers again by themselves, and works the queue once the fault has gone', async () => {
    const role = await currentRole(database.db);
    const log = collectingLog();
    const runner = createJobRunner({
      db: database.db,
      clock: systemClock,
      log,
      pollIntervalMs: 100,
      restartAfterMs: 300,
      concurrency: 1,
    });
    started.push(runner);
    const name = uniqueJobName('exchange-package-expiry');
    let ran = 0;
    runner.register({ name, once: true }, async () => `expired ${++ran}`);
    await runner.start();
    const stopped = 'a job worker stopped; starting the workers again shortly';
    // The application role may not delete a finished job: its worker cannot release it, and stops.
    await sql`REVOKE DELETE ON graphile_worker._private_jobs FROM ${sql.id(role)}`.execute(database.ownerDb);
    try {
      await scheduleOnce(database.db, name, { packageId: randomUUID() }, new Date());
      await until(() => log.lines.some((line) => line.message === stopped));
    } finally {
      await grantApplicationRole(database.ownerDb, role);
    }
    await scheduleOnce(database.db, name, { packageId: randomUUID() }, new Date());
    await until(() => ran === 2);
    expect(log.lines.filter((line) => line.message === stopped)).toHaveLength(1);
  });
});

describe('running a job by hand, and the list of jobs', () => {
  it('runs a job now, records it, and lists every job with its last run', async () => {
    const clock = new ManualClock('2026-11-30T06:00:00Z');
    const runner = createJobRunner({ db: database.db, clock, log: collectingLog() });
    const daily = uniqueJobName('reminders');
    const interval = uniqueJobName('deliveries');
    const once = uniqueJobName('expiry');
    let dailyRuns = 0;
    runner.register({ name: daily, dailyAt: '07:00' }, async () => `reminded ${++dailyRuns}`);
    runner.register({ name: interval, every: 15_000 }, async () => 'sent 0, failed 0');
    runner.register({ name: once, once: true }, async () => 'expired');

    expect(await runner.runNow(daily)).toBe('reminded 1');
    clock.set('2026-11-30T07:00:00Z');
    expect(await runner.runNow(daily)).toBe('reminded 2');
    expect(await runner.runNow(interval)).toBe('sent 0, failed 0');
    expect((await runsOf(daily)).map((run) => run.period)).toEqual([
      'manual 2026-11-30T06:00:00.000Z',
      'manual 2026-11-30T07:00:00.000Z',
    ]);

    const status = await runner.status();
    expect(status.map((job) => [job.name, job.schedule])).toEqual([
      [daily, 'daily at 07:00 (London time)'],
      [interval, 'every 15 seconds'],
      [once, 'when scheduled'],
    ]);
    expect(status[0]?.lastRun?.outcome).toBe('reminded 2');
    expect(status[1]?.lastRun).toMatchObject({ period: 'latest', outcome: 'sent 0, failed 0' });
    expect(status[2]?.lastRun).toBeUndefined();

    await expect(runner.runNow('no-such-job')).rejects.toThrow(JobError);
    await expect(runner.runNow(once)).rejects.toThrow(`${once} runs only when scheduled`);
  });

  it('throws when a job run by hand fails, after recording it', async () => {
    const runner = createJobRunner({ db: database.db, clock: new ManualClock(), log: collectingLog() });
    const name = uniqueJobName('broken');
    runner.register({ name, every: 60_000 }, async () => {
      throw new RangeError('out of range');
    });
    await expect(runner.runNow(name)).rejects.toThrow(`${name} failed: RangeError`);
    expect((await runsOf(name))[0]?.outcome).toBe('failed: RangeError');
  });

  it('refuses badly named, duplicate or badly timed jobs', () => {
    const runner = createJobRunner({ db: database.db, clock: new ManualClock(), log: collectingLog() });
    const work = async () => 'ok';
    runner.register({ name: 'mail-delivery', every: 15_000 }, work);
    expect(() => runner.register({ name: 'mail-delivery', every: 15_000 }, work)).toThrow(JobError);
    expect(() => runner.register({ name: 'Mail Delivery', every: 15_000 }, work)).toThrow(JobError);
    expect(() => runner.register({ name: 'too-often', every: 10 }, work)).toThrow(JobError);
    expect(() => runner.register({ name: 'bad-time', dailyAt: '7am' }, work)).toThrow(JobError);
    expect(() => runner.register({ name: 'bad-hour', dailyAt: '24:00' }, work)).toThrow(JobError);
    // Skipped when the clocks go forward, twice when they go back.
    expect(() => runner.register({ name: 'clock-change', dailyAt: '01:30' }, work)).toThrow(
      'the hour the clocks change',
    );
    expect(runner.names()).toEqual(['mail-delivery']);
  });
});
