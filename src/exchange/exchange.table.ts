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

export interface ExchangeTables {
  exchange_objects: ExchangeObjectsTable;
}
