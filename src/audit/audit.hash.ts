import { hash } from 'node:crypto';
import type { JsonValue } from '../lib/canonical-json.ts';

export const genesisHash = '0'.repeat(64);

/** The fields of an event that its hash covers, in the form they are stored. */
export interface ChainedEvent {
  readonly organisationId: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly occurredAt: Date;
  readonly actorUserId: string | null;
  readonly actorLabel: string;
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string | null;
  readonly personId: string | null;
  readonly change: unknown;
}

/**
 * Version 1 (events recorded before ADR 0025): SHA-256 over the canonical JSON (sorted keys) of
 * everything the event says, chained to the previous hash:
 * `{action, actor: {label, userId}, change, entity: {id, type}, occurredAt, organisationId, personId, prevHash, seq}`.
 */
export function eventHash(event: ChainedEvent): string {
  return hashWithTime(event, event.occurredAt.toISOString());
}

/**
 * The same hash with the time already in ISO form (`2026-11-30T09:00:00.000Z`): verification reads
 * it as text from the database and so never parses a date.
 */
export function hashWithTime(event: Omit<ChainedEvent, 'occurredAt'>, occurredAt: string): string {
  return hash('sha256', canonicalEventText(event, occurredAt), 'hex');
}

/**
 * Whether a stored change is the erasure tombstone `{"erased": true}` and nothing else: what an
 * erased event's change becomes (ADR 0025), its commitment staying.
 */
export function isErasedChange(change: unknown): boolean {
  if (change === null || typeof change !== 'object' || Array.isArray(change)) return false;
  const keys = Object.keys(change);
  return keys.length === 1 && (change as Record<string, unknown>)['erased'] === true;
}

/**
 * The commitment a version 2 event's hash covers in place of its change (ADR 0025):
 * SHA-256(salt || canonical JSON of the change), hexadecimal. The random per-event salt keeps the
 * digest of an erased change from being confirmed by guessing its content.
 */
export function changeDigest(salt: Buffer, change: unknown): string {
  return hash('sha256', Buffer.concat([salt, Buffer.from(canonicalValue(change), 'utf8')]), 'hex');
}

/** The fields a version 2 event's hash covers: the envelope, and the change only through its digest. */
export interface CommittedEvent extends Omit<ChainedEvent, 'change'> {
  readonly changeDigest: string;
}

/** The hash of a version 2 event: SHA-256 over `canonicalCommittedText`. */
export function committedEventHash(event: CommittedEvent): string {
  return committedHashWithTime(event, event.occurredAt.toISOString());
}

/** `committedEventHash` with the time already in ISO form, as verification reads it. */
export function committedHashWithTime(event: Omit<CommittedEvent, 'occurredAt'>, occurredAt: string): string {
  return hash('sha256', canonicalCommittedText(event, occurredAt), 'hex');
}

/**
 * The canonical JSON of a version 2 event, in sorted key order:
 * `{action, actor: {label, userId}, changeDigest, entity: {id, type}, hashVersion: 2, occurredAt, organisationId, personId, prevHash, seq}`.
 */
export function canonicalCommittedText(
  event: Omit<CommittedEvent, 'occurredAt'>,
  occurredAt: string,
): string {
  return committedTextBeforeChain(event, occurredAt) + committedTextOfChain(event.prevHash, event.seq);
}

/**
 * A version 2 event's canonical text up to its place in the chain: `prevHash` and `seq` sort last,
 * so an append sends this and the database finishes the text (`committedTextOfChain`) and hashes it
 * in the statement that takes the chain head (audit.repository.ts, `appendChained`).
 */
export function committedTextBeforeChain(
  event: Omit<CommittedEvent, 'occurredAt' | 'prevHash' | 'seq'>,
  occurredAt: string,
): string {
  return (
    `{"action":${JSON.stringify(event.action)}` +
    `,"actor":{"label":${JSON.stringify(event.actorLabel)},"userId":${nullableText(event.actorUserId)}}` +
    `,"changeDigest":${JSON.stringify(event.changeDigest)}` +
    `,"entity":{"id":${nullableText(event.entityId)},"type":${JSON.stringify(event.entityType)}}` +
    `,"hashVersion":2` +
    `,"occurredAt":${JSON.stringify(occurredAt)}` +
    `,"organisationId":${JSON.stringify(event.organisationId)}` +
    `,"personId":${nullableText(event.personId)},`
  );
}

