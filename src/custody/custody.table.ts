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

export type MediaKind = 'usb-stick' | 'external-drive' | 'laptop' | 'phone' | 'tablet' | 'disc' | 'other';
export type MediaStatus = 'in-use' | 'wiped' | 'destroyed' | 'lost';

/** A removable medium or device holding personal information (R4.7.1): always encrypted (R1.2). */
export interface MediaItemsTable {
  id: Generated<string>;
  organisation_id: string;
  reference: Generated<string>;
  kind: MediaKind;
  asset_tag: string;
  encrypted: boolean;
  encryption: string;
  holder: string;
  contents: string;
  purpose: string;
  /** Where the information is backed up (R4.7.2). */
  backed_up: string;
  needed_until: string;
  registered_by: string;
  registered_at: Date;
  status: Generated<MediaStatus>;
  disposal_how: string | null;
  disposed_by: string | null;
  disposed_at: Date | null;
  lost_at: Date | null;
  /** When its holder was told it is past its purpose (R4.7.4); once. */
  past_need_flagged_at: Date | null;
}

export interface CustodyTables {
  custody_items: CustodyItemsTable;
  media_items: MediaItemsTable;
}
