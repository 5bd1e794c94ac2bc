import { actorOf, needsTraining, type Viewer } from '../auth/index.ts';
import { toJson } from '../lib/canonical-json.ts';
import { isUuid } from '../lib/ids.ts';
import type { Problem } from '../lib/errors.ts';
import { PersonAccessError } from '../people/index.ts';
import { formatDateTime, addLondonWorkingDays } from '../lib/time.ts';
import { decisionsWithOpenAdvice } from './advice.repository.ts';
import { approvalsFor } from './approval.repository.ts';
import { requestApprovals } from './approval.requests.ts';
import { insertEmergency } from './emergency.repository.ts';
import {
  findDecision,
  insertAddendum,
  insertDecision,
  linkAgreement,
  markRecorded,
  saveAnswers,
  setPeople,
  setStatus,
  untouchedDraft,
  type DecisionRow,
  type SharingTransaction,
} from './decision.repository.ts';
import { organisationsIn } from './decision.view.ts';
import type { DecisionAnswers } from './sharing.answers.ts';
import type { SharingContext } from './sharing.context.ts';
import { SharingNotFoundError, SharingRuleError } from './sharing.errors.ts';
import type { DecisionView } from './sharing.model.ts';
import { approvalKindNames, assessDecision, type RecordedAssessment } from './sharing.rules.ts';
import { isEditable, nextStatus } from './sharing.status.ts';
import type { AddendumKind, RoutineRecord } from './sharing.table.ts';

