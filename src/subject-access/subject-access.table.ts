import type { Generated } from 'kysely';

/** A calendar date, read and written as yyyy-mm-dd text. */
type CalendarDate = string;

export type SubjectAccessStatus = 'open' | 'answered' | 'refused';
/** Who asked: the person the information is about, or someone with parental responsibility for a child. */
export type RequesterKind = 'self' | 'parental-responsibility';

/** A subject access request (UK GDPR Art 15) and its deadline (Art 12(3)). */
export interface SubjectAccessRequestsTable {
  id: Generated<string>;
  organisation_id: string;
  reference: Generated<string>;
  person_id: string;
  requester_kind: RequesterKind;
  requester_name: string | null;
  requester_relationship: string | null;
  received_on: CalendarDate;
  verification: string;
  verified_on: CalendarDate;
  due_on: CalendarDate;
  extended_to: CalendarDate | null;
  extension_reason: string | null;
  requester_told_on: CalendarDate | null;
  extended_by: string | null;
  extended_at: Date | null;
  status: SubjectAccessStatus;
  answered_on: CalendarDate | null;
  refused_on: CalendarDate | null;
  refusal_reason: string | null;
  closed_by: string | null;
  closed_at: Date | null;
  report_produced_at: Date | null;
  report_produced_by: string | null;
  reports_produced: Generated<number>;
  recorded_by: string;
  created_at: Date;
}

export interface SubjectAccessTables {
  subject_access_requests: SubjectAccessRequestsTable;
}
