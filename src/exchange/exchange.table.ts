import type { Generated } from 'kysely';

/**
 * A file or message of the secure exchange, sealed at rest (ADR 0020): its data key, wrapped by a
 * key-encryption key kept outside the database, and the sizes and digest of what it holds. The
 * sealed bytes live in the object store under the row's id. Shredding (expiry, revocation) removes
 * the wrapped key, and with it every way to read the bytes.
 */
export interface ExchangeObjectsTable {
  id: string;
  organisation_id: string;
  /** The key-encryption key that wraps the data key; null once shredded. */
  kek_id: string | null;
  /** The data key, sealed under that key-encryption key (base64url); null once shredded. */
  wrapped_key: string | null;
  plaintext_bytes: number;
  sealed_bytes: number;
  /** SHA-256 of the plaintext, hex: the evidence of what was sent. */
  sha256: string;
  created_at: Date;
  shredded_at: Date | null;
}

export type PackageMode = 'download' | 'view-only';
export type PackageEnd = 'revoked' | 'expired';

/** A message and files sent from a recorded decision to one of its recipients (R4.6.4). */
export interface ExchangePackagesTable {
  id: Generated<string>;
  organisation_id: string;
  reference: Generated<string>;
  decision_id: string;
  disclosure_id: string;
  recipient_address: string;
  recipient_organisation_id: string;
  recipient_name: string;
  mode: PackageMode;
  message_object_id: string;
  expires_at: Date;
  download_limit: number;
  downloads: Generated<number>;
  sent_by: string;
  sent_at: Date;
  first_opened_at: Date | null;
  ended: PackageEnd | null;
  ended_at: Date | null;
  ended_by: string | null;
  end_reason: string | null;
}

export interface ExchangePackageFilesTable {
  id: Generated<string>;
  package_id: string;
  object_id: string;
  position: number;
  name: string;
  media_type: string;
  bytes: number;
}

/** A one-time code sent to a package's address; only its digest is kept. */
export interface ExchangeCodesTable {
  id: Generated<string>;
  package_id: string;
  address: string;
  digest: string;
  sent_at: Date;
  expires_at: Date;
  failures: Generated<number>;
  used_at: Date | null;
  dead: Generated<boolean>;
}

/** A recipient's session for one package, by the digest of its cookie. */
export interface ExchangeSessionsTable {
  digest: string;
  package_id: string;
  address: string;
  created_at: Date;
  last_seen_at: Date;
  ended_at: Date | null;
}

/** A recipient's secure reply to a package: a message and files, kept with the package for its sender. */
export interface ExchangeRepliesTable {
  id: Generated<string>;
  package_id: string;
  from_address: string;
  message_object_id: string;
  sent_at: Date;
}

export interface ExchangeReplyFilesTable {
  id: Generated<string>;
  reply_id: string;
  object_id: string;
  position: number;
  name: string;
  media_type: string;
  bytes: number;
}

export interface ExchangeTables {
  exchange_objects: ExchangeObjectsTable;
  exchange_packages: ExchangePackagesTable;
  exchange_package_files: ExchangePackageFilesTable;
  exchange_codes: ExchangeCodesTable;
  exchange_sessions: ExchangeSessionsTable;
  exchange_replies: ExchangeRepliesTable;
  exchange_reply_files: ExchangeReplyFilesTable;
}
