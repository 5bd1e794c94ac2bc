/**
 * The long fuzz run: hostile values to every form and every API route of the route table, on a
 * fresh database, until `--count` inputs have been sent. Prints the inputs sent, the responses by
 * status class, every 5xx grouped by cause, and the time taken; exits 1 on any 5xx (invariant 8).
 * Usage: npm run fuzz -- [--count 100000] [--seed N] [--concurrency 4]
 * (an embedded PostgreSQL in a temporary folder; BENCH_DATABASE_URL=postgres://... runs the machine's server too)
 */
import { parseArgs } from 'node:util';
import {
  cycleLength,
  describeFindings,
  fuzzApp,
  fuzzTargets,
  prepareWorld,
  runFuzz,
} from '../test/support/fuzz.ts';
import { benchTargets } from './support.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
  },
});
const count = Number(values.count);
const seed = values.seed === undefined ? Date.now() % 1_000_000_007 : Number(values.seed);
const concurrency = Number(values.concurrency);
if (
  !Number.isInteger(count) ||
  count < 1 ||
  !Number.isInteger(seed) ||
  !Number.isInteger(concurrency) ||
  concurrency < 1
) {
  console.error(
    'usage: npm run fuzz -- [--count N] [--seed N] [--concurrency N]   (whole numbers, count and concurrency at least 1)',
  );
  process.exit(2);
}

let serverErrors = 0;
for await (const database of benchTargets(concurrency + 4)) {
  // Benchmarks run as the server's superuser: it is their owner and their application role at once.
  const app = await fuzzApp({
    db: database.db,
    ownerDb: database.db,
    url: database.url,
    name: database.label,
  });
  try {
    const world = await prepareWorld(app);
    const targets = await fuzzTargets(world);
    console.log(
      `${database.label}: ${targets.length} routes, ${cycleLength(targets)} inputs a cycle; sending ${count.toLocaleString('en-GB')} with seed ${seed}, ${concurrency} at a time`,
    );
    const report = await runFuzz(world, targets, {
      seed,
      count,
      concurrency,
      onProgress: (progress) => {
        if (progress.sent % 10_000 === 0)
          console.log(
            `  ${progress.sent.toLocaleString('en-GB')} sent in ${Math.round(progress.elapsedMs / 1000)} s, ${progress.findings.length} of 5xx`,
          );
      },
    });
    const classes = Object.entries(report.byClass)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([statusClass, total]) => `${statusClass} ${total.toLocaleString('en-GB')}`)
      .join(', ');
    console.log(
      `${database.label}: ${report.sent.toLocaleString('en-GB')} inputs sent in ${(report.elapsedMs / 1000).toFixed(1)} s (${Math.round((report.sent * 1000) / report.elapsedMs)}/s): ${classes}; sessions restored ${report.sessionsRestored}`,
    );
    if (report.findings.length > 0) {
      console.log(describeFindings(report));
      console.log(`Repeat with: npm run fuzz -- --count ${count} --seed ${seed}`);
    } else {
      console.log('no 5xx');
    }
    serverErrors += report.findings.length;
  } finally {
    await app.close();
    await database.dispose();
  }
}
process.exitCode = serverErrors > 0 ? 1 : 0;
