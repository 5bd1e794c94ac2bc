import { afterAll } from 'vitest';
import { releaseFileResources } from './harness.ts';

// A setup file runs before every test file, so this hook belongs to each file: on a PostgreSQL
// server a file that left its database behind would fail the run (global-setup.ts).
afterAll(releaseFileResources);
