import type { Transaction } from 'kysely';
import { actorOf, type Viewer } from '../auth/index.ts';
import type { Database } from '../db/database.ts';
import { methodName, type MethodAdvice, type MethodAnswer } from '../channels/index.ts';
import { toJson } from '../lib/canonical-json.ts';
import { checkText, multiline } from '../lib/text.ts';
import { addWorkingDays, londonToday } from '../lib/time.ts';
import type { ChannelMethodId } from '../policy/index.ts';
import type { DecisionView } from '../sharing/index.ts';
import { DisclosureRuleError } from './disclosures.errors.ts';
import {
  recipientOf,
  sensitivityOf,
  toDisclosure,
  type Disclosure,
  type DisclosureContext,
  type DisclosuresDependencies,
} from './disclosures.model.ts';
import { consentProblems, emergencyProblems } from './disclosures.consent.ts';
import * as store from './disclosures.repository.ts';
import type { NewDisclosureAnswers } from './disclosures.schema.ts';

/** Recording a disclosure under a recorded decision to share (invariant 1), with the method policy's advice. */
export function recordingService(deps: DisclosuresDependencies) {
  const { db, clock, audit, sharing, channels, policy, consent, people, custody } = deps;
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

  return {
    /** The decision a disclosure would be made under, with what has already been disclosed. */
    async context(viewer: Viewer, decisionId: string): Promise<DisclosureContext> {
      const decision = await shareDecision(viewer, decisionId);
      const rows = await store.disclosuresOf(db, decision.id);
      return {
        decision,
        sensitivity: sensitivityOf(decision),
        disclosures: rows.map((row) => toDisclosure(row, today())),
      };
    },

    /**
     * What stands against a disclosure about to be made under the decision, now: the consent
     * register, when the decision rests on consent and it no longer covers this (R3.3), and an
     * emergency share's approval refused or overdue (ADR 0019). The pages ask at the first step;
     * `record` asks again.
     */
    async standingProblems(
      viewer: Viewer,
      decisionId: string,
      share: {
        readonly recipientIndex: number;
        readonly method: ChannelMethodId;
        readonly categoryIds: readonly string[];
      },
    ) {
      const decision = await shareDecision(viewer, decisionId);
      const recipient = recipientOf(decision, share.recipientIndex);
      return [
        ...emergencyProblems(decision),
        ...(await consentProblems(consent, policy, decision, {
          recipientOrganisationId: recipient.organisationId,
          recipientRole: recipient.role,
          categoryIds: share.categoryIds,
          method: share.method,
        })),
      ];
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
      return (await recordAndShow(viewer, decisionId, answers)).id;
    },

    recordAndShow,

    /** The viewer's off-site log entries a hand-over in person can be recorded under (R4.3.3). */
    offSiteEntries: (viewer: Viewer) => custody.handOverEntries(viewer),

    prepare,
    commit,
  };

  /**
   * `record`, answering with the disclosure as written (what `find` would read back, from the row the
   * insert returns): the viewer opened its decision in `prepare`, in this request, under the rule
   * `find` asks (docs/performance.md).
   */
  async function recordAndShow(
    viewer: Viewer,
    decisionId: string,
    answers: NewDisclosureAnswers,
  ): Promise<Disclosure> {
    // A share by the secure exchange is logged by sending its package, which is the evidence: a
    // record of one without a package would say information left by a route it did not take.
    const exchangeOnly =
      answers.method === 'secure-exchange'
        ? [
            {
              field: 'method',
              code: 'DISCLOSURE.USE_THE_EXCHANGE',
              message:
                'Send it through the secure exchange from the decision’s page: sending the package records the disclosure',
            },
          ]
        : [];
    let prepared: PreparedDisclosure;
    try {
      prepared = await prepare(viewer, decisionId, answers);
    } catch (error) {
      if (error instanceof DisclosureRuleError && exchangeOnly.length > 0)
        throw new DisclosureRuleError([...exchangeOnly, ...error.problems]);
      throw error;
    }
    if (exchangeOnly.length > 0) throw new DisclosureRuleError(exchangeOnly);
    const row = await db.transaction().execute((trx) => write(trx, viewer, prepared));
    return toDisclosure(row, today());
  }

  /**
   * Information handed over in person was carried off site, so it is carried under an entry of the
   * practitioner's own off-site log (R4.3.3): one off site now or back within the fortnight.
   */
  async function offSiteProblems(viewer: Viewer, answers: NewDisclosureAnswers) {
    const problem = (message: string) => [
      { field: 'offSiteEntryId', code: 'DISCLOSURE.OFF_SITE_LOG', message },
    ];
    if (answers.method !== 'in-person')
      return answers.offSiteEntryId === undefined
        ? []
        : problem('Only information handed over in person is carried under an off-site log entry');
    if (answers.offSiteEntryId === undefined)
      return problem(
        'Select the entry in your off-site log for what you carried: log it first if you have not',
      );
    const entries = await custody.handOverEntries(viewer);
    return entries.some((entry) => entry.id === answers.offSiteEntryId)
      ? []
      : problem(
          'Select one of your own off-site log entries that is off site or came back in the last fortnight',
        );
  }

  /**
   * Every check of a disclosure about to be made, at the moment of making it, and nothing written:
   * what `commit` then logs. The secure exchange prepares before it seals a package, and commits in
   * the package's own transaction.
   */
  async function prepare(
    viewer: Viewer,
    decisionId: string,
    answers: NewDisclosureAnswers,
  ): Promise<PreparedDisclosure> {
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
    // Each check reads what it needs once, side by side; their problems are named in a fixed order.
    const [{ answer, recipient: organisation }, offSite, consentStands, relativesNames] = await Promise.all([
      channels.adviseBetween({
        method: answers.method,
        senderOrganisationId: viewer.organisationId,
        senderAddress: viewer.email,
        recipientOrganisationId: recipient.organisationId,
        recipientAddress,
        sensitivity,
        people: decision.answers.people?.personIds.length ?? 1,
      }),
      offSiteProblems(viewer, answers),
      // The consent the decision rests on must still cover this disclosure, now (R3.3).
      consentProblems(consent, policy, decision, {
        recipientOrganisationId: recipient.organisationId,
        recipientRole: recipient.role,
        categoryIds: answers.categoryIds,
        method: answers.method,
      }),
      people.relativesNames(decision.people.map((person) => person.id)),
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

    problems.push(...offSite);
    // An emergency share's approval must not be refused or overdue, now (ADR 0019).
    problems.push(...emergencyProblems(decision));
    problems.push(...consentStands);

    const checklist = channels.checkChecklist(answers.method, answers.checklist, {
      sensitivity,
      switchboardNumber: organisation?.switchboardPhone ?? null,
      recipientOrganisationName: organisation?.name,
      directoryFaxNumbers: organisation?.faxNumbers.map((fax) => fax.number) ?? [],
      names: [
        ...decision.people.flatMap((person) => [
          `${person.givenNames} ${person.familyName}`,
          ...(person.knownAs === null ? [] : [person.knownAs]),
        ]),
        ...relativesNames,
      ],
      advice,
    });
    if (!checklist.ok)
      for (const error of checklist.errors)
        problems.push({
          field: `checklist.${error.field}`,
          code: 'DISCLOSURE.CHECKLIST',
          message: error.message,
        });
    if (problems.length > 0 || advice === undefined || !checklist.ok) throw new DisclosureRuleError(problems);

    const dueOn =
      advice.receiptWithinWorkingDays === null
        ? null
        : addWorkingDays(today(), advice.receiptWithinWorkingDays);
    return {
      decision,
      recipient,
      answers,
      recipientAddress,
      advice,
      checklistAnswers: checklist.answers,
      dueOn,
    };
  }

  /** Logs a prepared disclosure in the caller's transaction, with its audit event; returns its id. */
  async function commit(
    trx: Transaction<Database>,
    viewer: Viewer,
    prepared: PreparedDisclosure,
    evidence?: { readonly packageId: string },
  ): Promise<string> {
    return (await write(trx, viewer, prepared, evidence)).id;
  }

  /** `commit`, handing back the disclosure's row as written. */
  async function write(
    trx: Transaction<Database>,
    viewer: Viewer,
    prepared: PreparedDisclosure,
    evidence?: { readonly packageId: string },
  ): Promise<store.DisclosureRow> {
    const { decision, recipient, answers, recipientAddress, advice, dueOn } = prepared;
    const now = clock.now();
    const row = await store.insertDisclosure(trx, {
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
      checklist: JSON.stringify(prepared.checklistAnswers),
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
      custody_item_id: answers.method === 'in-person' ? (answers.offSiteEntryId ?? null) : null,
      created_at: now,
    });
    await audit.record(trx, {
      organisationId: decision.organisationId,
      actor: actorOf(viewer),
      action: 'disclosure.recorded',
      entity: { type: 'disclosure', id: row.id },
      change: toJson({
        decisionId: decision.id,
        method: answers.method,
        recipientOrganisationId: recipient.organisationId,
        recipientRole: recipient.role,
        categoryIds: answers.categoryIds,
        description: answers.description,
        checklist: prepared.checklistAnswers,
        reasons: advice.reasons.map((reason) => reason.requirement),
        receiptDueOn: dueOn,
        ...(answers.offSiteEntryId === undefined ? {} : { offSiteEntryId: answers.offSiteEntryId }),
        ...(evidence === undefined ? {} : { packageId: evidence.packageId }),
      }),
    });
    return row;
  }
}

/** A disclosure that passed every check, ready to be logged (see `prepare`). */
export interface PreparedDisclosure {
  readonly decision: DecisionView;
  readonly recipient: ReturnType<typeof recipientOf>;
  readonly answers: NewDisclosureAnswers;
  readonly recipientAddress: string | null | undefined;
  readonly advice: MethodAdvice;
  readonly checklistAnswers: unknown;
  readonly dueOn: string | null;
}
