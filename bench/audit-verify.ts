/**
 * Verification speed: generates valid chained audit events (hashes computed here, rows bulk-inserted
 * 5,000 at a time through the ordinary table with its triggers and indexes), then times the
 * service's `verify()` over all of them and prints events per second.
 *
 *   npm run bench:verify                      (EVENTS=1000000 CHAINS=4 by default)
 *   npm run bench:verify -- --with-app-modules  then once more after loading the app's modules, as
 *                                             `safeshare audit verify` runs (pdfjs-dist's core-js
 *                                             replaces JSON.stringify when they load)
 */
import { hash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { copyChain } from '../src/audit/audit.chain-copy.ts';
import { eventHash, genesisHash, type ChainedEvent } from '../src/audit/audit.hash.ts';
import { auditService } from '../src/audit/index.ts';
import { poolOf, type Db } from '../src/db/client.ts';
import { systemClock } from '../src/lib/clock.ts';
import { benchOrganisations, benchTargets, formatRate, runsAlone } from './support.ts';

const batchSize = 5000;

const actions = [
  'person.viewed',
  'consent.recorded',
  'decision.recorded',
  'disclosure.sent',
  'user.signed_in',
  'exchange.package_read',
];
const actors = Array.from({ length: 40 }, (_, index) => ({
  userId: randomUUID(),
  label: `Practitioner ${index + 1}`,
}));
const people = Array.from({ length: 2000 }, () => randomUUID());

/** A realistic event of about 300 bytes of canonical JSON. */
function eventAt(organisationId: string, seq: number, prevHash: string, start: number): ChainedEvent {
  const actor = actors[seq % actors.length] ?? { userId: null, label: 'Safeshare' };
  const personId = people[(seq * 7) % people.length] ?? null;
  return {
    organisationId,
    seq,
    prevHash,
    occurredAt: new Date(start + seq * 1000),
    actorUserId: actor.userId,
    actorLabel: actor.label,
    action: actions[seq % actions.length] ?? 'person.viewed',
    entityType: 'person',
    entityId: personId,
    personId,
    change: {
      reason: 'allocated worker',
      method: seq % 3 === 0 ? 'secure_exchange' : 'telephone',
      lawfulBasis: 'public task',
      n: seq,
    },
  };
}

async function insertBatch(db: Db, rows: readonly (ChainedEvent & { hash: string })[]): Promise<void> {
  const column = <T>(pick: (row: ChainedEvent & { hash: string }) => T) => rows.map(pick);
  await sql`
    INSERT INTO audit_events (organisation_id, seq, prev_hash, hash, occurred_at, actor_user_id, actor_label, action, entity_type, entity_id, person_id, change)
    SELECT * FROM unnest(
      ${column((row) => row.organisationId)}::uuid[], ${column((row) => row.seq)}::bigint[], ${column((row) => row.prevHash)}::text[],
      ${column((row) => row.hash)}::text[], ${column((row) => row.occurredAt.toISOString())}::timestamptz[],
      ${column((row) => row.actorUserId)}::uuid[], ${column((row) => row.actorLabel)}::text[], ${column((row) => row.action)}::text[],
      ${column((row) => row.entityType)}::text[], ${column((row) => row.entityId)}::text[], ${column((row) => row.personId)}::uuid[],
      ${column((row) => JSON.stringify(row.change))}::jsonb[])`.execute(db);
}

/**
 * Writes `totalEvents` valid chained events in `chainCount` chains (one organisation each), with their
 * chain heads, as Safeshare would have recorded them.
 */
export async function generateChains(db: Db, totalEvents: number, chainCount: number): Promise<void> {
  const organisations = await benchOrganisations(db, chainCount);
  const perChain = Math.ceil(totalEvents / chainCount);
  const start = Date.parse('2025-01-01T00:00:00Z');
  let written = 0;
  let pending: Promise<void> = Promise.resolve();
  for (const organisationId of organisations) {
    const length = Math.min(perChain, totalEvents - written);
    let prevHash = genesisHash;
    for (let from = 1; from <= length; from += batchSize) {
      const rows: (ChainedEvent & { hash: string })[] = [];
      for (let seq = from; seq < from + batchSize && seq <= length; seq += 1) {
        const event = eventAt(organisationId, seq, prevHash, start);
        prevHash = eventHash(event);
        rows.push({ ...event, hash: prevHash });
      }
      // Hash the next batch while this one is inserted.
      await pending;
      pending = insertBatch(db, rows);
    }
    await pending;
    await db
      .insertInto('audit_chain_heads')
      .values({ organisation_id: organisationId, seq: length, hash: prevHash })
      .execute();
    written += length;
  }
  // As the trail would be after autovacuum: statistics gathered, visibility map set.
  await sql`VACUUM ANALYZE audit_events`.execute(db);
}

/**
 * This machine's speed right now (machines are noisy), the floor of verification's cost: SHA-256 of
 * 300-byte records per second, each record chained to the previous hash as audit events are.
 */
export function chainedHashRate(count = 300_000): number {
  const record = 'x'.repeat(226);
  const started = performance.now();
  let previous = '0'.repeat(64);
  for (let index = 0; index < count; index += 1)
    previous = hash('sha256', `${previous}${record}${String(index).padStart(10, '0')}`, 'hex');
  if (previous.length !== 64) throw new Error('unreachable');
  return (count * 1000) / (performance.now() - started);
}

/** Runs the service's `verify()` over every chain: events per second, or the breaks it found. */
export async function timeVerify(
  db: Db,
): Promise<{ ok: true; events: number; milliseconds: number } | { ok: false; breaks: string }> {
  const started = performance.now();
  const result = await auditService({ db, clock: systemClock }).verify();
  const milliseconds = performance.now() - started;
  if (!result.ok)
    return {
      ok: false,
      breaks: result.findings
        .map((found) => `${found.organisationName} ${String(found.seq)}: ${found.problem}`)
        .join('; '),
    };
  return { ok: true, events: result.events, milliseconds };
}

/**
 * Verification's floor on this storage: every chain read as `verify()` reads it (one binary COPY a
 * chain, two at a time, each row decoded) and nothing computed. Events per second.
 */
export async function timeReadAlone(db: Db): Promise<number> {
  const chains = await db.selectFrom('audit_chain_heads').select('organisation_id').execute();
  const pool = poolOf(db);
  let events = 0;
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    for (let chain = chains[next++]; chain !== undefined; chain = chains[next++]) {
      const client = await pool.connect();
      try {
        await copyChain(client, chain.organisation_id, () => {
          events += 1;
        });
      } finally {
        client.release();
      }
    }
  };
  await Promise.all([lane(), lane()]);
  return (events * 1000) / (performance.now() - started);
}

