import { hash } from 'node:crypto';
import type { AuditActor, AuditService } from '../audit/index.ts';
import type { Db, Executor } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import { newToken, tokenDigest } from '../lib/tokens.ts';
import {
  countAddressAttempt,
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsOfUser,
  findSession,
  findUserByEmail,
  forgetAddressAttempts,
  forgetFailures,
  insertSession,
  lockUser,
  markPasswordChosen,
  releaseAttempt,
  reserveAttempt,
  touchSession,
  type UserRow,
} from './auth.repository.ts';
import type { PendingStage, SessionStage } from './auth.table.ts';
import { decoyHash, hashPassword, passwordMatches, passwordProblem } from './passwords.ts';
import type { Role } from './roles.ts';
import { acceptedStep, enrolmentDetails, newTotpSecret } from './totp.ts';

/** The signed-in member of staff, as every page and service sees them. */
export interface Viewer {
  readonly userId: string;
  readonly displayName: string;
  readonly email: string;
  readonly organisationId: string;
  readonly organisationName: string;
  readonly roles: readonly Role[];
}

export type SessionState =
  | { readonly kind: 'none' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'pending'; readonly stage: PendingStage; readonly viewer: Viewer }
  | { readonly kind: 'active'; readonly viewer: Viewer };

export type SignInOutcome =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'throttled' }
  | { readonly kind: 'session'; readonly token: string; readonly stage: SessionStage };

export type CodeOutcome =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'throttled' }
  | { readonly kind: 'signed-in'; readonly token: string };

export type PasswordChangeOutcome =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'refused'; readonly message: string }
  | { readonly kind: 'changed'; readonly token: string; readonly stage: SessionStage };

export type AddressOutcome =
  { readonly kind: 'allowed' } | { readonly kind: 'limited'; readonly retryAfterSeconds: number };

export interface AuthSettings {
  readonly sessionIdleMs: number;
  readonly sessionAbsoluteMs: number;
  readonly mfaRequired: boolean;
  readonly serviceName: string;
}

/** At most this many wrong passwords or codes per account in the window (the window slides). */
export const accountGuessLimit = 10;
export const accountGuessWindowMs = 5 * 60_000;
/** Attempts from one address are counted in fixed windows of this length, in the database. */
export const addressWindowMs = 5 * 60_000;
const addressWindowStart = (now: number) => now - (now % addressWindowMs);
/** Sessions are touched at most once a minute: the idle time-out is exact to the minute. */
const touchIntervalMs = 60_000;

export function actorOf(viewer: Viewer): AuditActor {
  return { userId: viewer.userId, label: viewer.displayName };
}

