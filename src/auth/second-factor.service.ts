import { tokenDigest } from '../lib/tokens.ts';
import { findSession } from './sessions.repository.ts';
import { accountKey, rotate, takeGuess, type AuthDependencies } from './sign-in.steps.ts';
import { releaseAttempt } from './throttle.repository.ts';
import { acceptedStep, currentCode, enrolmentDetails, newTotpSecret } from './totp.ts';
import { findUserByEmail, lockUser, updateUser } from './users.repository.ts';
import { actorOf, type Viewer } from './viewer.ts';

export type CodeOutcome =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'throttled' }
  | { readonly kind: 'signed-in'; readonly token: string };

/** The second factor: enrolling an authenticator app and giving its one-time codes. */
export function secondFactorService(deps: AuthDependencies) {
  const { db, clock, audit, secretBox, settings } = deps;

  async function completeWithCode(token: string, code: string, stage: 'mfa' | 'enrol'): Promise<CodeOutcome> {
    const digest = tokenDigest(token);
    const session = await findSession(db, digest);
    if (session === undefined || session.stage !== stage || !session.active) return { kind: 'invalid' };
    const attempt = await takeGuess(deps, accountKey(session.email));
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
      await updateUser(trx, user.id, { totp_last_step: step, updated_at: clock.now(), ...enrolled });
      const signedIn = await rotate(deps, trx, token, user.id, 'active');
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

  return {
    /**
     * The current one-time code of a demo account with an authenticator, for `safeshare demo code`;
     * undefined for any other account. Real accounts' keys never leave the database.
     */
    async demoCode(email: string): Promise<string | undefined> {
      const user = await findUserByEmail(db, email.trim().toLowerCase());
      if (user === undefined || !user.demo || user.mfa_secret_sealed === null) return undefined;
      return currentCode(secretBox.open(user.mfa_secret_sealed), clock.now());
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
        await updateUser(trx, user.id, {
          mfa_secret_sealed: secretBox.seal(created),
          updated_at: clock.now(),
        });
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
  };
}
