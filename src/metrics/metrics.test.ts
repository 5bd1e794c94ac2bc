import { beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation, createPerson, createStaff, signIn } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { createJobRunner, type JobLog } from '../jobs/job-runner.ts';
import { ManualClock } from '../lib/clock.ts';
import { createMetrics } from './metrics.ts';

const token = 'metrics-token-for-the-tests-0123456789abcdef';
const quietLog: JobLog = { debug() {}, info() {}, warn() {}, error() {} };
let context: TestContext;

beforeAll(async () => {
  context = await testApp({ METRICS_TOKEN: token });
});

async function scrape(authorization = `Bearer ${token}`) {
  return context.app.inject({ method: 'GET', url: '/metrics', headers: { authorization } });
}

/** The value of one sample, by its name and exact labels as Prometheus prints them. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('answers only a scraper holding the token', async () => {
    expect((await context.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const wrong = await scrape(`Bearer ${token.slice(0, -1)}x`);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(wrong.body).not.toContain('safeshare_');
    const right = await scrape();
    expect(right.statusCode).toBe(200);
    expect(right.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(right.headers['cache-control']).toBe('no-store');
  });

  it('is not served at all without a configured token', async () => {
    const without = await testApp({}, { database: context });
    const answer = await without.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.statusCode).toBe(404);
    expect(answer.body).not.toContain('safeshare_');
  });

  it('counts requests by route template, never by the address a person’s id is in', async () => {
    const organisationId = await createOrganisation(context);
    const dpo = await createStaff(context, { organisationId, roles: ['dpo'] });
    const personId = await createPerson(context, { organisationId, givenNames: 'Ava', familyName: 'Stone' });
    const browser = await signIn(context, dpo);
    const series = 'safeshare_http_requests_total{method="GET",route="/people/:personId",status="200"}';
    const before = sample((await scrape()).body, series) ?? 0;
    expect((await browser.get(`/people/${personId}`)).statusCode).toBe(200);
    expect((await browser.get(`/people/${personId}`)).statusCode).toBe(200);
    const body = (await scrape()).body;
    expect(sample(body, series)).toBe(before + 2);
    expect(body).toMatch(
      /safeshare_http_request_duration_seconds_count\{method="GET",route="\/people\/:personId"\} \d+/,
    );
    expect(body).not.toContain(personId);
    expect(body).not.toContain('Stone');
    // Each organisation's audit chain, by id: creating the organisation and its people wrote events.
    expect(sample(body, `safeshare_audit_chain_length{organisation="${organisationId}"}`)).toBeGreaterThan(2);
    expect(sample(body, 'safeshare_database_up')).toBe(1);
    expect(sample(body, 'safeshare_db_pool_connections{state="max"}')).toBe(10);
    expect(sample(body, 'safeshare_mail_outbox_backlog')).toBeGreaterThanOrEqual(0);
    expect(sample(body, 'safeshare_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('reports scheduled job runs: this process’s counts, and every server’s last run from the database', async () => {
    const metrics = createMetrics(context.db);
    const runner = createJobRunner({
      db: context.db,
      clock: new ManualClock(),
      log: quietLog,
      observe: (job, ok, seconds) => metrics.observeJob(job, ok, seconds),
    });
    runner.register({ name: 'metrics-test-ok', every: 60_000 }, async () => 'done');
    runner.register({ name: 'metrics-test-failing', every: 60_000 }, async () => {
      throw new Error('broken');
    });
    await runner.runNow('metrics-test-ok');
    await runner.runNow('metrics-test-ok');
    await expect(runner.runNow('metrics-test-failing')).rejects.toThrow();
    const own = (await metrics.exposition()).body;
    expect(sample(own, 'safeshare_job_runs_total{job="metrics-test-ok",outcome="ok"}')).toBe(2);
    expect(sample(own, 'safeshare_job_runs_total{job="metrics-test-failing",outcome="failed"}')).toBe(1);

    // The app's own scrape reads the runs recorded by any server.
    const body = (await scrape()).body;
    expect(sample(body, 'safeshare_job_last_run_failed{job="metrics-test-failing"}')).toBe(1);
    expect(sample(body, 'safeshare_job_last_run_failed{job="metrics-test-ok"}')).toBe(0);
    expect(sample(body, 'safeshare_job_last_run_timestamp_seconds{job="metrics-test-ok"}')).toBeGreaterThan(
      0,
    );
  });
});
