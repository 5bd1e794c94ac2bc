/**
 * The job queue (ADR 0032): graphile-worker, as Safeshare installs and works it, beside a reference
 * measured in the same run on the same server: a plain table, filled with one INSERT per job and
 * worked by two loops of `DELETE ... FOR UPDATE SKIP LOCKED`. Prints:
 *
 * - the time to install the queue's schema (graphile-worker's migrations, as the owner);
 * - 2,000 no-op jobs with two workers (two runners, one job at a time each, as two app servers):
 *   added one at a time while the workers run, and added in one statement then drained; and the
 *   same 2,000 through Safeshare's runner (`scheduleOnce`, each run recorded in job_runs);
 * - the delay from a delayed job's run_at to its start, at the production poll interval (2 s);
 * - the load on an idle database: transactions a minute, from pg_stat_database, with two app
 *   servers' runners holding Safeshare's jobs (12 task names, the daily ones as cron items);
 * - what the features rest on, checked: a job key keeps one job, a failure is tried again after
 *   e^1 seconds, and a role that owns nothing works the queue but cannot change its schema.
 *
 *   node --import tsx bench/job-queue.ts      BENCH_DATABASE_URL=postgres://... for a server (else
 *                                             an embedded one); JOBS=2000, IDLE_SECONDS=60
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { makeWorkerUtils, run, Logger, type Runner } from 'graphile-worker';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb } from '../src/db/client.ts';
import { installJobQueue, scheduleOnce } from '../src/db/job-queue.ts';
import { grantApplicationRole } from '../src/db/roles.ts';
import { createJobRunner } from '../src/jobs/job-runner.ts';
import { systemClock } from '../src/lib/clock.ts';
import { adminQuery, embeddedTarget, serverTarget, type BenchTarget } from './support.ts';

const jobs = Number.parseInt(process.env['JOBS'] ?? '2000', 10);
const idleSeconds = Number.parseInt(process.env['IDLE_SECONDS'] ?? '60', 10);
const silent = new Logger(() => () => undefined);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
/** Safeshare's jobs as the runner holds them: 12 names, 7 of them daily (src/jobs/safeshare.jobs.ts). */
const dailyAt = ['07:00', '00:15', '08:00', '08:05', '06:30', '06:45', '07:30'];
const taskNames = Array.from({ length: 12 }, (_, index) => `bench-task-${String(index)}`);

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
const ms = (value: number) => `${Math.round(value).toLocaleString('en-GB')} ms`;
const rate = (count: number, milliseconds: number) =>
  `${Math.round((count * 1000) / milliseconds).toLocaleString('en-GB')}/s`;

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

function withDatabase(url: string, database: string, role?: { name: string; password: string }): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (role !== undefined) {
    parsed.username = role.name;
    parsed.password = role.password;
  }
  return parsed.toString();
}

const databaseOf = (url: string) => new URL(url).pathname.slice(1);

/** Transactions committed or rolled back in the database, read from another database so the reading is not counted. */
async function transactions(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>(
      `SELECT pg_stat_clear_snapshot(), (xact_commit + xact_rollback)::text AS count
       FROM pg_stat_database WHERE datname = $1`,
      [databaseOf(url)],
    );
    return Number(result.rows[0]?.count ?? Number.NaN);
  } finally {
    await client.end();
  }
}

