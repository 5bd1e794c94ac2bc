/**
 * Where the time of POST a disclosure goes (docs/performance.md), without changing Safeshare: the
 * same app as bench/disclosure-api.ts, over a pool whose connections time every statement, on an
 * embedded server with pg_stat_statements. It measures, under 1 and then 20 connections:
 * - every round trip of every request, and inside each disclosure's transaction how long it waited
 *   for its organisation's audit chain head and how long it then held it, step by step;
 * - what the server's backends were doing (pg_stat_activity and pg_locks, sampled every 20 ms by a
 *   process of its own), and for each one waiting on a lock, what the holder was doing;
 * - the CPU each process used (this app, PostgreSQL, autocannon) and how busy the app's event loop was;
 * - the same load spread over 4 councils' decisions (4 audit chains), to see what the lock costs;
 * - a CPU profile of the app under the load, summed by package and by function.
 *
 *   node --import tsx bench/disclosure-anatomy.ts [--seconds 15] [--cpu-profile app.cpuprofile]
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createDb, type Db } from '../src/db/client.ts';
import type { Database } from '../src/db/database.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { disclosureEndpoint, postDisclosures, type DisclosureTarget } from './disclosure-api.ts';
import { adminQuery, freePort, runsAlone, type LoadResult } from './support.ts';

const applicationName = 'safeshare-anatomy';

// ---------------------------------------------------------------------------------------------
// The sampler: a process of its own, so that its samples do not queue behind the app's event loop.

interface ActivityRow {
  readonly pid: number;
  readonly state: string | null;
  readonly wait_event_type: string | null;
  readonly wait_event: string | null;
  readonly query: string;
  readonly blockers: number[];
}

interface LockRow {
  readonly locktype: string;
  readonly mode: string;
  readonly granted: boolean;
  readonly relname: string | null;
}

/** What the sampler saw: counts of backend states, of waits and what their holders did, of locks. */
interface Samples {
  samples: number;
  backends: Record<string, number>;
  waiters: Record<string, number>;
  holders: Record<string, number>;
  locks: Record<string, number>;
}

async function sample(url: string, everyMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'anatomy-sampler' });
  await client.connect();
  const seen: Samples = { samples: 0, backends: {}, waiters: {}, holders: {}, locks: {} };
  const count = (tally: Record<string, number>, key: string) => {
    tally[key] = (tally[key] ?? 0) + 1;
  };
  const run = { stopping: false };
  process.stdin.on('data', () => undefined);
  process.stdin.on('end', () => {
    run.stopping = true;
  });
  while (!run.stopping) {
    const started = performance.now();
    const activity = await client.query<ActivityRow>(
      `SELECT pid, state, wait_event_type, wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query,
              pg_blocking_pids(pid) AS blockers
       FROM pg_stat_activity WHERE application_name = $1`,
      [applicationName],
    );
    const locks = await client.query<LockRow>(
      `SELECT l.locktype, l.mode, l.granted, c.relname
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid LEFT JOIN pg_class c ON c.oid = l.relation
       WHERE a.application_name = $1 AND (NOT l.granted OR l.locktype = 'tuple'
             OR (l.mode = 'RowShareLock' AND c.relname = 'audit_chain_heads'))`,
      [applicationName],
    );
    seen.samples += 1;
    const byPid = new Map(activity.rows.map((row) => [row.pid, row]));
    for (const row of activity.rows) {
      const wait = row.wait_event_type === null ? 'on CPU' : `${row.wait_event_type}:${row.wait_event ?? ''}`;
      const statement = row.state === 'active' || row.wait_event_type === 'Lock' ? ` | ${row.query}` : '';
      count(seen.backends, `${row.state ?? '?'} | ${wait}${statement}`);
      if (row.wait_event_type === 'Lock') count(seen.waiters, `${row.wait_event ?? ''} | ${row.query}`);
    }
    // The backends at the head of the queue: blocking a waiter without waiting on a lock themselves.
    const holders = new Set(
      activity.rows
        .filter((row) => row.wait_event_type === 'Lock')
        .flatMap((row) => row.blockers)
        .filter((pid) => byPid.get(pid)?.wait_event_type !== 'Lock'),
    );
    for (const pid of holders) {
      const holder = byPid.get(pid);
      count(
        seen.holders,
        holder === undefined
          ? 'gone'
          : `${holder.state ?? '?'} | ${holder.wait_event_type === null ? 'on CPU' : `${holder.wait_event_type}:${holder.wait_event ?? ''}`}${holder.state === 'active' ? ` | ${holder.query}` : ''}`,
      );
    }
    for (const lock of locks.rows)
      count(
        seen.locks,
        `${lock.granted ? 'held' : 'waited for'} ${lock.locktype} ${lock.mode} ${lock.relname ?? ''}`,
      );
    const rest = everyMs - (performance.now() - started);
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
  }
  await client.end();
  process.stdout.write(JSON.stringify(seen));
}

