import type { Generated } from 'kysely';

/** A calendar date, read and written as yyyy-mm-dd text. */
type CalendarDate = string;

/** The kinds of record about one person that a review or a disposal is about (incidents are not about one person). */
export type PersonRecordKind =
  'consent-records' | 'sharing-decisions' | 'disclosures' | 'exchange-packages' | 'people';

/** Every kind the schedule holds: the kinds about one person, and incidents (about no one person). */
export type RecordKind = PersonRecordKind | 'incidents';

/** What a hold, an extension, a proposal or a disposal is about: one person, or one incident. */
export interface RetentionSubject {
  readonly type: 'person' | 'incident';
  readonly id: string;
}

export type ProposalStatus = 'proposed' | 'approved' | 'disposed' | 'withdrawn';

/** A legal hold: the person's records, or the incident, are never proposed or disposed of while it stands. */
export interface LegalHoldsTable {
  id: Generated<string>;
  organisation_id: string;
  person_id: string | null;
  incident_id: string | null;
  reason: string;
  ends_on: CalendarDate | null;
  placed_by: string;
  placed_at: Date;
  lifted_by: string | null;
  lifted_at: Date | null;
  lift_reason: string | null;
}

/** A review item kept for longer, with why. */
export interface RetentionExtensionsTable {
  id: Generated<string>;
  organisation_id: string;
  person_id: string | null;
  incident_id: string | null;
  kind: RecordKind;
  keep_until: CalendarDate;
  reason: string;
  recorded_by: string;
  recorded_at: Date;
}

/** A person or an incident proposed for disposal, approved by a second person, then disposed of. */
export interface DisposalProposalsTable {
  id: Generated<string>;
  organisation_id: string;
  person_id: string | null;
  incident_id: string | null;
  kind: RecordKind;
  status: ProposalStatus;
  reason: string;
  proposed_by: string;
  proposed_at: Date;
  approved_by: string | null;
  approved_at: Date | null;
  /** When a disposal was last found held at the moment of carrying it out. */
  held_at: Date | null;
  withdrawn_by: string | null;
  withdrawn_at: Date | null;
  withdraw_reason: string | null;
}

/** Each disposal carried out (append-only). */
export interface DisposalsTable {
  id: string;
  organisation_id: string;
  person_id: string | null;
  incident_id: string | null;
  proposal_id: string;
  kind: RecordKind;
  schedule_entry: unknown;
  proposed_by: string;
  approved_by: string;
  disposed_by_label: string;
  disposed_at: Date;
  counts: Generated<Record<string, number>>;
}

/** The monthly review's outcome, once per organisation and month. */
export interface RetentionReviewsTable {
  organisation_id: string;
  month: string;
  as_of: CalendarDate;
  counts: unknown;
  notified: number;
  ran_at: Date;
}

/** A row of an append-only table whose personal data a disposal erased (written by the database's owner only). */
export interface RetentionErasuresTable {
  table_name: string;
  row_id: string;
  disposal_id: string;
  erased_at: Date;
}

export interface RetentionTables {
  legal_holds: LegalHoldsTable;
  retention_extensions: RetentionExtensionsTable;
  disposal_proposals: DisposalProposalsTable;
  disposals: DisposalsTable;
  retention_reviews: RetentionReviewsTable;
  retention_erasures: RetentionErasuresTable;
}
