import { actorOf, type Viewer } from '../auth/index.ts';
import type { Executor } from '../db/client.ts';
import { isUuid } from '../lib/ids.ts';
import { PersonAccessError, type PersonSummary } from '../people/index.ts';
import { adviceFor, decisionsWithOpenAdvice, type AdviceRow } from './advice.repository.ts';
import { marksOf } from './consent-withdrawn.repository.ts';
import { emergencyOf } from './emergency.repository.ts';
import { approvalsFor, type ApprovalRow } from './approval.repository.ts';
import {
  addendaFor,
  decisionsAbout,
  decisionsStartedBy,
  peopleOfDecisions,
  findDecision,
  type DecisionRow,
} from './decision.repository.ts';
import type { DecisionAnswers } from './sharing.answers.ts';
import type { SharingBasics } from './sharing.basics.ts';
import {
  toAdviceItem,
  toApprovalItem,
  toListItem,
  type ConsentFinding,
  type DecisionListItem,
  type DecisionView,
  type EmergencyApproval,
} from './sharing.model.ts';
import {
  assessDecision,
  worstConsent,
  type DecisionFacts,
  type PersonConsent,
  type RecordedAssessment,
} from './sharing.rules.ts';
import { isEditable, nextStatus } from './sharing.status.ts';

/** The organisations the answers name: the requester's and each recipient's. */
export function organisationsIn(answers: DecisionAnswers): string[] {
  return [
    answers.request?.requesterOrganisationId,
    ...(answers.recipients?.recipients ?? []).map((recipient) => recipient.organisationId),
  ].filter((value): value is string => value !== undefined);
}

