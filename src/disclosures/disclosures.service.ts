import type { AuditService } from '../audit/index.ts';
import { systemActor } from '../audit/index.ts';
import { actorOf, type Viewer } from '../auth/index.ts';
import {
  methodName,
  type ChannelsService,
  type MethodAdvice,
  type MethodAnswer,
  type Sensitivity,
} from '../channels/index.ts';
import type { Db } from '../db/client.ts';
import { toJson } from '../lib/canonical-json.ts';
import { isUuid } from '../lib/ids.ts';
import { checkText, multiline } from '../lib/text.ts';
import type { Clock } from '../lib/clock.ts';
import { londonToday } from '../lib/time.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { OrgsService } from '../orgs/index.ts';
import type { ChannelMethodId, PolicyPack } from '../policy/index.ts';
import type { DecisionListItem, DecisionView, SharingService } from '../sharing/index.ts';
import { DisclosureNotFoundError, DisclosureRuleError } from './disclosures.errors.ts';
import { disclosurePaths } from './disclosures.paths.ts';
import * as store from './disclosures.repository.ts';
import type { MisdirectedAnswers, NewDisclosureAnswers, ReceiptAnswers } from './disclosures.schema.ts';

/** What the disclosure log needs of other capabilities (each through its own service). */
export interface DisclosuresDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly sharing: Pick<SharingService, 'open' | 'mayOpen' | 'aboutPerson'>;
  readonly channels: Pick<ChannelsService, 'advise' | 'checkChecklist'>;
  readonly orgs: Pick<OrgsService, 'find'>;
  readonly notifications: Pick<NotificationsService, 'notify'>;
  readonly policy: PolicyPack;
}

export interface Disclosure {
  readonly id: string;
  readonly decisionId: string;
  readonly decisionReference: string;
  readonly method: ChannelMethodId;
  readonly recipientName: string;
  readonly recipientRole: string;
  readonly recipientOrganisationId: string;
  readonly recipientOrganisationName: string;
  readonly recipientContact: string | null;
  readonly purposeId: string;
  readonly categoryIds: readonly string[];
  readonly description: string;
  readonly checklist: Readonly<Record<string, unknown>>;
  readonly methodAdvice: Readonly<Record<string, unknown>>;
  readonly policyVersion: string;
  readonly disclosedAt: Date;
  readonly disclosedByName: string;
  readonly receipt: {
    readonly dueOn: string | null;
    readonly confirmedAt: Date | null;
    readonly confirmedByName: string | null;
    readonly how: string | null;
    readonly overdue: boolean;
  };
}

export interface MisdirectedRecord {
  readonly id: string;
  readonly receivedOn: string;
  readonly method: string;
  readonly sender: string;
  readonly intendedFor: string;
  readonly whatArrived: string;
  readonly passedOn: boolean;
  readonly senderTold: boolean;
  readonly actionDetails: string;
  readonly recordedByName: string;
  readonly recordedAt: Date;
}

/** One line of a person's sharing history: a decision, or a disclosure made under one. */
export type HistoryEntry =
  | { readonly kind: 'decision'; readonly at: Date; readonly decision: DecisionListItem }
  | { readonly kind: 'disclosure'; readonly at: Date; readonly disclosure: Disclosure };

/** Where a disclosure can be made from: a recorded decision to share, its recipients and categories. */
export interface DisclosureContext {
  readonly decision: DecisionView;
  readonly sensitivity: Sensitivity;
  readonly disclosures: readonly Disclosure[];
}

