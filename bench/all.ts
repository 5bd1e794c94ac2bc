/**
 * Safeshare's hot paths beside references measured in the same run on the same machine, in one
 * table: the machine is small and shared, so each figure is read as a ratio of its reference, never
 * alone. docs/performance.md says what each row measures, why its goal, and where the time goes.
 *
 *   npm run bench                  a few minutes on 2 cores
 *   npm run bench -- --full        audit verify over 1,000,000 events (default 200,000), the
 *                                  dashboard over 1,000,000 disclosures (default 200,000)
 *   npm run bench -- --seconds 20  each load runs 20 s (default 10)
 *   npm run bench -- --embedded    the embedded server even when a server is given
 *
 * The database: the PostgreSQL server BENCH_DATABASE_URL (or else TEST_DATABASE_URL) names, in a
 * scratch database dropped afterwards; without one, an embedded server. pgbench, the reference for
 * the paths that write, runs against that same server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { chainedHashRate, generateChains, timeReadAlone, timeVerify } from './audit-verify.ts';
import { timeAppends } from './audit-append.ts';
import { disclosureEndpoint, postDisclosures } from './disclosure-api.ts';
import { disclosureFloor } from './floors.ts';
import { sealedStorageRates } from './exchange-throughput.ts';
import { helloWorld } from './hello-world.ts';
import { dashboardGoalMs, dashboardSite, timePage } from './dashboard.ts';
import { getSignedInPage, signedInSite } from './http-page.ts';
import { subjectAccessGoalMs, timeSubjectAccess } from './subject-access.ts';
import {
  benchOrganisations,
  embeddedTarget,
  pgbench,
  serverTarget,
  type BenchTarget,
  type LoadResult,
} from './support.ts';

const flag = (name: string) => process.argv.includes(name);
const secondsFlag = process.argv.indexOf('--seconds');
const seconds = secondsFlag === -1 ? 10 : Number(process.argv[secondsFlag + 1]);
const verifyEvents = flag('--full') ? 1_000_000 : 200_000;
const dashboardDisclosures = flag('--full') ? 1_000_000 : 200_000;
const appends = 3000;
const megabytes = 100;

interface Row {
  readonly path: string;
  readonly safeshare: string;
  readonly reference: string;
  readonly ratio: string;
  readonly goal: string;
}

const rows: Row[] = [];
const whole = (value: number) => Math.round(value).toLocaleString('en-GB');
const percent = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
const load = (result: LoadResult) =>
  `${whole(result.requests.average)} req/s, p50 ${String(result.latency.p50)} ms, p99 ${String(result.latency.p99)} ms${failures(result)}`;

/** Requests that failed or were refused: the figure then says nothing of the path, so the run fails. */
function failures(result: LoadResult): string {
  const failed = result.errors + result.non2xx;
  if (failed === 0) return '';
  process.exitCode = 1;
  return ` (${whole(failed)} FAILED of ${whole(result.requests.total)})`;
}

/** CPU milliseconds used so far by every PostgreSQL process on the machine (Linux's /proc; 0 elsewhere). */
function postgresCpuMs(): number {
  let ticks = 0;
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!name.startsWith('postgres')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended while it was read.
    }
  }
  return ticks * 10;
}

interface CpuShare {
  /** This process's CPU (the app) a request, in milliseconds. */
  readonly appCpuMs: number;
  /** PostgreSQL's CPU a request (every postgres process on the machine), in milliseconds. */
  readonly databaseCpuMs: number;
}

/** Runs a load against the app in this process and says how much CPU each request took, the app's and PostgreSQL's. */
async function withCpu(run: () => Promise<LoadResult>): Promise<LoadResult & CpuShare> {
  const before = process.cpuUsage();
  const databaseBefore = postgresCpuMs();
  const result = await run();
  const used = process.cpuUsage(before);
  const requests = Math.max(1, result.requests.total);
  return {
    ...result,
    appCpuMs: (used.user + used.system) / 1000 / requests,
    databaseCpuMs: (postgresCpuMs() - databaseBefore) / requests,
  };
}

/** The CPU a request took, and the most requests a second this machine's cores could serve at that cost. */
function cpuCeiling(share: CpuShare): string {
  const cores = os.cpus().length;
  const total = share.appCpuMs + share.databaseCpuMs;
  return `; CPU a request: the app ${share.appCpuMs.toFixed(2)} ms, PostgreSQL ${share.databaseCpuMs.toFixed(2)} ms, so at most ${whole((cores * 1000) / total)} a second on ${String(cores)} cores`;
}

function note(message: string): void {
  process.stdout.write(`  ${message}\n`);
}

async function target(): Promise<BenchTarget> {
  const given = process.env['BENCH_DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'] ?? '';
  return given === '' || flag('--embedded') ? embeddedTarget(20) : serverTarget(given, 20);
}