/** How a decision is read: its answers, the people the viewer may see, consent, advice and approvals, judged by the rules. */
export function decisionViews(context: SharingBasics) {
  const { db, clock, audit, people, consent, orgs, policy, access, today } = context;

  /** The consent register's answer for each person: the worst over the recipients (R2.20). */
  async function consentFindings(
    answers: DecisionAnswers,
    personNames: Map<string, string>,
  ): Promise<ConsentFinding[]> {
    const purposeId = answers.request?.purposeId;
    const personIds = answers.people?.personIds ?? [];
    if (purposeId === undefined || personIds.length === 0) return [];
    const categoryIds = (answers.information?.shared ?? []).map((item) => item.categoryId);
    const recipients = answers.recipients?.recipients ?? [];
    const requests =
      recipients.length === 0
        ? [{ purposeId, categoryIds }]
        : recipients.map((recipient) => ({
            purposeId,
            recipientOrganisationId: recipient.organisationId,
            recipientRole: recipient.role,
            categoryIds,
          }));
    const checked = await consent.checkMany(personIds, requests);
    return personIds.map((personId) => {
      const results = checked.get(personId) ?? [];
      const outcome = worstConsent(results.map((result) => result.outcome));
      const relied = results.find((result) => result.outcome === outcome);
      return {
        personId,
        personName: personNames.get(personId) ?? '',
        outcome,
        ...(relied?.consentId === undefined ? {} : { consentId: relied.consentId }),
        results,
      };
    });
  }

  function factsFor(
    organisationId: string,
    findings: readonly PersonConsent[],
    adviceRows: readonly AdviceRow[],
    approvalRows: readonly ApprovalRow[],
  ): DecisionFacts {
    return {
      pack: policy,
      organisationId,
      today: today(),
      consent: findings,
      advice: adviceRows.map((advice) => ({ adviser: advice.adviser, status: advice.status })),
      approvals: approvalRows.map((approval) => ({ kind: approval.kind, status: approval.status })),
    };
  }

  async function assemble(executor: Executor, viewer: Viewer, row: DecisionRow): Promise<DecisionView> {
    const answers = row.answers;
    const personIds = answers.people?.personIds ?? [];
    const [summaries, adviceRows, approvalRows, addenda, names, withdrawals, emergency] = await Promise.all([
      Promise.all(
        personIds.map((personId) =>
          people.requireAccess(viewer, personId).catch((error: unknown) => {
            if (error instanceof PersonAccessError) return undefined;
            throw error;
          }),
        ),
      ),
      adviceFor(executor, row.id),
      approvalsFor(executor, row.id),
      addendaFor(executor, row.id),
      orgs.namesOf(organisationsIn(answers)),
      marksOf(executor, row.id),
      emergencyOf(executor, row.id),
    ]);
    const peopleShown = summaries.filter((person): person is PersonSummary => person !== undefined);
    const personNames = new Map(
      peopleShown.map((person) => [person.id, `${person.givenNames} ${person.familyName}`]),
    );
    const findings =
      row.status === 'recorded' && row.assessment !== null
        ? recordedFindings(row.assessment, personNames)
        : await consentFindings(answers, personNames);
    const assessment = assessDecision(
      answers,
      factsFor(row.organisation_id, findings, adviceRows, approvalRows),
    );
    const author = row.started_by === viewer.userId;
    return {
      id: row.id,
      reference: row.reference,
      organisationId: row.organisation_id,
      status: row.status,
      startedBy: { id: row.started_by, name: row.started_by_name },
      answers,
      outcome: row.outcome,
      policy: { name: row.policy_name, version: row.policy_version },
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      recordedAt: row.recorded_at,
      recordedByName: row.recorded_by_name,
      agreementId: row.agreement_id,
      routine: row.routine,
      people: peopleShown,
      organisationNames: Object.fromEntries(
        organisationsIn(answers).map((organisationId) => [
          organisationId,
          names.get(organisationId) ?? 'Unknown organisation',
        ]),
      ),
      consent: findings,
      assessment,
      recorded: row.status === 'recorded' ? row.assessment : null,
      advice: adviceRows.map(toAdviceItem),
      approvals: approvalRows.map(toApprovalItem),
      addenda: addenda.map((addendum) => ({
        id: addendum.id,
        kind: addendum.kind,
        body: addendum.body,
        writtenByName: addendum.written_by_name,
        writtenAt: addendum.written_at,
      })),
      consentWithdrawals: withdrawals.map((mark) => ({
        consentId: mark.consent_id,
        personId: mark.person_id,
        withdrawnOn: mark.withdrawn_on,
      })),
      emergency:
        emergency === undefined
          ? null
          : {
              risk: emergency.risk,
              recordedAt: emergency.recorded_at,
              approveBy: emergency.approve_by,
              escalatedAt: emergency.escalated_at,
              approval: emergencyApproval(approvalRows, emergency.approve_by, clock.now()),
            },
      can: {
        edit: author && isEditable(row.status),
        recordInEmergency: author && row.status === 'draft' && assessment.emergencyPossible,
        record: author && (row.status === 'draft' || row.status === 'approved') && assessment.canRecord,
        sendForApproval: author && row.status === 'draft' && assessment.readyForApproval,
        withdrawApprovalRequest: author && (row.status === 'awaiting-approval' || row.status === 'approved'),
        discard: author && nextStatus(row.status, 'discard') !== undefined,
        // R2.15: advice at any stage, after recording too (choosing the method, sending).
        askAdvice: author,
        addAddendum: row.status === 'recorded',
      },
    };
  }

  /**
   * The decision in full, for its author and those who oversee it. `audited` writes a
   * `decision.viewed` event (pages other than the author's own question pages); `'others'` writes
   * it only when the viewer is not the decision's author.
   */
  async function open(
    viewer: Viewer,
    id: string,
    options: { readonly audited?: boolean | 'others' } = {},
  ): Promise<DecisionView> {
    const row = await access.loadDecision(db, viewer, id);
    const view = await assemble(db, viewer, row);
    if (options.audited === true || (options.audited === 'others' && row.started_by !== viewer.userId)) {
      await db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'decision.viewed',
          entity: { type: 'sharing_decision', id: row.id },
          change: { reference: row.reference },
        }),
      );
    }
    return view;
  }

  return { consentFindings, factsFor, assemble, open };
}

