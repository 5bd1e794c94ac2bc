import { randomBytes } from 'node:crypto';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  openStream,
  sealedHeaderLength,
  sealedSize,
  sealStream,
  SealedStreamError,
} from './sealed-stream.ts';

const key = randomBytes(32);
const segment = 64;

/** Runs bytes through a transform, in chunks of the given sizes (the last repeated), and collects the output. */
async function through(
  transform: Transform,
  input: Buffer,
  chunkSizes: readonly number[] = [1000],
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let at = 0;
  let turn = 0;
  while (at < input.length) {
    const size = Math.max(1, chunkSizes[Math.min(turn, chunkSizes.length - 1)] ?? 1);
    chunks.push(input.subarray(at, at + size));
    at += size;
    turn += 1;
  }
  const output: Buffer[] = [];
  await pipeline(Readable.from(chunks), transform, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) output.push(chunk);
  });
  return Buffer.concat(output);
}

const seal = (plaintext: Buffer, context = 'object-1', chunks?: readonly number[]) =>
  through(sealStream(key, context, segment), plaintext, chunks);
const open = (sealed: Buffer, context = 'object-1', chunks?: readonly number[]) =>
  through(openStream(key, context, segment), sealed, chunks);

describe('the sealed stream', () => {
  it('gives back exactly what went in, for any length and any chunking, and has the size it says', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 700 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 5 }),
        async (bytes, writeChunks, readChunks) => {
          const plaintext = Buffer.from(bytes);
          const sealed = await seal(plaintext, 'object-1', writeChunks);
          expect(sealed.length).toBe(sealedSize(plaintext.length, segment));
          expect((await open(sealed, 'object-1', readChunks)).equals(plaintext)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never writes the plaintext, and seals the same bytes differently each time', async () => {
    const plaintext = Buffer.from('Referral: Amelia Hughes, bruising noted at school. '.repeat(10));
    const first = await seal(plaintext);
    const second = await seal(plaintext);
    expect(first.includes(Buffer.from('Amelia'))).toBe(false);
    expect(first.equals(second)).toBe(false);
  });

  const plaintext = randomBytes(segment * 4 + 10);

  it('refuses a single flipped bit anywhere', async () => {
    const sealed = await seal(plaintext);
    for (const position of [0, 5, sealedHeaderLength, sealedHeaderLength + 70, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[position] = (tampered[position] ?? 0) ^ 1;
      await expect(open(tampered), `bit at ${String(position)}`).rejects.toBeInstanceOf(SealedStreamError);
    }
  });

  it('refuses a segment dropped, repeated or swapped, and a stream cut after a whole segment', async () => {
    const sealed = await seal(plaintext);
    const header = sealed.subarray(0, sealedHeaderLength);
    const size = segment + 16;
    const segments: Buffer[] = [];
    for (let at = sealedHeaderLength; at < sealed.length; at += size)
      segments.push(sealed.subarray(at, at + size));
    expect(segments).toHaveLength(5);
    const [s0, s1, s2, s3, s4] = segments as [Buffer, Buffer, Buffer, Buffer, Buffer];
    for (const [what, body] of [
      ['dropped', [s0, s2, s3, s4]],
      ['repeated', [s0, s1, s1, s2, s3, s4]],
      ['swapped', [s0, s2, s1, s3, s4]],
      ['cut after a whole segment', [s0, s1, s2, s3]],
      ['the last moved first', [s4, s0, s1, s2, s3]],
    ] as const) {
      await expect(open(Buffer.concat([header, ...body])), what).rejects.toBeInstanceOf(SealedStreamError);
    }
    await expect(open(sealed.subarray(0, 5))).rejects.toBeInstanceOf(SealedStreamError);
    await expect(open(Buffer.alloc(0))).rejects.toBeInstanceOf(SealedStreamError);
  });

  it('refuses a stream opened as another object, or a segment taken from another object under the same key', async () => {
    const sealed = await seal(plaintext, 'object-1');
    await expect(open(sealed, 'object-2')).rejects.toBeInstanceOf(SealedStreamError);
    const other = await seal(plaintext, 'object-1');
    const size = segment + 16;
    const spliced = Buffer.concat([
      sealed.subarray(0, sealedHeaderLength + size),
      other.subarray(sealedHeaderLength + size, sealedHeaderLength + 2 * size),
      sealed.subarray(sealedHeaderLength + 2 * size),
    ]);
    await expect(open(spliced)).rejects.toBeInstanceOf(SealedStreamError);
    await expect(through(openStream(randomBytes(32), 'object-1', segment), sealed)).rejects.toBeInstanceOf(
      SealedStreamError,
    );
  });

  it('releases nothing of a segment before its tag is checked', async () => {
    const sealed = await seal(plaintext);
    const tampered = Buffer.from(sealed);
    const lastByteOfThird = sealedHeaderLength + 3 * (segment + 16) - 1;
    tampered[lastByteOfThird] = (tampered[lastByteOfThird] ?? 0) ^ 0x80;
    const released: Buffer[] = [];
    await expect(
      pipeline(
        Readable.from([tampered]),
        openStream(key, 'object-1', segment),
        async (source: AsyncIterable<Buffer>) => {
          for await (const chunk of source) released.push(chunk);
        },
      ),
    ).rejects.toBeInstanceOf(SealedStreamError);
    // At most the two good segments before it (fewer, if the error overtook them), never a byte of the third.
    const out = Buffer.concat(released);
    expect(out.length).toBeLessThanOrEqual(2 * segment);
    expect(out.equals(plaintext.subarray(0, out.length))).toBe(true);
  });
});
