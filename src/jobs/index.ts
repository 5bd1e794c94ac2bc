export { createScheduler, describeJobError, JobError, latestPeriod, londonDateTime } from './scheduler.ts';
export type {
  JobLog,
  JobRun,
  JobSchedule,
  JobStatus,
  JobWork,
  Scheduler,
  SchedulerDependencies,
} from './scheduler.ts';
export { registerJobs } from './safeshare.jobs.ts';
export type { JobContext } from './safeshare.jobs.ts';
