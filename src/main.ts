import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { loadConfig, ConfigError } from './config.ts';
import { loadDemoData, demoAccountsText } from './demo/demo.ts';
import { createJobRunner, registerJobs } from './jobs/index.ts';
import { systemClock } from './lib/clock.ts';
import { createMetrics } from './metrics/metrics.ts';
import {
  checkApplicationRole,
  openDatabase,
  resolveSecretKey,
  secretBoxFor,
  type Database,
} from './runtime.ts';
import { services as buildServices } from './services.ts';

const startedAt = performance.now();
const say = (message: string) => process.stdout.write(`${message}\n`);

let database: Database | undefined;
try {
  const config = await resolveSecretKey(loadConfig());
  const opened = await openDatabase(config, (message) => say(`[database] ${message}`));
  database = opened;
  const { db } = opened;
  // The app's own embedded server is started again if it stops; meanwhile requests answer 503.
  opened.embedded?.supervise();
  const applied = await opened.migrate();
  if (applied.length > 0) say(`[database] applied ${applied.length} migration(s)`);
  await checkApplicationRole(opened, config, (message) => say(`[database] ${message}`));
  const dependencies = { db, clock: systemClock, secretBox: secretBoxFor(config), config };
  const services = buildServices(dependencies);
  if (config.demoData) await loadDemoData({ ...dependencies, services }, say);
  const metrics = createMetrics(db);
  const app = await buildApp({ ...dependencies, services, metrics });

  const sweep = setInterval(
    () =>
      void services.auth
        .sweep()
        .catch((error: unknown) => app.log.error({ err: error }, 'session sweep failed')),
    60_000,
  );
  sweep.unref();
  const jobs = createJobRunner({
    db,
    clock: systemClock,
    log: app.log,
    observe: (job, ok, seconds) => metrics.observeJob(job, ok, seconds),
  });
  registerJobs(jobs, { services, log: app.log });
  await jobs.start();

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    clearInterval(sweep);
    await jobs.stop();
    await app.close();
    await opened.close();
  });

  const address = await app.listen({ port: config.port, host: config.host });
  say('');
  say(`${config.serviceName} is running at ${address.replace('127.0.0.1', 'localhost')}`);
  say(
    `  database: ${opened.embedded ? `embedded PostgreSQL (${opened.embedded.dataDirectory})` : 'PostgreSQL at DATABASE_URL'}`,
  );
  say(`  started in ${Math.round(performance.now() - startedAt)} ms`);
  if (config.demoData) {
    const accounts = await demoAccountsText(config.dataDir);
    if (accounts !== undefined) say(accounts);
  }
} catch (error) {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`Safeshare could not start: ${message}\n`);
  // Stop the embedded server we started, rather than leave it running for the next start to clear.
  await database?.close().catch(() => undefined);
  process.exit(1);
}
