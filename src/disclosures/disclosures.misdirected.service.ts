import { actorOf, type Viewer } from '../auth/index.ts';
import { toJson } from '../lib/canonical-json.ts';
import { isUuid } from '../lib/ids.ts';
import { londonToday } from '../lib/time.ts';
import { disclosureReaders } from './disclosures.access.ts';
import { DisclosureRuleError } from './disclosures.errors.ts';
import type { DisclosuresDependencies, MisdirectedRecord } from './disclosures.model.ts';
import * as store from './disclosures.repository.ts';
import type { MisdirectedAnswers } from './disclosures.schema.ts';

/** Misdirected information received (R4.4.3): logged with what was done about it. */
export function misdirectedService(deps: DisclosuresDependencies) {
  const { db, clock, audit } = deps;
  const today = () => londonToday(clock.now());

  return {
    /** Logs misdirected information received (R4.4.3): what, from whom, for whom, and what was done. */
    async recordMisdirected(viewer: Viewer, answers: MisdirectedAnswers): Promise<string> {
      if (answers.receivedOn > today())
        throw DisclosureRuleError.of(
          'receivedOn',
          'DISCLOSURE.FUTURE_DATE',
          'The date it arrived must be today or in the past',
        );
      if (!answers.passedOn && !answers.senderTold)
        throw DisclosureRuleError.of(
          'action',
          'DISCLOSURE.NO_ACTION',
          'Pass it to the right recipient or tell the sender, then record what you did',
        );
      return db.transaction().execute(async (trx) => {
        const id = await store.insertMisdirected(trx, {
          organisation_id: viewer.organisationId,
          received_on: answers.receivedOn,
          method: answers.method,
          sender: answers.sender,
          sender_organisation_id: null,
          intended_for: answers.intendedFor,
          what_arrived: answers.whatArrived,
          passed_on: answers.passedOn,
          sender_told: answers.senderTold,
          action_details: answers.actionDetails,
          recorded_by: viewer.userId,
          recorded_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'misdirected.recorded',
          entity: { type: 'misdirected_information', id },
          change: toJson(answers),
        });
        return id;
      });
    },

    /** One entry, if it is the viewer's organisation's and they read the register; otherwise undefined. */
    async findMisdirected(viewer: Viewer, id: string): Promise<MisdirectedRecord | undefined> {
      if (!isUuid(id) || !viewer.roles.some((role) => disclosureReaders.includes(role))) return undefined;
      const row = await store.findMisdirected(db, viewer.organisationId, id);
      return row === undefined ? undefined : toRecord(row);
    },

    async misdirected(viewer: Viewer): Promise<MisdirectedRecord[]> {
      const rows = await store.misdirectedFor(db, viewer.organisationId, 200);
      return rows.map(toRecord);
    },
  };
}

function toRecord(row: store.MisdirectedRow): MisdirectedRecord {
  return {
    id: row.id,
    receivedOn: row.received_on,
    method: row.method,
    sender: row.sender,
    intendedFor: row.intended_for,
    whatArrived: row.what_arrived,
    passedOn: row.passed_on,
    senderTold: row.sender_told,
    actionDetails: row.action_details,
    recordedByName: row.recorded_by_name,
    recordedAt: row.recorded_at,
  };
}
