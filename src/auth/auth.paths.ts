import type { PendingStage } from '../lib/viewer.ts';

/** The page of each step of signing in that comes before a signed-in session. */
export const signInStepPaths: Readonly<Record<PendingStage, string>> = {
  password: '/sign-in/change-password',
  mfa: '/sign-in/code',
  enrol: '/sign-in/set-up-authenticator',
};
