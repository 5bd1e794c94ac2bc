import { Logger, runMigrations, type LogLevel } from 'graphile-worker';
import { sql } from 'kysely';
import { poolOf, type Db, type Executor } from './client.ts';

/**
 * Safeshare's job queue is graphile-worker's, in its own schema (ADR 0032). The owner installs and
 * upgrades it in the migration step; the application role works it (src/db/roles.ts gives it the
 * rows, never the schema). Any capability may schedule a one-off job here, in its own transaction.
 */
export const jobQueueSchema = 'graphile_worker';

export class JobQueueError extends Error {
  override readonly name = 'JobQueueError';
}

/**
 * What a scheduled job carries: ids only (a person's, a package's, a reference), never a name, an
 * address or free text. Values are letters, digits and `-_.:`, so neither fits.
 */
export type JobPayload = Readonly<Record<string, string>>;

export interface ScheduleOnceOptions {
  /**
   * Makes the job unique for its name: scheduling the same name and key again, before it has run,
   * moves the job to the new time and payload instead of adding another.
   */
  readonly key?: string;
  /**
   * How many times the job is tried; each failure waits e^attempts seconds more (2.7 s, 7.4 s, 20 s
   * ... 2.3 hours). The default, 10, gives up about 3½ hours after the first failure.
   */
  readonly maxAttempts?: number;
}

const jobName = /^[a-z][a-z0-9-]{1,62}$/;
const idValue = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
const defaultMaxAttempts = 10;

/** Whether a value is a payload as scheduleOnce accepts it (and the worker hands to the job). */
export function isJobPayload(value: unknown): value is JobPayload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length <= 20 &&
    entries.every(
      ([name, id]) => /^[a-zA-Z][a-zA-Z0-9]{0,39}$/.test(name) && typeof id === 'string' && idValue.test(id),
    )
  );
}

/**
 * Schedules the job `name` to run once at `runAt` (or as soon after as a worker is free), retried
 * with back-off when it fails. Give it the caller's transaction: the job exists only if the change
 * that needs it commits. The job itself is registered in src/jobs/safeshare.jobs.ts.
 */
export async function scheduleOnce(
  db: Executor,
  name: string,
  payload: JobPayload,
  runAt: Date,
  options: ScheduleOnceOptions = {},
): Promise<void> {
  if (!jobName.test(name))
    throw new JobQueueError(`job name "${name}" must be lower-case letters, digits and hyphens`);
  if (!isJobPayload(payload))
    throw new JobQueueError(`the payload of ${name} must hold ids only (letters, digits and -_.:)`);
  if (options.key !== undefined && !idValue.test(options.key))
    throw new JobQueueError(`the key of ${name} must be an id (letters, digits and -_.:)`);
  const maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 25)
    throw new JobQueueError('maxAttempts is a whole number from 1 to 25');
  await sql`
    SELECT ${sql.id(jobQueueSchema, 'add_job')}(
      identifier => ${name}, payload => ${JSON.stringify(payload)}::json, run_at => ${runAt},
      max_attempts => ${maxAttempts}, job_key => ${options.key === undefined ? null : `${name}:${options.key}`},
      job_key_mode => 'replace')`.execute(db);
}

/** Errors a concurrent install raises (two app servers migrating at once): the second try finds the work done. */
const raceCodes = new Set(['23505', '42P06', '42P07', '42710']);

/**
 * Installs or upgrades the queue's schema with graphile-worker's own migrations, as the role given
 * (the owner: ADR 0022), then lets the grants decide who reaches its rows. graphile-worker turns on
 * row-level security with no policy, so only an owner would see a job; Safeshare's one policy per
 * table admits every role, and only the application role is granted the tables (src/db/roles.ts).
 * A no-op, one query, when the schema is current.
 */
export async function installJobQueue(owner: Db): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await runMigrations({ pgPool: poolOf(owner), schema: jobQueueSchema, logger: installLogger });
      break;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= 3 || typeof code !== 'string' || !raceCodes.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
  const unpolicied = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c
    WHERE c.relnamespace = to_regnamespace(${jobQueueSchema}) AND c.relrowsecurity
      AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = ${policyName})
    ORDER BY c.relname`.execute(owner);
  for (const { name } of unpolicied.rows)
    await sql`CREATE POLICY ${sql.id(policyName)} ON ${sql.id(jobQueueSchema, name)} USING (true) WITH CHECK (true)`.execute(
      owner,
    );
}

const policyName = 'safeshare_grants_decide';

/** graphile-worker's warnings while migrating (a schema newer than this release's worker) go to standard error. */
const installLogger = new Logger(() => (level: `${LogLevel}`, message) => {
  if (level === 'error' || level === 'warning') process.stderr.write(`[job queue] ${message}\n`);
});
