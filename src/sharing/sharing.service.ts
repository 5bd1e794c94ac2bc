import type { Transaction } from 'kysely';
import type { AuditService } from '../audit/index.ts';
import { actorOf, type Viewer } from '../auth/index.ts';
import type { ConsentCheckResult, ConsentService } from '../consent/index.ts';
import type { Db } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { toJson } from '../lib/canonical-json.ts';
import { isUuid } from '../lib/ids.ts';
import { londonToday } from '../lib/time.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { OrgsService } from '../orgs/index.ts';
import { PersonAccessError, type PersonSummary } from '../people/index.ts';
import type { Adviser, Approver, PolicyPack } from '../policy/index.ts';
import { adviceSummary } from './sharing.advice.ts';
import type { DecisionAnswers, Outcome } from './sharing.answers.ts';
import { SharingNotFoundError, SharingRuleError } from './sharing.errors.ts';
import { sharingPaths } from './sharing.paths.ts';
import * as store from './sharing.repository.ts';
import {
  approvalKindNames,
  assessDecision,
  worstConsent,
  type ApprovalKind,
  type Assessment,
  type PersonConsent,
  type RecordedAssessment,
} from './sharing.rules.ts';
import { isEditable, nextStatus, type DecisionStatus } from './sharing.status.ts';
import type { AddendumKind, AdviceStatus, ApprovalStatus } from './sharing.table.ts';

/** What sharing decisions need of other capabilities (each through its own service). */
export interface SharingDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly people: { requireAccess(viewer: Viewer, personId: string): Promise<PersonSummary> };
  readonly consent: Pick<ConsentService, 'checkMany'>;
  readonly orgs: Pick<OrgsService, 'namesOf'>;
  readonly notifications: Pick<NotificationsService, 'notify'>;
  readonly policy: PolicyPack;
}

export interface AdviceItem {
  readonly id: string;
  readonly decisionId: string;
  readonly adviser: Adviser;
  readonly anonymised: boolean;
  readonly question: string;
  readonly summary: string;
  readonly status: AdviceStatus;
  readonly answer: string | null;
  readonly askedByName: string;
  readonly answeredByName: string | null;
  readonly askedAt: Date;
  readonly answeredAt: Date | null;
}

export interface ApprovalItem {
  readonly id: string;
  readonly decisionId: string;
  readonly kind: ApprovalKind;
  readonly approvers: readonly Approver[];
  readonly status: ApprovalStatus;
  readonly requestedByName: string;
  readonly requestedAt: Date;
  readonly decidedByName: string | null;
  readonly decidedAt: Date | null;
  readonly reason: string | null;
}

export interface Addendum {
  readonly id: string;
  readonly kind: AddendumKind;
  readonly body: string;
  readonly writtenByName: string;
  readonly writtenAt: Date;
}

/** A person's consent as this decision sees it, with the record it relied on. */
export interface ConsentFinding extends PersonConsent {
  readonly personName: string;
  /** Every answer, one per recipient, for the detail the page shows. */
  readonly results: readonly ConsentCheckResult[];
}

export interface DecisionView {
  readonly id: string;
  readonly reference: string;
  readonly organisationId: string;
  readonly status: DecisionStatus;
  readonly startedBy: { readonly id: string; readonly name: string };
  readonly answers: DecisionAnswers;
  readonly outcome: Outcome | null;
  readonly policy: { readonly name: string; readonly version: string };
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly recordedAt: Date | null;
  readonly recordedByName: string | null;
  readonly people: readonly PersonSummary[];
  /** Names of the organisations the answers mention (requester, recipients). */
  readonly organisationNames: Readonly<Record<string, string>>;
  readonly consent: readonly ConsentFinding[];
  /** The rules' view now (for a recorded decision: as it was recorded, from `recorded`). */
  readonly assessment: Assessment;
  readonly recorded: RecordedAssessment | null;
  readonly advice: readonly AdviceItem[];
  readonly approvals: readonly ApprovalItem[];
  readonly addenda: readonly Addendum[];
  readonly can: {
    readonly edit: boolean;
    readonly record: boolean;
    readonly sendForApproval: boolean;
    readonly withdrawApprovalRequest: boolean;
    readonly askAdvice: boolean;
    readonly addAddendum: boolean;
  };
}

