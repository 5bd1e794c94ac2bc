import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { poolUse, type Db } from '../db/client.ts';
import { databaseReadings } from './metrics.repository.ts';

/**
 * What Prometheus scrapes at `/metrics`: requests by route, the database pool, scheduled jobs, the
 * audit chains' lengths and the mail outbox's backlog, and the process itself. Labels are route
 * templates, job names and organisation ids: never personal data.
 */
export function createMetrics(db: Db) {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'safeshare_' });

  const requests = new Counter({
    name: 'safeshare_http_requests_total',
    help: 'Requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const requestSeconds = new Histogram({
    name: 'safeshare_http_request_duration_seconds',
    help: 'Time to answer a request, by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const jobRuns = new Counter({
    name: 'safeshare_job_runs_total',
    help: 'Scheduled job runs by this process, by job and outcome (ok or failed)',
    labelNames: ['job', 'outcome'] as const,
    registers,
  });
  const jobSeconds = new Histogram({
    name: 'safeshare_job_duration_seconds',
    help: 'Time a scheduled job run took in this process',
    labelNames: ['job'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers,
  });
  const databaseUp = new Gauge({
    name: 'safeshare_database_up',
    help: '1 when the database answered the last scrape, 0 when it did not',
    registers,
  });

  new Gauge({
    name: 'safeshare_db_pool_connections',
    help: 'Database pool connections: open (total), idle, requests waiting for one, and the most allowed (max)',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const use = poolUse(db);
      if (use === undefined) return;
      this.set({ state: 'total' }, use.total);
      this.set({ state: 'idle' }, use.idle);
      this.set({ state: 'waiting' }, use.waiting);
      this.set({ state: 'max' }, use.max);
    },
  });

  // The gauges the database answers are read in one round trip per scrape.
  const chainLength = new Gauge({
    name: 'safeshare_audit_chain_length',
    help: 'Events in each organisation’s audit chain',
    labelNames: ['organisation'] as const,
    registers,
  });
  const outboxBacklog = new Gauge({
    name: 'safeshare_mail_outbox_backlog',
    help: 'E-mails waiting in the outbox (not yet sent)',
    registers,
  });
  const jobLastRun = new Gauge({
    name: 'safeshare_job_last_run_timestamp_seconds',
    help: 'When each scheduled job last finished, on any app server',
    labelNames: ['job'] as const,
    registers,
  });
  const jobLastFailed = new Gauge({
    name: 'safeshare_job_last_run_failed',
    help: '1 when the last run of the job, on any app server, failed',
    labelNames: ['job'] as const,
    registers,
  });

  async function readDatabase(): Promise<void> {
    try {
      const { chains, waiting, jobs } = await databaseReadings(db);
      chainLength.reset();
      for (const chain of chains) chainLength.set({ organisation: chain.organisation_id }, chain.seq);
      outboxBacklog.set(waiting);
      jobLastRun.reset();
      jobLastFailed.reset();
      for (const run of jobs) {
        jobLastRun.set({ job: run.job }, run.finished_at.getTime() / 1000);
        jobLastFailed.set({ job: run.job }, run.outcome?.startsWith('failed') === true ? 1 : 0);
      }
      databaseUp.set(1);
    } catch {
      // The scrape still answers, saying the database did not.
      databaseUp.set(0);
    }
  }

  return {
    observeRequest(method: string, route: string, status: number, seconds: number): void {
      requests.inc({ method, route, status: String(status) });
      requestSeconds.observe({ method, route }, seconds);
    },
    observeJob(job: string, ok: boolean, seconds: number): void {
      jobRuns.inc({ job, outcome: ok ? 'ok' : 'failed' });
      jobSeconds.observe({ job }, seconds);
    },
    async exposition(): Promise<{ contentType: string; body: string }> {
      await readDatabase();
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Whether a presented token is the configured one, compared in constant time. */
function sameToken(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Counts every answer by its route template, and serves `/metrics` to a scraper holding the
 * token. Without a configured token the address answers as if nothing were there.
 */
export function metricsRoutes(
  app: FastifyInstance,
  options: { metrics: Metrics; token: string | undefined },
): void {
  const { metrics, token } = options;
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  // Public to the sign-in check: the scraper is not a member of staff; the bearer token is its key.
  app.get('/metrics', { config: { access: 'public', audit: 'none' } }, async (request, reply) => {
    if (token === undefined) return reply.callNotFound();
    const presented = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (presented === undefined || !sameToken(presented, token))
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .type('text/plain; charset=utf-8')
        .send('A valid metrics token is needed.\n');
    const { contentType, body } = await metrics.exposition();
    return reply.header('cache-control', 'no-store').type(contentType).send(body);
  });
}
