import type { Transaction } from 'kysely';
import { systemActor } from '../audit/index.ts';
import { actorOf, type Viewer } from '../auth/index.ts';
import type { Database } from '../db/database.ts';
import { isUuid } from '../lib/ids.ts';
import { londonToday } from '../lib/time.ts';
import type { SharingService } from '../sharing/index.ts';
import { DisclosureNotFoundError, DisclosureRuleError } from './disclosures.errors.ts';
import {
  toDisclosure,
  type Disclosure,
  type DisclosuresDependencies,
  type HistoryEntry,
} from './disclosures.model.ts';
import { disclosurePaths } from './disclosures.paths.ts';
import * as store from './disclosures.repository.ts';
import type { ReceiptAnswers } from './disclosures.schema.ts';

/** Reading the disclosure log, and following up receipts (R4.2.8). */
export function logService(deps: DisclosuresDependencies) {
  const { db, clock, audit, sharing, notifications } = deps;
  const today = () => londonToday(clock.now());

  const service = {
    async find(viewer: Viewer, id: string): Promise<Disclosure> {
      if (!isUuid(id)) throw new DisclosureNotFoundError();
      const row = await store.findDisclosure(db, id);
      if (row === undefined || row.organisation_id !== viewer.organisationId)
        throw new DisclosureNotFoundError();
      // Whoever may open the decision may see what was disclosed under it.
      if (!(await sharing.mayOpen(viewer, row.decision_id))) throw new DisclosureNotFoundError();
      return toDisclosure(row, today());
    },

    /** Records that the recipient confirmed receipt, and how (R4.2.8, R4.4.2). */
    async confirmReceipt(viewer: Viewer, id: string, receipt: ReceiptAnswers): Promise<void> {
      const disclosure = await service.find(viewer, id);
      if (disclosure.receipt.dueOn === null)
        throw DisclosureRuleError.of(
          'how',
          'DISCLOSURE.NO_RECEIPT_ASKED',
          'This method does not ask for a receipt',
        );
      await db.transaction().execute(async (trx) => {
        const row = await store.findDisclosure(trx, id, { forUpdate: true });
        if (row === undefined) throw new DisclosureNotFoundError();
        if (row.receipt_confirmed_at !== null)
          throw DisclosureRuleError.of(
            'how',
            'DISCLOSURE.RECEIPT_CONFIRMED',
            'Receipt has already been confirmed',
          );
        await store.confirmReceipt(trx, id, { by: viewer.userId, how: receipt.how, at: clock.now() });
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'disclosure.receipt_confirmed',
          entity: { type: 'disclosure', id },
          change: { how: receipt.how },
        });
      });
    },

    /**
     * Receipt confirmed by the recipient's first opening of a secure exchange package, in the
     * caller's transaction: no separate chase (R4.6.4). Recorded on behalf of the practitioner who
     * disclosed; once only.
     */
    async confirmReceiptOnOpening(trx: Transaction<Database>, id: string, how: string): Promise<void> {
      const row = await store.findDisclosure(trx, id, { forUpdate: true });
      if (row === undefined || row.receipt_confirmed_at !== null) return;
      await store.confirmReceipt(trx, id, { by: row.disclosed_by, how, at: clock.now() });
      await audit.record(trx, {
        organisationId: row.organisation_id,
        actor: systemActor,
        action: 'disclosure.receipt_confirmed',
        entity: { type: 'disclosure', id },
        change: { how },
      });
    },

    /** Receipts still awaited: the viewer's own, or the organisation's for oversight roles. */
    async awaitedReceipts(viewer: Viewer): Promise<Disclosure[]> {
      const oversight = viewer.roles.some(
        (role) => role === 'dpo' || role === 'caldicott_guardian' || role === 'ig_lead',
      );
      const rows = await store.awaitedReceipts(
        db,
        viewer.organisationId,
        oversight ? undefined : viewer.userId,
        200,
      );
      return rows.map((row) => toDisclosure(row, today()));
    },

    /**
     * The daily follow-up (R4.2.8): each receipt past its due date is flagged to the practitioner who
     * disclosed it, once a day, with no personal data in the message.
     */
    async remindOverdueReceipts(): Promise<number> {
      const day = today();
      const overdue = await store.overdueReceipts(db, day, undefined, 1000);
      let reminded = 0;
      for (const row of overdue.filter((candidate) => candidate.receipt_reminded_on !== day)) {
        await db.transaction().execute(async (trx) => {
          await store.markReminded(trx, row.id, day);
          await notifications.notify(trx, {
            organisationId: row.organisation_id,
            userId: row.disclosed_by,
            kind: 'disclosure.receipt_overdue',
            subject: 'A receipt you asked for has not been confirmed',
            body: `The recipient of a disclosure under sharing decision ${row.decision_reference} was due to confirm receipt by ${row.receipt_due_on ?? ''}. Follow it up and record the receipt.`,
            link: disclosurePaths.disclosure(row.id),
          });
          await audit.record(trx, {
            organisationId: row.organisation_id,
            actor: systemActor,
            action: 'disclosure.receipt_overdue',
            entity: { type: 'disclosure', id: row.id },
            change: { dueOn: row.receipt_due_on, remindedOn: day },
          });
        });
        reminded += 1;
      }
      return reminded;
    },

    /** A person's sharing history: every decision about them and every disclosure under those, newest first. */
    async history(
      viewer: Viewer,
      personId: string,
    ): Promise<{
      person: Awaited<ReturnType<SharingService['aboutPerson']>>['person'];
      entries: HistoryEntry[];
    }> {
      const { person, decisions } = await sharing.aboutPerson(viewer, personId);
      // The decisions about the person come from sharing, which knows who they concern.
      const rows = await store.disclosuresUnder(
        db,
        decisions.map((decision) => decision.id),
      );
      const entries: HistoryEntry[] = [
        ...decisions.map((decision): HistoryEntry => ({
          kind: 'decision',
          at: decision.recordedAt ?? decision.updatedAt,
          decision,
        })),
        ...rows.map((row): HistoryEntry => ({
          kind: 'disclosure',
          at: row.disclosed_at,
          disclosure: toDisclosure(row, today()),
        })),
      ];
      return { person, entries: entries.sort((a, b) => b.at.getTime() - a.at.getTime()) };
    },
  };
  return service;
}
