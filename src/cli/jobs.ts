import type { Command } from 'commander';
import { createJobRunner, registerJobs, type JobLog } from '../jobs/index.ts';
import { formatDateTime } from '../lib/time.ts';
import { withSafeshare, type CliContext } from './context.ts';

/** Job messages go to standard error, so standard output carries only the command's answer. */
const stderrLog: JobLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: (details, message) => process.stderr.write(`${message} ${JSON.stringify(details)}\n`),
  error: (details, message) => process.stderr.write(`${message} ${JSON.stringify(details)}\n`),
};

/** The jobs every app server runs, to list and run by hand here: the command works no queue itself. */
function jobsOf(context: CliContext) {
  const runner = createJobRunner({ db: context.db, clock: context.clock, log: stderrLog });
  registerJobs(runner, { services: context.services, log: stderrLog });
  return runner;
}

/** `safeshare jobs list` and `safeshare jobs run <name>`: the scheduled jobs every app server runs. */
export function jobsCommands(program: Command): void {
  const jobs = program.command('jobs').description('Scheduled jobs (mail delivery, reminders)');
  jobs
    .command('list')
    .description('List the scheduled jobs and the last run of each (from any app server)')
    .action(async () => {
      await withSafeshare(async (context) => {
        for (const job of await jobsOf(context).status()) {
          const run = job.lastRun;
          const last =
            run === undefined
              ? 'never run'
              : `last run ${formatDateTime(run.startedAt)}${run.period === 'latest' ? '' : ` (${run.period})`}: ${run.finishedAt === null ? 'not finished' : (run.outcome ?? '')}`;
          console.log(`${job.name}  ${job.schedule}  ${last}`);
        }
      });
    });
  jobs
    .command('run')
    .description('Run a job now, once, and print its outcome (exit 1 when it fails)')
    .argument('<name>', 'the job, e.g. mail-delivery (see: safeshare jobs list)')
    .action(async (name: string) => {
      await withSafeshare(async (context) => {
        console.log(`${name}: ${await jobsOf(context).runNow(name)}`);
      });
    });
}
