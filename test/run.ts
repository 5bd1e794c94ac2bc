/**
 * `npm test`: the whole check, the same locally and in CI.
 *  1. type-check   2. lint
 *  3. unit and integration tests: on the embedded PostgreSQL, or, when TEST_DATABASE_URL names a
 *     server (as CI does), on that server, followed by the embedded server's own tests on the
 *     embedded server (ADR 0031)
 *  4. end-to-end journeys in Chromium, on the embedded PostgreSQL as `npm start` runs
 * Stops at the first failing stage and exits non-zero.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

interface Stage {
  readonly name: string;
  readonly command: readonly string[];
  readonly env?: Record<string, string>;
}

const serverUrl = process.env['TEST_DATABASE_URL'];
const chromium = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/**
 * The tests whose subject is the embedded server itself or what differs on it (its own application
 * role, the demo data `npm start` loads, backup and recovery): after a run on TEST_DATABASE_URL's
 * server, these run again on the embedded one.
 */
const embeddedServerTests = [
  'src/db/',
  'test/integration/backup.test.ts',
  'test/integration/database-roles.test.ts',
  'test/integration/demo.test.ts',
  'test/integration/embedded-recovery.test.ts',
];
const stages: Stage[] = [
  { name: 'type-check', command: ['npx', 'tsc', '--noEmit', '-p', 'tsconfig.json'] },
  // The project's own lint script: ESLint, Prettier and the architecture rules, as `npm run lint` runs them.
  { name: 'lint', command: ['npm', 'run', '--silent', 'lint'] },
];
if (serverUrl !== undefined && serverUrl !== '') {
  stages.push(
    {
      name: 'tests on the PostgreSQL server (TEST_DATABASE_URL)',
      command: ['npx', 'vitest', 'run'],
      env: { SAFESHARE_TEST_ENGINE: 'server' },
    },
    {
      name: "the embedded server's own tests on embedded PostgreSQL",
      command: ['npx', 'vitest', 'run', ...embeddedServerTests],
      env: { SAFESHARE_TEST_ENGINE: 'embedded' },
    },
  );
} else {
  stages.push({
    name: 'tests on embedded PostgreSQL',
    command: ['npx', 'vitest', 'run'],
    env: { SAFESHARE_TEST_ENGINE: 'embedded' },
  });
}
if (existsSync(chromium)) {
  stages.push({
    name: 'end-to-end in Chromium',
    command: ['npx', 'vitest', 'run', '--config', 'vitest.e2e.config.ts'],
  });
} else if (process.env['CI'] !== undefined) {
  console.error(
    `Chromium is missing at ${chromium}: CI must run the end-to-end suite (apt-get install chromium).`,
  );
  process.exit(1);
} else {
  console.warn(
    `Skipping the end-to-end suite: no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH).`,
  );
}

const started = Date.now();
let failed = 0;
let passed = 0;
for (const stage of stages) {
  const stageStart = Date.now();
  console.log(`\n=== ${stage.name} ===`);
  const [command, ...args] = stage.command;
  const result = spawnSync(command ?? 'false', args, {
    stdio: 'inherit',
    env: { ...process.env, ...stage.env },
  });
  const seconds = ((Date.now() - stageStart) / 1000).toFixed(1);
  if (result.status === 0) {
    passed += 1;
    console.log(`=== ${stage.name}: passed (${seconds} s) ===`);
  } else {
    failed += 1;
    console.log(`=== ${stage.name}: FAILED (${seconds} s) ===`);
    break;
  }
}
console.log(`\nstages: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(0)} s)`);
process.exit(failed === 0 ? 0 : 1);
