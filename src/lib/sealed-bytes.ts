import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SecretBox } from './secret-box.ts';

/** A small file sealed for the database: AES-256-GCM under a data key of its own, wrapped by the SecretBox. */
export interface SealedBytes {
  readonly ciphertext: Buffer;
  readonly iv: Buffer;
  readonly authTag: Buffer;
  readonly wrappedKey: string;
}

/** Seals bytes (consent evidence, a signed sharing agreement) with a fresh data key, wiped after use. */
export function sealBytes(secretBox: SecretBox, plaintext: Buffer): SealedBytes {
  const dataKey = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const sealed = {
    ciphertext,
    iv,
    authTag: cipher.getAuthTag(),
    wrappedKey: secretBox.seal(dataKey.toString('base64')),
  };
  dataKey.fill(0);
  return sealed;
}

/** Opens what sealBytes sealed; throws when it was changed. */
export function openBytes(secretBox: SecretBox, sealed: SealedBytes): Buffer {
  const dataKey = Buffer.from(secretBox.open(sealed.wrappedKey), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', dataKey, sealed.iv);
  decipher.setAuthTag(sealed.authTag);
  const plaintext = Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  dataKey.fill(0);
  return plaintext;
}

export const sha256Hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
