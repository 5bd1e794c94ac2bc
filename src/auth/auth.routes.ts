import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseForm, fieldError, type FormErrors } from '../web/forms.ts';
import { sessionCookie } from '../web/web.plugin.ts';
import type { AuthService, CodeOutcome } from './auth.service.ts';
import { codeForm, nextQuery, signInForm } from './auth.schema.ts';

export interface AuthRouteOptions {
  readonly auth: AuthService;
  readonly secureCookies: boolean;
  readonly addressLimit: number;
}

/** Wrong e-mail and wrong password get the same words, so the answer never reveals an account. */
const invalidSignIn = 'Enter a correct email address and password';
const throttledMessage = 'You have made too many attempts. Wait 5 minutes, then try again';

export async function authRoutes(app: FastifyInstance, options: AuthRouteOptions): Promise<void> {
  const { auth } = options;
  const rateLimit = { max: options.addressLimit, timeWindow: '5 minutes' };

  const setSession = (reply: FastifyReply, token: string) =>
    reply.setCookie(sessionCookie, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: options.secureCookies });

  const renderSignIn = (reply: FastifyReply, status: number, values: Record<string, unknown>, errors?: FormErrors, notice?: string) =>
    reply.code(status).render('auth/views/sign-in.njk', { pageTitle: 'Sign in', values, errors, notice });

  app.get('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    if (request.viewer !== undefined) return reply.redirect('/', 303);
    const query = nextQuery.parse(request.query);
    return renderSignIn(reply, 200, { next: query.next }, undefined, query.expired ? 'You were signed out because your session ended. Sign in again.' : undefined);
  });

  app.post('/sign-in', { config: { access: 'public', rateLimit } }, async (request, reply) => {
    const query = nextQuery.parse(request.query);
    const form = parseForm(signInForm, request.body);
    if (!form.ok) return renderSignIn(reply, 400, { email: emailOf(request), next: query.next }, form.errors);
    const outcome = await auth.signIn({ ...form.value, previousToken: request.sessionToken });
    if (outcome.kind !== 'session') {
      const message = outcome.kind === 'throttled' ? throttledMessage : invalidSignIn;
      return renderSignIn(reply, outcome.kind === 'throttled' ? 429 : 400, { email: form.value.email, next: query.next }, fieldError('email', message));
    }
    setSession(reply, outcome.token);
    const after = query.next === undefined ? '' : `?next=${encodeURIComponent(query.next)}`;
    if (outcome.stage === 'mfa') return reply.redirect(`/sign-in/code${after}`, 303);
    if (outcome.stage === 'enrol') return reply.redirect(`/sign-in/set-up-authenticator${after}`, 303);
    return reply.redirect(query.next ?? '/', 303);
  });

  app.get('/sign-in/code', { config: { access: 'mfa' } }, async (request, reply) => {
    if (request.pending?.stage === 'enrol') return reply.redirect('/sign-in/set-up-authenticator', 303);
    return reply.render('auth/views/code.njk', { pageTitle: 'Enter the code from your authenticator app', next: nextQuery.parse(request.query).next });
  });

  app.post('/sign-in/code', { config: { access: 'mfa', rateLimit } }, async (request, reply) => {
    const next = nextQuery.parse(request.query).next;
    const form = parseForm(codeForm, request.body);
    const outcome: CodeOutcome = form.ok ? await auth.verifyCode(tokenOf(request), form.value.code) : { kind: 'invalid' };
    if (outcome.kind !== 'signed-in') {
      const errors = form.ok ? fieldError('code', outcome.kind === 'throttled' ? throttledMessage : 'The code is not correct or has been used. Enter the current code from your authenticator app') : form.errors;
      return reply.code(outcome.kind === 'throttled' ? 429 : 400).render('auth/views/code.njk', { pageTitle: 'Enter the code from your authenticator app', next, errors });
    }
    setSession(reply, outcome.token);
    return reply.redirect(next ?? '/', 303);
  });

  app.get('/sign-in/set-up-authenticator', { config: { access: 'mfa' } }, async (request, reply) => {
    if (request.pending?.stage === 'mfa') return reply.redirect('/sign-in/code', 303);
    return renderEnrolment(request, reply, 200);
  });

  app.post('/sign-in/set-up-authenticator', { config: { access: 'mfa', rateLimit } }, async (request, reply) => {
    if (request.pending?.stage === 'mfa') return reply.redirect('/sign-in/code', 303);
    const form = parseForm(codeForm, request.body);
    const outcome: CodeOutcome = form.ok ? await auth.confirmEnrolment(tokenOf(request), form.value.code) : { kind: 'invalid' };
    if (outcome.kind !== 'signed-in') {
      const errors = form.ok ? fieldError('code', outcome.kind === 'throttled' ? throttledMessage : 'The code is not correct. Enter the current code from your authenticator app') : form.errors;
      return renderEnrolment(request, reply, outcome.kind === 'throttled' ? 429 : 400, errors);
    }
    setSession(reply, outcome.token);
    return reply.redirect(nextQuery.parse(request.query).next ?? '/', 303);
  });

  app.post('/sign-out', { config: { access: 'public' } }, async (request, reply) => {
    if (request.sessionToken !== undefined) await auth.signOut(request.sessionToken);
    reply.clearCookie(sessionCookie, { path: '/' });
    return reply.redirect('/signed-out', 303);
  });

  app.get('/signed-out', { config: { access: 'public' } }, async (_request, reply) =>
    reply.render('auth/views/signed-out.njk', { pageTitle: 'You have signed out' }),
  );

  async function renderEnrolment(request: FastifyRequest, reply: FastifyReply, status: number, errors?: FormErrors) {
    if (request.pending === undefined) return reply.redirect('/sign-in', 303);
    const details = await auth.enrolment(request.pending.viewer);
    return reply.code(status).render('auth/views/set-up-authenticator.njk', {
      pageTitle: 'Set up your authenticator app',
      ...details,
      next: nextQuery.parse(request.query).next,
      errors,
    });
  }
}

function tokenOf(request: FastifyRequest): string {
  // Routes with access `mfa` only run when the browser holds a pending session.
  return request.sessionToken ?? '';
}

function emailOf(request: FastifyRequest): string {
  const email = (request.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.slice(0, 254) : '';
}