/** Starts the sampler in its own process; `stop` ends it and returns what it saw. */
function startSampler(url: string): { stop(): Promise<Samples> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--sample', url],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.stdin.end();
      await exited;
      return JSON.parse(output) as Samples;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Every statement timed, on the app's own connections.

export interface Statement {
  readonly connection: number;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface TracedDb {
  readonly db: Db;
  readonly pool: pg.Pool;
  readonly statements: Statement[];
}

export function tracedDb(url: string, poolSize: number): TracedDb {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: applicationName });
  const statements: Statement[] = [];
  let connections = 0;
  pool.on('connect', (client) => {
    connections += 1;
    const connection = connections;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    const timed = (...args: unknown[]) => {
      const start = performance.now();
      const result = query(...args);
      const text = typeof args[0] === 'string' ? args[0] : '(prepared)';
      if (result instanceof Promise)
        void result.then(
          () => statements.push({ connection, text, start, end: performance.now() }),
          () => statements.push({ connection, text: `(failed) ${text}`, start, end: performance.now() }),
        );
      return result;
    };
    Object.assign(client, { query: timed });
  });
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool, statements };
}

/** The audit append: the chain head locked, the event inserted and the head moved, in one statement. */
const appendKind = 'audit: lock the chain head, insert the event, move the head (one statement)';

/** A statement's text without its values or column lists: what kind of round trip it is. */
export function kindOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (/^(begin|commit|rollback)$/i.test(flat)) return flat.toLowerCase();
  if (/^with head as \( select seq, hash from audit_chain_heads\b.* for update/i.test(flat))
    return appendKind;
  const verb = /^(select|insert into|update|delete from|with)\b/i.exec(flat)?.[1]?.toLowerCase() ?? '?';
  const tables = [...flat.matchAll(/(?:from|join|into|update) "?([a-z_]+)"?/gi)].map((match) => match[1]);
  return `${verb} ${[...new Set(tables)].join(', ')}`.slice(0, 90);
}

interface Transaction {
  readonly statements: readonly Statement[];
}

