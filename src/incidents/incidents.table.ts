import type { Generated } from 'kysely';

/** A calendar date, read and written as yyyy-mm-dd text. */
type CalendarDate = string;

export type IncidentOutcome = 'not-reportable' | 'report' | 'report-and-tell';

export interface IncidentsTable {
  id: Generated<string>;
  organisation_id: string;
  reference: Generated<string>;
  kind: string;
  what_happened: string;
  happened_on: CalendarDate;
  /** When the organisation became aware: the 72-hour clock runs from here (UK GDPR Art 33). */
  aware_at: Date;
  information: string;
  people_affected: number;
  people_estimated: boolean;
  actions_taken: string;
  disclosure_id: string | null;
  custody_item_id: string | null;
  media_item_id: string | null;
  /** The misdirected information received it was reported from (R5.1). */
  misdirected_id: string | null;
  reported_by: string;
  reported_at: Date;
  likelihood: number | null;
  severity: number | null;
  outcome: IncidentOutcome | null;
  not_reportable_reasons: string | null;
  graded_by: string | null;
  graded_at: Date | null;
  ico_reported_at: Date | null;
  ico_reference: string | null;
  late_reason: string | null;
  ico_recorded_by: string | null;
  lessons: string | null;
  hr_referral: boolean | null;
  closed_by: string | null;
  closed_at: Date | null;
  /** The safety check before telling the people affected (Art 34): could it put a child at risk? */
  safety_risk: boolean | null;
  safety_reasons: string | null;
  safety_checked_by: string | null;
  safety_checked_at: Date | null;
  /** When and how the people affected were told; only after a safety check that found no risk. */
  told_how: string | null;
  told_by: string | null;
  told_at: Date | null;
  /** How many of the clock's reminders (24, 48 and 66 hours) have been sent. */
  reminders_sent: Generated<number>;
}

export type ContainmentKind = 'recall-package' | 'retrieve' | 'disable-account' | 'other';

/** A containment action (R5.2): done at once, or a task due by a date and marked done. */
export interface IncidentActionsTable {
  id: Generated<string>;
  incident_id: string;
  kind: ContainmentKind;
  description: string;
  due_on: CalendarDate | null;
  /** The account a 'disable-account' action disabled, or asked the IT service desk to disable. */
  account_id: string | null;
  recorded_by: string;
  recorded_at: Date;
  done_by: string | null;
  done_at: Date | null;
}

/** An officer the DPO told of an incident (R5.4): a member of staff, or someone outside Safeshare. */
export interface IncidentOfficersToldTable {
  id: Generated<string>;
  incident_id: string;
  /** A member of staff told through Safeshare, who may then read the incident. */
  user_id: string | null;
  /** Someone outside Safeshare (a name and role), and how they were told. */
  outside_name: string | null;
  how: string | null;
  why: string;
  told_by: string;
  told_at: Date;
}

export interface IncidentsTables {
  incidents: IncidentsTable;
  incident_actions: IncidentActionsTable;
  incident_officers_told: IncidentOfficersToldTable;
}
