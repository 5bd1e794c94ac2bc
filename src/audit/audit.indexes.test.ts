import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { plansOf } from '../../test/support/query-plans.ts';
import { ManualClock } from '../lib/clock.ts';
import { chainPage, distinctActions, eventBySeq, trailPage, type TrailFilter } from './audit.repository.ts';
import { auditService, systemActor } from './index.ts';

let database: TestDatabase;
let organisationId: string;
const person = randomUUID();
const actor = randomUUID();

beforeAll(async () => {
  database = await freshDatabase();
  const now = new Date();
  const organisation = await database.db
    .insertInto('organisations')
    .values({
      name: 'Index Check Council',
      kind: 'local_authority',
      switchboard_phone: null,
      hosted: true,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  organisationId = organisation.id;
  const audit = auditService({ db: database.db, clock: new ManualClock() });
  for (let index = 0; index < 5; index += 1) {
    await database.db.transaction().execute((trx) =>
      audit.record(trx, {
        organisationId,
        actor: index % 2 === 0 ? { userId: actor, label: 'Jo Smith' } : systemActor,
        action: 'person.viewed',
        entity: { type: 'person', id: person },
        personId: person,
        change: {},
      }),
    );
  }
});

const noFilter: TrailFilter = { personId: null, actorUserId: null, action: null, from: null, to: null };

describe('the audit trail reads through indexes', () => {
  it('pages the trail, with and without each filter, by index and never by a scan of the table', async () => {
    const filters: TrailFilter[] = [
      noFilter,
      { ...noFilter, personId: person },
      { ...noFilter, actorUserId: actor },
      { ...noFilter, action: 'person.viewed' },
      { ...noFilter, from: '2026-11-01', to: '2026-12-31' },
    ];
    const plans = await plansOf(database.url, async (db) => {
      for (const filter of filters) {
        await trailPage(db, organisationId, filter, null, 50);
        await trailPage(db, organisationId, filter, { before: 3 }, 50);
        await trailPage(db, organisationId, filter, { after: 2 }, 50);
      }
      await eventBySeq(db, organisationId, 2);
      await distinctActions(db, organisationId);
      await chainPage(db, organisationId, 0, 10_000);
    });
    expect(plans.length).toBeGreaterThanOrEqual(filters.length * 3 + 3);
    for (const plan of plans) {
      expect(plan).not.toMatch(/Seq Scan on audit_events/);
      // An index searched by organisation, person or actor: never a walk of a whole index.
      expect(plan).toMatch(/Index Cond: \(+(organisation_id|person_id|actor_user_id) = /);
    }
  });
});