export interface DecisionListItem {
  readonly id: string;
  readonly reference: string;
  readonly status: DecisionStatus;
  readonly purposeId: string | null;
  readonly outcome: string | null;
  readonly startedByName: string;
  readonly peopleCount: number;
  readonly updatedAt: Date;
  readonly recordedAt: Date | null;
}

/** The adviser's view of a request: the question and summary, and the decision only if they may open it. */
export interface AdviceRequestView extends AdviceItem {
  readonly decisionReference: string;
  readonly canAnswer: boolean;
  readonly canOpenDecision: boolean;
}

export interface ApprovalView extends ApprovalItem {
  readonly decision: DecisionView;
  readonly canDecide: boolean;
}

const oversightRoles = ['dpo', 'caldicott_guardian', 'ig_lead'] as const;
const listLimit = 50;

export function sharingService(deps: SharingDependencies) {
  const { db, clock, audit, people, consent, orgs, notifications, policy } = deps;
  const today = () => londonToday(clock.now());
  const packRef = { name: policy.name, version: policy.version };

  /** The organisations the answers name: the requester's and each recipient's. */
  function organisationsIn(answers: DecisionAnswers): string[] {
    return [
      answers.request?.requesterOrganisationId,
      ...(answers.recipients?.recipients ?? []).map((recipient) => recipient.organisationId),
    ].filter((value): value is string => value !== undefined);
  }

  /** Who may open a decision in full: its author, their line manager, oversight roles, and the approvers asked. */
  async function mayView(
    executor: Db | Transaction<Database>,
    viewer: Viewer,
    row: store.DecisionRow,
  ): Promise<boolean> {
    if (row.organisation_id !== viewer.organisationId) return false;
    if (row.started_by === viewer.userId) return true;
    if (oversightRoles.some((role) => viewer.roles.includes(role))) return true;
    const manager = await store.lineManagerOf(executor, row.started_by);
    if (manager?.id === viewer.userId) return true;
    const approvals = await store.approvalsFor(executor, row.id);
    return approvals.some((approval) => mayDecide(viewer, approval, false));
  }

  function mayDecide(viewer: Viewer, approval: store.ApprovalRow, pendingOnly = true): boolean {
    if (pendingOnly && approval.status !== 'pending') return false;
    if (approval.requested_by === viewer.userId || approval.organisation_id !== viewer.organisationId)
      return false;
    return approval.approvers.some((approver) =>
      approver === 'line-manager'
        ? approval.line_manager_id === viewer.userId
        : viewer.roles.includes(approver),
    );
  }

  function mayAnswer(viewer: Viewer, advice: store.AdviceRow): boolean {
    if (advice.organisation_id !== viewer.organisationId || advice.asked_by === viewer.userId) return false;
    return addressedTo(viewer, advice);
  }

  /** A request to a named person (line manager, supervisor) is theirs; one to a role is everyone's who holds it. */
  function addressedTo(viewer: Viewer, advice: store.AdviceRow): boolean {
    return advice.adviser === 'line-manager' || advice.adviser === 'supervisor'
      ? advice.adviser_user_id === viewer.userId
      : viewer.roles.includes(advice.adviser);
  }

  /** The supervisor a practitioner names: an active colleague in their organisation, not themself. */
  async function requireSupervisor(
    trx: Transaction<Database>,
    viewer: Viewer,
    supervisorId: string | undefined,
  ): Promise<string> {
    const colleague =
      supervisorId === undefined || !isUuid(supervisorId)
        ? undefined
        : await store.colleague(trx, viewer.organisationId, supervisorId);
    if (colleague === undefined || colleague.id === viewer.userId)
      throw SharingRuleError.of(
        'supervisorId',
        'DECISION.SUPERVISOR',
        'Select your supervisor from the list of colleagues',
      );
    return colleague.id;
  }

  async function loadDecision(
    executor: Db | Transaction<Database>,
    viewer: Viewer,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<store.DecisionRow> {
    if (!isUuid(id)) throw new SharingNotFoundError();
    const row = await store.findDecision(executor, id, options);
    if (row === undefined || !(await mayView(executor, viewer, row))) throw new SharingNotFoundError();
    return row;
  }

  /** The decision's author, on a decision still open to them. */
  async function ownDecision(
    trx: Transaction<Database>,
    viewer: Viewer,
    id: string,
  ): Promise<store.DecisionRow> {
    const row = await loadDecision(trx, viewer, id, { forUpdate: true });
    if (row.started_by !== viewer.userId)
      throw SharingRuleError.of(
        'decision',
        'DECISION.NOT_AUTHOR',
        'Only the practitioner who started this decision can change it',
      );
    if (row.status === 'recorded')
      throw SharingRuleError.of(
        'decision',
        'DECISION.RECORDED',
        'This decision has been recorded and cannot change: add an addendum instead',
      );
    return row;
  }

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

  async function assemble(
    executor: Db | Transaction<Database>,
    viewer: Viewer,
    row: store.DecisionRow,
  ): Promise<DecisionView> {
    const answers = row.answers;
    const personIds = answers.people?.personIds ?? [];
    const [summaries, adviceRows, approvalRows, addenda, names] = await Promise.all([
      Promise.all(
        personIds.map((personId) =>
          people.requireAccess(viewer, personId).catch((error: unknown) => {
            if (error instanceof PersonAccessError) return undefined;
            throw error;
          }),
        ),
      ),
      store.adviceFor(executor, row.id),
      store.approvalsFor(executor, row.id),
      store.addendaFor(executor, row.id),
      orgs.namesOf(organisationsIn(answers)),
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
      can: {
        edit: author && isEditable(row.status),
        record: author && (row.status === 'draft' || row.status === 'approved') && assessment.canRecord,
        sendForApproval: author && row.status === 'draft' && assessment.readyForApproval,
        withdrawApprovalRequest: author && (row.status === 'awaiting-approval' || row.status === 'approved'),
        askAdvice: author && row.status !== 'recorded',
        addAddendum: row.status === 'recorded',
      },
    };
  }

  function factsFor(
    organisationId: string,
    findings: readonly PersonConsent[],
    adviceRows: readonly store.AdviceRow[],
    approvalRows: readonly store.ApprovalRow[],
  ) {
    return {
      pack: policy,
      organisationId,
      today: today(),
      consent: findings,
      advice: adviceRows.map((advice) => ({ adviser: advice.adviser, status: advice.status })),
      approvals: approvalRows.map((approval) => ({ kind: approval.kind, status: approval.status })),
    };
  }

  /** Checks what the schemas cannot: the people are ones the viewer may see, the organisations are in the directory. */
  async function checkReferences(viewer: Viewer, sections: DecisionAnswers): Promise<void> {
    const problems: { field: string; code: string; message: string }[] = [];
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

  async function notifyAll(
    trx: Transaction<Database>,
    organisationId: string,
    userIds: Iterable<string>,
    notice: { kind: string; subject: string; body: string; link: string },
  ): Promise<void> {
    for (const userId of new Set(userIds))
      await notifications.notify(trx, { organisationId, userId, ...notice });
  }

  /** The people who answer for these approvers in the organisation (never the practitioner themself). */
  async function membersFor(
    trx: Transaction<Database>,
    organisationId: string,
    approvers: readonly Approver[],
    lineManagerId: string | null,
    except: string,
  ): Promise<string[]> {
    const roles = approvers.filter((approver) => approver !== 'line-manager');
    const members = (await store.staffWithRoles(trx, organisationId, roles)).map((member) => member.id);
    return [
      ...members,
      ...(lineManagerId !== null && approvers.includes('line-manager') ? [lineManagerId] : []),
    ].filter((userId) => userId !== except);
  }

  async function requireLineManager(trx: Transaction<Database>, viewer: Viewer): Promise<string> {
    const manager = await store.lineManagerOf(trx, viewer.userId);
    if (manager === undefined || !manager.active || manager.organisation_id !== viewer.organisationId) {
      throw SharingRuleError.of(
        'adviser',
        'DECISION.NO_LINE_MANAGER',
        'You have no line manager recorded in Safeshare: choose someone else, or ask an administrator to record your line manager',
      );
    }
    return manager.id;
  }

  const service = {
    /** Starts a draft, with the person it was started from when there is one. */
    async start(viewer: Viewer, options: { readonly personId?: string } = {}): Promise<string> {
      const answers: DecisionAnswers =
        options.personId === undefined
          ? {}
          : { people: { personIds: [options.personId], systemTransfer: false } };
      if (options.personId !== undefined) {
        if (!isUuid(options.personId)) throw new SharingNotFoundError();
        await checkReferences(viewer, answers);
      }
      return db.transaction().execute(async (trx) => {
        const created = await store.insertDecision(trx, {
          organisationId: viewer.organisationId,
          startedBy: viewer.userId,
          answers,
          policyName: policy.name,
          policyVersion: policy.version,
          at: clock.now(),
        });
        if (answers.people !== undefined)
          await store.setPeople(trx, created.id, viewer.organisationId, answers.people.personIds);
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
     * The decision in full, for its author and those who oversee it. `audited` writes a
     * `decision.viewed` event (pages other than the author's own question pages); `'others'` writes
     * it only when the viewer is not the decision's author.
     */
    async open(
      viewer: Viewer,
      id: string,
      options: { readonly audited?: boolean | 'others' } = {},
    ): Promise<DecisionView> {
      const row = await loadDecision(db, viewer, id);
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
    },

    /** Whether the viewer may open the decision (what is recorded under it follows the same rule). */
    async mayOpen(viewer: Viewer, id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      const row = await store.findDecision(db, id);
      return row !== undefined && (await mayView(db, viewer, row));
    },

    /** Saves whole sections of a draft (each page saves its own); the decision stays a draft. */
    async save(viewer: Viewer, id: string, sections: DecisionAnswers): Promise<void> {
      await checkReferences(viewer, sections);
      await db.transaction().execute(async (trx) => {
        const row = await ownDecision(trx, viewer, id);
        if (!isEditable(row.status))
          throw SharingRuleError.of(
            'decision',
            'DECISION.LOCKED',
            'This decision is waiting for approval: withdraw the request to change it',
          );
        const answers: DecisionAnswers = { ...row.answers, ...sections };
        await store.saveAnswers(trx, id, answers, packRef, clock.now());
        if (sections.people !== undefined)
          await store.setPeople(trx, id, row.organisation_id, sections.people.personIds);
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'decision.saved',
          entity: { type: 'sharing_decision', id },
          change: { sections: Object.keys(sections), ...toJson(sections) },
        });
      });
    },

    /** Sends the decision to the approvers the policy names (R2.16, R2.20); its answers are locked until they reply. */
    async sendForApproval(viewer: Viewer, id: string): Promise<void> {
      const before = await service.open(viewer, id);
      if (!before.can.sendForApproval) {
        const blocking = before.assessment.problems.filter((problem) => problem.section !== 'approval');
        throw blocking.length > 0
          ? SharingRuleError.fromProblems(blocking)
          : SharingRuleError.of(
              'decision',
              'DECISION.NO_APPROVAL_NEEDED',
              'This decision does not need approval now',
            );
      }
      await db.transaction().execute(async (trx) => {
        const row = await ownDecision(trx, viewer, id);
        const status = nextStatus(row.status, 'send-for-approval');
        if (status === undefined)
          throw SharingRuleError.of(
            'decision',
            'DECISION.STATUS',
            'This decision cannot be sent for approval now',
          );
        const requested: ApprovalKind[] = [];
        for (const needed of before.assessment.approvals.filter(
          (approval) => approval.status !== 'approved',
        )) {
          const lineManagerId = needed.approvers.includes('line-manager')
            ? await requireLineManager(trx, viewer)
            : null;
          await store.insertApproval(trx, {
            organisationId: row.organisation_id,
            decisionId: id,
            kind: needed.kind,
            approvers: needed.approvers,
            lineManagerId,
            requestedBy: viewer.userId,
            at: clock.now(),
          });
          await notifyAll(
            trx,
            row.organisation_id,
            await membersFor(trx, row.organisation_id, needed.approvers, lineManagerId, viewer.userId),
            {
              kind: 'decision.approval_requested',
              subject: `Sharing decision ${row.reference} needs your approval`,
              body: `${viewer.displayName} asks for approval: ${approvalKindNames[needed.kind].toLowerCase()}.`,
              link: sharingPaths.approvalQueue(),
            },
          );
          requested.push(needed.kind);
        }
        await store.setStatus(trx, id, status, clock.now());
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'decision.sent_for_approval',
          entity: { type: 'sharing_decision', id },
          change: { approvals: requested },
        });
      });
    },

    /** Takes the decision back from the approvers, to change it; approvals given so far no longer count. */
    async withdrawApprovalRequest(viewer: Viewer, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await ownDecision(trx, viewer, id);
        const status = nextStatus(row.status, 'withdraw-request');
        if (status === undefined)
          throw SharingRuleError.of(
            'decision',
            'DECISION.STATUS',
            'This decision is not waiting for approval',
          );
        const withdrawn = await store.withdrawPendingApprovals(trx, id);
        await store.setStatus(trx, id, status, clock.now());
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: actorOf(viewer),
          action: 'decision.approval_withdrawn',
          entity: { type: 'sharing_decision', id },
          change: { approvalsWithdrawn: withdrawn },
        });
      });
    },

    /**
     * Records the decision (R2.23): the rules are applied again inside the transaction, so a consent
     * withdrawn a moment ago is seen (invariant 3). Once recorded it never changes.
     */
    async record(viewer: Viewer, id: string): Promise<string> {
      return db.transaction().execute(async (trx) => {
        const row = await ownDecision(trx, viewer, id);
        const status = nextStatus(row.status, 'record');
        if (status === undefined)
          throw SharingRuleError.of(
            'decision',
            'DECISION.STATUS',
            'This decision is waiting for approval and cannot be recorded yet',
          );
        const view = await assemble(trx, viewer, row);
        if (!view.assessment.canRecord) throw SharingRuleError.fromProblems(view.assessment.problems);
        await finishRecording(trx, viewer, row, view);
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
      await checkReferences(viewer, answers);
      const personNames = new Map<string, string>();
      const findings = await consentFindings(answers, personNames);
      const assessment = assessDecision(answers, factsFor(viewer.organisationId, findings, [], []));
      if (!assessment.canRecord) throw SharingRuleError.fromProblems(assessment.problems);
      return db.transaction().execute(async (trx) => {
        const created = await store.insertDecision(trx, {
          organisationId: viewer.organisationId,
          startedBy: viewer.userId,
          answers,
          policyName: policy.name,
          policyVersion: policy.version,
          at: clock.now(),
        });
        await store.setPeople(trx, created.id, viewer.organisationId, answers.people?.personIds ?? []);
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'decision.started',
          entity: { type: 'sharing_decision', id: created.id },
          change: { reference: created.reference, policyVersion: policy.version, via: 'api' },
        });
        const row = await store.findDecision(trx, created.id, { forUpdate: true });
        if (row === undefined) throw new SharingNotFoundError();
        const view = await assemble(trx, viewer, row);
        if (!view.assessment.canRecord) throw SharingRuleError.fromProblems(view.assessment.problems);
        await finishRecording(trx, viewer, row, view);
        return created;
      });
    },

    /** Corrections and later facts about a recorded decision, which itself never changes. */
    async addAddendum(
      viewer: Viewer,
      id: string,
      addendum: { readonly kind: AddendumKind; readonly body: string },
    ): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await loadDecision(trx, viewer, id, { forUpdate: true });
        if (row.status !== 'recorded')
          throw SharingRuleError.of(
            'body',
            'DECISION.NOT_RECORDED',
            'Addenda are for recorded decisions: change the draft instead',
          );
        await store.insertAddendum(trx, {
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
      const view = await service.open(viewer, id);
      if (!view.can.askAdvice)
        throw SharingRuleError.of(
          'adviser',
          'DECISION.RECORDED',
          'This decision has been recorded: add an addendum instead',
        );
      return db.transaction().execute(async (trx) => {
        const row = await ownDecision(trx, viewer, id);
        const adviserUserId =
          request.adviser === 'line-manager'
            ? await requireLineManager(trx, viewer)
            : request.adviser === 'supervisor'
              ? await requireSupervisor(trx, viewer, request.supervisorId)
              : null;
        const summary = adviceSummary(view, policy, { anonymised: request.anonymised });
        const adviceId = await store.insertAdvice(trx, {
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
            : await membersFor(trx, row.organisation_id, [request.adviser], adviserUserId, viewer.userId);
        if (advisers.length === 0)
          throw SharingRuleError.of(
            'adviser',
            'DECISION.NO_ADVISER',
            'Nobody in your organisation holds that role in Safeshare: choose someone else',
          );
        await notifyAll(trx, row.organisation_id, advisers, {
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
          },
        });
        return adviceId;
      });
    },

    async adviceRequest(viewer: Viewer, adviceId: string): Promise<AdviceRequestView> {
      if (!isUuid(adviceId)) throw new SharingNotFoundError();
      const advice = await store.findAdvice(db, adviceId);
      if (advice === undefined || advice.organisation_id !== viewer.organisationId)
        throw new SharingNotFoundError();
      const decision = await store.findDecision(db, advice.decision_id);
      if (decision === undefined) throw new SharingNotFoundError();
      const canAnswer = mayAnswer(viewer, advice);
      const asker = advice.asked_by === viewer.userId;
      const answerer = advice.answered_by === viewer.userId;
      const canOpenDecision = await mayView(db, viewer, decision);
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
        const advice = await store.findAdvice(trx, adviceId, { forUpdate: true });
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
        await store.answerAdvice(trx, adviceId, { answer, answeredBy: viewer.userId, at: clock.now() });
        const decision = await store.findDecision(trx, advice.decision_id);
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

    async approval(viewer: Viewer, approvalId: string): Promise<ApprovalView> {
      if (!isUuid(approvalId)) throw new SharingNotFoundError();
      const approval = await store.findApproval(db, approvalId);
      if (approval === undefined || approval.organisation_id !== viewer.organisationId)
        throw new SharingNotFoundError();
      const decision = await service.open(viewer, approval.decision_id, { audited: true });
      return {
        ...toApprovalItem(approval),
        decision,
        canDecide: mayDecide(viewer, approval) && decision.status === 'awaiting-approval',
      };
    },

    /** The approver's answer (R2.16, R2.20). A refusal returns the decision to its author with the reason. */
    async decideApproval(
      viewer: Viewer,
      approvalId: string,
      answer: { readonly approve: boolean; readonly reason: string | null },
    ): Promise<string> {
      if (!isUuid(approvalId)) throw new SharingNotFoundError();
      if (!answer.approve && (answer.reason === null || answer.reason.trim() === ''))
        throw SharingRuleError.of('reason', 'APPROVAL.REASON', 'Give the reason for refusing');
      return db.transaction().execute(async (trx) => {
        const approval = await store.findApproval(trx, approvalId, { forUpdate: true });
        if (approval === undefined || approval.organisation_id !== viewer.organisationId)
          throw new SharingNotFoundError();
        const decision = await store.findDecision(trx, approval.decision_id, { forUpdate: true });
        if (decision === undefined) throw new SharingNotFoundError();
        if (!mayDecide(viewer, approval, false)) throw new SharingNotFoundError();
        if (approval.status !== 'pending' || decision.status !== 'awaiting-approval')
          throw SharingRuleError.of(
            'approve',
            'APPROVAL.DECIDED',
            'This request has already been answered or withdrawn',
          );
        await store.decideApproval(trx, approvalId, {
          status: answer.approve ? 'approved' : 'refused',
          decidedBy: viewer.userId,
          reason: answer.reason,
          at: clock.now(),
        });
        const remaining = (await store.approvalsFor(trx, decision.id)).filter(
          (other) => other.status === 'pending',
        );
        const event = answer.approve ? (remaining.length === 0 ? 'approve-all' : undefined) : 'refuse';
        const status = event === undefined ? undefined : nextStatus(decision.status, event);
        if (!answer.approve) await store.withdrawPendingApprovals(trx, decision.id);
        if (status !== undefined) await store.setStatus(trx, decision.id, status, clock.now());
        await notifications.notify(trx, {
          organisationId: decision.organisation_id,
          userId: decision.started_by,
          kind: answer.approve ? 'decision.approved' : 'decision.approval_refused',
          subject: answer.approve
            ? `Sharing decision ${decision.reference}: approval given`
            : `Sharing decision ${decision.reference}: approval refused`,
          body: `${viewer.displayName} has ${answer.approve ? 'approved' : 'refused'}: ${approvalKindNames[approval.kind].toLowerCase()}.`,
          link: sharingPaths.decision(decision.id),
        });
        await audit.record(trx, {
          organisationId: decision.organisation_id,
          actor: actorOf(viewer),
          action: answer.approve ? 'approval.given' : 'approval.refused',
          entity: { type: 'sharing_approval', id: approvalId },
          change: { decisionId: decision.id, kind: approval.kind, reason: answer.reason },
        });
        return decision.id;
      });
    },

    /** "My decisions": drafts, those waiting for advice or approval, and recent recorded ones. */
    async mine(viewer: Viewer): Promise<{
      drafts: DecisionListItem[];
      waitingForAdvice: DecisionListItem[];
      waitingForApproval: DecisionListItem[];
      recorded: DecisionListItem[];
    }> {
      const rows = (await store.decisionsStartedBy(db, viewer.userId, 200)).map(toListItem);
      const open = rows.filter((row) => row.status !== 'recorded');
      const withOpenAdvice = await store.decisionsWithOpenAdvice(
        db,
        open.map((row) => row.id),
      );
      return {
        drafts: open.filter((row) => row.status === 'draft' || row.status === 'approved'),
        waitingForAdvice: open.filter((row) => withOpenAdvice.has(row.id)),
        waitingForApproval: open.filter((row) => row.status === 'awaiting-approval'),
        recorded: rows.filter((row) => row.status === 'recorded').slice(0, 20),
      };
    },

    /** An adviser's inbox: open requests addressed to their roles or to them as line manager, then recent answers. */
    async adviceInbox(viewer: Viewer): Promise<{
      open: (AdviceItem & { reference: string })[];
      answered: (AdviceItem & { reference: string })[];
    }> {
      const roles = rolesAnswering(viewer);
      const [open, answered] = await Promise.all([
        store.adviceQueue(db, viewer.organisationId, roles, viewer.userId, 'open', listLimit),
        store.adviceQueue(db, viewer.organisationId, roles, viewer.userId, 'answered', 20),
      ]);
      const references = new Map(
        (
          await store.decisionsByIds(
            db,
            [...open, ...answered].map((advice) => advice.decision_id),
          )
        ).map((row) => [row.id, row.reference]),
      );
      const withReference = (advice: store.AdviceRow) => ({
        ...toAdviceItem(advice),
        reference: references.get(advice.decision_id) ?? '',
      });
      return { open: open.map(withReference), answered: answered.map(withReference) };
    },

    /** An approver's queue, with the decisions' references. */
    async approvalQueue(viewer: Viewer): Promise<{
      pending: (ApprovalItem & { reference: string })[];
      decided: (ApprovalItem & { reference: string })[];
    }> {
      const roles = rolesAnswering(viewer);
      const [pending, approved, refused] = await Promise.all([
        store.approvalQueue(db, viewer.organisationId, roles, viewer.userId, 'pending', listLimit),
        store.approvalQueue(db, viewer.organisationId, roles, viewer.userId, 'approved', 20),
        store.approvalQueue(db, viewer.organisationId, roles, viewer.userId, 'refused', 20),
      ]);
      const references = new Map(
        (
          await store.decisionsByIds(
            db,
            [...pending, ...approved, ...refused].map((approval) => approval.decision_id),
          )
        ).map((row) => [row.id, row.reference]),
      );
      const withReference = (approval: store.ApprovalRow) => ({
        ...toApprovalItem(approval),
        reference: references.get(approval.decision_id) ?? '',
      });
      const decided = [...approved, ...refused]
        .sort((a, b) => (b.decided_at?.getTime() ?? 0) - (a.decided_at?.getTime() ?? 0))
        .slice(0, 20);
      return { pending: pending.map(withReference), decided: decided.map(withReference) };
    },

    /** Every decision about a person, newest first, for those who may open the person's record. */
    async aboutPerson(
      viewer: Viewer,
      personId: string,
    ): Promise<{ person: PersonSummary; decisions: DecisionListItem[] }> {
      const person = await people.requireAccess(viewer, personId);
      const rows = await store.decisionsAbout(db, person.id);
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

  async function finishRecording(
    trx: Transaction<Database>,
    viewer: Viewer,
    row: store.DecisionRow,
    view: DecisionView,
  ): Promise<void> {
    const outcome = view.answers.outcome?.outcome;
    if (outcome === undefined)
      throw SharingRuleError.of('outcome', 'DECISION.SECTION_MISSING', 'Complete "Your decision"');
    const approvals = (await store.approvalsFor(trx, row.id)).filter(
      (approval) => approval.status === 'approved',
    );
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
    await store.markRecorded(trx, row.id, {
      outcome,
      assessment,
      recordedBy: viewer.userId,
      policy: packRef,
      at: clock.now(),
    });
    await audit.record(trx, {
      organisationId: row.organisation_id,
      actor: actorOf(viewer),
      action: 'decision.recorded',
      entity: { type: 'sharing_decision', id: row.id },
      change: {
        reference: row.reference,
        outcome,
        policy: `${policy.name} ${policy.version}`,
        assessment: toJson(assessment),
      },
    });
  }

  return service;
}

export type SharingService = ReturnType<typeof sharingService>;

/** The roles that answer advice requests and approvals (besides a line manager, who may hold any role). */
export const advisingRoles = [
  'manager',
  'caldicott_guardian',
  'dpo',
  'ig_lead',
  'child_protection_adviser',
] as const satisfies readonly Approver[];

function rolesAnswering(viewer: Viewer): Approver[] {
  return advisingRoles.filter((role) => viewer.roles.includes(role));
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

function toAdviceItem(row: store.AdviceRow): AdviceItem {
  return {
    id: row.id,
    decisionId: row.decision_id,
    adviser: row.adviser,
    anonymised: row.anonymised,
    question: row.question,
    summary: row.summary,
    status: row.status,
    answer: row.answer,
    askedByName: row.asked_by_name,
    answeredByName: row.answered_by_name,
    askedAt: row.created_at,
    answeredAt: row.answered_at,
  };
}

function toApprovalItem(row: store.ApprovalRow): ApprovalItem {
  return {
    id: row.id,
    decisionId: row.decision_id,
    kind: row.kind,
    approvers: row.approvers,
    status: row.status,
    requestedByName: row.requested_by_name,
    requestedAt: row.requested_at,
    decidedByName: row.decided_by_name,
    decidedAt: row.decided_at,
    reason: row.reason,
  };
}

function toListItem(row: store.DecisionListRow): DecisionListItem {
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    purposeId: row.purpose_id,
    outcome: row.outcome,
    startedByName: row.started_by_name,
    peopleCount: row.people_count,
    updatedAt: row.updated_at,
    recordedAt: row.recorded_at,
  };
}