/** The statements of each connection grouped into transactions (begin ... commit). */
function transactions(statements: readonly Statement[]): Transaction[] {
  const byConnection = new Map<number, Statement[]>();
  for (const statement of [...statements].sort((a, b) => a.start - b.start)) {
    const list = byConnection.get(statement.connection) ?? [];
    list.push(statement);
    byConnection.set(statement.connection, list);
  }
  const found: Transaction[] = [];
  for (const list of byConnection.values()) {
    let open: Statement[] | undefined;
    for (const statement of list) {
      const kind = kindOf(statement.text);
      if (kind === 'begin') open = [statement];
      else if (open !== undefined) {
        open.push(statement);
        if (kind === 'commit' || kind === 'rollback') {
          found.push({ statements: open });
          open = undefined;
        }
      }
    }
  }
  return found;
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const stat = (values: readonly number[]) =>
  `mean ${ms(values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length))}, p50 ${ms(quantile(values, 0.5))}, p95 ${ms(quantile(values, 0.95))}`;

/**
 * The disclosure transactions' steps. The append waits for the organisation's chain head and then
 * holds it to the end of the transaction; seen from the app, the wait and the append's own work are
 * one round trip (the server's own time for it is in the pg_stat_statements lines).
 */
function chainHeadReport(statements: readonly Statement[]): string[] {
  const steps = {
    before: [] as number[],
    append: [] as number[],
    commitGap: [] as number[],
    commit: [] as number[],
    held: [] as number[],
    whole: [] as number[],
  };
  for (const transaction of transactions(statements)) {
    const list = transaction.statements;
    const kinds = list.map((statement) => kindOf(statement.text));
    if (!kinds.some((kind) => kind.startsWith('insert into disclosures'))) continue;
    const append = list[kinds.indexOf(appendKind)];
    const commit = list[kinds.indexOf('commit')];
    const begin = list[0];
    if (append === undefined || commit === undefined || begin === undefined) continue;
    steps.before.push(append.start - begin.start);
    steps.append.push(append.end - append.start);
    steps.commitGap.push(commit.start - append.end);
    steps.commit.push(commit.end - commit.start);
    steps.held.push(commit.end - append.end);
    steps.whole.push(commit.end - begin.start);
  }
  return [
    `  disclosure transactions: ${steps.whole.length}, each ${stat(steps.whole)}`,
    `    begin, insert the disclosure:               ${stat(steps.before)}`,
    `    the append (waiting for the head, then it): ${stat(steps.append)}`,
    `    -- held from within the append --`,
    `    app: back to the socket for commit:         ${stat(steps.commitGap)}`,
    `    commit (WAL flush):                         ${stat(steps.commit)}`,
    `    chain head held after the append:           ${stat(steps.held)}`,
  ];
}

function roundTripReport(statements: readonly Statement[], requests: number): string[] {
  const byKind = new Map<string, number[]>();
  for (const statement of statements) {
    const kind = kindOf(statement.text);
    const list = byKind.get(kind) ?? [];
    list.push(statement.end - statement.start);
    byKind.set(kind, list);
  }
  const rows = [...byKind.entries()].sort((a, b) => b[1].length - a[1].length);
  // Time with at least one statement in flight: with one connection, a request's time waiting on the database.
  let inFlight = 0;
  let reach = Number.NEGATIVE_INFINITY;
  for (const statement of [...statements].sort((a, b) => a.start - b.start)) {
    if (statement.start > reach) inFlight += statement.end - statement.start;
    else if (statement.end > reach) inFlight += statement.end - reach;
    reach = Math.max(reach, statement.end);
  }
  const total = statements.reduce((sum, statement) => sum + statement.end - statement.start, 0);
  return [
    `  round trips: ${(statements.length / requests).toFixed(1)} per request (${statements.length} for ${requests} requests); ` +
      `${ms(total / requests)} of round trips a request, ${ms(inFlight / requests)} of it with at least one in flight (when requests come one at a time: a request's time waiting on the database)`,
    ...rows.map(
      ([kind, durations]) =>
        `    ${(durations.length / requests).toFixed(2).padStart(5)} x  ${kind.padEnd(60)} ${stat(durations)}`,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// CPU of each process, from /proc.

/** utime + stime of a process, or of its children that ended and were waited for (cutime + cstime). */
function cpuTicks(pid: number, ofEndedChildren = false): number {
  try {
    const fields =
      readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
        .split(') ')[1]
        ?.split(' ') ?? [];
    const first = ofEndedChildren ? 13 : 11;
    return Number(fields[first] ?? 0) + Number(fields[first + 1] ?? 0);
  } catch {
    return 0;
  }
}

function childrenOf(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      if (ppid === parent) found.push(Number(entry));
    } catch {
      // gone between listing and reading
    }
  }
  return found;
}

function machineTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

interface CpuSnapshot {
  readonly app: number;
  readonly postgres: number;
  readonly load: number;
  readonly machine: { busy: number; total: number };
}

/** Taken just before autocannon starts and just after it ends: its CPU is then among the ended children's. */
function cpuSnapshot(postmaster: number): CpuSnapshot {
  return {
    load: cpuTicks(process.pid, true),
    app: cpuTicks(process.pid),
    postgres: cpuTicks(postmaster) + childrenOf(postmaster).reduce((sum, pid) => sum + cpuTicks(pid), 0),
    machine: machineTicks(),
  };
}

// ---------------------------------------------------------------------------------------------
// One load, measured every way at once.

interface Measured {
  readonly result: LoadResult;
  readonly lines: string[];
}

async function measure(
  traced: TracedDb,
  server: EmbeddedServer,
  postmaster: number,
  label: string,
  loads: readonly { decision: DisclosureTarget; connections: number }[],
  seconds: number,
): Promise<Measured> {
  await adminQuery(server.connectionString, 'SELECT pg_stat_statements_reset()');
  traced.statements.length = 0;
  const sampler = startSampler(server.connectionString);
  const poolWaits: number[] = [];
  const poolTimer = setInterval(() => poolWaits.push(traced.pool.waitingCount), 20);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const elu = performance.eventLoopUtilization();
  const before = cpuSnapshot(postmaster);
  const started = performance.now();
  const results = await Promise.all(
    loads.map((load) =>
      postDisclosures(load.decision, ['-c', String(load.connections), '-d', String(seconds)]),
    ),
  );
  const elapsed = performance.now() - started;
  const after = cpuSnapshot(postmaster);
  clearInterval(poolTimer);
  delay.disable();
  const utilisation = performance.eventLoopUtilization(elu).utilization;
  const samples = await sampler.stop();
  const serverSide = await serverStatements(server.connectionString);

  const requests = results.reduce((sum, result) => sum + result.requests.total, 0);
  const ok = results.reduce((sum, result) => sum + result['2xx'], 0);
  const rate = results.reduce((sum, result) => sum + result.requests.average, 0);
  const p50 = results.reduce((sum, result) => sum + result.latency.p50, 0) / results.length;
  const p99 = Math.max(...results.map((result) => result.latency.p99));
  const lines = [
    `\n${label}: ${Math.round(rate)} req/s, p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, ${ok} recorded of ${requests} (${(elapsed / 1000).toFixed(1)} s)`,
  ];
  // /proc counts in ticks of 10 ms; the machine's line counts every core's.
  const window = (after.machine.total - before.machine.total) / os.cpus().length;
  const share = (ticks: number) => `${((100 * ticks) / window).toFixed(0)}% of a core`;
  // CPU milliseconds per request: CPU time in the window / requests in the window.
  const perRequest = (ticks: number) => `${((1000 * ticks) / (rate * window)).toFixed(2)} ms a request`;
  const appTicks = after.app - before.app;
  lines.push(
    `  CPU: app ${share(appTicks)} (${perRequest(appTicks)}), PostgreSQL ${share(after.postgres - before.postgres)} (${perRequest(after.postgres - before.postgres)}), autocannon ${share(after.load - before.load)}; the machine was busy ${((100 * (after.machine.busy - before.machine.busy)) / (after.machine.total - before.machine.total)).toFixed(0)}% of ${os.cpus().length} cores`,
    `  app event loop: busy ${(utilisation * 100).toFixed(0)}% of the time (${((utilisation * elapsed) / 1000).toFixed(1)} s, while the whole app process used ${(appTicks / 100).toFixed(1)} s of CPU); delay p50 ${ms(delay.percentile(50) / 1e6)}, p99 ${ms(delay.percentile(99) / 1e6)}; pool: a query waited for a connection in ${((100 * poolWaits.filter((waiting) => waiting > 0).length) / Math.max(1, poolWaits.length)).toFixed(0)}% of samples`,
    ...roundTripReport(traced.statements, requests),
    ...chainHeadReport(traced.statements),
    ...samplerReport(samples),
    ...serverSide,
  );
  return { result: results[0] ?? failed(), lines };
}

function failed(): never {
  throw new Error('no load was run');
}

function top(tally: Record<string, number>, samples: number, limit: number, per: string): string[] {
  return Object.entries(tally)
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, value]) => `    ${(value / samples).toFixed(2).padStart(5)} ${per}  ${key}`);
}