export function authService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly secretBox: SecretBox;
  readonly settings: AuthSettings;
}) {
  const { db, clock, audit, secretBox, settings } = deps;

  const accountKey = (email: string) => hash('sha256', `sign-in:${email.trim().toLowerCase()}`, 'hex');
  const addressKey = (address: string) => hash('sha256', `sign-in-address:${address}`, 'hex');

  /**
   * Takes one of the account's guesses before the password or code is checked, or undefined when
   * none is left: counting and checking are one locked step, so parallel guesses cannot overrun it.
   */
  async function takeGuess(key: string): Promise<number | undefined> {
    const now = clock.now();
    return db.transaction().execute((trx) =>
      reserveAttempt(trx, key, {
        since: new Date(now.getTime() - accountGuessWindowMs),
        at: now,
        limit: accountGuessLimit,
      }),
    );
  }

  /** Replaces the session the browser had (if any) by a new one: the id changes at every step up. */
  async function rotate(
    trx: Executor,
    previousToken: string | undefined,
    userId: string,
    stage: SessionStage,
  ): Promise<string> {
    if (previousToken !== undefined) await deleteSession(trx, tokenDigest(previousToken));
    const token = newToken();
    await insertSession(trx, { id_digest: tokenDigest(token), user_id: userId, stage, at: clock.now() });
    return token;
  }

  function viewerOf(row: NonNullable<Awaited<ReturnType<typeof findSession>>>): Viewer {
    return {
      userId: row.user_id,
      displayName: row.display_name,
      email: row.email,
      organisationId: row.organisation_id,
      organisationName: row.organisation_name,
      roles: row.roles,
    };
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
  function firstStage(user: UserRow): SessionStage {
    if (user.must_change_password && !user.demo) return 'password';
    return stageAfterPassword(user);
  }

  function stageAfterPassword(user: UserRow): SessionStage {
    if (!settings.mfaRequired && user.mfa_enrolled_at === null) return 'active';
    return user.mfa_enrolled_at === null ? 'enrol' : 'mfa';
  }

  return {
    async signIn(input: {
      email: string;
      password: string;
      previousToken: string | undefined;
    }): Promise<SignInOutcome> {
      const attempt = await takeGuess(accountKey(input.email));
      if (attempt === undefined) return { kind: 'throttled' };
      const user = await findUserByEmail(db, input.email.trim().toLowerCase());
      const usable = user !== undefined && user.active && user.password_hash !== null;
      const matches = await passwordMatches(
        usable ? (user.password_hash ?? '') : await decoyHash,
        input.password,
      );
      if (!usable || !matches) {
        // The guess is already recorded as a failure: only the audit event is left to write.
        if (user !== undefined) {
          await db.transaction().execute((trx) =>
            audit.record(trx, {
              organisationId: user.organisation_id,
              actor: { userId: user.id, label: user.display_name },
              action: 'user.sign_in_failed',
              entity: { type: 'user', id: user.id },
              change: { reason: user.active ? 'wrong password' : 'account deactivated' },
            }),
          );
        }
        return { kind: 'invalid' };
      }
      const stage = firstStage(user);
      const token = await db.transaction().execute(async (trx) => {
        await releaseAttempt(trx, attempt);
        const created = await rotate(trx, input.previousToken, user.id, stage);
        await audit.record(trx, {
          organisationId: user.organisation_id,
          actor: { userId: user.id, label: user.display_name },
          action: stage === 'active' ? 'user.signed_in' : 'user.password_accepted',
          entity: { type: 'user', id: user.id },
          change: { next: stage },
        });
        return created;
      });
      return { kind: 'session', token, stage };
    },

    /** Reads the session behind a cookie, ending it when it has expired or its user was deactivated. */
    async session(token: string | undefined): Promise<SessionState> {
      if (token === undefined || token.length < 20 || token.length > 100) return { kind: 'none' };
      const digest = tokenDigest(token);
      const row = await findSession(db, digest);
      if (row === undefined) return { kind: 'none' };
      const now = clock.now().getTime();
      const idle = now - row.last_seen_at.getTime() > settings.sessionIdleMs;
      const tooOld = now - row.created_at.getTime() > settings.sessionAbsoluteMs;
      if (!row.active || idle || tooOld) {
        await deleteSession(db, digest);
        return row.active ? { kind: 'expired' } : { kind: 'none' };
      }
      if (now - row.last_seen_at.getTime() >= touchIntervalMs) await touchSession(db, digest, clock.now());
      const viewer = viewerOf(row);
      return row.stage === 'active'
        ? { kind: 'active', viewer }
        : { kind: 'pending', stage: row.stage, viewer };
    },

    /** Checks the one-time code of a session waiting for it; on success the session is replaced by a signed-in one. */
    async verifyCode(token: string, code: string): Promise<CodeOutcome> {
      return completeWithCode(token, code, 'mfa');
    },

    /** The key to enrol, made once and kept (sealed) until the first code confirms it. */
    async enrolment(viewer: Viewer) {
      const secret = await db.transaction().execute(async (trx) => {
        const user = await lockUser(trx, viewer.userId);
        if (user === undefined) throw new Error('user of a live session is missing');
        if (user.mfa_secret_sealed !== null) return secretBox.open(user.mfa_secret_sealed);
        const created = newTotpSecret();
        await trx
          .updateTable('users')
          .set({ mfa_secret_sealed: secretBox.seal(created), updated_at: clock.now() })
          .where('id', '=', user.id)
          .execute();
        await audit.record(trx, {
          organisationId: user.organisation_id,
          actor: actorOf(viewer),
          action: 'user.mfa_key_issued',
          entity: { type: 'user', id: user.id },
          change: {},
        });
        return created;
      });
      return enrolmentDetails(secret, viewer.email, settings.serviceName);
    },

    async confirmEnrolment(token: string, code: string): Promise<CodeOutcome> {
      return completeWithCode(token, code, 'enrol');
    },

    /**
     * The person replaces the password an administrator set with one of their own (the session is in
     * the `password` stage, so they gave the old one moments ago and are not asked again). The new
     * password follows the usual rules and must differ from the old; the change, its audit event and
     * the next stage of signing in are one transaction. Any other session of theirs ends.
     */
    async choosePassword(token: string, password: string): Promise<PasswordChangeOutcome> {
      const problem = passwordProblem(password);
      if (problem !== undefined) return { kind: 'refused', message: problem };
      const digest = tokenDigest(token);
      const session = await findSession(db, digest);
      if (session === undefined || session.stage !== 'password' || !session.active)
        return { kind: 'invalid' };
      const passwordHash = await hashPassword(password);
      return db.transaction().execute(async (trx): Promise<PasswordChangeOutcome> => {
        const user = await lockUser(trx, session.user_id);
        // Checked again under the lock: a second submission of the form finds the session replaced.
        const current = await findSession(trx, digest);
        if (
          user === undefined ||
          current === undefined ||
          current.stage !== 'password' ||
          !user.active ||
          user.password_hash === null
        ) {
          return { kind: 'invalid' };
        }
        if (await passwordMatches(user.password_hash, password)) {
          return {
            kind: 'refused',
            message: 'Your new password must be different from the password you were given',
          };
        }
        const now = clock.now();
        await markPasswordChosen(trx, user.id, passwordHash, now);
        await deleteSessionsOfUser(trx, user.id);
        const stage = stageAfterPassword(user);
        const next = newToken();
        await insertSession(trx, { id_digest: tokenDigest(next), user_id: user.id, stage, at: now });
        const actor = { userId: user.id, label: user.display_name };
        await audit.record(trx, {
          organisationId: user.organisation_id,
          actor,
          action: 'user.password_changed',
          entity: { type: 'user', id: user.id },
          change: { reason: 'password set by an administrator', next: stage },
        });
        if (stage === 'active') {
          await audit.record(trx, {
            organisationId: user.organisation_id,
            actor,
            action: 'user.signed_in',
            entity: { type: 'user', id: user.id },
            change: { mfa: false },
          });
        }
        return { kind: 'changed', token: next, stage };
      });
    },

    /**
     * Counts an attempt to sign in from a network address against the limit for the current window.
     * The count lives in the database, so every app server of a council shares it.
     */
    async admitAddress(address: string, limit: number): Promise<AddressOutcome> {
      const now = clock.now().getTime();
      const windowStart = addressWindowStart(now);
      const attempts = await countAddressAttempt(db, addressKey(address), new Date(windowStart));
      if (attempts <= limit) return { kind: 'allowed' };
      return { kind: 'limited', retryAfterSeconds: Math.ceil((windowStart + addressWindowMs - now) / 1000) };
    },

    async signOut(token: string): Promise<void> {
      const digest = tokenDigest(token);
      const row = await findSession(db, digest);
      if (row === undefined) return;
      await db.transaction().execute(async (trx) => {
        await deleteSession(trx, digest);
        await audit.record(trx, {
          organisationId: row.organisation_id,
          actor: { userId: row.user_id, label: row.display_name },
          action: 'user.signed_out',
          entity: { type: 'user', id: row.user_id },
          change: {},
        });
      });
    },

    /** Housekeeping: ends sessions past their time-outs and forgets old failed attempts and address windows. */
    async sweep(): Promise<void> {
      const now = clock.now().getTime();
      await deleteExpiredSessions(
        db,
        new Date(now - settings.sessionIdleMs),
        new Date(now - settings.sessionAbsoluteMs),
      );
      await forgetFailures(db, new Date(now - accountGuessWindowMs));
      await forgetAddressAttempts(db, new Date(addressWindowStart(now)));
    },
  };

  async function completeWithCode(token: string, code: string, stage: 'mfa' | 'enrol'): Promise<CodeOutcome> {
    const digest = tokenDigest(token);
    const session = await findSession(db, digest);
    if (session === undefined || session.stage !== stage || !session.active) return { kind: 'invalid' };
    const attempt = await takeGuess(accountKey(session.email));
    if (attempt === undefined) return { kind: 'throttled' };
    return db.transaction().execute(async (trx): Promise<CodeOutcome> => {
      const user = await lockUser(trx, session.user_id);
      if (user === undefined || user.mfa_secret_sealed === null) {
        // No code was checked, so the guess is given back.
        await releaseAttempt(trx, attempt);
        return { kind: 'invalid' };
      }
      const step = acceptedStep(secretBox.open(user.mfa_secret_sealed), code, clock.now());
      const actor = { userId: user.id, label: user.display_name };
      if (step === undefined || (user.totp_last_step !== null && step <= user.totp_last_step)) {
        // The guess taken above stays recorded as a failure.
        await audit.record(trx, {
          organisationId: user.organisation_id,
          actor,
          action: 'user.mfa_failed',
          entity: { type: 'user', id: user.id },
          change: { reason: step === undefined ? 'wrong code' : 'code already used' },
        });
        return { kind: 'invalid' };
      }
      await releaseAttempt(trx, attempt);
      const enrolled = stage === 'enrol' ? { mfa_enrolled_at: clock.now() } : {};
      await trx
        .updateTable('users')
        .set({ totp_last_step: step, updated_at: clock.now(), ...enrolled })
        .where('id', '=', user.id)
        .execute();
      const signedIn = await rotate(trx, token, user.id, 'active');
      if (stage === 'enrol') {
        await audit.record(trx, {
          organisationId: user.organisation_id,
          actor,
          action: 'user.mfa_enrolled',
          entity: { type: 'user', id: user.id },
          change: {},
        });
      }
      await audit.record(trx, {
        organisationId: user.organisation_id,
        actor,
        action: 'user.signed_in',
        entity: { type: 'user', id: user.id },
        change: { mfa: true },
      });
      return { kind: 'signed-in', token: signedIn };
    });
  }
}

export type AuthService = ReturnType<typeof authService>;
