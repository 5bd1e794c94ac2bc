import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { ManualClock } from '../lib/clock.ts';
import { createScheduler, JobError, londonDateTime, type JobLog } from './scheduler.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await freshDatabase();
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

let jobCounter = 0;
function uniqueJobName(base: string): string {
  jobCounter += 1;
  return `${base}-${jobCounter}`;
}

async function runsOf(job: string) {
  return database.db
    .selectFrom('job_runs')
    .selectAll()
    .where('job', '=', job)
    .orderBy('started_at')
    .execute();
}

describe('London time', () => {
  it('gives the London date and wall-clock time in winter (GMT) and summer (BST)', () => {
    expect(londonDateTime(new Date('2026-11-30T07:00:00Z'))).toEqual({ date: '2026-11-30', time: '07:00' });
    expect(londonDateTime(new Date('2026-07-01T06:00:00Z'))).toEqual({ date: '2026-07-01', time: '07:00' });
    // Half past midnight in London on 2 July is still 1 July in UTC.
    expect(londonDateTime(new Date('2026-07-01T23:30:00Z'))).toEqual({ date: '2026-07-02', time: '00:30' });
  });
});

describe('daily jobs', () => {
  it('runs a daily job once per London day, however many app servers run a scheduler', async () => {
    const clock = new ManualClock('2026-11-30T06:59:00Z');
    const name = uniqueJobName('consent-review-reminders');
    let runs = 0;
    const work = async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return `sent ${runs} reminder(s)`;
    };
    const servers = [1, 2, 3].map(() => createScheduler({ db: database.db, clock, log: collectingLog() }));
    for (const scheduler of servers) scheduler.register({ name, dailyAt: '07:00' }, work);

    await Promise.all(servers.map((scheduler) => scheduler.tick()));
    expect(runs).toBe(0);

    clock.set('2026-11-30T07:00:00Z');
    await Promise.all(servers.map((scheduler) => scheduler.tick()));
    expect(runs).toBe(1);

    clock.set('2026-11-30T21:00:00Z');
    await Promise.all(servers.map((scheduler) => scheduler.tick()));
    expect(runs).toBe(1);

    // A fresh app server started later the same day does not run it again either.
    const late = createScheduler({ db: database.db, clock, log: collectingLog() });
    late.register({ name, dailyAt: '07:00' }, work);
    await late.tick();
    expect(runs).toBe(1);

    clock.set('2026-12-01T07:30:00Z');
    await Promise.all([...servers, late].map((scheduler) => scheduler.tick()));
    expect(runs).toBe(2);

    const recorded = await runsOf(name);
    expect(recorded.map((run) => run.period)).toEqual(['2026-11-30', '2026-12-01']);
    expect(recorded.every((run) => run.finished_at !== null)).toBe(true);
    expect(recorded[0]?.outcome).toBe('sent 1 reminder(s)');
  });

  it('keys the day by the London date, so 00:30 BST is the next day', async () => {
    const clock = new ManualClock('2026-07-01T23:30:00Z');
    const name = uniqueJobName('overnight');
    const scheduler = createScheduler({ db: database.db, clock, log: collectingLog() });
    scheduler.register({ name, dailyAt: '00:15' }, async () => 'done');
    await scheduler.tick();
    expect((await runsOf(name)).map((run) => run.period)).toEqual(['2026-07-02']);
  });

  it('records and logs a failing job without personal data, and keeps running the other jobs', async () => {
    const clock = new ManualClock('2026-11-30T08:00:00Z');
    const log = collectingLog();
    const scheduler = createScheduler({ db: database.db, clock, log });
    const failing = uniqueJobName('failing');
    const healthy = uniqueJobName('healthy');
    scheduler.register({ name: failing, dailyAt: '07:00' }, async () => {
      throw Object.assign(new TypeError('could not remind jo.bloggs@swindon.gov.uk'), { code: 'E_REMIND' });
    });
    scheduler.register({ name: healthy, every: 15_000 }, async () => 'nothing due');

    await expect(scheduler.tick()).resolves.toBeUndefined();
    const [run] = await runsOf(failing);
    expect(run?.outcome).toBe('failed: TypeError E_REMIND');
    expect(run?.finished_at).not.toBeNull();
    expect((await runsOf(healthy))[0]?.outcome).toBe('nothing due');
    const errors = log.lines.filter((line) => line.level === 'error');
    expect(errors).toEqual([
      {
        level: 'error',
        details: { job: failing, error: 'TypeError E_REMIND' },
        message: 'scheduled job failed',
      },
    ]);
    expect(JSON.stringify(log.lines)).not.toContain('jo.bloggs');
  });
});

