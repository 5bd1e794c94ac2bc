import type { ColumnType, JSONColumnType } from 'kysely';

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
  /** 1: the hash covers the change itself; 2: it covers `change_digest` (ADR 0025). */
  hash_version: ColumnType<number, number | undefined, never>;
  /** Version 2: the random salt of the change's digest; null once the change is erased. */
  change_salt: ColumnType<Buffer | null, Buffer | null | undefined, never>;
  /** Version 2: SHA-256(salt || canonical change), hexadecimal; null for version 1. */
  change_digest: ColumnType<string | null, string | null | undefined, never>;
}

/** The erasure of a version 2 event's change (ADR 0025): append-only, written only by `audit_erase_event`. */
export interface AuditErasuresTable {
  organisation_id: string;
  seq: number;
  disposal_id: string;
  erased_at: Date;
  erased_by_user_id: string | null;
  erased_by_label: string;
}

export interface AuditChainHeadsTable {
  organisation_id: string;
  seq: number;
  hash: string;
}

/** A signed checkpoint of an organisation's chain (ADR 0023): append-only, like the events. */
export interface AuditCheckpointsTable {
  organisation_id: string;
  tree_size: number;
  /** The Merkle root of the chain's first `tree_size` events, hexadecimal. */
  root_hash: string;
  signed_at: Date;
  /** The signed-note key id of the key that signed it (8 hexadecimal characters). */
  key_id: string;
  /** The signed note, exactly as signed: what is exported and checked. */
  note: string;
  /** The tree's right edge at this size (its perfect subtrees' roots, largest first, hexadecimal), where the next checkpoint starts. */
  edge: string[];
}

/** A perfect subtree of 2^level events (level 8, 16, 24...) of a chain's Merkle tree, kept so proofs need not read every event. */
export interface AuditMerkleSubtreesTable {
  organisation_id: string;
  level: number;
  /** Its place on its level: it covers events index * 2^level + 1 to (index + 1) * 2^level. */
  index: number;
  hash: string;
}

export interface AuditTables {
  audit_events: AuditEventsTable;
  audit_erasures: AuditErasuresTable;
  audit_chain_heads: AuditChainHeadsTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_merkle_subtrees: AuditMerkleSubtreesTable;
}