const started = new Date();
console.log(
  `Safeshare benchmarks, ${started.toISOString()}: ${String(os.cpus().length)} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ` +
    `Node ${process.version}, load average ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')} at the start`,
);
const database = await target();
console.log(
  `database: ${database.label}; each load ${String(seconds)} s on loopback, autocannon in its own process`,
);
try {
  note('pgbench TPC-B, 8 clients');
  const tpcb = await pgbench(database.url, 8, seconds);
  const tpcbText =
    'tps' in tpcb
      ? `pgbench TPC-B, 8 clients: ${whole(tpcb.tps)} TPS`
      : `${tpcb.missing}: no server reference`;

  note('POST a disclosure over the API');
  const endpoint = await disclosureEndpoint(database.db, database.url);
  const [decision] = endpoint.decisions;
  await postDisclosures(decision, ['-c', '5', '-a', '200']);
  const twenty = await withCpu(() => postDisclosures(decision, ['-c', '20', '-d', String(seconds)]));
  const thirtyTwo = await postDisclosures(decision, ['-c', '32', '-d', String(seconds)]);
  await endpoint.close();
  const floor = await disclosureFloor(database.db, database.url, decision);
  await postDisclosures(floor.target, ['-c', '5', '-a', '200']);
  const floorTwenty = await withCpu(() => postDisclosures(floor.target, ['-c', '20', '-d', String(seconds)]));
  const floorThirtyTwo = await postDisclosures(floor.target, ['-c', '32', '-d', String(seconds)]);
  await floor.close();
  const disclosureShare = 'tps' in tpcb ? twenty.requests.average / tpcb.tps : undefined;
  const floorShare = 'tps' in tpcb ? floorTwenty.requests.average / tpcb.tps : undefined;
  rows.push(
    {
      path: 'POST a disclosure over the API, 20 connections',
      safeshare: load(twenty) + cpuCeiling(twenty),
      reference: tpcbText,
      ratio: disclosureShare === undefined ? '-' : percent(disclosureShare),
      goal: `>= 25%: ${disclosureShare === undefined ? 'no reference' : met(disclosureShare >= 0.25)}`,
    },
    {
      path: 'POST a disclosure over the API, 32 connections',
      safeshare: load(thirtyTwo),
      reference: '-',
      ratio: '-',
      goal: `p99 < 50 ms: ${met(thirtyTwo.latency.p99 < 50)}`,
    },
    {
      path: "a disclosure's floor (bench/floors.ts): its token checked, its row and audit event written and committed, no rule checked; 20 connections",
      safeshare: load(floorTwenty) + cpuCeiling(floorTwenty),
      reference: tpcbText,
      ratio: floorShare === undefined ? '-' : percent(floorShare),
      goal: 'the ceiling of the first row',
    },
    {
      path: "a disclosure's floor, 32 connections",
      safeshare: load(floorThirtyTwo),
      reference: '-',
      ratio: '-',
      goal: 'the ceiling of the second row',
    },
  );

  note('signed-in GET /, and a Fastify hello world');
  const site = await signedInSite(database.db, database.url);
  await getSignedInPage(site, '/', ['-c', '10', '-a', '500']);
  const page = await withCpu(() => getSignedInPage(site, '/', ['-c', '50', '-d', String(seconds)]));
  await getSignedInPage(site, '/more', ['-c', '10', '-a', '500']);
  const lightest = await withCpu(() => getSignedInPage(site, '/more', ['-c', '50', '-d', String(seconds)]));
  await site.close();
  const [, hello] = await helloWorld([
    ['-c', '10', '-a', '500'],
    ['-c', '50', '-d', String(seconds)],
  ]);
  if (hello === undefined) throw new Error('the hello world was not measured');
  const pageShare = page.requests.average / hello.requests.average;
  rows.push({
    path: '`GET /` signed in, 50 connections',
    safeshare: load(page) + cpuCeiling(page),
    reference: `Fastify hello world in its own process, 50 connections: ${load(hello)}`,
    ratio: percent(pageShare),
    goal: `>= 3% and p99 < 40 ms: ${met(pageShare >= 0.03 && page.latency.p99 < 40)}`,
  });
  rows.push({
    path: '`GET /more` signed in, the lightest signed-in page (the session and notifications read, the layout rendered), 50 connections',
    safeshare: load(lightest) + cpuCeiling(lightest),
    reference: `the hello world above: ${whole(hello.requests.average)} req/s`,
    ratio: percent(lightest.requests.average / hello.requests.average),
    goal: 'a signed-in page with no work of its own: the ceiling of the row above',
  });

  note(`the oversight dashboard over ${whole(dashboardDisclosures)} disclosures`);
  const dashboard = await dashboardSite(database.db, database.url, dashboardDisclosures);
  await timePage(dashboard, '/oversight', 10);
  const dashboardTimes = await timePage(dashboard, '/oversight', 100);
  await dashboard.close();
  rows.push({
    path: `\`GET /oversight\` (the DPO's dashboard, 12 months), ${whole(dashboardDisclosures)} disclosures, one request at a time`,
    safeshare: `p50 ${whole(dashboardTimes.p50)} ms, p95 ${whole(dashboardTimes.p95)} ms`,
    reference: '-',
    ratio: '-',
    goal: `p95 < ${String(dashboardGoalMs)} ms: ${met(dashboardTimes.p95 < dashboardGoalMs)}`,
  });

  note(`audit verify over ${whole(verifyEvents)} events`);
  await generateChains(database.db, verifyEvents, 4);
  const hashesBefore = chainedHashRate();
  const verified = await timeVerify(database.db);
  const hashesAfter = chainedHashRate();
  const hashes = (hashesBefore + hashesAfter) / 2;
  if (verified.ok) {
    const rate = (verified.events * 1000) / verified.milliseconds;
    rows.push({
      path: `\`audit verify\`, ${whole(verifyEvents)} events in 4 chains`,
      safeshare: `${whole(rate)} events/s (${(verified.milliseconds / 1000).toFixed(1)} s)`,
      reference: `Node SHA-256 chained over 300-byte records: ${whole(hashes)}/s`,
      ratio: percent(rate / hashes),
      goal: `>= 50%: ${met(rate / hashes >= 0.5)}`,
    });
    // The floor under verification here: reading the rows alone, before any hashing.
    const read = await timeReadAlone(database.db);
    rows.push({
      path: `\`audit verify\`'s reading alone: the same events read as it reads them (binary COPY, decoded), nothing hashed`,
      safeshare: `${whole(read)} events/s; \`verify()\` is ${percent(rate / read)} of it`,
      reference: `Node SHA-256 chained over 300-byte records: ${whole(hashes)}/s`,
      ratio: percent(read / hashes),
      goal: 'the ceiling of the row above on this storage',
    });
  } else {
    process.exitCode = 1;
    rows.push({
      path: '`audit verify`',
      safeshare: `FAILED: ${verified.breaks}`,
      reference: '-',
      ratio: '-',
      goal: '-',
    });
  }

  note('audit appends, 8 writers into one organisation');
  const [warmUp = '', organisation = ''] = await benchOrganisations(database.db, 2);
  await timeAppends(database.db, 500, 8, [warmUp]);
  const appendRate = (appends * 1000) / (await timeAppends(database.db, appends, 8, [organisation]));
  rows.push({
    path: 'audit appends, 8 writers into one organisation, one transaction each',
    safeshare: `${whole(appendRate)} events/s`,
    reference: tpcbText,
    ratio: 'tps' in tpcb ? percent(appendRate / tpcb.tps) : '-',
    goal: `>= 5,000/s: ${met(appendRate >= 5000)}`,
  });

  note('the subject access report for one person with 1,000 disclosures and 10,000 audit events');
  const subject = await timeSubjectAccess(database.db, database.url, {
    disclosures: 1000,
    reads: 10_000,
    runs: 3,
  });
  for (const [format, ms] of [
    ['PDF', subject.pdfMs],
    ['CSV', subject.csvMs],
  ] as const)
    rows.push({
      path: `subject access report as ${format}, 1,000 disclosures and 10,000 audit events`,
      safeshare: `median ${whole(ms)} ms`,
      reference: '-',
      ratio: '-',
      goal: `< ${whole(subjectAccessGoalMs)} ms: ${met(ms < subjectAccessGoalMs)}`,
    });
} finally {
  await database.dispose();
}

