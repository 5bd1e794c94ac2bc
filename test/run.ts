/**
 * `npm test`: the whole check, the same locally and in CI.
 *  1. type-check   2. lint   3. unit and integration tests on the embedded PostgreSQL
 *  4. the same tests on the PostgreSQL server named by TEST_DATABASE_URL, when set, but for those
 *     whose subject does not depend on the engine (the command line's processes, the method
 *     policy's API, the fuzz run): stage 3 runs them, and CI must finish in 20 minutes
 *  5. end-to-end journeys in Chromium
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
/** Tests the embedded stage runs and the server stage leaves out: their subject is the same on both engines. */
const serverStageLeavesOut = [
  'src/cli/**',
  'src/channels/channels.api.test.ts',
  'test/integration/fuzz.test.ts',
];
const stages: Stage[] = [
  { name: 'type-check', command: ['npx', 'tsc', '--noEmit', '-p', 'tsconfig.json'] },
  // The project's own lint script: ESLint, Prettier and the architecture rules, as `npm run lint` runs them.
  { name: 'lint', command: ['npm', 'run', '--silent', 'lint'] },
  {
    name: 'tests on embedded PostgreSQL',
    command: ['npx', 'vitest', 'run'],
    env: { SAFESHARE_TEST_ENGINE: 'embedded' },
  },
];
if (serverUrl !== undefined && serverUrl !== '') {
  stages.push({
    name: 'tests on the PostgreSQL server (TEST_DATABASE_URL)',
    command: ['npx', 'vitest', 'run', ...serverStageLeavesOut.flatMap((pattern) => ['--exclude', pattern])],
    env: { SAFESHARE_TEST_ENGINE: 'server' },
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
