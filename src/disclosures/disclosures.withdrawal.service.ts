import { actorOf, type Viewer } from '../auth/index.ts';
import { londonToday } from '../lib/time.ts';
import { DisclosureNotFoundError, DisclosureRuleError } from './disclosures.errors.ts';
import { toDisclosure, type Disclosure, type DisclosuresDependencies } from './disclosures.model.ts';
import * as store from './disclosures.repository.ts';
import type { WithdrawalNoticeMethod } from './disclosures.table.ts';
import { insertNotice, noticesFor } from './disclosures.withdrawal.repository.ts';

/** That a recipient was told consent has been withdrawn: how, when and by whom. */
export interface WithdrawalNotice {
  readonly method: WithdrawalNoticeMethod;
  readonly toldOn: string;
  readonly toldByName: string;
  readonly recordedAt: Date;
}

/** An organisation that received information under a decision that relied on the withdrawn consent. */
export interface AftermathRecipient {
  readonly organisationId: string;
  readonly organisationName: string;
  readonly disclosures: readonly {
    readonly disclosure: Disclosure;
    readonly told: WithdrawalNotice | null;
  }[];
  /** Every disclosure it received has its telling recorded. */
  readonly told: boolean;
}

/** What a withdrawal of consent leaves to do (R3.3): those who already received information, and whether they were told. */
export interface WithdrawalAftermath {
  readonly consentId: string;
  readonly personId: string;
  readonly personName: string;
  readonly withdrawnOn: string;
  readonly recipients: readonly AftermathRecipient[];
}

export interface WithdrawalNoticeAnswers {
  readonly method: WithdrawalNoticeMethod;
  readonly toldOn: string;
}

/** After consent is withdrawn: telling the organisations that already received information under it (R3.3). */
export function withdrawalService(deps: DisclosuresDependencies) {
  const { db, clock, audit, sharing, consent } = deps;

  /**
   * The withdrawn consent's aftermath, as this viewer may see it: the consent record by its own
   * need-to-know rule (its showing audited), the decisions by theirs. Undefined when the consent has
   * not been withdrawn.
   */
  async function aftermath(viewer: Viewer, consentId: string): Promise<WithdrawalAftermath | undefined> {
    const details = await consent.details(viewer, consentId, 'details');
    if (details === undefined) throw new DisclosureNotFoundError();
    const withdrawal = details.consent.withdrawal;
    if (details.consent.status !== 'withdrawn' || withdrawal === null) return undefined;
    const decisionIds = await sharing.decisionsReliedOnWithdrawn(viewer, consentId);
    const [rows, notices] = await Promise.all([
      store.disclosuresUnder(db, decisionIds),
      noticesFor(db, consentId),
    ]);
    const today = londonToday(clock.now());
    const told = new Map(
      notices.map((notice) => [
        notice.disclosure_id,
        {
          method: notice.method,
          toldOn: notice.told_on,
          toldByName: notice.told_by_name,
          recordedAt: notice.recorded_at,
        },
      ]),
    );
    const byOrganisation = new Map<
      string,
      { name: string; disclosures: AftermathRecipient['disclosures'][number][] }
    >();
    for (const row of [...rows].reverse()) {
      const entry = byOrganisation.get(row.recipient_organisation_id) ?? {
        name: row.recipient_organisation_name,
        disclosures: [],
      };
      entry.disclosures.push({ disclosure: toDisclosure(row, today), told: told.get(row.id) ?? null });
      byOrganisation.set(row.recipient_organisation_id, entry);
    }
    return {
      consentId,
      personId: details.person.id,
      personName: `${details.person.givenNames} ${details.person.familyName}`,
      withdrawnOn: withdrawal.on,
      recipients: [...byOrganisation].map(([organisationId, entry]) => ({
        organisationId,
        organisationName: entry.name,
        disclosures: entry.disclosures,
        told: entry.disclosures.every((item) => item.told !== null),
      })),
    };
  }

  return {
    withdrawalAftermath: aftermath,

    /**
     * Records, in one step, that an organisation was told consent has been withdrawn: against every
     * disclosure it received under a decision that relied on the consent, with an audit event for
     * each (R3.3). Telling is recorded once.
     */
    async recordWithdrawalTold(
      viewer: Viewer,
      consentId: string,
      organisationId: string,
      answers: WithdrawalNoticeAnswers,
    ): Promise<void> {
      const found = await aftermath(viewer, consentId);
      const recipient = found?.recipients.find((item) => item.organisationId === organisationId);
      if (found === undefined || recipient === undefined) throw new DisclosureNotFoundError();
      if (answers.toldOn < found.withdrawnOn)
        throw DisclosureRuleError.of(
          'toldOn',
          'DISCLOSURE.TOLD_BEFORE_WITHDRAWAL',
          'The date they were told must be on or after the date consent was withdrawn',
        );
      if (answers.toldOn > londonToday(clock.now()))
        throw DisclosureRuleError.of(
          'toldOn',
          'DISCLOSURE.TOLD_IN_FUTURE',
          'The date they were told must be today or in the past',
        );
      const untold = recipient.disclosures.filter((item) => item.told === null);
      if (untold.length === 0)
        throw DisclosureRuleError.of(
          'method',
          'DISCLOSURE.ALREADY_TOLD',
          `You have already recorded that ${recipient.organisationName} was told`,
        );
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        for (const { disclosure } of untold) {
          const inserted = await insertNotice(trx, {
            organisationId: viewer.organisationId,
            consentId,
            disclosureId: disclosure.id,
            recipientOrganisationId: organisationId,
            method: answers.method,
            toldOn: answers.toldOn,
            toldBy: viewer.userId,
            at: now,
          });
          if (!inserted) continue;
          await audit.record(trx, {
            organisationId: viewer.organisationId,
            actor: actorOf(viewer),
            action: 'disclosure.withdrawal_told',
            entity: { type: 'disclosure', id: disclosure.id },
            personId: found.personId,
            change: {
              consentId,
              recipientOrganisationId: organisationId,
              method: answers.method,
              toldOn: answers.toldOn,
            },
          });
        }
      });
    },
  };
}
