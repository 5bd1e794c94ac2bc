/**
 * Crash safety, not a timed benchmark: bursts of disclosures POSTed over the API while the app
 * server is killed with SIGKILL at a random moment, then started again. Every write acknowledged
 * with 2xx must be in the database with its audit event, nothing half-written may be visible, and
 * the audit chains must verify. Then trials that kill the database server itself under the same
 * load: the app must stay up, answer 503 meanwhile, and write again once the server is back.
 * Usage: npm run crash -- [--trials 100] [--database-trials 10]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { verifyChains } from '../src/audit/audit.verification.ts';
import { letterDisclosure } from '../test/support/disclosure-fixtures.ts';
import { disclosureEndpoint } from './disclosure-api.ts';
import { embeddedTarget, freePort } from './support.ts';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isInteger(value) && value >= 0 ? value : fallback;
}
const trials = option('trials', 100);
const databaseTrials = option('database-trials', 10);
const writers = 8;

const target = await embeddedTarget(12);
const server = target.server;
if (server === undefined) throw new Error('the crash trials need the embedded server');
const endpoint = await disclosureEndpoint(target.db, target.url, 1);
const { url: disclosureUrl, token } = endpoint.decisions[0];
await endpoint.close();
const disclosurePath = new URL(disclosureUrl).pathname;
const port = await freePort();
const base = `http://127.0.0.1:${port}`;

async function startApp(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('bench/crash-child.ts')], {
    env: { ...process.env, DATABASE_URL: target.url, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the app exited before it was ready (${String(code)})`)));
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

interface Burst {
  readonly acknowledged: string[];
  readonly unavailable: number;
  readonly failed: number;
}

/** Writers POST disclosures one after another until `until` says stop; each success is acknowledged with its id. */
async function burst(until: () => boolean, marker: string, onFirst?: () => void): Promise<Burst> {
  const acknowledged: string[] = [];
  let unavailable = 0;
  let failed = 0;
  let sequence = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (!until()) {
        sequence += 1;
        try {
          const response = await fetch(`${base}${disclosurePath}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(letterDisclosure({ description: `${marker} ${String(sequence)}` })),
            signal: AbortSignal.timeout(10_000),
          });
          if (response.status === 201) {
            acknowledged.push(((await response.json()) as { id: string }).id);
            onFirst?.();
          } else if (response.status === 503) unavailable += 1;
          else failed += 1;
          if (response.status !== 201) await response.body?.cancel();
        } catch {
          // The server went away mid-request: nothing was acknowledged.
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }),
  );
  return { acknowledged, unavailable, failed };
}

/** Acknowledged disclosures missing, and disclosures without their audit event (half-written). */
async function check(acknowledged: readonly string[]): Promise<{ lost: number; halfWritten: number }> {
  const present =
    acknowledged.length === 0
      ? []
      : await target.db.selectFrom('disclosures').select('id').where('id', 'in', acknowledged).execute();
  const orphans = await sql<{ count: string }>`
    SELECT count(*) AS count FROM disclosures d
    WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.entity_id = d.id::text AND e.action = 'disclosure.recorded')`.execute(
    target.db,
  );
  return {
    lost: acknowledged.length - present.length,
    halfWritten: Number(orphans.rows[0]?.count ?? 0),
  };
}

const totals = { acknowledged: 0, lost: 0, halfWritten: 0 };
for (let trial = 1; trial <= trials; trial += 1) {
  const app = await startApp();
  let stop = false;
  // Killed at a random moment once the burst is under way (the first write acknowledged).
  const killAfter = Math.floor(Math.random() * 1000);
  let killing: Promise<void> | undefined;
  const result = await burst(
    () => stop,
    `crash trial ${String(trial)}`,
    () => {
      killing ??= new Promise<void>((resolve) =>
        setTimeout(() => {
          void kill(app).then(() => {
            stop = true;
            resolve();
          });
        }, killAfter),
      );
    },
  );
  await killing;
  const found = await check(result.acknowledged);
  totals.acknowledged += result.acknowledged.length;
  totals.lost += found.lost;
  totals.halfWritten = found.halfWritten;
  process.stdout.write(
    `trial ${String(trial)}: killed ${String(killAfter)} ms into the burst, ${String(result.acknowledged.length)} acknowledged, ${String(found.lost)} lost, ${String(found.halfWritten)} half-written, ${String(result.failed)} refused\n`,
  );
}

// The database server killed under load, the app left running: 503 meanwhile, then writes again.
const databaseTotals = { acknowledged: 0, lost: 0, unavailable: 0, appExited: 0, recovered: 0 };
server.supervise();
for (let trial = 1; trial <= databaseTrials; trial += 1) {
  const app = await startApp();
  let stop = false;
  const lockFile = path.join(server.dataDirectory, 'postmaster.pid');
  const running = burst(() => stop, `database trial ${String(trial)}`);
  await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(Math.random() * 500)));
  const postmaster = Number.parseInt((await fs.readFile(lockFile, 'utf8')).split('\n')[0] ?? '', 10);
  process.kill(postmaster, 'SIGKILL');
  // Keep writing until the server is back and a write succeeds after it, or 60 seconds pass.
  const killedAt = Date.now();
  let recovered = false;
  while (Date.now() - killedAt < 60_000 && app.exitCode === null && app.signalCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const probe = await fetch(`${base}/readyz`).catch(() => undefined);
    if (probe?.status === 200 && Date.now() - killedAt > 1000) {
      recovered = true;
      await new Promise((resolve) => setTimeout(resolve, 500));
      break;
    }
  }
  stop = true;
  const result = await running;
  const exited = app.exitCode !== null || app.signalCode !== null;
  await kill(app);
  const found = await check(result.acknowledged);
  databaseTotals.acknowledged += result.acknowledged.length;
  databaseTotals.lost += found.lost;
  databaseTotals.unavailable += result.unavailable;
  databaseTotals.appExited += exited ? 1 : 0;
  databaseTotals.recovered += recovered ? 1 : 0;
  process.stdout.write(
    `database trial ${String(trial)}: ${String(result.acknowledged.length)} acknowledged, ${String(found.lost)} lost, ${String(result.unavailable)} answered 503, app ${exited ? 'EXITED' : 'stayed up'}, ${recovered ? 'recovered' : 'DID NOT RECOVER'}\n`,
  );
}

const verification = await verifyChains(target.db);
process.stdout.write(
  `\napp killed: ${String(trials)} trials, ${String(totals.acknowledged)} writes acknowledged, ${String(totals.lost)} lost, ${String(totals.halfWritten)} half-written\n` +
    `database killed: ${String(databaseTrials)} trials, ${String(databaseTotals.acknowledged)} acknowledged, ${String(databaseTotals.lost)} lost, ${String(databaseTotals.unavailable)} answered 503, app exited in ${String(databaseTotals.appExited)}, recovered in ${String(databaseTotals.recovered)}\n` +
    `audit verify: ${verification.ok ? 'passed' : 'FAILED'} (${String(verification.events)} events in ${String(verification.chains)} chains)\n`,
);
await target.dispose();
const failedRun =
  totals.lost > 0 ||
  totals.halfWritten > 0 ||
  databaseTotals.lost > 0 ||
  databaseTotals.appExited > 0 ||
  databaseTotals.recovered < databaseTrials ||
  !verification.ok;
process.exit(failedRun ? 1 : 0);