function samplerReport(samples: Samples): string[] {
  const waiting = Object.values(samples.waiters).reduce((sum, value) => sum + value, 0);
  const backends = Object.values(samples.backends).reduce((sum, value) => sum + value, 0);
  return [
    `  pg_stat_activity, ${samples.samples} samples: on average ${(backends / samples.samples).toFixed(1)} app connections, ${(waiting / samples.samples).toFixed(2)} waiting on a lock`,
    ...top(samples.backends, samples.samples, 8, 'backends'),
    `  waiting on a lock (wait event | statement):`,
    ...top(samples.waiters, samples.samples, 4, 'backends'),
    `  what the backend holding it (blocking, not itself waiting) was doing (state | wait):`,
    ...top(samples.holders, samples.samples, 6, 'holders '),
    `  pg_locks (waited for, and tuple / chain-head locks):`,
    ...top(samples.locks, samples.samples, 6, 'locks   '),
  ];
}

async function serverStatements(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ query: string; calls: number; total: number; mean: number }>(
      `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS query, calls, total_exec_time AS total, mean_exec_time AS mean
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       ORDER BY total_exec_time DESC LIMIT 6`,
    );
    const steps = await client.query<{ query: string; calls: number; mean: number }>(
      `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 50) AS query, calls, mean_exec_time AS mean
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND (query ~* '^(begin|commit)$' OR query ~ 'audit_chain_heads')
       ORDER BY calls DESC LIMIT 4`,
    );
    const all = await client.query<{ total: number; planning: number; calls: string }>(
      `SELECT coalesce(sum(total_exec_time), 0) AS total, coalesce(sum(total_plan_time), 0) AS planning,
              coalesce(sum(calls), 0) AS calls FROM pg_stat_statements
       WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    const total = all.rows[0]?.total ?? 0;
    return [
      `  pg_stat_statements: ${all.rows[0]?.calls ?? '0'} statements executed in ${(total / 1000).toFixed(2)} s (waits for locks included), planned in ${((all.rows[0]?.planning ?? 0) / 1000).toFixed(2)} s; the most costly to execute:`,
      ...result.rows.map(
        (row) =>
          `    ${ms(row.total).padStart(10)} in all, ${ms(row.mean).padStart(8)} each, ${String(row.calls).padStart(6)} calls  ${row.query}`,
      ),
      `  the server's own time for the chain-head steps (the rest of each round trip is the network and the app):`,
      ...steps.rows.map(
        (row) => `    ${ms(row.mean).padStart(8)} each, ${String(row.calls).padStart(6)} calls  ${row.query}`,
      ),
    ];
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// A CPU profile of the app process under the load, summed.

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** What a function's time is spent on: Safeshare's code, a library, Node, or the engine's own work. */
function groupOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : 'V8 builtins and native code';
  if (url.includes('node_modules/pdfjs-dist'))
    return "core-js's JSON.stringify and Array push (installed by pdfjs-dist)";
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (inModules === 'kysely') return 'kysely (building and compiling queries)';
  if (inModules !== undefined && /^(pg|pg-protocol|pg-pool|pg-types|postgres-array)$/.test(inModules))
    return 'pg (the driver)';
  if (inModules !== undefined)
    return inModules === 'fastify' || inModules.startsWith('@fastify') ? 'fastify' : 'other packages';
  if (url.startsWith('node:')) return 'node internals';
  return url.includes('/src/') ? "Safeshare's own code (src/)" : 'other';
}

