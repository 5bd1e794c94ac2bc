import { hash } from 'node:crypto';
import { tokenDigest } from '../lib/tokens.ts';
import { passwordStepService } from './password-step.service.ts';
import { secondFactorService } from './second-factor.service.ts';
import { deleteExpiredSessions, deleteSession, findSession, touchSession } from './sessions.repository.ts';
import { accountGuessWindowMs, type AuthDependencies } from './sign-in.steps.ts';
import { countAddressAttempt, forgetAddressAttempts, forgetFailures } from './throttle.repository.ts';
import { toViewer } from './users.repository.ts';
import type { SessionState } from '../lib/viewer.ts';

export { actorOf, type Viewer } from './viewer.ts';
export type { SessionState } from '../lib/viewer.ts';
export { accountGuessLimit } from './sign-in.steps.ts';
export type { PasswordChangeOutcome } from './password-step.service.ts';
export type { CodeOutcome } from './second-factor.service.ts';

export type AddressOutcome =
  { readonly kind: 'allowed' } | { readonly kind: 'limited'; readonly retryAfterSeconds: number };

/** Attempts from one address are counted in fixed windows of this length, in the database. */
export const addressWindowMs = 5 * 60_000;
const addressWindowStart = (now: number) => now - (now % addressWindowMs);
/** Sessions are touched at most once a minute: the idle time-out is exact to the minute. */
const touchIntervalMs = 60_000;

/**
 * Signing in and the sessions it makes: the password step and the second factor are services of
 * their own (password-step.service.ts, second-factor.service.ts), composed here.
 */
export function authService(deps: AuthDependencies) {
  const { db, clock, audit, settings } = deps;
  const addressKey = (address: string) => hash('sha256', `sign-in-address:${address}`, 'hex');

  return {
    ...passwordStepService(deps),
    ...secondFactorService(deps),

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
      const viewer = toViewer(row);
      return row.stage === 'active'
        ? { kind: 'active', viewer }
        : { kind: 'pending', stage: row.stage, viewer };
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

    /** Ends the session; answers the organisation of the account it was, or undefined when there was none. */
    async signOut(token: string): Promise<string | undefined> {
      const digest = tokenDigest(token);
      const row = await findSession(db, digest);
      if (row === undefined) return undefined;
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
      return row.organisation_id;
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
}

export type AuthService = ReturnType<typeof authService>;
