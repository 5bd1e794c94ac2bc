export { createScheduler } from './scheduler.ts';
export type { JobLog } from './scheduler.ts';
export { registerJobs } from './safeshare.jobs.ts';
