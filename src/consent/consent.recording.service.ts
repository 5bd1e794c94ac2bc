import { actorOf, type Viewer } from '../auth/index.ts';
import { isUuid } from '../lib/ids.ts';
import type { PersonSummary, Relationship } from '../people/index.ts';
import { draftLifetimeMs, toRecord, type ConsentCore } from './consent.core.ts';
import { ConsentRuleError, consentErrorCodes } from './consent.errors.ts';
import type { ConsentRecord } from './consent.record.ts';
import * as store from './consent.repository.ts';
import { defaultReviewOn, type ConsentAnswers } from './consent.schema.ts';
import { canTransition } from './consent.status.ts';

/** A relative with parental responsibility, who may give or refuse consent for the child (R3.2). */
export interface ParentCarer {
  readonly person: PersonSummary;
  readonly relationship: Relationship;
  /** The relationship in words, from the child's side ("Mother"). */
  readonly label: string;
}

export interface RecordingContext {
  readonly person: PersonSummary;
  readonly parentCarers: readonly ParentCarer[];
  readonly organisations: readonly { readonly id: string; readonly name: string }[];
  /** The consent a review found has changed, which the new record will replace. */
  readonly supersedes: ConsentRecord | undefined;
}

/** Recording consent (R3.1-R3.4): the form's choices, the draft between form and check, and the record itself. */
export function recordingService(core: ConsentCore) {
  const { db, clock, audit, people, orgs, policy, today, person: requirePerson, event, lockFor } = core;

  return {
    /**
     * What the recording form offers: the relatives with parental responsibility and the directory.
     * With `supersedesId`, the live consent being replaced (undefined when it is not one: the page answers 404).
     */
    async recordingContext(
      viewer: Viewer,
      personId: string,
      supersedesId?: string,
    ): Promise<RecordingContext> {
      const person = await requirePerson(viewer, personId);
      const [relatives, organisations] = await Promise.all([
        people.relatives(viewer, person.id),
        orgs.list(),
      ]);
      let supersedes: ConsentRecord | undefined;
      // The id comes back from a hidden form field: anything but a consent's id is "not one".
      if (supersedesId !== undefined && isUuid(supersedesId)) {
        const row = await store.findConsent(db, supersedesId);
        supersedes =
          row !== undefined && row.person_id === person.id && canTransition(row.status, 'supersede')
            ? toRecord(row)
            : undefined;
      }
      return {
        person,
        parentCarers: relatives
          .filter((relative) => relative.parentalResponsibility)
          .map((relative) => ({
            person: relative.person,
            relationship: relative.relationship,
            label: relative.label,
          })),
        organisations: organisations.map((organisation) => ({
          id: organisation.id,
          name: organisation.name,
        })),
        supersedes,
      };
    },

    /** Keeps the answers between the form and "check your answers": on the server, never in the address. */
    async saveDraft(
      viewer: Viewer,
      person: PersonSummary,
      answers: Record<string, string | string[]>,
    ): Promise<void> {
      await store.saveDraft(db, {
        userId: viewer.userId,
        personId: person.id,
        organisationId: person.organisationId,
        answers,
        savedAt: clock.now(),
      });
    },

    async draft(viewer: Viewer, personId: string): Promise<Record<string, string | string[]> | undefined> {
      return store.findDraft(db, viewer.userId, personId, new Date(clock.now().getTime() - draftLifetimeMs));
    },

    /**
     * Records consent given or refused, or that it was not sought and why (R3.1-R3.4), and replaces
     * the consent a review found had changed. Checks the family and the directory; the form has
     * checked the rest, and the database checks again.
     */
    async record(viewer: Viewer, personId: string, answers: ConsentAnswers): Promise<string> {
      const person = await requirePerson(viewer, personId);
      const rule = (
        code: (typeof consentErrorCodes)[keyof typeof consentErrorCodes],
        field: string,
        message: string,
      ) => new ConsentRuleError(code, field, message);

      // R3.2: a parent or carer gives consent for a child only with parental responsibility.
      let parentCarer: ParentCarer | null = null;
      if (answers.parentCarerId !== null) {
        const relative = (await people.relatives(viewer, person.id)).find(
          (candidate) => candidate.person.id === answers.parentCarerId,
        );
        if (relative === undefined)
          throw rule(
            consentErrorCodes.parentCarerUnknown,
            'parentCarerId',
            'Select a parent or carer from the list',
          );
        if (!relative.parentalResponsibility)
          throw rule(
            consentErrorCodes.noParentalResponsibility,
            'parentCarerId',
            'The parent or carer must have parental responsibility for the child',
          );
        parentCarer = { person: relative.person, relationship: relative.relationship, label: relative.label };
      }
      // R2.11: recipients come from the partner directory.
      if (answers.recipientOrganisationIds.length > 0) {
        const directory = new Set((await orgs.list()).map((organisation) => organisation.id));
        if (!answers.recipientOrganisationIds.every((id) => directory.has(id)))
          throw rule(
            consentErrorCodes.recipientUnknown,
            'recipientOrganisationIds',
            'Select organisations from the partner directory',
          );
      }
      const day = today();
      if (answers.givenOn > day)
        throw rule(
          consentErrorCodes.invalidDate,
          'givenOn',
          'Date of the decision must be today or in the past',
        );
      // R3.4: every record has a review date, by default from the policy pack's intervals.
      const reviewOn = answers.reviewOn ?? defaultReviewOn(policy, answers.givenOn, answers.purposeIds);
      if (reviewOn <= answers.givenOn)
        throw rule(
          consentErrorCodes.invalidDate,
          'reviewOn',
          'Review date must be after the date of the decision',
        );
      if (answers.expiresOn !== null && answers.expiresOn <= answers.givenOn)
        throw rule(
          consentErrorCodes.invalidDate,
          'expiresOn',
          'Expiry date must be after the date of the decision',
        );

      const now = clock.now();
      const actor = actorOf(viewer);
      return db.transaction().execute(async (trx) => {
        const replaced =
          answers.supersedesId === null
            ? undefined
            : await lockFor(trx, viewer, answers.supersedesId, 'supersede').catch(() => undefined);
        if (answers.supersedesId !== null && (replaced === undefined || replaced.person_id !== person.id)) {
          throw rule(
            consentErrorCodes.supersedesInvalid,
            'form',
            'The consent this record replaces has changed since you started: go back to it and review it again',
          );
        }
        const id = await store.insertConsent(trx, {
          organisation_id: person.organisationId,
          person_id: person.id,
          decision: answers.decision,
          status: answers.decision,
          policy_version: policy.version,
          given_by_child: answers.givenByChild,
          parent_carer_person_id: parentCarer?.person.id ?? null,
          parent_carer_relationship: parentCarer?.relationship ?? null,
          child_capacity: answers.childCapacity,
          capacity_not_assessed_reason: answers.capacityNotAssessedReason,
          prevailing_view: answers.prevailingView,
          child_view: answers.childView,
          purpose_ids: answers.purposeIds,
          use_description: answers.useDescription,
          recipient_organisation_ids: answers.recipientOrganisationIds,
          recipient_roles: answers.recipientRoles,
          method_ids: answers.methodIds,
          category_ids: answers.categoryIds,
          retention_period: answers.retentionPeriod,
          retention_form_ids: answers.retentionFormIds,
          told_shared_without_consent: answers.toldSharedWithoutConsent,
          told_may_withdraw: answers.toldMayWithdraw,
          how_given: answers.howGiven,
          evidence_note: answers.evidenceNote,
          not_sought_reason: answers.notSoughtReasonId,
          not_sought_detail: answers.notSoughtDetail,
          given_on: answers.givenOn,
          review_on: reviewOn,
          expires_on: answers.expiresOn,
          supersedes_id: replaced?.id ?? null,
          recorded_by: viewer.userId,
          created_at: now,
          changed_at: now,
        });
        await event(trx, {
          consentId: id,
          organisationId: person.organisationId,
          personId: person.id,
          kind: 'recorded',
          statusAfter: answers.decision,
          occurredOn: answers.givenOn,
          recordedBy: viewer.userId,
          note: null,
        });
        await audit.record(trx, {
          organisationId: person.organisationId,
          actor,
          action: 'consent.recorded',
          entity: { type: 'consent', id },
          personId: person.id,
          // Ids and dates only: the record itself holds the family's words.
          change: {
            decision: answers.decision,
            givenByChild: answers.givenByChild,
            parentCarerPersonId: parentCarer?.person.id ?? null,
            purposeIds: [...answers.purposeIds],
            recipientOrganisationIds: [...answers.recipientOrganisationIds],
            methodIds: [...answers.methodIds],
            categoryIds: [...answers.categoryIds],
            notSoughtReasonId: answers.notSoughtReasonId,
            givenOn: answers.givenOn,
            reviewOn,
            expiresOn: answers.expiresOn,
            supersedesId: replaced?.id ?? null,
            policyVersion: policy.version,
          },
        });
        if (replaced !== undefined) {
          await store.changeLifecycle(trx, replaced.id, {
            status: 'superseded',
            superseded_by: id,
            changed_at: now,
          });
          await event(trx, {
            consentId: replaced.id,
            organisationId: replaced.organisation_id,
            personId: person.id,
            kind: 'superseded',
            statusAfter: 'superseded',
            occurredOn: day,
            recordedBy: viewer.userId,
            note: null,
          });
          await audit.record(trx, {
            organisationId: replaced.organisation_id,
            actor,
            action: 'consent.superseded',
            entity: { type: 'consent', id: replaced.id },
            personId: person.id,
            change: { status: 'superseded', supersededBy: id },
          });
        }
        await store.deleteDraft(trx, viewer.userId, person.id);
        return id;
      });
    },
  };
}
