import type pg from 'pg';
import type { VerifiableRow } from './audit.repository.ts';

/**
 * Reads one chain for verification with `COPY (...) TO STDOUT (FORMAT binary)` and decodes its rows
 * by hand. Verification reads every event ever recorded: through the driver's ordinary result rows
 * (a text value per column, an object per row, the time formatted by `to_char`) reading cost more
 * than recomputing the hashes. In binary the numbers, the time and the identifiers come as bytes
 * of a fixed size, and the rows stream in sequence order without a query per page.
 */

/** The columns of `VerifiableRow`, in the order `decodeRow` reads them. */
function chainCopyQuery(organisationId: string): string {
  return `COPY (
    SELECT seq, prev_hash, hash, occurred_at, actor_user_id, actor_label, action, entity_type, entity_id,
           person_id, change, hash_version, change_salt, change_digest,
           CASE WHEN hash_version = 2 AND change_salt IS NULL
                THEN EXISTS (SELECT 1 FROM audit_erasures x WHERE x.organisation_id = e.organisation_id AND x.seq = e.seq)
           END AS erasure_recorded
    FROM audit_events e
    WHERE organisation_id = ${organisationId}::uuid
    ORDER BY seq
  ) TO STDOUT (FORMAT binary)`;
}

const columns = 15;
const signature = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** PostgreSQL's epoch (2000-01-01) in JavaScript milliseconds. */
const postgresEpoch = Date.UTC(2000, 0, 1);
const twoTo32 = 4_294_967_296;
const microsADay = 86_400_000_000;
/** The days from PostgreSQL's epoch to 0001-01-01 and to 9999-12-31, the years `to_char` writes in four digits. */
const minDay = -730_119;
const maxDay = 2_921_939;
const twoDigitText = Array.from({ length: 100 }, (_, value) => String(value).padStart(2, '0'));
const threeDigitText = Array.from({ length: 1000 }, (_, value) => String(value).padStart(3, '0'));
const twoDigits = (value: number) => twoDigitText[value] ?? String(value);
const threeDigits = (value: number) => threeDigitText[value] ?? String(value);
/** The day last formatted, and its `YYYY-MM-DDT`: events of a chain come in time order. */
let datedDay = Number.NaN;
let datePrefix = '';

/**
 * Turns the bytes of a binary COPY, however they are split into messages, into rows. PostgreSQL
 * sends a row a message, so a row is decoded straight from its message; only a row split across
 * messages is copied.
 */
export class BinaryChainDecoder {
  private pending: Buffer | undefined;
  private headerRead = false;
  private ended = false;

  constructor(private readonly visit: (row: VerifiableRow) => void) {}

  push(chunk: Buffer): void {
    let bytes = chunk;
    if (this.pending !== undefined) {
      bytes = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let at = 0;
    if (!this.headerRead) {
      // Signature, flags, then the header extension's length and the extension.
      if (bytes.length < 19) {
        this.pending = Buffer.from(bytes);
        return;
      }
      if (!bytes.subarray(0, 11).equals(signature)) throw new Error('not a binary COPY stream');
      const extension = bytes.readUInt32BE(15);
      if (bytes.length < 19 + extension) {
        this.pending = Buffer.from(bytes);
        return;
      }
      at = 19 + extension;
      this.headerRead = true;
    }
    while (at + 2 <= bytes.length) {
      const fieldCount = bytes.readInt16BE(at);
      if (fieldCount === -1) {
        this.ended = true;
        return;
      }
      if (fieldCount !== columns) throw new Error(`a chain row has ${String(fieldCount)} columns`);
      const end = rowEnd(bytes, at + 2);
      if (end < 0) break;
      this.visit(decodeRow(bytes, at + 2));
      at = end;
    }
    // Copied: the message's buffer belongs to the driver, which reuses it.
    if (at < bytes.length) this.pending = Buffer.from(bytes.subarray(at));
  }

  /** Throws unless the stream ended with its trailer: a cut stream must not pass for a short chain. */
  end(): void {
    if (!this.ended) throw new Error('the binary COPY of a chain ended early');
  }
}

/** Where the row whose fields start at `at` ends, or -1 if the bytes hold only part of it. */
function rowEnd(bytes: Buffer, at: number): number {
  let position = at;
  for (let field = 0; field < columns; field += 1) {
    if (position + 4 > bytes.length) return -1;
    const length = bytes.readInt32BE(position);
    position += 4 + (length > 0 ? length : 0);
  }
  return position > bytes.length ? -1 : position;
}

/** A cursor over one row's fields: each read returns the field's value and moves on. */
class Fields {
  constructor(
    private readonly bytes: Buffer,
    private at: number,
  ) {}

  private length(): number {
    const length = this.bytes.readInt32BE(this.at);
    this.at += 4;
    return length;
  }

  text(): string {
    const length = this.length();
    if (length < 0) throw new Error('a NOT NULL column of a chain row is null');
    this.at += length;
    return this.bytes.toString('utf8', this.at - length, this.at);
  }

  nullableText(): string | null {
    const length = this.length();
    if (length < 0) return null;
    this.at += length;
    return this.bytes.toString('utf8', this.at - length, this.at);
  }

