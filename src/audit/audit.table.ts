import type { JSONColumnType } from 'kysely';

export interface AuditEventsTable {
  organisation_id: string;
  seq: number;
  prev_hash: string;
  hash: string;
  occurred_at: Date;
  actor_user_id: string | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  person_id: string | null;
  change: JSONColumnType<Record<string, unknown>, string, never>;
}

export interface AuditChainHeadsTable {
  organisation_id: string;
  seq: number;
  hash: string;
}

export interface AuditTables {
  audit_events: AuditEventsTable;
  audit_chain_heads: AuditChainHeadsTable;
}
