import { newToken, tokenDigest } from '../lib/tokens.ts';
import type { SessionStage } from './auth.table.ts';
import { decoyHash, hashPassword, passwordMatches, passwordProblem } from './passwords.ts';
import { deleteSessionsOfUser, findSession, insertSession } from './sessions.repository.ts';
import {
  accountKey,
  firstStage,
  rotate,
  stageAfterPassword,
  takeGuess,
  type AuthDependencies,
} from './sign-in.steps.ts';
import { findSsoSettings } from './oidc.repository.ts';
import { releaseAttempt } from './throttle.repository.ts';
import { findUserByEmail, lockUser, markPasswordChosen } from './users.repository.ts';

export type SignInOutcome =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'throttled' }
  /** The password was right, but the organisation signs in with its own account (ADR 0028). */
  | { readonly kind: 'organisation-account' }
  | { readonly kind: 'session'; readonly token: string; readonly stage: SessionStage };

export type PasswordChangeOutcome =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'refused'; readonly message: string }
  | { readonly kind: 'changed'; readonly token: string; readonly stage: SessionStage };

/** The password steps of signing in: the password itself, and replacing one an administrator set. */
export function passwordStepService(deps: AuthDependencies) {
  const { db, clock, audit, settings } = deps;
  return {
    async signIn(input: {
      email: string;
      password: string;
      previousToken: string | undefined;
    }): Promise<SignInOutcome> {
      const attempt = await takeGuess(deps, accountKey(input.email));
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
      // Where the organisation signs in with its own provider, a password is the break-glass way in
      // for its administrators only: everyone else's access follows their organisation's account.
      if (!user.roles.includes('admin') && (await findSsoSettings(db, user.organisation_id)) !== undefined) {
        await db.transaction().execute(async (trx) => {
          await releaseAttempt(trx, attempt);
          await audit.record(trx, {
            organisationId: user.organisation_id,
            actor: { userId: user.id, label: user.display_name },
            action: 'user.sign_in_failed',
            entity: { type: 'user', id: user.id },
            change: { reason: 'organisation signs in with its own account' },
          });
        });
        return { kind: 'organisation-account' };
      }
      const stage = firstStage(settings, user);
      const token = await db.transaction().execute(async (trx) => {
        await releaseAttempt(trx, attempt);
        const created = await rotate(deps, trx, input.previousToken, user.id, stage);
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
        const stage = stageAfterPassword(settings, user);
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
  };
}
