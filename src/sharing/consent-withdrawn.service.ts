import { actorOf, type Viewer } from '../auth/index.ts';
import type { ConsentWithdrawn } from '../consent/index.ts';
import { formatDate } from '../lib/time.ts';
import type { PolicyPack } from '../policy/index.ts';
import { decisionsAbout, decisionsMarkedFor, insertMark } from './consent-withdrawn.repository.ts';
import { findDecision, type SharingTransaction } from './decision.repository.ts';
import type { DecisionAnswers } from './sharing.answers.ts';
import type { SharingContext } from './sharing.context.ts';
import { sharingPaths } from './sharing.paths.ts';
import type { RecordedAssessment } from './sharing.rules.ts';
import type { DecisionStatus } from './sharing.status.ts';

/**
 * Whether a decision's common-law basis rests on consent: explicit consent, or implied consent
 * (which a withdrawal also ends). A basis the pack in force no longer names counts as consent: the
 * safer reading.
 */
function restsOnConsent(policy: PolicyPack, answers: DecisionAnswers): boolean {
  const basisId = answers.lawfulBasis?.commonLaw;
  if (basisId === undefined) return false;
  if (basisId === 'implied-consent') return true;
  const basis = policy.sharing.lawfulBases.commonLaw.find((option) => option.id === basisId);
  return basis === undefined || basis.reliesOnConsent;
}

/**
 * Whether a decision relied on the withdrawn consent (R3.3): a recorded decision to share on a basis
 * that rests on consent, whose recorded assessment names this consent record; or an open one on such
 * a basis, for one of the consent's purposes, that is not a decision not to share.
 */
function reliedOn(
  policy: PolicyPack,
  decision: {
    readonly status: DecisionStatus;
    readonly outcome: string | null;
    readonly answers: DecisionAnswers;
    readonly assessment: RecordedAssessment | null;
  },
  withdrawn: ConsentWithdrawn,
): boolean {
  if (!restsOnConsent(policy, decision.answers)) return false;
  if (decision.status === 'recorded')
    return (
      (decision.outcome === 'share' || decision.outcome === 'share-in-part') &&
      (decision.assessment?.consent ?? []).some((person) => person.consentId === withdrawn.consentId)
    );
  const purposeId = decision.answers.request?.purposeId;
  return (
    decision.answers.outcome?.outcome !== 'not-share' &&
    purposeId !== undefined &&
    withdrawn.purposeIds.includes(purposeId)
  );
}

/** What sharing does when consent is withdrawn: the consent register calls it in its own transaction. */
export function consentWithdrawnService(context: SharingContext) {
  const { db, clock, audit, policy, colleagues, access } = context;

  return {
    /** The decisions that relied on a withdrawn consent, those this viewer may open (R3.3). */
    /**
     * The decisions marked as relying on a withdrawn consent, read inside the withdrawal's own
     * transaction (after `markConsentWithdrawn`), for those who act on the withdrawal there too.
     */
    async decisionsMarkedInWithdrawal(
      trx: SharingTransaction,
      withdrawn: ConsentWithdrawn,
    ): Promise<string[]> {
      return decisionsMarkedFor(trx, withdrawn.organisationId, withdrawn.consentId);
    },

    async decisionsReliedOnWithdrawn(viewer: Viewer, consentId: string): Promise<string[]> {
      const ids = await decisionsMarkedFor(db, viewer.organisationId, consentId);
      const open = await Promise.all(
        ids.map(async (id) => {
          const row = await findDecision(db, id);
          return row !== undefined && (await access.mayView(db, viewer, row));
        }),
      );
      return ids.filter((_id, index) => open[index] === true);
    },

    /**
     * Marks every open or recorded decision that relied on the withdrawn consent, writes
     * `decision.consent_withdrawn` for each, and tells its author and their line manager (R3.3).
     * No personal data in the notice: the decision's reference and a link.
     */
    async markConsentWithdrawn(trx: SharingTransaction, withdrawn: ConsentWithdrawn): Promise<void> {
      const decisions = await decisionsAbout(trx, withdrawn.organisationId, withdrawn.personId);
      for (const decision of decisions) {
        if (!reliedOn(policy, decision, withdrawn)) continue;
        const marked = await insertMark(trx, {
          organisationId: decision.organisation_id,
          decisionId: decision.id,
          consentId: withdrawn.consentId,
          personId: withdrawn.personId,
          withdrawnOn: withdrawn.withdrawnOn,
          at: clock.now(),
        });
        if (!marked) continue;
        await audit.record(trx, {
          organisationId: decision.organisation_id,
          actor: actorOf(withdrawn.by),
          action: 'decision.consent_withdrawn',
          entity: { type: 'sharing_decision', id: decision.id },
          personId: withdrawn.personId,
          change: {
            reference: decision.reference,
            status: decision.status,
            consentId: withdrawn.consentId,
            withdrawnOn: withdrawn.withdrawnOn,
          },
        });
        const manager = await colleagues.lineManagerOf(decision.organisation_id, decision.started_by);
        await colleagues.notifyAll(
          trx,
          decision.organisation_id,
          [decision.started_by, ...(manager?.active === true ? [manager.id] : [])],
          {
            kind: 'decision.consent_withdrawn',
            subject: `Sharing decision ${decision.reference}: consent withdrawn`,
            body: `Consent that sharing decision ${decision.reference} relied on was withdrawn on ${formatDate(withdrawn.withdrawnOn)}. Further disclosures under it are refused. If information has already been shared under it, tell those who received it that consent has been withdrawn.`,
            link: sharingPaths.decision(decision.id),
          },
        );
      }
    },
  };
}
