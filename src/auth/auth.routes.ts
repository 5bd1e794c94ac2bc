import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditDeclaration } from '../web/access.ts';
import { parseForm, fieldError, type FormErrors } from '../web/forms.ts';
import type { AuthService, CodeOutcome, PasswordChangeOutcome } from './auth.service.ts';
import { choosePasswordForm, codeForm, nextQuery, signInForm } from './auth.schema.ts';
import { signInStepPaths } from './auth.paths.ts';
import { oidcPaths } from './oidc.paths.ts';
import { organisationQuery } from './oidc.schema.ts';
import type { SessionStage } from './auth.table.ts';
import type { PendingStage } from '../lib/viewer.ts';
import { nothingToAudit } from '../lib/request-context.ts';

export interface AuthRouteOptions {
  readonly auth: AuthService;
  readonly secureCookies: boolean;
  readonly addressLimit: number;
  /** Whether an organisation signs in through its own provider: its sign-out is then offered (ADR 0028). */
  readonly singleSignOn?: { usesSingleSignOn(organisationId: string): Promise<boolean> };
}

/** Wrong e-mail and wrong password get the same words, so the answer never reveals an account. */
const invalidSignIn = 'Enter a correct email address and password';
const organisationAccountMessage =
  'Your organisation signs in to Safeshare with its own account. Enter your work email under ‘Sign in with your organisation’s account’';
const throttledMessage = 'You have made too many attempts. Wait 5 minutes, then try again';

/**
 * Every attempt to sign in (a password, or a start or return of single sign-on) counts against its
 * network address, whatever account it names. The count is kept in the database, so it holds across
 * all of a council's app servers; it is taken before the body is read, so a refused attempt costs
 * nothing more.
 */
export function signInAddressLimit(auth: AuthService, limit: number) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const outcome = await auth.admitAddress(request.ip, limit);
    if (outcome.kind === 'allowed') return;
    return reply
      .code(429)
      .header('retry-after', String(outcome.retryAfterSeconds))
      .render('web/views/error.njk', {
        pageTitle: 'Too many attempts',
        heading: 'Too many attempts',
        paragraphs: [
          'There have been too many attempts to sign in from your network. Wait 5 minutes, then try again.',
        ],
        showHomeLink: false,
      });
  };
}