describe('interval jobs', () => {
  it('runs when its interval has passed, never overlapping itself, and records the latest run', async () => {
    const clock = new ManualClock('2026-11-30T09:00:00Z');
    const scheduler = createScheduler({ db: database.db, clock, log: collectingLog() });
    const name = uniqueJobName('mail-delivery');
    let runs = 0;
    scheduler.register({ name, every: 15_000 }, async () => {
      runs += 1;
      return `sent ${runs}`;
    });
    await scheduler.tick();
    expect(runs).toBe(1);
    clock.advance(14_000);
    await scheduler.tick();
    expect(runs).toBe(1);
    clock.advance(1_000);
    await Promise.all([scheduler.tick(), scheduler.tick()]);
    expect(runs).toBe(2);
    const recorded = await runsOf(name);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      period: 'latest',
      outcome: 'sent 2',
      started_at: new Date('2026-11-30T09:00:15Z'),
    });
  });

  it('starts on a timer and, when stopped, waits for the run in progress', async () => {
    const clock = new ManualClock('2026-11-30T09:00:00Z');
    const scheduler = createScheduler({ db: database.db, clock, log: collectingLog(), checkEveryMs: 10 });
    const name = uniqueJobName('slow');
    let finished = false;
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    scheduler.register({ name, every: 60_000 }, async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 100));
      finished = true;
      return 'done';
    });
    scheduler.start();
    await running;
    await scheduler.stop();
    expect(finished).toBe(true);
    expect((await runsOf(name))[0]?.outcome).toBe('done');
  });
});

describe('running a job by hand, and the list of jobs', () => {
  it('runs a job now, records it, and lists every job with its last run', async () => {
    const clock = new ManualClock('2026-11-30T06:00:00Z');
    const scheduler = createScheduler({ db: database.db, clock, log: collectingLog() });
    const daily = uniqueJobName('reminders');
    const interval = uniqueJobName('deliveries');
    let dailyRuns = 0;
    scheduler.register({ name: daily, dailyAt: '07:00' }, async () => `reminded ${++dailyRuns}`);
    scheduler.register({ name: interval, every: 15_000 }, async () => 'sent 0, failed 0');

    expect(await scheduler.runNow(daily)).toBe('reminded 1');
    // Run by hand before 07:00, it took today's claim: the scheduled run does not repeat it today.
    clock.set('2026-11-30T07:00:00Z');
    await scheduler.tick();
    expect(dailyRuns).toBe(1);
    // Run by hand again the same day, it is recorded as a manual run.
    expect(await scheduler.runNow(daily)).toBe('reminded 2');
    expect((await runsOf(daily)).map((run) => run.period)).toEqual([
      '2026-11-30',
      'manual 2026-11-30T07:00:00.000Z',
    ]);

    const status = await scheduler.status();
    expect(status.map((job) => [job.name, job.schedule])).toEqual([
      [daily, 'daily at 07:00 (London time)'],
      [interval, 'every 15 seconds'],
    ]);
    expect(status[0]?.lastRun?.outcome).toBe('reminded 2');
    expect(status[1]?.lastRun?.outcome).toBe('sent 0, failed 0');

    await expect(scheduler.runNow('no-such-job')).rejects.toThrow(JobError);
  });

  it('throws when a job run by hand fails, after recording it', async () => {
    const clock = new ManualClock('2026-11-30T10:00:00Z');
    const scheduler = createScheduler({ db: database.db, clock, log: collectingLog() });
    const name = uniqueJobName('broken');
    scheduler.register({ name, every: 60_000 }, async () => {
      throw new RangeError('out of range');
    });
    await expect(scheduler.runNow(name)).rejects.toThrow(`${name} failed: RangeError`);
    expect((await runsOf(name))[0]?.outcome).toBe('failed: RangeError');
  });

  it('refuses badly named, duplicate or badly timed jobs', () => {
    const scheduler = createScheduler({ db: database.db, clock: new ManualClock(), log: collectingLog() });
    const work = async () => 'ok';
    scheduler.register({ name: 'mail-delivery', every: 15_000 }, work);
    expect(() => scheduler.register({ name: 'mail-delivery', every: 15_000 }, work)).toThrow(JobError);
    expect(() => scheduler.register({ name: 'Mail Delivery', every: 15_000 }, work)).toThrow(JobError);
    expect(() => scheduler.register({ name: 'too-often', every: 10 }, work)).toThrow(JobError);
    expect(() => scheduler.register({ name: 'bad-time', dailyAt: '7am' }, work)).toThrow(JobError);
    expect(() => scheduler.register({ name: 'bad-hour', dailyAt: '24:00' }, work)).toThrow(JobError);
    expect(scheduler.names()).toEqual(['mail-delivery']);
  });
});