export function disclosuresService(deps: DisclosuresDependencies) {
  const { db, clock, audit, sharing, channels, orgs, notifications, policy } = deps;
  const today = () => londonToday(clock.now());

  /** A recorded decision to share: nothing leaves without one (invariant 1). */
  async function shareDecision(viewer: Viewer, decisionId: string): Promise<DecisionView> {
    const decision = await sharing.open(viewer, decisionId);
    if (
      decision.status !== 'recorded' ||
      (decision.outcome !== 'share' && decision.outcome !== 'share-in-part')
    ) {
      throw DisclosureRuleError.of(
        'decision',
        'DISCLOSURE.NO_DECISION_TO_SHARE',
        'Information can only be disclosed under a recorded decision to share',
      );
    }
    return decision;
  }

  function toDisclosure(row: store.DisclosureRow): Disclosure {
    return {
      id: row.id,
      decisionId: row.decision_id,
      decisionReference: row.decision_reference,
      method: row.method as ChannelMethodId,
      recipientName: row.recipient_name,
      recipientRole: row.recipient_role,
      recipientOrganisationId: row.recipient_organisation_id,
      recipientOrganisationName: row.recipient_organisation_name,
      recipientContact: row.recipient_contact,
      purposeId: row.purpose_id,
      categoryIds: row.category_ids,
      description: row.description,
      checklist: row.checklist,
      methodAdvice: row.method_advice,
      policyVersion: row.policy_version,
      disclosedAt: row.disclosed_at,
      disclosedByName: row.disclosed_by_name,
      receipt: {
        dueOn: row.receipt_due_on,
        confirmedAt: row.receipt_confirmed_at,
        confirmedByName: row.receipt_confirmed_by_name,
        how: row.receipt_how,
        overdue:
          row.receipt_due_on !== null && row.receipt_confirmed_at === null && row.receipt_due_on < today(),
      },
    };
  }

  const service = {
    /** The decision a disclosure would be made under, with what has already been disclosed. */
    async context(viewer: Viewer, decisionId: string): Promise<DisclosureContext> {
      const decision = await shareDecision(viewer, decisionId);
      const rows = await store.disclosuresOf(db, decision.id);
      return { decision, sensitivity: sensitivityOf(decision), disclosures: rows.map(toDisclosure) };
    },

    /** The method policy's answer for sending to one of the decision's recipients by a method (R4.5.x, R4.6.x). */
    async advise(
      viewer: Viewer,
      decisionId: string,
      request: {
        readonly recipientIndex: number;
        readonly method: ChannelMethodId;
        readonly recipientAddress?: string | undefined;
      },
    ): Promise<MethodAnswer> {
      const decision = await shareDecision(viewer, decisionId);
      const recipient = recipientOf(decision, request.recipientIndex);
      return channels.advise({
        method: request.method,
        senderOrganisationId: viewer.organisationId,
        senderAddress: viewer.email,
        recipientOrganisationId: recipient.organisationId,
        recipientAddress: request.recipientAddress ?? recipient.email,
        sensitivity: sensitivityOf(decision),
        people: decision.answers.people?.personIds.length ?? 1,
      });
    },

    /**
     * Logs a disclosure under a recorded decision to share (invariant 1): to one of its recipients
     * (R2.11), of categories it decided to share (R2.7), by a method the policy allows (R4.5.1,
     * R4.6.x), with that method's checklist complete (R4.1-R4.4). Anything wrong: every problem is
     * named and nothing is written.
     */
    async record(viewer: Viewer, decisionId: string, answers: NewDisclosureAnswers): Promise<string> {
      const decision = await shareDecision(viewer, decisionId);
      const recipient = recipientOf(decision, answers.recipientIndex);
      const problems: { field: string; code: string; message: string }[] = [];
      const shared = new Set((decision.answers.information?.shared ?? []).map((item) => item.categoryId));
      const outside = answers.categoryIds.filter((categoryId) => !shared.has(categoryId));
      if (answers.categoryIds.length === 0)
        problems.push({
          field: 'categoryIds',
          code: 'DISCLOSURE.NO_CATEGORIES',
          message: 'Select the information you are disclosing',
        });
      if (outside.length > 0)
        problems.push({
          field: 'categoryIds',
          code: 'DISCLOSURE.CATEGORY_NOT_DECIDED',
          message: 'Disclose only categories the decision agreed to share',
        });
      // The pages send what was typed, so that a blank description is named with every other problem at once.
      const description = answers.description.trim();
      if (description === '')
        problems.push({
          field: 'description',
          code: 'DISCLOSURE.DESCRIPTION',
          message: 'Enter what you disclosed',
        });
      else if (description.length > 4000)
        problems.push({
          field: 'description',
          code: 'DISCLOSURE.DESCRIPTION',
          message: 'What you disclosed must be 4000 characters or fewer',
        });
      else {
        const fault = checkText('what you disclosed', description, multiline);
        if (fault !== undefined)
          problems.push({ field: 'description', code: 'DISCLOSURE.DESCRIPTION', message: fault });
      }

      const sensitivity = sensitivityOf(decision);
      const recipientAddress = answers.recipientAddress ?? recipient.email;
      const [answer, organisation] = await Promise.all([
        channels.advise({
          method: answers.method,
          senderOrganisationId: viewer.organisationId,
          senderAddress: viewer.email,
          recipientOrganisationId: recipient.organisationId,
          recipientAddress,
          sensitivity,
          people: decision.answers.people?.personIds.length ?? 1,
        }),
        orgs.find(recipient.organisationId),
      ]);
      let advice: MethodAdvice | undefined;
      if (!answer.ok)
        for (const problem of answer.problems)
          problems.push({
            field: problem.field === 'recipient.address' ? 'recipientAddress' : problem.field,
            code: problem.code,
            message: problem.message,
          });
      else {
        advice = answer.advice;
        if (!advice.allowed) {
          const refusal = advice.reasons
            .filter((reason) => reason.effect === 'refuses')
            .map((reason) => `${reason.explanation} (${reason.requirement})`);
          problems.push({
            field: 'method',
            code: 'DISCLOSURE.METHOD_NOT_ALLOWED',
            message: `This method is not allowed here: ${refusal.join(' ')} Use ${methodName(advice.recommended)} instead.`,
          });
        }
      }

      const checklist = channels.checkChecklist(answers.method, answers.checklist, {
        sensitivity,
        switchboardNumber: organisation?.switchboardPhone ?? null,
        directoryFaxNumbers: organisation?.faxNumbers.map((fax) => fax.number) ?? [],
        names: decision.people.flatMap((person) => [
          `${person.givenNames} ${person.familyName}`,
          ...(person.knownAs === null ? [] : [person.knownAs]),
        ]),
        advice,
      });
      if (!checklist.ok)
        for (const error of checklist.errors)
          problems.push({
            field: `checklist.${error.field}`,
            code: 'DISCLOSURE.CHECKLIST',
            message: error.message,
          });
      if (problems.length > 0 || advice === undefined || !checklist.ok)
        throw new DisclosureRuleError(problems);

      const now = clock.now();
      const dueOn =
        advice.receiptWithinWorkingDays === null
          ? null
          : addWorkingDays(today(), advice.receiptWithinWorkingDays);
      return db.transaction().execute(async (trx) => {
        const id = await store.insertDisclosure(trx, {
          organisation_id: decision.organisationId,
          decision_id: decision.id,
          method: answers.method,
          recipient_name: recipient.name,
          recipient_role: recipient.role,
          recipient_organisation_id: recipient.organisationId,
          recipient_contact: recipientAddress ?? recipient.telephone ?? null,
          purpose_id: decision.answers.request?.purposeId ?? '',
          category_ids: answers.categoryIds,
          description: answers.description,
          checklist: JSON.stringify(checklist.answers),
          method_advice: JSON.stringify({
            allowed: advice.allowed,
            recommended: advice.recommended,
            route: advice.route,
            reasons: advice.reasons,
          }),
          policy_version: `${policy.name} ${policy.version}`,
          disclosed_at: now,
          disclosed_by: viewer.userId,
          receipt_due_on: dueOn,
          created_at: now,
        });
        await audit.record(trx, {
          organisationId: decision.organisationId,
          actor: actorOf(viewer),
          action: 'disclosure.recorded',
          entity: { type: 'disclosure', id },
          change: toJson({
            decisionId: decision.id,
            method: answers.method,
            recipientOrganisationId: recipient.organisationId,
            recipientRole: recipient.role,
            categoryIds: answers.categoryIds,
            description: answers.description,
            checklist: checklist.answers,
            reasons: advice.reasons.map((reason) => reason.requirement),
            receiptDueOn: dueOn,
          }),
        });
        return id;
      });
    },

    async find(viewer: Viewer, id: string): Promise<Disclosure> {
      if (!isUuid(id)) throw new DisclosureNotFoundError();
      const row = await store.findDisclosure(db, id);
      if (row === undefined || row.organisation_id !== viewer.organisationId)
        throw new DisclosureNotFoundError();
      // Whoever may open the decision may see what was disclosed under it.
      if (!(await sharing.mayOpen(viewer, row.decision_id))) throw new DisclosureNotFoundError();
      return toDisclosure(row);
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
      return rows.map(toDisclosure);
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

    async misdirected(viewer: Viewer): Promise<MisdirectedRecord[]> {
      const rows = await store.misdirectedFor(db, viewer.organisationId, 200);
      return rows.map((row) => ({
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
      }));
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
      const rows = await store.disclosuresAbout(db, person.id);
      const entries: HistoryEntry[] = [
        ...decisions.map((decision): HistoryEntry => ({
          kind: 'decision',
          at: decision.recordedAt ?? decision.updatedAt,
          decision,
        })),
        ...rows.map((row): HistoryEntry => ({
          kind: 'disclosure',
          at: row.disclosed_at,
          disclosure: toDisclosure(row),
        })),
      ];
      return { person, entries: entries.sort((a, b) => b.at.getTime() - a.at.getTime()) };
    },
  };

  return service;
}

export type DisclosuresService = ReturnType<typeof disclosuresService>;

/** How sensitive a decision's information is, for the method policy (R4.6.5). */
export function sensitivityOf(decision: Pick<DecisionView, 'assessment'>): Sensitivity {
  // Information about a child or family held by children's services is confidential by nature;
  // special category and criminal offence information is more sensitive still.
  return decision.assessment.specialCategory || decision.assessment.criminalOffence
    ? 'special-category'
    : 'confidential';
}

function recipientOf(decision: DecisionView, index: number) {
  const recipient = decision.answers.recipients?.recipients[index];
  if (recipient === undefined)
    throw DisclosureRuleError.of(
      'recipientIndex',
      'DISCLOSURE.RECIPIENT_NOT_DECIDED',
      'Select a recipient named in the decision',
    );
  return recipient;
}

/** Adds working days (Monday to Friday) to a calendar date. Bank holidays are not counted out. */
export function addWorkingDays(from: string, days: number): string {
  const date = new Date(`${from}T12:00:00Z`);
  let added = 0;
  while (added < days) {
    date.setUTCDate(date.getUTCDate() + 1);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6) added += 1;
  }
  return date.toISOString().slice(0, 10);
}