/**
 * The end of a version 2 event's canonical text. A previous hash is 64 hexadecimal digits and a
 * sequence number a whole number, so neither needs escaping: `appendChained` writes the same text in
 * SQL, `'"prevHash":"' || hash || '","seq":' || seq || '}'`.
 */
export function committedTextOfChain(prevHash: string, seq: number): string {
  return `"prevHash":${JSON.stringify(prevHash)},"seq":${canonicalValue(seq)}}`;
}

/**
 * The canonical JSON of an event, written out in sorted key order by hand: verification runs this
 * for every event ever recorded, and the generic canonical form of the envelope cost five times as
 * much. A property test holds it equal to `canonicalJson` of the nested object.
 */
export function canonicalEventText(event: Omit<ChainedEvent, 'occurredAt'>, occurredAt: string): string {
  return (
    `{"action":${JSON.stringify(event.action)}` +
    `,"actor":{"label":${JSON.stringify(event.actorLabel)},"userId":${nullableText(event.actorUserId)}}` +
    `,"change":${canonicalValue(event.change)}` +
    `,"entity":{"id":${nullableText(event.entityId)},"type":${JSON.stringify(event.entityType)}}` +
    `,"occurredAt":${JSON.stringify(occurredAt)}` +
    `,"organisationId":${JSON.stringify(event.organisationId)}` +
    `,"personId":${nullableText(event.personId)}` +
    `,"prevHash":${JSON.stringify(event.prevHash)}` +
    `,"seq":${canonicalValue(event.seq)}}`
  );
}

/**
 * `canonicalJson` (src/lib/canonical-json.ts) with string building in place of arrays and joins:
 * it runs once per event verified. The property tests hold the two equal.
 */
export function canonicalValue(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let text = '[';
        for (let index = 0; index < value.length; index += 1) {
          if (index > 0) text += ',';
          text += canonicalValue((value[index] as unknown) ?? null);
        }
        return `${text}]`;
      }
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let text = '{';
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        if (text.length > 1) text += ',';
        text += `${JSON.stringify(key)}:${canonicalValue(member)}`;
      }
      return `${text}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

function nullableText(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

// eslint-disable-next-line no-control-regex -- U+0000 is exactly what must be found: PostgreSQL text cannot hold it.
const unstorableCharacters = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The change as PostgreSQL's jsonb will give it back, so that the hash computed when recording is
 * the hash recomputed when verifying: undefined members dropped, dates as ISO text, non-finite
 * numbers as null (as JSON.stringify does), and the characters jsonb cannot hold (U+0000 and lone
 * surrogates) replaced by U+FFFD rather than failing the caller's whole transaction.
 */
export function storableChange(change: Readonly<Record<string, unknown>>): Record<string, JsonValue> {
  const stored = storable(change);
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored))
    throw new TypeError('an audit change must be an object');
  return stored;
}

/** Text as PostgreSQL can store it (no U+0000, no lone surrogates), so that what is hashed is what is stored. */
export function storableText(text: string): string {
  return text.replace(unstorableCharacters, '\uFFFD');
}

function storable(value: unknown): JsonValue {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      return storableText(value);
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value + 0 : null;
    case 'object': {
      if (value instanceof Date) return value.toISOString();
      // Array.from visits holes too (as undefined), so a sparse array is stored and hashed as nulls.
      if (Array.isArray(value))
        return Array.from(value as unknown[], (item) => (item === undefined ? null : storable(item)));
      // Object.fromEntries defines own members, so a key named __proto__ stays data, never a prototype.
      return Object.fromEntries(
        Object.entries(value)
          .filter(([, member]) => member !== undefined)
          .map(([key, member]) => [storableText(key), storable(member)]),
      );
    }
    default:
      throw new TypeError(`an audit change cannot hold a ${typeof value}`);
  }
}