if (runsAlone(import.meta.url)) {
  const totalEvents = Number.parseInt(process.env['EVENTS'] ?? '1000000', 10);
  const chainCount = Number.parseInt(process.env['CHAINS'] ?? '4', 10);
  console.log(
    `this machine now: ${Math.round(chainedHashRate()).toLocaleString('en-GB')} chained SHA-256/s of 300-byte records`,
  );
  for await (const target of benchTargets(4)) {
    try {
      console.log(`\n${target.label}: ${totalEvents.toLocaleString('en-GB')} events in ${chainCount} chains`);
      const started = performance.now();
      await generateChains(target.db, totalEvents, chainCount);
      console.log(
        `  generated and inserted in ${((performance.now() - started) / 1000).toFixed(1)} s (${formatRate(totalEvents, performance.now() - started)})`,
      );
      const rounds = process.argv.includes('--with-app-modules') ? [1, 2, 3] : [1, 2];
      for (const round of rounds) {
        if (round === 3) {
          const stringify = JSON.stringify;
          await import('../src/services.ts');
          console.log(
            `  the app's modules loaded: JSON.stringify ${JSON.stringify === stringify ? 'unchanged' : 'replaced by a polyfill'}`,
          );
        }
        const hashesBefore = chainedHashRate();
        const timed = await timeVerify(target.db);
        const hashes = (hashesBefore + chainedHashRate()) / 2;
        if (!timed.ok) {
          console.log(`  verify FAILED: ${timed.breaks}`);
          process.exitCode = 1;
          break;
        }
        console.log(
          `  verify() run ${String(round)}: ${timed.events.toLocaleString('en-GB')} events in ${(timed.milliseconds / 1000).toFixed(2)} s = ${formatRate(timed.events, timed.milliseconds)}, ${((100 * timed.events * 1000) / timed.milliseconds / hashes).toFixed(1)}% of ${Math.round(hashes).toLocaleString('en-GB')} chained SHA-256/s measured around it`,
        );
      }
    } finally {
      await target.dispose();
    }
  }
}
