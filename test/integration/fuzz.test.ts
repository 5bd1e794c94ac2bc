import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/harness.ts';
import {
  cycleLength,
  describeFindings,
  fuzzApp,
  fuzzTargets,
  prepareWorld,
  runFuzz,
  type FuzzWorld,
  type Target,
} from '../support/fuzz.ts';

/**
 * Invariant 8 under hostile input: every form and every API route of the route table, sent control
 * characters, invalid UTF-8, lone surrogates, huge strings and numbers, impossible dates, arrays and
 * objects where text belongs, prototype keys, empty and mistyped bodies and hostile path
 * parameters, answers with a 4xx (or a success), never a 5xx. One cycle sends every kind of input
 * to every route once; the long run is `npm run fuzz`. FUZZ_SEED repeats a run.
 */
const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 1_000_000_007);
let world: FuzzWorld;
let targets: Target[];

beforeAll(async () => {
  const app = await fuzzApp(await freshDatabase());
  afterAll(async () => {
    await app.close();
  });
  world = await prepareWorld(app);
  targets = await fuzzTargets(world);
}, 60_000);

describe('hostile input to every route', () => {
  it('finds a form for the page routes and a body schema for the API routes', () => {
    const posts = targets.filter(
      (target) => target.rule.method === 'POST' && !target.rule.url.startsWith('/api/'),
    );
    const withForm = posts.filter((target) => target.form !== undefined);
    // Most POST routes have a page whose form posts to them; a crawl that found few would fuzz blind.
    expect(withForm.length / posts.length).toBeGreaterThan(0.6);
    const apiPosts = targets.filter(
      (target) => target.rule.method === 'POST' && target.rule.url.startsWith('/api/'),
    );
    for (const target of apiPosts) expect(target.rule.api?.body, target.rule.url).toBeDefined();
  });

  it('answers every input without a server error', async () => {
    const report = await runFuzz(world, targets, { seed, count: cycleLength(targets), concurrency: 3 });
    const summary = `seed ${seed}: ${report.sent} inputs in ${Math.round(report.elapsedMs)} ms, ${JSON.stringify(report.byClass)}`;
    console.info(summary);
    expect(report.sent, summary).toBe(cycleLength(targets));
    expect(
      report.findings.length,
      `${summary}\n${describeFindings(report)}\nRepeat with FUZZ_SEED=${seed}.`,
    ).toBe(0);
  }, 120_000);
});
