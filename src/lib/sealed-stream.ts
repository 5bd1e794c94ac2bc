import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Streaming authenticated encryption with AES-256-GCM, in segments (the STREAM construction of
 * Hoang, Reyhanitabar, Rogaway and Vizár, as Tink's streaming AEAD and age use it), for files too
 * large to hold in memory. The layout:
 *
 *   header:   "SSX1" | 7-byte random nonce prefix
 *   segments: AES-256-GCM(plaintext segment) | 16-byte tag, each of `segmentSize` plaintext bytes
 *             but the last, which may be shorter (or empty)
 *
 * Each segment's 12-byte nonce is the prefix, its 4-byte big-endian index and a last-segment flag,
 * and its associated data binds the header and the caller's context (e.g. the object's id). So a
 * flipped bit fails that segment's tag; a segment dropped, repeated or moved fails its index; a cut
 * after a whole segment fails because no segment is marked last; and a segment (or a whole file)
 * moved to another object fails the associated data. Decryption releases a segment only after its
 * tag is checked, and holds back the final one until it knows the stream has ended.
 */

const magic = Buffer.from('SSX1', 'ascii');
const prefixLength = 7;
export const sealedHeaderLength = magic.length + prefixLength;
const tagLength = 16;
/** 64 KiB of plaintext a segment: small enough to stream, large enough that the tags cost under 0.03%. */
export const defaultSegmentSize = 65_536;
const maxSegments = 2 ** 32 - 1;

/** The ciphertext was altered, cut short, re-ordered, or belongs to another object: nothing after the last good segment is released. */
export class SealedStreamError extends Error {
  override readonly name: string = 'SealedStreamError';
}

function nonceFor(prefix: Buffer, index: number, last: boolean): Buffer {
  if (index > maxSegments) throw new SealedStreamError('the stream has too many segments');
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, prefixLength);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new Error('a sealed-stream key must be 32 bytes (AES-256)');
}

/** The associated data of every segment: the header, then the caller's context. */
function associatedData(header: Buffer, context: string): Buffer {
  return Buffer.concat([header, Buffer.from(context, 'utf8')]);
}

/** Encrypts a stream under a 32-byte data key; `context` (an object's id) must be given again to decrypt. */
export function sealStream(key: Buffer, context: string, segmentSize = defaultSegmentSize): Transform {
  checkKey(key);
  const header = Buffer.concat([magic, randomBytes(prefixLength)]);
  const prefix = header.subarray(magic.length);
  const aad = associatedData(header, context);
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  let started = false;

  const seal = (plaintext: Buffer, last: boolean): Buffer => {
    const cipher = createCipheriv('aes-256-gcm', key, nonceFor(prefix, index, last));
    cipher.setAAD(aad);
    index += 1;
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  };

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (!started) {
        this.push(header);
        started = true;
      }
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      // A full segment is sealed only once more bytes follow: the last one is marked as such.
      while (pending.length > segmentSize) {
        this.push(seal(pending.subarray(0, segmentSize), false));
        pending = pending.subarray(segmentSize);
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (!started) this.push(header);
      this.push(seal(pending, true));
      callback();
    },
  });
}

/** Decrypts what `sealStream` wrote under the same key and context; errors with SealedStreamError on any tampering. */
export function openStream(key: Buffer, context: string, segmentSize = defaultSegmentSize): Transform {
  checkKey(key);
  const sealedSegment = segmentSize + tagLength;
  let header: Buffer | undefined;
  let prefix: Buffer | undefined;
  let aad: Buffer | undefined;
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;

  const open = (sealed: Buffer, last: boolean): Buffer => {
    if (prefix === undefined || aad === undefined || sealed.length < tagLength)
      throw new SealedStreamError('the sealed stream is cut short');
    const decipher = createDecipheriv('aes-256-gcm', key, nonceFor(prefix, index, last));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - tagLength));
    try {
      const plaintext = Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - tagLength)),
        decipher.final(),
      ]);
      index += 1;
      return plaintext;
    } catch {
      throw new SealedStreamError(
        last
          ? 'the sealed stream was altered, cut short or belongs to another object'
          : 'a segment of the sealed stream was altered, moved or belongs to another object',
      );
    }
  };

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        if (header === undefined) {
          if (pending.length < sealedHeaderLength) return callback();
          header = Buffer.from(pending.subarray(0, sealedHeaderLength));
          if (!header.subarray(0, magic.length).equals(magic))
            throw new SealedStreamError('this is not a sealed stream Safeshare can read');
          prefix = header.subarray(magic.length);
          aad = associatedData(header, context);
          pending = pending.subarray(sealedHeaderLength);
        }
        // Hold back at least one byte beyond a full segment: the final segment is opened at the end.
        while (pending.length > sealedSegment) {
          this.push(open(pending.subarray(0, sealedSegment), false));
          pending = pending.subarray(sealedSegment);
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        if (header === undefined) throw new SealedStreamError('the sealed stream is cut short');
        this.push(open(pending, true));
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}

/** The size of the sealed form of `plaintextBytes` bytes, for storage accounting. */
export function sealedSize(plaintextBytes: number, segmentSize = defaultSegmentSize): number {
  const segments = Math.max(1, Math.ceil(plaintextBytes / segmentSize));
  return sealedHeaderLength + plaintextBytes + segments * tagLength;
}