  /** bigint; exact to 2^53, as the driver's parser of the other reads (src/db/client.ts). */
  int8(): number {
    this.length();
    const value = this.bytes.readInt32BE(this.at) * twoTo32 + this.bytes.readUInt32BE(this.at + 4);
    this.at += 8;
    return value;
  }

  int2(): number {
    this.length();
    const value = this.bytes.readInt16BE(this.at);
    this.at += 2;
    return value;
  }

  /** As `uuid_out` writes it: lower-case, hyphenated. */
  nullableUuid(): string | null {
    const length = this.length();
    if (length < 0) return null;
    const hex = this.bytes.toString('hex', this.at, this.at + length);
    this.at += length;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /**
   * timestamptz as verification compares it: UTC, `2026-11-30T09:00:00.000000` (microseconds), as
   * `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')` wrote it. Written out by
   * hand, the date only once a day: `Date.prototype.toISOString` for every event cost more than its hash.
   */
  timestamp(): string {
    const micros = this.int8();
    const day = Math.floor(micros / microsADay);
    // ±infinity or a year beyond four digits: no event Safeshare recorded, so any text that hashes false.
    if (day < minDay || day > maxDay) return String(micros);
    if (day !== datedDay) {
      datedDay = day;
      datePrefix = new Date(postgresEpoch + day * 86_400_000).toISOString().slice(0, 11);
    }
    let rest = micros - day * microsADay;
    const hours = Math.floor(rest / 3_600_000_000);
    rest -= hours * 3_600_000_000;
    const minutes = Math.floor(rest / 60_000_000);
    rest -= minutes * 60_000_000;
    const seconds = Math.floor(rest / 1_000_000);
    rest -= seconds * 1_000_000;
    const millis = Math.floor(rest / 1000);
    return `${datePrefix}${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds)}.${threeDigits(millis)}${threeDigits(rest - millis * 1000)}`;
  }

  /** jsonb: a version byte, then the text, parsed as the driver parses it. */
  json(): unknown {
    const length = this.length();
    if (this.bytes[this.at] !== 1) throw new Error('an unknown jsonb format version');
    this.at += length;
    return JSON.parse(this.bytes.toString('utf8', this.at - length + 1, this.at)) as unknown;
  }

  nullableBytes(): Buffer | null {
    const length = this.length();
    if (length < 0) return null;
    this.at += length;
    return Buffer.from(this.bytes.subarray(this.at - length, this.at));
  }

  nullableBoolean(): boolean | null {
    const length = this.length();
    if (length < 0) return null;
    this.at += length;
    return this.bytes[this.at - 1] === 1;
  }
}

function decodeRow(bytes: Buffer, at: number): VerifiableRow {
  const fields = new Fields(bytes, at);
  return {
    seq: fields.int8(),
    prev_hash: fields.text(),
    hash: fields.text(),
    occurred_at: fields.timestamp(),
    actor_user_id: fields.nullableUuid(),
    actor_label: fields.text(),
    action: fields.text(),
    entity_type: fields.text(),
    entity_id: fields.nullableText(),
    person_id: fields.nullableUuid(),
    change: fields.json(),
    hash_version: fields.int2(),
    change_salt: fields.nullableBytes(),
    change_digest: fields.nullableText(),
    erasure_recorded: fields.nullableBoolean(),
  };
}

/**
 * The driver's hook for a query it does not know (a "submittable", as pg-copy-streams uses): sends
 * the COPY, hands each CopyData message to `onData`, and settles when the server is ready for the
 * next query, so the connection is always left usable. A throw from `onData` stops the decoding,
 * not the stream: the rest is drained and the promise rejects with it.
 */
class CopyOut {
  readonly done: Promise<void>;
  private settle!: (error?: unknown) => void;
  private failure: unknown;

  constructor(
    private readonly text: string,
    private readonly onData: (chunk: Buffer) => void,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.settle = (error?: unknown) => {
        if (error === undefined) resolve();
        else
          reject(error instanceof Error ? error : new Error('the COPY of a chain failed', { cause: error }));
      };
    });
  }

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    if (this.failure !== undefined) return;
    try {
      this.onData(message.chunk);
    } catch (error) {
      this.failure = error;
    }
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    this.settle(this.failure);
  }

  handleError(error: unknown): void {
    this.settle(error);
  }

  handleRowDescription(): void {
    this.failure ??= new Error('a chain COPY answered with rows');
  }

  handleDataRow(): void {}

  handleEmptyQuery(): void {}

  handleCopyInResponse(connection: { sendCopyFail(message: string): void }): void {
    connection.sendCopyFail('not a COPY FROM');
  }
}

/**
 * Streams one chain in sequence order to `visit`, on a connection the caller has in a transaction
 * (verification holds each chain to one REPEATABLE READ snapshot).
 */
export async function copyChain(
  client: pg.ClientBase,
  organisationId: string,
  visit: (row: VerifiableRow) => void,
): Promise<void> {
  const decoder = new BinaryChainDecoder(visit);
  const copy = new CopyOut(chainCopyQuery(client.escapeLiteral(organisationId)), (chunk) =>
    decoder.push(chunk),
  );
  client.query(copy);
  await copy.done;
  decoder.end();
}
