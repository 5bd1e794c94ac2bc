export { createJobRunner } from './job-runner.ts';
export type { JobLog } from './job-runner.ts';
export { registerJobs } from './safeshare.jobs.ts';
