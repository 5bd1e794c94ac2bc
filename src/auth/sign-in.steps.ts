import { hash } from 'node:crypto';
import type { AuditService } from '../audit/index.ts';
import type { Db, Executor } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import { newToken, tokenDigest } from '../lib/tokens.ts';
import type { SessionStage } from './auth.table.ts';
import { deleteSession, insertSession } from './sessions.repository.ts';
import { reserveAttempt } from './throttle.repository.ts';
import type { UserRow } from './users.repository.ts';

export interface AuthSettings {
  readonly sessionIdleMs: number;
  readonly sessionAbsoluteMs: number;
  readonly mfaRequired: boolean;
  readonly serviceName: string;
}

export interface AuthDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly secretBox: SecretBox;
  readonly settings: AuthSettings;
}

/** At most this many wrong passwords or codes per account in the window (the window slides). */
export const accountGuessLimit = 10;
export const accountGuessWindowMs = 5 * 60_000;

export const accountKey = (email: string) => hash('sha256', `sign-in:${email.trim().toLowerCase()}`, 'hex');

/**
 * Takes one of the account's guesses before the password or code is checked, or undefined when
 * none is left: counting and checking are one locked step, so parallel guesses cannot overrun it.
 */
export async function takeGuess(deps: AuthDependencies, key: string): Promise<number | undefined> {
  const now = deps.clock.now();
  return deps.db.transaction().execute((trx) =>
    reserveAttempt(trx, key, {
      since: new Date(now.getTime() - accountGuessWindowMs),
      at: now,
      limit: accountGuessLimit,
    }),
  );
}

/** Replaces the session the browser had (if any) by a new one: the id changes at every step up. */
export async function rotate(
  deps: AuthDependencies,
  trx: Executor,
  previousToken: string | undefined,
  userId: string,
  stage: SessionStage,
): Promise<string> {
  if (previousToken !== undefined) await deleteSession(trx, tokenDigest(previousToken));
  const token = newToken();
  await insertSession(trx, { id_digest: tokenDigest(token), user_id: userId, stage, at: deps.clock.now() });
  return token;
}

/**
 * A password an administrator set is replaced first, before the one-time code or enrolment:
 * - the administrator's password stops working as soon as the person arrives, even if they then
 *   abandon a longer enrolment half-way;
 * - the one-time code stays the last step, the only one that makes a session active, so nothing
 *   else is reachable until both factors are the person's own and both have been given;
 * - enrolment binds the authenticator to an account whose password only its holder knows.
 * Demo accounts are never asked (their passwords are printed for trying the service).
 */
export function firstStage(settings: AuthSettings, user: UserRow): SessionStage {
  if (user.must_change_password && !user.demo) return 'password';
  return stageAfterPassword(settings, user);
}

export function stageAfterPassword(settings: AuthSettings, user: UserRow): SessionStage {
  if (!settings.mfaRequired && user.mfa_enrolled_at === null) return 'active';
  return user.mfa_enrolled_at === null ? 'enrol' : 'mfa';
}
