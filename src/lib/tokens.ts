import { hash, randomBytes } from 'node:crypto';

/** An unguessable token for a cookie or a link (256 bits, base64url). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are stored only as their SHA-256, so a copy of the database cannot be replayed as sessions. */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'hex');
}