note(`secure exchange, a ${String(megabytes)} MB file`);
const sealed = await sealedStorageRates(megabytes);
if (!sealed.roundTripWhole) process.exitCode = 1;
const references = `raw AES-256-GCM ${whole(sealed.rawAes)} MB/s, a streamed copy ${whole(sealed.streamedCopy)} MB/s`;
for (const [path, rate] of [
  ['secure exchange upload (file, seal, file)', sealed.upload],
  ['secure exchange download (file, open, file)', sealed.download],
] as const)
  rows.push({
    path: `${path}, ${String(megabytes)} MB${sealed.roundTripWhole ? '' : ' (ROUND TRIP BROKEN)'}`,
    safeshare: `${whole(rate)} MB/s`,
    reference: references,
    ratio: `${percent(rate / sealed.slowerReference)} of the slower`,
    goal: `>= 50% of the slower: ${met(rate / sealed.slowerReference >= 0.5)}`,
  });

const header: Row = {
  path: 'path',
  safeshare: 'Safeshare',
  reference: 'reference in the same run',
  ratio: 'ratio',
  goal: 'goal',
};
const line = (row: Row) =>
  `| ${row.path} | ${row.safeshare} | ${row.reference} | ${row.ratio} | ${row.goal} |`;
console.log(
  [
    '',
    line(header),
    '| --- | --- | --- | --- | --- |',
    ...rows.map(line),
    '',
    `finished in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`,
  ].join('\n'),
);
// pdfjs-dist's legacy build (the exchange's view-only pages) brings core-js, which replaces
// JSON.stringify for the whole process: the app and the command line run with it, and so does this.
if ('__core-js_shared__' in globalThis)
  console.log(
    'core-js was loaded (by pdfjs-dist, as in the app and the command line): JSON.stringify is its polyfill in every figure above',
  );
