import { actorOf, type Viewer } from '../auth/index.ts';
import { isUuid } from '../lib/ids.ts';
import type { Adviser } from '../policy/index.ts';
import { adviceQueue, answerAdvice, findAdvice, insertAdvice, type AdviceRow } from './advice.repository.ts';
import { addressedTo, mayAnswer, rolesAnswering } from './decision.access.ts';
import { decisionsByIds, findDecision } from './decision.repository.ts';
import { adviceSummary } from './sharing.advice.ts';
import type { SharingContext } from './sharing.context.ts';
import { SharingNotFoundError, SharingRuleError } from './sharing.errors.ts';
import { toAdviceItem, type AdviceItem, type AdviceRequestView } from './sharing.model.ts';
import { sharingPaths } from './sharing.paths.ts';

const listLimit = 50;

/** Advice on a decision (R2.15): asking, an adviser reading and answering, and the adviser's inbox. */
export function adviceService(context: SharingContext) {
  const { db, clock, audit, notifications, policy, access, colleagues, views } = context;
  return {
    /**
     * Asks for advice at any step (R2.15), anonymised unless the practitioner chooses otherwise
     * (R2.19): the adviser sees the question and a summary without the people's identities.
     */
    async askAdvice(
      viewer: Viewer,
      id: string,
      request: {
        readonly adviser: Adviser;
        readonly supervisorId?: string | undefined;
        readonly question: string;
        readonly anonymised: boolean;
      },
    ): Promise<string> {
      if (!policy.sharing.advisers.includes(request.adviser))
        throw SharingRuleError.of('adviser', 'DECISION.ADVISER_UNKNOWN', 'Select who to ask from the list');
      const view = await views.open(viewer, id);
      if (!view.can.askAdvice)
        throw SharingRuleError.of(
          'adviser',
          'DECISION.NOT_AUTHOR',
          'Only the practitioner who made this decision can ask for advice on it',
        );
      return db.transaction().execute(async (trx) => {
        // Not ownDecision: a recorded decision takes advice too (R2.15), though it never changes.
        const row = await access.loadDecision(trx, viewer, id, { forUpdate: true });
        if (row.started_by !== viewer.userId)
          throw SharingRuleError.of(
            'adviser',
            'DECISION.NOT_AUTHOR',
            'Only the practitioner who made this decision can ask for advice on it',
          );
        const adviserUserId =
          request.adviser === 'line-manager'
            ? await colleagues.requireLineManager(viewer)
            : request.adviser === 'supervisor'
              ? await colleagues.requireSupervisor(viewer, request.supervisorId)
              : null;
        const summary = adviceSummary(view, policy, { anonymised: request.anonymised });
        const adviceId = await insertAdvice(trx, {
          organisationId: row.organisation_id,
          decisionId: id,
          askedBy: viewer.userId,
          adviser: request.adviser,
          adviserUserId,
          anonymised: request.anonymised,
          question: request.question,
          summary,
          at: clock.now(),
        });
        const advisers =
          request.adviser === 'supervisor'
            ? [adviserUserId ?? '']
            : await colleagues.membersFor(
                row.organisation_id,
                [request.adviser],
                adviserUserId,
                viewer.userId,
              );
        if (advisers.length === 0)
          throw SharingRuleError.of(
            'adviser',
            'DECISION.NO_ADVISER',
            'Nobody in your organisation holds that role in Safeshare: choose someone else',
          );
        await colleagues.notifyAll(trx, row.organisation_id, advisers, {
          kind: 'advice.requested',
          subject: 'A practitioner has asked for your advice on sharing',
          body: `${viewer.displayName} asks for advice on sharing decision ${row.reference}.`,
          link: sharingPaths.advice(adviceId),
        });
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'advice.requested',
          entity: { type: 'sharing_advice', id: adviceId },
          change: {
            decisionId: id,
            adviser: request.adviser,
            anonymised: request.anonymised,
            question: request.question,
            // The stage it was asked at: before or after the decision was recorded (R2.15).
            decisionStatus: row.status,
          },
        });
        return adviceId;
      });
    },

    async adviceRequest(viewer: Viewer, adviceId: string): Promise<AdviceRequestView> {
      if (!isUuid(adviceId)) throw new SharingNotFoundError();
      const advice = await findAdvice(db, adviceId);
      if (advice === undefined || advice.organisation_id !== viewer.organisationId)
        throw new SharingNotFoundError();
      const decision = await findDecision(db, advice.decision_id);
      if (decision === undefined) throw new SharingNotFoundError();
      const canAnswer = mayAnswer(viewer, advice);
      const asker = advice.asked_by === viewer.userId;
      const answerer = advice.answered_by === viewer.userId;
      const canOpenDecision = await access.mayView(db, viewer, decision);
      const adviserForRole = addressedTo(viewer, advice);
      if (!canAnswer && !asker && !answerer && !adviserForRole && !canOpenDecision)
        throw new SharingNotFoundError();
      await db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId: advice.organisation_id,
          actor: actorOf(viewer),
          action: 'advice.viewed',
          entity: { type: 'sharing_advice', id: advice.id },
          change: { anonymised: advice.anonymised },
        }),
      );
      return {
        ...toAdviceItem(advice),
        decisionReference: decision.reference,
        canAnswer,
        canOpenDecision:
          canOpenDecision && !(advice.anonymised && !asker && decision.started_by !== viewer.userId),
      };
    },

    /** Records the adviser's answer against the decision and tells the practitioner (no personal data in the message). */
    async answerAdvice(viewer: Viewer, adviceId: string, answer: string): Promise<string> {
      if (!isUuid(adviceId)) throw new SharingNotFoundError();
      return db.transaction().execute(async (trx) => {
        const advice = await findAdvice(trx, adviceId, { forUpdate: true });
        if (advice === undefined || advice.organisation_id !== viewer.organisationId)
          throw new SharingNotFoundError();
        if (!mayAnswer(viewer, advice))
          throw SharingRuleError.of(
            'answer',
            'ADVICE.NOT_ADVISER',
            'This request was addressed to someone else',
          );
        if (advice.status !== 'open')
          throw SharingRuleError.of('answer', 'ADVICE.ANSWERED', 'This request has already been answered');
        await answerAdvice(trx, adviceId, { answer, answeredBy: viewer.userId, at: clock.now() });
        const decision = await findDecision(trx, advice.decision_id);
        await notifications.notify(trx, {
          organisationId: advice.organisation_id,
          userId: advice.asked_by,
          kind: 'advice.answered',
          subject: 'Your request for advice on sharing has been answered',
          body: `${viewer.displayName} has answered your request for advice on sharing decision ${decision?.reference ?? ''}.`,
          link: sharingPaths.decision(advice.decision_id),
        });
        await audit.record(trx, {
          organisationId: advice.organisation_id,
          actor: actorOf(viewer),
          action: 'advice.answered',
          entity: { type: 'sharing_advice', id: adviceId },
          change: { decisionId: advice.decision_id, answer },
        });
        return advice.decision_id;
      });
    },

    /** An adviser's inbox: open requests addressed to their roles or to them as line manager, then recent answers. */
    async adviceInbox(viewer: Viewer): Promise<{
      open: (AdviceItem & { reference: string })[];
      answered: (AdviceItem & { reference: string })[];
    }> {
      const roles = rolesAnswering(viewer);
      const [open, answered] = await Promise.all([
        adviceQueue(db, viewer.organisationId, roles, viewer.userId, 'open', listLimit),
        adviceQueue(db, viewer.organisationId, roles, viewer.userId, 'answered', 20),
      ]);
      const references = new Map(
        (
          await decisionsByIds(
            db,
            [...open, ...answered].map((advice) => advice.decision_id),
          )
        ).map((row) => [row.id, row.reference]),
      );
      const withReference = (advice: AdviceRow) => ({
        ...toAdviceItem(advice),
        reference: references.get(advice.decision_id) ?? '',
      });
      return { open: open.map(withReference), answered: answered.map(withReference) };
    },
  };
}
