import type { ColumnType, Generated } from 'kysely';
import type { Relationship } from '../people/people.table.ts';
import type { ConsentStatus } from './consent.status.ts';

export type ConsentDecision = 'given' | 'refused' | 'not_sought';
export type ChildCapacity = 'competent' | 'not_competent' | 'not_assessed';
export type PrevailingView = 'child' | 'parent_carer';
export type HowGiven = 'written' | 'verbal' | 'electronic';
export type WithdrawalMethod = 'in_person' | 'telephone' | 'letter' | 'email';
export type WithdrawnBy = 'child' | 'parent_carer' | 'both';
export type ConsentEventKind =
  'recorded' | 'reviewed' | 'review_overdue' | 'withdrawn' | 'expired' | 'superseded';

/** A calendar date, read and written as yyyy-mm-dd text (no time zone). */
type CalendarDate = string;
type TextArray = ColumnType<string[], readonly string[] | undefined, readonly string[]>;

export interface ConsentsTable {
  id: Generated<string>;
  organisation_id: string;
  person_id: string;
  decision: ConsentDecision;
  status: ConsentStatus;
  policy_version: string;
  given_by_child: boolean;
  parent_carer_person_id: string | null;
  parent_carer_relationship: Relationship | null;
  child_capacity: ChildCapacity | null;
  capacity_not_assessed_reason: string | null;
  prevailing_view: PrevailingView | null;
  child_view: string | null;
  purpose_ids: TextArray;
  use_description: string | null;
  recipient_organisation_ids: TextArray;
  recipient_roles: TextArray;
  method_ids: TextArray;
  category_ids: TextArray;
  retention_period: string | null;
  retention_form_ids: TextArray;
  told_shared_without_consent: boolean | null;
  told_may_withdraw: boolean | null;
  how_given: HowGiven | null;
  evidence_note: string | null;
  not_sought_reason: string | null;
  not_sought_detail: string | null;
  given_on: CalendarDate;
  review_on: CalendarDate;
  expires_on: CalendarDate | null;
  last_reviewed_on: CalendarDate | null;
  review_overdue_since: CalendarDate | null;
  withdrawn_on: CalendarDate | null;
  withdrawal_method: WithdrawalMethod | null;
  withdrawn_by: WithdrawnBy | null;
  withdrawal_note: string | null;
  withdrawal_recorded_by: string | null;
  withdrawal_recorded_at: Date | null;
  supersedes_id: string | null;
  superseded_by: string | null;
  recorded_by: string;
  created_at: Date;
  changed_at: Date;
}

export interface ConsentEventsTable {
  id: Generated<string>;
  organisation_id: string;
  consent_id: string;
  person_id: string;
  kind: ConsentEventKind;
  status_after: ConsentStatus;
  occurred_on: CalendarDate;
  recorded_at: Date;
  recorded_by: string | null;
  note: string | null;
}

export interface ConsentDraftsTable {
  user_id: string;
  person_id: string;
  organisation_id: string;
  /** The form's answers as typed (strings and lists of strings), validated again when saved. */
  answers: ColumnType<Record<string, string | string[]>, string, string>;
  saved_at: Date;
}

export interface ConsentReviewRemindersTable {
  consent_id: string;
  user_id: string;
  reminded_on: CalendarDate;
}

export type EvidenceContentType = 'application/pdf' | 'image/png' | 'image/jpeg';

/** A file showing how consent was given: encrypted at rest, never changed once uploaded. */
export interface ConsentEvidenceTable {
  id: Generated<string>;
  organisation_id: string;
  consent_id: string;
  /** As uploaded, sanitised; shown on the page, never sent in a header. */
  file_name: string;
  content_type: EvidenceContentType;
  size_bytes: number;
  /** SHA-256 of the plaintext, hex. */
  sha256: string;
  ciphertext: Buffer;
  iv: Buffer;
  auth_tag: Buffer;
  /** The file's own AES-256 key, sealed by the service's secret box (versioned text). */
  wrapped_key: string;
  uploaded_by: string;
  uploaded_at: Date;
}

export interface ConsentTables {
  consents: ConsentsTable;
  consent_events: ConsentEventsTable;
  consent_drafts: ConsentDraftsTable;
  consent_review_reminders: ConsentReviewRemindersTable;
  consent_evidence: ConsentEvidenceTable;
}

/**
 * What a consent check found for one person and one share. Kept with the row types because a
 * decision's recorded assessment stores it.
 */
export type ConsentCheckOutcome = 'covered' | 'not-covered' | 'refused' | 'withdrawn' | 'expired' | 'none';