export async function authRoutes(app: FastifyInstance, options: AuthRouteOptions): Promise<void> {
  const { auth } = options;

  const limitAddress = signInAddressLimit(auth, options.addressLimit);
  const attempt = (audit: AuditDeclaration) => ({
    config: { access: 'public' as const, audit },
    onRequest: limitAddress,
  });
  const pendingAttempt = (audit: AuditDeclaration) => ({
    config: { access: 'mfa' as const, audit },
    onRequest: limitAddress,
  });

  /** Where a pending session belongs when it asks for another step's page, or undefined when it is on its own. */
  /**
   * The step a pending session is really at, when it is not this one: the browser is sent there, and
   * this request did nothing its route records.
   */
  const elsewhere = (request: FastifyRequest, stage: PendingStage): string | undefined => {
    if (request.pending === undefined || request.pending.stage === stage) return undefined;
    nothingToAudit();
    return signInStepPaths[request.pending.stage];
  };

  const afterQuery = (next: string | undefined) =>
    next === undefined ? '' : `?next=${encodeURIComponent(next)}`;

  /** Where the browser goes once a step of signing in has given its session a new stage. */
  const pageFor = (stage: SessionStage, next: string | undefined) =>
    stage === 'active' ? (next ?? '/') : `${signInStepPaths[stage]}${afterQuery(next)}`;

  // The web shell names and dresses the session cookie (cookiePolicy); a new session token also
  // retires the CSRF tokens of the forms already shown, as they are bound to the session.
  const setSession = (reply: FastifyReply, token: string) => reply.setSessionCookie(token);

  const renderSignIn = (
    reply: FastifyReply,
    status: number,
    values: Record<string, unknown>,
    errors?: FormErrors,
    notice?: string,
  ) => reply.code(status).render('auth/views/sign-in.njk', { pageTitle: 'Sign in', values, errors, notice });

  app.get('/sign-in', { config: { access: 'public', audit: 'none' } }, async (request, reply) => {
    if (request.viewer !== undefined) return reply.redirect('/', 303);
    const query = nextQuery.parse(request.query);
    if (request.pending?.stage === 'password') return reply.redirect(pageFor('password', query.next), 303);
    return renderSignIn(
      reply,
      200,
      { next: query.next },
      undefined,
      query.expired ? 'You were signed out because your session ended. Sign in again.' : undefined,
    );
  });

  // A wrong password is recorded against the account it names (none for an unknown address).
  app.post(
    '/sign-in',
    attempt(['user.password_accepted', 'user.signed_in', 'user.sign_in_failed']),
    async (request, reply) => {
      const query = nextQuery.parse(request.query);
      const form = parseForm(signInForm, request.body);
      if (!form.ok)
        return renderSignIn(reply, 400, { email: emailOf(request), next: query.next }, form.errors);
      const outcome = await auth.signIn({ ...form.value, previousToken: request.sessionToken });
      if (outcome.kind !== 'session') {
        const message =
          outcome.kind === 'throttled'
            ? throttledMessage
            : outcome.kind === 'organisation-account'
              ? organisationAccountMessage
              : invalidSignIn;
        return renderSignIn(
          reply,
          outcome.kind === 'throttled' ? 429 : 400,
          { email: form.value.email, next: query.next },
          fieldError('email', message),
        );
      }
      setSession(reply, outcome.token);
      return reply.redirect(pageFor(outcome.stage, query.next), 303);
    },
  );

  const renderChoosePassword = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    errors?: FormErrors,
  ) =>
    reply.code(status).render('auth/views/choose-password.njk', {
      pageTitle: 'Choose a new password',
      action: `${signInStepPaths.password}${afterQuery(nextQuery.parse(request.query).next)}`,
      errors,
    });

  app.get(signInStepPaths.password, { config: { access: 'mfa', audit: 'none' } }, async (request, reply) => {
    const other = elsewhere(request, 'password');
    if (other !== undefined) return reply.redirect(other, 303);
    return renderChoosePassword(request, reply, 200);
  });

  app.post(
    signInStepPaths.password,
    pendingAttempt(['user.password_changed', 'user.signed_in']),
    async (request, reply) => {
      const other = elsewhere(request, 'password');
      if (other !== undefined) return reply.redirect(other, 303);
      const form = parseForm(choosePasswordForm, request.body);
      if (!form.ok) return renderChoosePassword(request, reply, 400, form.errors);
      const outcome: PasswordChangeOutcome = await auth.choosePassword(tokenOf(request), form.value.password);
      if (outcome.kind === 'invalid') {
        // The session ended between the page and the post: start again, having changed nothing.
        nothingToAudit();
        return reply.redirect('/sign-in', 303);
      }
      if (outcome.kind === 'refused')
        return renderChoosePassword(request, reply, 400, fieldError('password', outcome.message));
      setSession(reply, outcome.token);
      return reply.redirect(pageFor(outcome.stage, nextQuery.parse(request.query).next), 303);
    },
  );

  app.get('/sign-in/code', { config: { access: 'mfa', audit: 'none' } }, async (request, reply) => {
    const other = elsewhere(request, 'mfa');
    if (other !== undefined) return reply.redirect(other, 303);
    return reply.render('auth/views/code.njk', {
      pageTitle: 'Enter the code from your authenticator app',
      next: nextQuery.parse(request.query).next,
    });
  });

  app.post('/sign-in/code', pendingAttempt(['user.signed_in', 'user.mfa_failed']), async (request, reply) => {
    const other = elsewhere(request, 'mfa');
    if (other !== undefined) return reply.redirect(other, 303);
    const next = nextQuery.parse(request.query).next;
    const form = parseForm(codeForm, request.body);
    const outcome: CodeOutcome = form.ok
      ? await auth.verifyCode(tokenOf(request), form.value.code)
      : { kind: 'invalid' };
    if (outcome.kind !== 'signed-in') {
      const errors = form.ok
        ? fieldError(
            'code',
            outcome.kind === 'throttled'
              ? throttledMessage
              : 'The code is not correct or has been used. Enter the current code from your authenticator app',
          )
        : form.errors;
      return reply.code(outcome.kind === 'throttled' ? 429 : 400).render('auth/views/code.njk', {
        pageTitle: 'Enter the code from your authenticator app',
        next,
        errors,
      });
    }
    setSession(reply, outcome.token);
    return reply.redirect(next ?? '/', 303);
  });

  // The key is issued (and recorded, user.mfa_key_issued) at the first visit only; later visits show
  // the same key again and record nothing.
  app.get(
    '/sign-in/set-up-authenticator',
    { config: { access: 'mfa', audit: { sometimes: ['user.mfa_key_issued'] } } },
    async (request, reply) => {
      const other = elsewhere(request, 'enrol');
      if (other !== undefined) return reply.redirect(other, 303);
      return renderEnrolment(request, reply, 200);
    },
  );

  app.post(
    '/sign-in/set-up-authenticator',
    pendingAttempt(['user.mfa_enrolled', 'user.signed_in', 'user.mfa_failed']),
    async (request, reply) => {
      const other = elsewhere(request, 'enrol');
      if (other !== undefined) return reply.redirect(other, 303);
      const form = parseForm(codeForm, request.body);
      const outcome: CodeOutcome = form.ok
        ? await auth.confirmEnrolment(tokenOf(request), form.value.code)
        : { kind: 'invalid' };
      if (outcome.kind !== 'signed-in') {
        const errors = form.ok
          ? fieldError(
              'code',
              outcome.kind === 'throttled'
                ? throttledMessage
                : 'The code is not correct. Enter the current code from your authenticator app',
            )
          : form.errors;
        return renderEnrolment(request, reply, outcome.kind === 'throttled' ? 429 : 400, errors);
      }
      setSession(reply, outcome.token);
      return reply.redirect(nextQuery.parse(request.query).next ?? '/', 303);
    },
  );

  // Ending a live session records user.signed_out; signing out with none (an old tab) records nothing,
  // and the answer is the same redirect.
  app.post(
    '/sign-out',
    { config: { access: 'public', audit: { sometimes: ['user.signed_out'] } } },
    async (request, reply) => {
      const organisationId =
        request.sessionToken === undefined ? undefined : await auth.signOut(request.sessionToken);
      reply.clearSessionCookie();
      // The organisation's id (never the person's) tells the next page which provider's sign-out to offer.
      const offer =
        organisationId !== undefined &&
        (await options.singleSignOn?.usesSingleSignOn(organisationId)) === true;
      return reply.redirect(offer ? `/signed-out?organisation=${organisationId}` : '/signed-out', 303);
    },
  );

  app.get('/signed-out', { config: { access: 'public', audit: 'none' } }, async (request, reply) => {
    const organisationId = organisationQuery.parse(request.query).organisation;
    const offer =
      organisationId !== undefined && (await options.singleSignOn?.usesSingleSignOn(organisationId)) === true;
    return reply.render('auth/views/signed-out.njk', {
      pageTitle: 'You have signed out',
      providerSignOut: offer ? oidcPaths.providerSignOut(organisationId) : undefined,
    });
  });

  async function renderEnrolment(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    errors?: FormErrors,
  ) {
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