/** Transactions a minute while nothing is queued; idle backends report their counts at least every 10 s. */
async function idleLoad(url: string): Promise<number> {
  await sleep(12_000);
  const before = await transactions(url);
  await sleep(idleSeconds * 1000);
  await sleep(11_000);
  return ((await transactions(url)) - before) * (60 / (idleSeconds + 11));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The reference: a plain table and two workers deleting one due row at a time. */
async function reference(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE TABLE bench_reference_queue (
    id bigserial PRIMARY KEY, task text NOT NULL, payload json NOT NULL DEFAULT '{}',
    run_at timestamptz NOT NULL DEFAULT now())`);
  let done = 0;
  let pollMs = 10;
  let working = true;
  const worker = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    while (working) {
      const taken = await client.query(`DELETE FROM bench_reference_queue WHERE id = (
        SELECT id FROM bench_reference_queue WHERE run_at <= now() ORDER BY run_at, id
        FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING id`);
      if (taken.rowCount === 1) done += 1;
      else await sleep(pollMs);
    }
    await client.end();
  };
  const workers = [worker(), worker()];
  let started = performance.now();
  for (let index = 0; index < jobs; index += 1)
    await admin.query(`INSERT INTO bench_reference_queue (task) VALUES ('noop')`);
  const added = performance.now() - started;
  await until(() => done === jobs);
  const total = performance.now() - started;
  console.log(
    `  reference, added one at a time while 2 workers run:  added in ${ms(added)}, all done in ${ms(total)} (${rate(jobs, total)})`,
  );
  done = 0;
  started = performance.now();
  await admin.query(`INSERT INTO bench_reference_queue (task) SELECT 'noop' FROM generate_series(1, $1)`, [
    jobs,
  ]);
  await until(() => done === jobs);
  console.log(`  reference, added in one statement then drained:      ${ms(performance.now() - started)}`);
  pollMs = 2000;
  const perMinute = await idleLoad(url);
  console.log(
    `  reference idle, 2 workers polling every 2 s:         ${perMinute.toFixed(0)} transactions/minute`,
  );
  working = false;
  await Promise.all(workers);
  await admin.query('DROP TABLE bench_reference_queue');
  await admin.end();
}

async function graphileWorker(target: BenchTarget): Promise<void> {
  // Raw throughput: the library's own runners with a no-op task.
  let done = 0;
  const runners: Runner[] = [];
  for (let index = 0; index < 2; index += 1)
    runners.push(
      await run({
        connectionString: target.url,
        concurrency: 1,
        noHandleSignals: true,
        logger: silent,
        taskList: { noop: async () => void (done += 1) },
      }),
    );
  const utils = await makeWorkerUtils({ connectionString: target.url, logger: silent });
  await utils.addJob('noop', {});
  await until(() => done === 1);
  done = 0;
  let started = performance.now();
  for (let index = 0; index < jobs; index += 1) await utils.addJob('noop', {});
  const added = performance.now() - started;
  await until(() => done === jobs);
  const total = performance.now() - started;
  console.log(
    `  graphile-worker, added one at a time while 2 run:    added in ${ms(added)}, all done in ${ms(total)} (${rate(jobs, total)})`,
  );
  done = 0;
  started = performance.now();
  await sql`SELECT graphile_worker.add_jobs(array(
    SELECT ('noop', '{}', null, null, null, null, null, null)::graphile_worker.job_spec
    FROM generate_series(1, ${jobs})))`.execute(target.db);
  await until(() => done === jobs);
  console.log(`  graphile-worker, added in one statement then drained: ${ms(performance.now() - started)}`);
  await utils.release();
  for (const runner of runners) await runner.stop();

  // Safeshare's path: scheduleOnce, and the runner recording each run in job_runs.
  let recorded = 0;
  const servers = [0, 1].map(() =>
    createJobRunner({ db: target.db, clock: systemClock, log: quiet, concurrency: 1 }),
  );
  for (const server of servers)
    server.register({ name: 'bench-noop', once: true }, async () => {
      recorded += 1;
      return 'nothing';
    });
  await Promise.all(servers.map((server) => server.start()));
  started = performance.now();
  for (let index = 0; index < jobs; index += 1)
    await scheduleOnce(target.db, 'bench-noop', { id: String(index) }, new Date());
  await until(() => recorded === jobs);
  const safeshare = performance.now() - started;
  console.log(
    `  Safeshare's runner (scheduleOnce; job_runs recorded): all done in ${ms(safeshare)} (${rate(jobs, safeshare)})`,
  );
  await Promise.all(servers.map((server) => server.stop()));

  // From run_at to start, at the production poll interval.
  const startedAt = new Map<string, number>();
  const delayed = await run({
    connectionString: target.url,
    noHandleSignals: true,
    logger: silent,
    taskList: { delayed: async (payload) => void startedAt.set((payload as { id: string }).id, Date.now()) },
  });
  const delays: number[] = [];
  const delayedUtils = await makeWorkerUtils({ connectionString: target.url, logger: silent });
  for (let index = 0; index < 5; index += 1) {
    const id = String(index);
    const runAt = new Date(Date.now() + 3000 + index * 377);
    await delayedUtils.addJob('delayed', { id }, { runAt });
    await until(() => startedAt.has(id), 30_000);
    delays.push((startedAt.get(id) ?? Number.NaN) - runAt.getTime());
  }
  await delayedUtils.release();
  await delayed.stop();
  console.log(
    `  run_at to start, polling every 2 s (5 jobs):         median ${ms(median(delays))}, least ${ms(Math.min(...delays))}, most ${ms(Math.max(...delays))}`,
  );

  // Idle: two app servers' runners as Safeshare starts them, holding its 12 job names (7 daily).
  const idle = [0, 1].map(() => createJobRunner({ db: target.db, clock: systemClock, log: quiet }));
  for (const runner of idle)
    taskNames.forEach((name, index) => {
      const at = dailyAt[index];
      runner.register(at === undefined ? { name, once: true } : { name, dailyAt: at }, async () => 'nothing');
    });
  await Promise.all(idle.map((runner) => runner.start()));
  const perMinute = await idleLoad(target.url);
  console.log(
    `  Safeshare's runners idle, 2 app servers:             ${perMinute.toFixed(0)} transactions/minute`,
  );
  await Promise.all(idle.map((runner) => runner.stop()));
}

async function features(target: BenchTarget): Promise<void> {
  // A job key keeps one job: scheduled three times, one waits.
  const key = randomUUID();
  for (let index = 0; index < 3; index += 1)
    await scheduleOnce(target.db, 'bench-keyed', { id: String(index) }, new Date(Date.now() + 60_000), {
      key,
    });
  const keyed = await sql<{ count: number }>`
    SELECT count(*)::int AS count FROM graphile_worker._private_jobs WHERE key = ${`bench-keyed:${key}`}`.execute(
    target.db,
  );
  console.log(`  a job scheduled 3 times under one key: ${String(keyed.rows[0]?.count)} job waits`);

  // A failure is tried again after e^attempts seconds.
  const attempts: number[] = [];
  const retrying = await run({
    connectionString: target.url,
    noHandleSignals: true,
    pollInterval: 100,
    logger: silent,
    taskList: {
      'bench-failing': async () => {
        attempts.push(Date.now());
        if (attempts.length === 1) throw new Error('first attempt fails');
      },
    },
  });
  await scheduleOnce(target.db, 'bench-failing', {}, new Date(), { maxAttempts: 3 });
  await until(() => attempts.length === 2, 30_000);
  await retrying.stop();
  console.log(
    `  a job failing once is tried again after ${ms((attempts[1] ?? 0) - (attempts[0] ?? 0))} (e^1 s = 2,718 ms)`,
  );

  // Installed by the owner; worked by a role that owns nothing, given Safeshare's grants.
  const name = `bench_jobs_${randomBytes(4).toString('hex')}`;
  const role = { name: `${name}_app`, password: randomBytes(12).toString('hex') };
  await adminQuery(target.url, `CREATE DATABASE ${name}`);
  await adminQuery(target.url, `CREATE ROLE ${role.name} LOGIN PASSWORD '${role.password}'`);
  const ownerDb = createDb(withDatabase(target.url, name), 2);
  const appDb = createDb(withDatabase(target.url, name, role), 4);
  try {
    let started = performance.now();
    await installJobQueue(ownerDb);
    const installed = performance.now() - started;
    started = performance.now();
    await installJobQueue(ownerDb);
    console.log(
      `  the queue's schema installed by the owner in ${ms(installed)}; the check when current takes ${ms(performance.now() - started)}`,
    );
    await grantApplicationRole(ownerDb, role.name);
    const ran = { yes: false };
    const runner = await run({
      connectionString: withDatabase(target.url, name, role),
      noHandleSignals: true,
      pollInterval: 100,
      logger: silent,
      taskList: { 'bench-role': async () => void (ran.yes = true) },
    });
    await scheduleOnce(appDb, 'bench-role', {}, new Date());
    await until(() => ran.yes, 10_000).catch(() => undefined);
    await runner.stop();
    const refused = await sql`CREATE TABLE graphile_worker.bench_shadow (id int)`.execute(appDb).then(
      () => 'allowed',
      (error: unknown) => `refused (${(error as Error).message})`,
    );
    console.log(
      `  as a role that owns nothing: a job ran: ${ran.yes ? 'yes' : 'no'}; CREATE TABLE in the queue's schema ${refused}`,
    );
  } finally {
    await appDb.destroy();
    await ownerDb.destroy();
    await adminQuery(target.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await adminQuery(target.url, `DROP ROLE IF EXISTS ${role.name}`);
  }
}

const serverUrl = process.env['BENCH_DATABASE_URL'];
const target =
  serverUrl !== undefined && serverUrl !== '' ? await serverTarget(serverUrl, 12) : await embeddedTarget(12);
try {
  console.log(
    `Job queue on ${target.label}: ${jobs.toLocaleString('en-GB')} no-op jobs, idle for ${idleSeconds} s`,
  );
  await reference(target.url);
  await graphileWorker(target);
  await features(target);
} finally {
  await target.dispose();
}
