import type { FastifyRequest } from 'fastify';
import type { AuditDeclaration } from '../web/access.ts';
import { viewerOf, type TypedAnswers, typedAnswers } from '../web/forms.ts';
import { administratorOf } from './staff.authority.ts';
import { staffParams, type StaffOutcome } from './staff.schema.ts';
import type { StaffMember, StaffService } from './staff.service.ts';

/**
 * Staff administration is for administrators only, each confined to their own organisation's staff
 * (ADR 0011): the services refuse anyone else's, and the pages answer 404 for them.
 */
export const adminOnly = (audit: AuditDeclaration) => ({ access: ['admin'] as const, audit });

export const staffPaths = {
  list: '/admin/staff',
  create: '/admin/staff/new',
  show: (id: string) => `/admin/staff/${id}`,
  edit: (id: string) => `/admin/staff/${id}/edit`,
  resetPassword: (id: string) => `/admin/staff/${id}/reset-password`,
  resetMfa: (id: string) => `/admin/staff/${id}/reset-mfa`,
  deactivate: (id: string) => `/admin/staff/${id}/deactivate`,
  reactivate: (id: string) => `/admin/staff/${id}/reactivate`,
  training: (id: string) => `/admin/staff/${id}/training`,
} as const;

export const outcomeNotices: Record<StaffOutcome, string> = {
  created: 'Account created. They will set up their authenticator app when they first sign in.',
  updated: 'Details updated.',
  'password-reset':
    'Password reset. They have been signed out everywhere and must sign in with the new password.',
  'mfa-reset':
    'Authenticator app reset. They have been signed out and will set up their authenticator app again at their next sign-in.',
  deactivated: 'Account deactivated. They have been signed out and cannot sign in.',
  reactivated: 'Account reactivated. They can sign in again.',
  'training-recorded': 'Data protection training recorded.',
};

/**
 * The person the address names, or undefined for a malformed or unknown id, or another organisation's
 * staff (the caller answers 404).
 */
export async function personOf(
  staff: StaffService,
  request: FastifyRequest,
): Promise<StaffMember | undefined> {
  const params = staffParams.safeParse(request.params);
  return params.success ? staff.find(administratorOf(viewerOf(request)), params.data.id) : undefined;
}

/** What was typed, to show again beside the errors, with roles as a list. Passwords are never sent back. */
export function staffAnswers(body: unknown, fields: readonly string[]): TypedAnswers {
  return {
    roles: [],
    ...typedAnswers(
      body,
      fields.filter((field) => field !== 'password'),
      ['roles'],
    ),
  };
}