export function profileReport(profile: Profile): string[] {
  const selfTime = new Map<number, number>();
  profile.samples.forEach((node, index) => {
    selfTime.set(node, (selfTime.get(node) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const byGroup = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  // The profiler's own work (stopping, writing the profile out) is not the app's.
  const profiler = new Set<number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const mark = (id: number) => {
    profiler.add(id);
    for (const child of byId.get(id)?.children ?? []) mark(child);
  };
  for (const node of profile.nodes)
    if (node.callFrame.url === 'node:inspector' && !profiler.has(node.id)) mark(node.id);
  for (const node of profile.nodes) {
    if (profiler.has(node.id)) continue;
    const time = selfTime.get(node.id) ?? 0;
    total += time;
    const { url, functionName, lineNumber } = node.callFrame;
    // The main thread inside writev: sending to a socket wakes its reader (a backend, autocannon), and
    // with more runnable processes than cores the thread waits there for a core.
    const group =
      functionName === 'writev' && url === '' ? '(writev: waiting for a core)' : groupOf(url, functionName);
    byGroup.set(group, (byGroup.get(group) ?? 0) + time);
    const file =
      url === '' ? '' : ` ${url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${String(lineNumber + 1)}`;
    const name = `${functionName === '' ? '(anonymous)' : functionName}${file}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + time);
  }
  const idle = byGroup.get('(idle)') ?? 0;
  const waiting = byGroup.get('(writev: waiting for a core)') ?? 0;
  const onCpu = total - idle - waiting;
  const seconds = (time: number) => `${(time / 1e6).toFixed(1)} s`;
  const share = (time: number) => `${((100 * time) / onCpu).toFixed(1).padStart(5)}%`;
  const rank = (map: Map<string, number>, limit: number) =>
    [...map.entries()]
      .filter(([key]) => key !== '(idle)' && key !== '(writev: waiting for a core)' && key !== 'writev')
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([key, time]) => `    ${share(time)}  ${key}`);
  return [
    `\nCPU profile of the app under 20 connections: ${seconds(total)} sampled, ${seconds(idle)} idle, ${seconds(waiting)} inside writev (waiting for a core), ${seconds(onCpu)} working; of the working time:`,
    ...rank(byGroup, 12),
    `  by function (self time):`,
    ...rank(byFunction, 15),
  ];
}

// ---------------------------------------------------------------------------------------------

async function main(seconds: number): Promise<void> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-anatomy-'));
  await fs.chmod(folder, 0o755);
  // Once to initialise and preload pg_stat_statements, then again with it loaded.
  const first = await startEmbeddedPostgres({ dataDir: folder, port: await freePort(), database: 'bench' });
  await adminQuery(
    first.connectionString,
    `ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`,
  );
  // Planning is timed too: kysely's statements are parsed and planned afresh each time.
  await adminQuery(first.connectionString, 'ALTER SYSTEM SET pg_stat_statements.track_planning = on');
  await first.stop();
  const server = await startEmbeddedPostgres({ dataDir: folder, port: await freePort(), database: 'bench' });
  const postmaster = Number(
    (await fs.readFile(path.join(server.dataDirectory, 'postmaster.pid'), 'utf8')).split('\n')[0],
  );
  await adminQuery(server.connectionString, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  // Migrated over a handle of the app's own kind: the job queue's schema is installed through its pool.
  const migrating = createDb(server.connectionString, 2);
  try {
    await migrateToLatest(migrating);
  } finally {
    await migrating.destroy();
  }
  const traced = tracedDb(server.connectionString, 20);
  try {
    const endpoint = await disclosureEndpoint(traced.db, server.connectionString, 4);
    const [swindon, ...others] = endpoint.decisions;
    for (const decision of endpoint.decisions) await postDisclosures(decision, ['-c', '5', '-a', '200']);
    console.log(
      `POST a disclosure, embedded PostgreSQL, ${String(os.cpus().length)} cores, Node ${process.version}, ${new Date().toISOString()}`,
    );
    const single = await measure(
      traced,
      server,
      postmaster,
      '1 connection',
      [{ decision: swindon, connections: 1 }],
      seconds,
    );
    console.log(single.lines.join('\n'));
    const twenty = await measure(
      traced,
      server,
      postmaster,
      '20 connections, one council (one audit chain)',
      [{ decision: swindon, connections: 20 }],
      seconds,
    );
    console.log(twenty.lines.join('\n'));
    const spread = await measure(
      traced,
      server,
      postmaster,
      '20 connections over 4 councils (4 audit chains, 5 connections each)',
      [swindon, ...others].map((decision) => ({ decision, connections: 5 })),
      seconds,
    );
    console.log(spread.lines.join('\n'));

    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await postDisclosures(swindon, ['-c', '20', '-d', String(Math.min(seconds, 10))]);
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    const keep = process.argv.indexOf('--cpu-profile');
    const file = keep === -1 ? undefined : process.argv[keep + 1];
    if (file !== undefined) await fs.writeFile(file, JSON.stringify(profile));
    console.log(profileReport(profile as Profile).join('\n'));
    await endpoint.close();
  } finally {
    await traced.db.destroy();
    await server.stop();
    await fs.rm(folder, { recursive: true, force: true });
  }
}

const sampleFlag = process.argv.indexOf('--sample');
if (sampleFlag !== -1) {
  await sample(process.argv[sampleFlag + 1] ?? '', 20);
} else if (runsAlone(import.meta.url)) {
  const flag = process.argv.indexOf('--seconds');
  await main(flag === -1 ? 15 : Number(process.argv[flag + 1]));
}