export type DecisionViews = ReturnType<typeof decisionViews>;

/** Reading decisions: one in full, whether one may be opened, a practitioner's own, a person's history. */
export function decisionReadingService(context: SharingBasics & { readonly views: DecisionViews }) {
  const { db, audit, people, access, views } = context;
  return {
    open: views.open,

    /** Whether the viewer may open the decision (what is recorded under it follows the same rule). */
    async mayOpen(viewer: Viewer, id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      const row = await findDecision(db, id);
      return row !== undefined && (await access.mayView(db, viewer, row));
    },

    /** "My decisions": drafts, those waiting for advice or approval, and recent recorded ones. */
    async mine(viewer: Viewer): Promise<{
      drafts: DecisionListItem[];
      waitingForAdvice: DecisionListItem[];
      waitingForApproval: DecisionListItem[];
      recorded: DecisionListItem[];
    }> {
      const listed = (await decisionsStartedBy(db, viewer.userId, 200)).map(toListItem);
      const ids = listed.map((row) => row.id);
      const [withOpenAdvice, links] = await Promise.all([
        decisionsWithOpenAdvice(db, ids),
        peopleOfDecisions(db, ids),
      ]);
      // Each person once, and only those the viewer may still see (an allocation may have ended).
      const names = new Map<string, string>();
      await Promise.all(
        [...new Set(links.map((link) => link.person_id))].map(async (personId) => {
          const person = await people.requireAccess(viewer, personId).catch((error: unknown) => {
            if (error instanceof PersonAccessError) return undefined;
            throw error;
          });
          if (person !== undefined) names.set(personId, `${person.givenNames} ${person.familyName}`);
        }),
      );
      const rows = listed.map((row) => ({
        ...row,
        peopleNames: links
          .filter((link) => link.decision_id === row.id)
          .flatMap((link) => names.get(link.person_id) ?? [])
          .sort(),
      }));
      const open = rows.filter((row) => row.status !== 'recorded');
      return {
        drafts: open.filter((row) => row.status === 'draft' || row.status === 'approved'),
        waitingForAdvice: rows.filter((row) => withOpenAdvice.has(row.id)),
        waitingForApproval: open.filter((row) => row.status === 'awaiting-approval'),
        recorded: rows.filter((row) => row.status === 'recorded').slice(0, 20),
      };
    },

    /** Every decision about a person, newest first, for those who may open the person's record. */
    async aboutPerson(
      viewer: Viewer,
      personId: string,
    ): Promise<{ person: PersonSummary; decisions: DecisionListItem[] }> {
      const person = await people.requireAccess(viewer, personId);
      const rows = await decisionsAbout(db, person.id);
      // Reading who a person's information was shared with is a read of their record (invariant 4).
      await db.transaction().execute((trx) =>
        audit.record(trx, {
          organisationId: person.organisationId,
          actor: actorOf(viewer),
          action: 'person.sharing_history_viewed',
          entity: { type: 'person', id: person.id },
          personId: person.id,
          change: { decisions: rows.length },
        }),
      );
      return { person, decisions: rows.map(toListItem) };
    },
  };
}

function recordedFindings(
  assessment: RecordedAssessment,
  personNames: Map<string, string>,
): ConsentFinding[] {
  return assessment.consent.map((finding) => ({
    ...finding,
    personName: personNames.get(finding.personId) ?? '',
    results: [],
  }));
}

/** Where an emergency share's public-interest approval stands: the latest request's answer, or overdue. */
export function emergencyApproval(
  approvals: readonly Pick<ApprovalRow, 'kind' | 'status'>[],
  approveBy: Date,
  now: Date,
): EmergencyApproval {
  const latest = approvals.filter((approval) => approval.kind === 'public-interest').at(-1);
  if (latest?.status === 'approved') return 'approved';
  if (latest?.status === 'refused') return 'refused';
  return now.getTime() >= approveBy.getTime() ? 'overdue' : 'pending';
}
