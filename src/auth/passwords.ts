import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

/** Argon2id with the OWASP-recommended minimum cost (19 MiB, 2 passes). */
const argonOptions = {
  algorithm: 2 /* Argon2id (a const enum in @node-rs/argon2) */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const minimumPasswordLength = 12;
export const maximumPasswordLength = 256;

const commonPasswords = new Set(dictionary['passwords-common'].map((word) => word.toLowerCase()));

/**
 * NCSC and NIST advice: a long password, not on a list of common ones; no composition rules.
 * Returns the problem in words, or undefined when the password is acceptable.
 */
export function passwordProblem(password: string): string | undefined {
  if (password.length < minimumPasswordLength)
    return `Password must be ${minimumPasswordLength} characters or more`;
  if (password.length > maximumPasswordLength)
    return `Password must be ${maximumPasswordLength} characters or fewer`;
  const lowered = password.toLowerCase();
  if (commonPasswords.has(lowered) || /^(.)\1+$/.test(password) || /^(.{1,4})\1+$/.test(lowered)) {
    return 'Password is too common or too easy to guess. Try three random words';
  }
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, argonOptions);
}

export async function passwordMatches(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password, argonOptions);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password, checked when the account does not exist, so that a wrong e-mail
 * takes as long as a wrong password and the answer does not reveal whether an account exists.
 */
export const decoyHash = hash(`decoy-${Math.random()}-${Date.now()}`, argonOptions);
