import { hash } from 'node:crypto';
import type { AuditActor, AuditService } from '../audit/index.ts';
import type { Db, Executor } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import { newToken, tokenDigest } from '../lib/tokens.ts';
import {
  countRecentFailures,
  deleteExpiredSessions,
  deleteSession,
  findSession,
  findUserByEmail,
  forgetFailures,
  insertSession,
  lockUser,
  recordFailure,
  touchSession,
  type UserRow,
} from './auth.repository.ts';
import type { SessionStage } from './auth.table.ts';
import { decoyHash, passwordMatches } from './passwords.ts';
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
  | { readonly kind: 'pending'; readonly stage: 'mfa' | 'enrol'; readonly viewer: Viewer }
  | { readonly kind: 'active'; readonly viewer: Viewer };

export type SignInOutcome =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'throttled' }
  | { readonly kind: 'session'; readonly token: string; readonly stage: SessionStage };

export type CodeOutcome =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'throttled' }
  | { readonly kind: 'signed-in'; readonly token: string };

export interface AuthSettings {
  readonly sessionIdleMs: number;
  readonly sessionAbsoluteMs: number;
  readonly mfaRequired: boolean;
  readonly serviceName: string;
}

/** At most this many wrong passwords or codes per account in the window (the window slides). */
export const accountGuessLimit = 10;
export const accountGuessWindowMs = 5 * 60_000;
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

  async function throttled(key: string): Promise<boolean> {
    const since = new Date(clock.now().getTime() - accountGuessWindowMs);
    return (await countRecentFailures(db, key, since)) >= accountGuessLimit;
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

  function firstStage(user: UserRow): SessionStage {
    if (!settings.mfaRequired && user.mfa_enrolled_at === null) return 'active';
    return user.mfa_enrolled_at === null ? 'enrol' : 'mfa';
  }

  return {
    async signIn(input: { email: string; password: string; previousToken: string | undefined }): Promise<SignInOutcome> {
      const key = accountKey(input.email);
      if (await throttled(key)) return { kind: 'throttled' };
      const user = await findUserByEmail(db, input.email.trim().toLowerCase());
      const usable = user !== undefined && user.active && user.password_hash !== null;
      const matches = await passwordMatches(usable ? (user.password_hash ?? '') : await decoyHash, input.password);
      if (!usable || !matches) {
        await db.transaction().execute(async (trx) => {
          await recordFailure(trx, key, clock.now());
          if (user !== undefined) {
            await audit.record(trx, {
              organisationId: user.organisation_id,
              actor: { userId: user.id, label: user.display_name },
              action: 'user.sign_in_failed',
              entity: { type: 'user', id: user.id },
              change: { reason: user.active ? 'wrong password' : 'account deactivated' },
            });
          }
        });
        return { kind: 'invalid' };
      }
      const stage = firstStage(user);
      const token = await db.transaction().execute(async (trx) => {
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
      return row.stage === 'active' ? { kind: 'active', viewer } : { kind: 'pending', stage: row.stage, viewer };
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

    /** Housekeeping: ends sessions past their time-outs and forgets old failed attempts. */
    async sweep(): Promise<void> {
      const now = clock.now().getTime();
      await deleteExpiredSessions(db, new Date(now - settings.sessionIdleMs), new Date(now - settings.sessionAbsoluteMs));
      await forgetFailures(db, new Date(now - accountGuessWindowMs));
    },
  };

  async function completeWithCode(token: string, code: string, stage: 'mfa' | 'enrol'): Promise<CodeOutcome> {
    const digest = tokenDigest(token);
    const session = await findSession(db, digest);
    if (session === undefined || session.stage !== stage || !session.active) return { kind: 'invalid' };
    const key = accountKey(session.email);
    if (await throttled(key)) return { kind: 'throttled' };
    return db.transaction().execute(async (trx): Promise<CodeOutcome> => {
      const user = await lockUser(trx, session.user_id);
      if (user === undefined || user.mfa_secret_sealed === null) return { kind: 'invalid' };
      const step = acceptedStep(secretBox.open(user.mfa_secret_sealed), code, clock.now());
      const actor = { userId: user.id, label: user.display_name };
      if (step === undefined || (user.totp_last_step !== null && step <= user.totp_last_step)) {
        await recordFailure(trx, key, clock.now());
        await audit.record(trx, {
          organisationId: user.organisation_id,
          actor,
          action: 'user.mfa_failed',
          entity: { type: 'user', id: user.id },
          change: { reason: step === undefined ? 'wrong code' : 'code already used' },
        });
        return { kind: 'invalid' };
      }
      const enrolled = stage === 'enrol' ? { mfa_enrolled_at: clock.now() } : {};
      await trx
        .updateTable('users')
        .set({ totp_last_step: step, updated_at: clock.now(), ...enrolled })
        .where('id', '=', user.id)
        .execute();
      const signedIn = await rotate(trx, token, user.id, 'active');
      if (stage === 'enrol') {
        await audit.record(trx, { organisationId: user.organisation_id, actor, action: 'user.mfa_enrolled', entity: { type: 'user', id: user.id }, change: {} });
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
