import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/harness.ts';
import { canonicalJson, type JsonValue } from '../lib/canonical-json.ts';
import {
  canonicalEventText,
  canonicalValue,
  eventHash,
  genesisHash,
  storableChange,
  type ChainedEvent,
} from './audit.hash.ts';

/** Any JSON, with strings of any Unicode code points (not just ASCII). */
const json: fc.Arbitrary<JsonValue> = fc
  .jsonValue({ stringUnit: 'binary', maxDepth: 4 })
  .map((value) => value as JsonValue);
const jsonObject = fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), json, { maxKeys: 8 });

/** The same value with every object's keys inserted in another order, chosen by the seed. */
function reordered(value: JsonValue, seed: number): JsonValue {
  if (Array.isArray(value)) return value.map((item) => reordered(item, seed));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort((a, b) => rank(a, seed) - rank(b, seed) || (a < b ? 1 : -1));
  return Object.fromEntries(keys.map((key) => [key, reordered(value[key] ?? null, seed)]));
}

function rank(key: string, seed: number): number {
  return createHash('sha256')
    .update(`${String(seed)}:${key}`)
    .digest()
    .readUInt32BE(0);
}

const event = fc.record({
  organisationId: fc.uuid(),
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  prevHash: fc.oneof(fc.constant(genesisHash), fc.stringMatching(/^[0-9a-f]{64}$/)),
  occurredAt: fc.date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2099-12-31T23:59:59Z'),
    noInvalidDate: true,
  }),
  actorUserId: fc.option(fc.uuid(), { nil: null }),
  actorLabel: fc.string({ unit: 'binary', maxLength: 40 }),
  action: fc.string({ maxLength: 30 }),
  entityType: fc.string({ maxLength: 20 }),
  entityId: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  personId: fc.option(fc.uuid(), { nil: null }),
  change: jsonObject,
});

/** The event in the nested shape the hash is defined over, for the generic canonical form. */
function envelope(e: ChainedEvent) {
  return {
    organisationId: e.organisationId,
    seq: e.seq,
    prevHash: e.prevHash,
    occurredAt: e.occurredAt.toISOString(),
    actor: { userId: e.actorUserId, label: e.actorLabel },
    action: e.action,
    entity: { type: e.entityType, id: e.entityId },
    personId: e.personId,
    change: e.change,
  };
}

describe('canonical JSON', () => {
  it('gives the same text, and so the same hash, whatever order the keys were inserted in', () => {
    fc.assert(
      fc.property(json, fc.integer(), (value, seed) => {
        expect(canonicalJson(reordered(value, seed))).toBe(canonicalJson(value));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(event, fc.integer(), (e, seed) => {
        expect(eventHash({ ...e, change: reordered(e.change, seed) })).toBe(eventHash(e));
      }),
      { numRuns: 300 },
    );
  });

  it('is stable through JSON.parse: parsing the canonical text and writing it again gives the same text', () => {
    fc.assert(
      fc.property(json, (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('is written the same by the fast event form as by the generic canonical form', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalValue(value)).toBe(canonicalJson(value));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(event, (e) => {
        expect(canonicalEventText(e, e.occurredAt.toISOString())).toBe(canonicalJson(envelope(e)));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a fixed hash for a known event (the hashed form must never drift)', () => {
    const known: ChainedEvent = {
      organisationId: '0b6f6a8e-2c1d-4f7a-9c3e-5d2b1a0f9e8d',
      seq: 1,
      prevHash: genesisHash,
      occurredAt: new Date('2026-11-30T09:00:00.000Z'),
      actorUserId: null,
      actorLabel: 'Safeshare',
      action: 'organisation.created',
      entityType: 'organisation',
      entityId: '0b6f6a8e-2c1d-4f7a-9c3e-5d2b1a0f9e8d',
      personId: null,
      change: { name: 'Swindon Borough Council', kind: 'local_authority' },
    };
    expect(canonicalEventText(known, '2026-11-30T09:00:00.000Z')).toBe(
      '{"action":"organisation.created","actor":{"label":"Safeshare","userId":null},"change":{"kind":"local_authority","name":"Swindon Borough Council"},' +
        '"entity":{"id":"0b6f6a8e-2c1d-4f7a-9c3e-5d2b1a0f9e8d","type":"organisation"},"occurredAt":"2026-11-30T09:00:00.000Z",' +
        '"organisationId":"0b6f6a8e-2c1d-4f7a-9c3e-5d2b1a0f9e8d","personId":null,"prevHash":"' +
        genesisHash +
        '","seq":1}',
    );
    expect(eventHash(known)).toBe(
      createHash('sha256').update(canonicalEventText(known, '2026-11-30T09:00:00.000Z')).digest('hex'),
    );
  });
});

describe('canonical JSON through PostgreSQL jsonb', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase();
  });

  it('gives back, from jsonb (which reorders keys), a change with the same canonical text as was hashed', async () => {
    await fc.assert(
      fc.asyncProperty(jsonObject, async (change) => {
        const stored = storableChange(change);
        const result = await sql<{ back: unknown }>`SELECT ${JSON.stringify(stored)}::jsonb AS back`.execute(
          database.db,
        );
        expect(canonicalJson(result.rows[0]?.back)).toBe(canonicalJson(stored));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps numbers exactly, from the smallest to the largest double', async () => {
    const numbers = [
      0,
      -1,
      0.1,
      1 / 3,
      1e21,
      1e-7,
      5e-324,
      Number.MAX_VALUE,
      -Number.MAX_SAFE_INTEGER,
      123456789.12345679,
    ];
    const result = await sql<{ back: unknown }>`SELECT ${JSON.stringify({ numbers })}::jsonb AS back`.execute(
      database.db,
    );
    expect(canonicalJson(result.rows[0]?.back)).toBe(canonicalJson({ numbers }));
  });
});
