import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, string>;
type TextArray = ColumnType<string[], readonly string[], readonly string[]>;
/** A calendar date, read and written as yyyy-mm-dd text. */
type CalendarDate = string;

export interface DisclosuresTable {
  id: Generated<string>;
  organisation_id: string;
  decision_id: string;
  method: string;
  recipient_name: string;
  recipient_role: string;
  recipient_organisation_id: string;
  recipient_contact: string | null;
  purpose_id: string;
  category_ids: TextArray;
  description: string;
  /** The method's checklist answers, as the checklist accepted them. */
  checklist: Json<Record<string, unknown>>;
  /** The method policy's answer when the disclosure was logged: allowed, reasons with requirement IDs. */
  method_advice: Json<Record<string, unknown>>;
  policy_version: string;
  disclosed_at: Date;
  disclosed_by: string;
  receipt_due_on: CalendarDate | null;
  receipt_confirmed_at: Date | null;
  receipt_confirmed_by: string | null;
  receipt_how: string | null;
  receipt_reminded_on: CalendarDate | null;
  /** In person: the off-site log entry it was carried under (R4.3.3). */
  custody_item_id: string | null;
  created_at: Date;
}

export interface MisdirectedInformationTable {
  id: Generated<string>;
  organisation_id: string;
  received_on: CalendarDate;
  method: string;
  sender: string;
  sender_organisation_id: string | null;
  intended_for: string;
  what_arrived: string;
  passed_on: boolean;
  sender_told: boolean;
  action_details: string;
  recorded_by: string;
  recorded_at: Date;
}

/** How an organisation that received information was told that consent was withdrawn (R3.3). */
export type WithdrawalNoticeMethod = 'letter' | 'secure-email' | 'telephone';

/** That a recipient was told consent has been withdrawn, against each disclosure it received (R3.3). */
export interface DisclosureWithdrawalNoticesTable {
  id: Generated<string>;
  organisation_id: string;
  consent_id: string;
  disclosure_id: string;
  recipient_organisation_id: string;
  method: WithdrawalNoticeMethod;
  told_on: CalendarDate;
  told_by: string;
  recorded_at: Date;
}

export interface DisclosuresTables {
  disclosures: DisclosuresTable;
  misdirected_information: MisdirectedInformationTable;
  disclosure_withdrawal_notices: DisclosureWithdrawalNoticesTable;
}