/** A decision's own life: the draft and its answers, recording it (R2.23), and addenda afterwards. */
export function decisionService(context: SharingContext) {
  const { db, clock, audit, people, orgs, policy, packRef, access, views, staff, colleagues, agreements } =
    context;

  /**
   * R1.1: where the pack says lapsed training blocks sharing, why this practitioner may not start a
   * decision (naming their line manager, who arranges the training), or null when they may.
   */
  async function trainingBlock(viewer: Viewer): Promise<string | null> {
    if (!policy.sharing.training.lapsedBlocksSharing) return null;
    const training = await staff.trainingOf(viewer.userId);
    if (!needsTraining(training)) return null;
    const manager = await colleagues.lineManagerOf(viewer.organisationId, viewer.userId);
    const state = training.state === 'lapsed' ? 'has lapsed' : 'is not recorded';
    return `You cannot start a sharing decision: your data protection training ${state}. ${
      manager === undefined
        ? 'Ask an administrator to record your line manager, who can arrange the training.'
        : `Ask your line manager, ${manager.displayName}, to arrange the training.`
    }`;
  }

  async function requireTraining(viewer: Viewer): Promise<void> {
    const block = await trainingBlock(viewer);
    if (block !== null) throw SharingRuleError.of('start', 'DECISION.TRAINING_LAPSED', block);
  }

  /** Checks what the schemas cannot: the people are ones the viewer may see, the organisations are in the directory. */
  async function checkReferences(viewer: Viewer, sections: DecisionAnswers): Promise<void> {
    const problems: Problem[] = [];
    if (sections.people !== undefined) {
      const unique = new Set(sections.people.personIds);
      if (unique.size !== sections.people.personIds.length)
        problems.push({ field: 'people', code: 'DECISION.PERSON_TWICE', message: 'Add each person once' });
      for (const personId of unique) {
        try {
          await people.requireAccess(viewer, personId);
        } catch (error) {
          if (!(error instanceof PersonAccessError)) throw error;
          problems.push({
            field: 'people',
            code: 'DECISION.PERSON_NOT_AVAILABLE',
            message:
              'Add only people whose records you can open: record a reason on their page first if you need to',
          });
          break;
        }
      }
    }
    const directory = await orgs.namesOf(organisationsIn(sections));
    const requester = sections.request?.requesterOrganisationId;
    if (requester !== undefined && !directory.has(requester))
      problems.push({
        field: 'request.requesterOrganisationId',
        code: 'DECISION.ORGANISATION_UNKNOWN',
        message: 'Select the organisation from the directory',
      });
    for (const [index, recipient] of (sections.recipients?.recipients ?? []).entries()) {
      if (!directory.has(recipient.organisationId))
        problems.push({
          field: `recipients.${String(index)}.organisationId`,
          code: 'DECISION.ORGANISATION_UNKNOWN',
          message: "Select the recipient's organisation from the directory",
        });
    }
    if (
      sections.request !== undefined &&
      !policy.purposes.some((purpose) => purpose.id === sections.request?.purposeId)
    ) {
      problems.push({
        field: 'request.purposeId',
        code: 'DECISION.PURPOSE_UNKNOWN',
        message: 'Select a purpose from the list',
      });
    }
    if (problems.length > 0) throw new SharingRuleError(problems);
  }

  async function finishRecording(
    trx: SharingTransaction,
    viewer: Viewer,
    row: DecisionRow,
    view: DecisionView,
    emergency?: { readonly risk: string; readonly approveBy: Date },
    routine?: RoutineRecord,
  ): Promise<void> {
    const outcome = view.answers.outcome?.outcome;
    if (outcome === undefined)
      throw SharingRuleError.of('outcome', 'DECISION.SECTION_MISSING', 'Complete "Your decision"');
    // The agreement the share falls under (the ICO data sharing code): a routine share's own, or the
    // first in force for a recipient and the purpose.
    const agreementId = routine?.agreementId ?? (await agreementFor(row.organisation_id, view));
    if (agreementId !== undefined) await linkAgreement(trx, row.id, agreementId, routine ?? null);
    const approvals = (await approvalsFor(trx, row.id)).filter((approval) => approval.status === 'approved');
    const { bulk, withoutConsent, override, internal, specialCategory, criminalOffence } = view.assessment;
    const assessment: RecordedAssessment = {
      consent: view.consent.map(({ personId, outcome: consentOutcome, consentId }) => ({
        personId,
        outcome: consentOutcome,
        ...(consentId === undefined ? {} : { consentId }),
      })),
      bulk,
      withoutConsent,
      override,
      internal,
      specialCategory,
      criminalOffence,
      approvals: approvals.map((approval) => ({
        kind: approval.kind,
        approvedBy: approval.decided_by_name ?? '',
        approvedAt: approval.decided_at?.toISOString() ?? '',
      })),
    };
    await markRecorded(trx, row.id, {
      outcome,
      assessment,
      recordedBy: viewer.userId,
      policy: packRef,
      at: clock.now(),
    });
    await audit.record(trx, {
      organisationId: row.organisation_id,
      actor: actorOf(viewer),
      action: emergency === undefined ? 'decision.recorded' : 'decision.recorded_in_emergency',
      entity: { type: 'sharing_decision', id: row.id },
      change: {
        reference: row.reference,
        outcome,
        policy: `${policy.name} ${policy.version}`,
        assessment: toJson(assessment),
        ...(agreementId === undefined ? {} : { agreementId }),
        ...(routine === undefined ? {} : { routine: toJson(routine) }),
        ...(emergency === undefined
          ? {}
          : { emergency: { risk: emergency.risk, approveBy: emergency.approveBy.toISOString() } }),
      },
    });
  }

  /** The first agreement in force that covers one of the decision's recipients for its purpose. */
  async function agreementFor(organisationId: string, view: DecisionView): Promise<string | undefined> {
    const purposeId = view.answers.request?.purposeId;
    if (purposeId === undefined || view.answers.outcome?.outcome === 'not-share') return undefined;
    for (const recipient of view.answers.recipients?.recipients ?? []) {
      const [covering] = await agreements.covering(organisationId, {
        recipientOrganisationId: recipient.organisationId,
        purposeId,
      });
      if (covering !== undefined) return covering.id;
    }
    return undefined;
  }

  /** Creates and records a complete decision in one transaction: the same rules as the pages. */
  async function createAndRecord(
    viewer: Viewer,
    answers: DecisionAnswers,
    via: 'api' | 'routine',
    routine?: RoutineRecord,
  ): Promise<{ id: string; reference: string }> {
    await requireTraining(viewer);
    await checkReferences(viewer, answers);
    const findings = await views.consentFindings(answers, new Map());
    const assessment = assessDecision(answers, views.factsFor(viewer.organisationId, findings, [], []));
    if (!assessment.canRecord) throw SharingRuleError.fromProblems(assessment.problems);
    return db.transaction().execute(async (trx) => {
      const created = await insertDecision(trx, {
        organisationId: viewer.organisationId,
        startedBy: viewer.userId,
        answers,
        policyName: policy.name,
        policyVersion: policy.version,
        at: clock.now(),
      });
      await setPeople(trx, created.id, viewer.organisationId, answers.people?.personIds ?? []);
      await audit.record(trx, {
        organisationId: viewer.organisationId,
        actor: actorOf(viewer),
        action: 'decision.started',
        entity: { type: 'sharing_decision', id: created.id },
        change: { reference: created.reference, policyVersion: policy.version, via },
      });
      const row = await findDecision(trx, created.id, { forUpdate: true });
      if (row === undefined) throw new SharingNotFoundError();
      // Judged again inside the transaction: a consent withdrawn a moment ago is seen (invariant 3).
      const view = await views.assemble(trx, viewer, row);
      if (!view.assessment.canRecord) throw SharingRuleError.fromProblems(view.assessment.problems);
      await finishRecording(trx, viewer, row, view, undefined, routine);
      return created;
    });
  }

  return {
    trainingBlock,
    createAndRecord,

    /** Starts a draft, with the person it was started from when there is one. */
    async start(viewer: Viewer, options: { readonly personId?: string } = {}): Promise<string> {
      await requireTraining(viewer);
      const answers: DecisionAnswers =
        options.personId === undefined ? {} : { people: { personIds: [options.personId] } };
      if (options.personId !== undefined) {
        if (!isUuid(options.personId)) throw new SharingNotFoundError();
        await checkReferences(viewer, answers);
      }
      return db.transaction().execute(async (trx) => {
        // Pressing the button again opens the empty draft it made before, rather than another.
        const untouched = await untouchedDraft(trx, {
          startedBy: viewer.userId,
          organisationId: viewer.organisationId,
          answers,
        });
        if (untouched !== undefined) {
          await audit.record(trx, {
            organisationId: viewer.organisationId,
            actor: actorOf(viewer),
            action: 'decision.reopened',
            entity: { type: 'sharing_decision', id: untouched },
            ...(options.personId === undefined ? {} : { personId: options.personId }),
            change: {},
          });
          return untouched;
        }
        const created = await insertDecision(trx, {
          organisationId: viewer.organisationId,
          startedBy: viewer.userId,
          answers,
          policyName: policy.name,
          policyVersion: policy.version,
          at: clock.now(),
        });
        if (answers.people !== undefined)
          await setPeople(trx, created.id, viewer.organisationId, answers.people.personIds);
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'decision.started',
          entity: { type: 'sharing_decision', id: created.id },
          ...(options.personId === undefined ? {} : { personId: options.personId }),
          change: { reference: created.reference, policyVersion: policy.version },
        });
        return created.id;
      });
    },

    /**
     * Sets aside a draft its author no longer needs. It is kept, with its audit trail, and shown in
     * no list; it can never change again (the database refuses it).
     */
    async discard(viewer: Viewer, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await access.ownDecision(trx, viewer, id);
        const status = nextStatus(row.status, 'discard');
        if (status === undefined)
          throw SharingRuleError.of('decision', 'DECISION.STATUS', 'Only a draft can be discarded');
        if ((await decisionsWithOpenAdvice(trx, [id])).size > 0)
          throw SharingRuleError.of(
            'decision',
            'DECISION.ADVICE_OPEN',
            'You have asked for advice on this draft: discard it once the advice has been given',
          );
        await setStatus(trx, id, status, clock.now());
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'decision.discarded',
          entity: { type: 'sharing_decision', id },
          change: { reference: row.reference },
        });
      });
    },

    /** Saves whole sections of a draft (each page saves its own); the decision stays a draft. */
    async save(viewer: Viewer, id: string, sections: DecisionAnswers): Promise<void> {
      await checkReferences(viewer, sections);
      await db.transaction().execute(async (trx) => {
        const row = await access.ownDecision(trx, viewer, id);
        if (!isEditable(row.status))
          throw SharingRuleError.of(
            'decision',
            'DECISION.LOCKED',
            'This decision is waiting for approval: withdraw the request to change it',
          );
        const answers: DecisionAnswers = { ...row.answers, ...sections };
        await saveAnswers(trx, id, answers, packRef, clock.now());
        if (sections.people !== undefined)
          await setPeople(trx, id, row.organisation_id, sections.people.personIds);
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'decision.saved',
          entity: { type: 'sharing_decision', id },
          change: { sections: Object.keys(sections), ...toJson(sections) },
        });
      });
    },

    /**
     * Records the decision (R2.23): the rules are applied again inside the transaction, so a consent
     * withdrawn a moment ago is seen (invariant 3). Once recorded it never changes.
     */
    async record(viewer: Viewer, id: string): Promise<string> {
      return db.transaction().execute(async (trx) => {
        const row = await access.ownDecision(trx, viewer, id);
        const status = nextStatus(row.status, 'record');
        if (status === undefined)
          throw SharingRuleError.of(
            'decision',
            'DECISION.STATUS',
            'This decision is waiting for approval and cannot be recorded yet',
          );
        const view = await views.assemble(trx, viewer, row);
        if (!view.assessment.canRecord) throw SharingRuleError.fromProblems(view.assessment.problems);
        await finishRecording(trx, viewer, row, view);
        return row.reference;
      });
    },

    /**
     * The emergency route (R2.20; ADR 0019): a child is at immediate risk and only the public-interest
     * approval stands in the way. The decision is recorded now, so that the information can go; the
     * approvers are asked and told at once, and the approval is due within the pack's working days.
     * It is recorded as an emergency share, with the risk the practitioner gives.
     */
    async recordInEmergency(viewer: Viewer, id: string, risk: string): Promise<string> {
      const statement = risk.trim();
      if (statement === '')
        throw SharingRuleError.of(
          'risk',
          'DECISION.EMERGENCY_RISK',
          'Say what the immediate risk to the child is, and why the share cannot wait for approval',
        );
      return db.transaction().execute(async (trx) => {
        const row = await access.ownDecision(trx, viewer, id);
        const status = nextStatus(row.status, 'record-in-emergency');
        const view = await views.assemble(trx, viewer, row);
        if (status === undefined || !view.can.recordInEmergency)
          throw SharingRuleError.of(
            'decision',
            'DECISION.NO_EMERGENCY_ROUTE',
            view.assessment.problems.some((problem) => problem.section !== 'approval')
              ? 'Complete the decision first: only the public-interest approval may follow an emergency share'
              : 'This decision cannot be recorded as an emergency share: send it for approval instead',
          );
        const now = clock.now();
        const approveBy = addLondonWorkingDays(
          now,
          policy.sharing.approvals.emergency.approveWithinWorkingDays,
        );
        await requestApprovals(context, trx, viewer, row, view.assessment.approvals, (kind) => ({
          subject: `Emergency share ${row.reference}: approval needed by ${formatDateTime(approveBy)}`,
          body: `${viewer.displayName} has shared information because a child is at immediate risk, and asks for approval after the event: ${approvalKindNames[kind].toLowerCase()}.`,
        }));
        await insertEmergency(trx, {
          organisationId: row.organisation_id,
          decisionId: row.id,
          risk: statement,
          approveBy,
          recordedBy: viewer.userId,
          at: now,
        });
        await finishRecording(trx, viewer, row, view, { risk: statement, approveBy });
        return row.reference;
      });
    },

    /**
     * Records a complete decision in one step (the API, for case-management systems): the same rules
     * as the pages. One that needs advice or approval is refused, changing nothing.
     */
    async recordComplete(
      viewer: Viewer,
      answers: DecisionAnswers,
    ): Promise<{ id: string; reference: string }> {
      return createAndRecord(viewer, answers, 'api');
    },

    /** Corrections and later facts about a recorded decision, which itself never changes. */
    async addAddendum(
      viewer: Viewer,
      id: string,
      addendum: { readonly kind: AddendumKind; readonly body: string },
    ): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await access.loadDecision(trx, viewer, id, { forUpdate: true });
        if (row.status !== 'recorded')
          throw SharingRuleError.of(
            'body',
            'DECISION.NOT_RECORDED',
            'Addenda are for recorded decisions: change the draft instead',
          );
        await insertAddendum(trx, {
          organisationId: row.organisation_id,
          decisionId: id,
          kind: addendum.kind,
          body: addendum.body,
          writtenBy: viewer.userId,
          at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'decision.addendum_added',
          entity: { type: 'sharing_decision', id },
          change: { ...addendum },
        });
      });
    },
  };
}
