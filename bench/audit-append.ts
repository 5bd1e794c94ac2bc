/**
 * Audit appends per second: one writer, then 8 concurrent writers on one chain (they serialise on
 * its head) and on 8 chains (one per organisation), each append in its own transaction as the
 * services write them; then one writer putting 100 events in each transaction. Runs on the embedded server, and on BENCH_DATABASE_URL's server when set.
 *
 *   npm run bench:audit                       (APPENDS=3000 by default)
 */
import { auditService, systemActor } from '../src/audit/index.ts';
import type { Db } from '../src/db/client.ts';
import { systemClock } from '../src/lib/clock.ts';
import { benchOrganisations, benchTargets, formatRate, runsAlone } from './support.ts';

/**
 * Milliseconds taken by `writers` concurrent writers to append `appends` events between them, writer
 * i to organisation i (modulo the list), `perTransaction` events in each transaction.
 */
export async function timeAppends(
  db: Db,
  appends: number,
  writers: number,
  organisationIds: readonly string[],
  perTransaction = 1,
): Promise<number> {
  const audit = auditService({ db, clock: systemClock });
  let next = 0;
  const writer = async (index: number) => {
    const organisationId = organisationIds[index % organisationIds.length] ?? '';
    while (next < appends) {
      next += perTransaction;
      await db.transaction().execute(async (trx) => {
        for (let event = 0; event < perTransaction; event += 1) {
          await audit.record(trx, {
            organisationId,
            actor: systemActor,
            action: 'person.viewed',
            entity: { type: 'person', id: '6f1c2a7e-3b7d-4d59-9a53-0e4f6d1c9b21' },
            personId: '6f1c2a7e-3b7d-4d59-9a53-0e4f6d1c9b21',
            change: { reason: 'allocated worker', route: 'case summary', writer: index },
          });
        }
      });
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: writers }, (_, index) => writer(index)));
  return performance.now() - started;
}

if (runsAlone(import.meta.url)) {
  const appends = Number.parseInt(process.env['APPENDS'] ?? '3000', 10);
  const run = (db: Db, writers: number, organisationIds: readonly string[], perTransaction = 1) =>
    timeAppends(db, appends, writers, organisationIds, perTransaction);
  for await (const target of benchTargets(12)) {
    try {
      console.log(`\n${target.label}: ${appends} appends per case, one transaction each`);
      const organisations = await benchOrganisations(target.db, 10);
      const [first = '', second = ''] = organisations;
      await run(target.db, 1, [second]); // warm-up: connections, plans, the first chain head
      const single = await run(target.db, 1, [first]);
      console.log(`  1 writer, 1 chain:     ${formatRate(appends, single)}`);
      const shared = await run(target.db, 8, [first]);
      console.log(`  8 writers, 1 chain:    ${formatRate(appends, shared)}`);
      const spread = await run(target.db, 8, organisations.slice(2));
      console.log(`  8 writers, 8 chains:   ${formatRate(appends, spread)}`);
      const batched = await run(target.db, 1, [first], 100);
      console.log(`  1 writer, 100 events per transaction: ${formatRate(appends, batched)}`);
      const result = await auditService({ db: target.db, clock: systemClock }).verify();
      console.log(
        `  chains verified afterwards: ${result.ok ? `ok, ${String(result.events)} events` : `FAILED at ${result.findings.map((found) => `${String(found.seq)}: ${found.problem}`).join('; ')}`}`,
      );
      if (!result.ok) process.exitCode = 1;
    } finally {
      await target.dispose();
    }
  }
}
