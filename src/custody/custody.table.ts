import type { Generated } from 'kysely';

export type CustodyForm = 'paper' | 'electronic';
export type CustodyStatus = 'awaiting-agreement' | 'refused' | 'out' | 'returned' | 'lost';

/** Personal information taken off site (R4.3): one row from its logging to its return or loss. */
export interface CustodyItemsTable {
  id: Generated<string>;
  organisation_id: string;
  reference: Generated<string>;
  taken_by: string;
  form: CustodyForm;
  what: string;
  reason_id: string;
  reason_detail: string | null;
  destination: string;
  due_back_at: Date;
  /** Paper in a sealed file or envelope, electronic information encrypted (R4.3.4, R4.3.5): always true. */
  protected: boolean;
  logged_at: Date;
  status: CustodyStatus;
  /** Agreed by local policy (a standing reason) or waiting for, then given or refused by, the line manager (R4.3.2). */
  agreement: 'local-policy' | 'line-manager';
  decided_by: string | null;
  decided_at: Date | null;
  refusal_reason: string | null;
  returned_at: Date | null;
  returned_recorded_by: string | null;
  lost_at: Date | null;
  /** How many daily follow-ups an overdue item has had (R4.3.7). */
  follow_ups: Generated<number>;
}

export interface CustodyTables {
  custody_items: CustodyItemsTable;
}
