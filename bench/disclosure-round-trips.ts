/**
 * The round trips of one POST a disclosure, counted: the same app and data as bench/disclosure-api.ts
 * over a pool whose connections record every statement, requests sent one at a time, so each
 * statement belongs to the request in flight. Prints the round trips a request by kind, and one
 * request's statements in the order they were sent. Quick (seconds), unlike disclosure-anatomy.ts.
 *
 *   npm run bench:round-trips -- [--requests 20] [--at-most 17]
 *
 * On the server BENCH_DATABASE_URL (or else TEST_DATABASE_URL) names, in a scratch database dropped
 * afterwards; without one, an embedded server. `--at-most N` exits non-zero when a request makes more
 * than N round trips.
 */
import { performance } from 'node:perf_hooks';
import { letterDisclosure } from '../test/support/disclosure-fixtures.ts';
import { kindOf, tracedDb, type Statement } from './disclosure-anatomy.ts';
import { disclosureEndpoint, type DisclosureTarget } from './disclosure-api.ts';
import { embeddedTarget, runsAlone, serverTarget, type BenchTarget } from './support.ts';

const body = JSON.stringify(letterDisclosure());

async function post(decision: DisclosureTarget): Promise<void> {
  const response = await fetch(decision.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${decision.token}`, 'content-type': 'application/json' },
    body,
  });
  if (response.status !== 201)
    throw new Error(`POST answered ${String(response.status)}: ${await response.text()}`);
}

/** Each request's statements, in the order they were sent; the requests one at a time. */
export async function roundTripsOf(
  target: BenchTarget,
  requests: number,
): Promise<readonly (readonly Statement[])[]> {
  const traced = tracedDb(target.url, 4);
  try {
    const endpoint = await disclosureEndpoint(traced.db, target.url);
    try {
      const [decision] = endpoint.decisions;
      // Warm: the first requests read what is then kept for the process (the policy pack, prepared modules).
      for (let warm = 0; warm < 5; warm += 1) await post(decision);
      const perRequest: Statement[][] = [];
      for (let index = 0; index < requests; index += 1) {
        traced.statements.length = 0;
        const started = performance.now();
        await post(decision);
        // A statement's record is pushed when its promise settles: let the last ones land.
        await new Promise((resolve) => setImmediate(resolve));
        perRequest.push(
          traced.statements
            .filter((statement) => statement.start >= started)
            .sort((a, b) => a.start - b.start),
        );
      }
      return perRequest;
    } finally {
      await endpoint.close();
    }
  } finally {
    await traced.db.destroy();
  }
}

if (runsAlone(import.meta.url)) {
  const option = (name: string) => {
    const at = process.argv.indexOf(name);
    return at === -1 ? undefined : Number(process.argv[at + 1]);
  };
  const requests = option('--requests') ?? 20;
  const atMost = option('--at-most');
  const serverUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'];
  const target =
    serverUrl !== undefined && serverUrl !== '' ? await serverTarget(serverUrl, 4) : await embeddedTarget(4);
  try {
    const perRequest = await roundTripsOf(target, requests);
    const counts = perRequest.map((statements) => statements.length);
    const byKind = new Map<string, number>();
    for (const statements of perRequest)
      for (const statement of statements) {
        const kind = kindOf(statement.text);
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      }
    console.log(
      `POST a disclosure on ${target.label}: ${(counts.reduce((sum, count) => sum + count, 0) / requests).toFixed(1)} round trips a request (from ${String(Math.min(...counts))} to ${String(Math.max(...counts))} over ${String(requests)} requests), by kind:`,
    );
    for (const [kind, count] of [...byKind.entries()].sort((a, b) => b[1] - a[1]))
      console.log(`  ${(count / requests).toFixed(2).padStart(5)} x  ${kind}`);
    console.log('One request, in order:');
    for (const statement of perRequest.at(-1) ?? [])
      console.log(
        `  ${(statement.end - statement.start).toFixed(1).padStart(5)} ms  ${kindOf(statement.text)}`,
      );
    if (atMost !== undefined && Math.max(...counts) > atMost) {
      console.error(`A request made ${String(Math.max(...counts))} round trips, more than ${String(atMost)}`);
      process.exitCode = 1;
    }
  } finally {
    await target.dispose();
  }
}
