import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RuleError } from '../lib/errors.ts';
import { cookiePolicy } from '../web/web.plugin.ts';
import { fieldError, parseForm, ruleErrors, typedAnswers, viewerOf, type FormErrors } from '../web/forms.ts';
import type { AuthService } from './auth.service.ts';
import { signInAddressLimit } from './auth.routes.ts';
import { nextQuery } from './auth.schema.ts';
import { signInStepPaths } from './auth.paths.ts';
import { oidcPaths } from './oidc.paths.ts';
import { callbackQuery, ssoSettingsForm, ssoStartForm } from './oidc.schema.ts';
import type { OidcService, SsoRefusalReason } from './oidc.service.ts';
import { ssoSignInTtlMs } from './oidc.service.ts';
import type { SsoSettingsService } from './oidc.settings.service.ts';
import { administratorOf } from './staff.authority.ts';
import { staffPaths } from './staff.pages.ts';

export interface OidcRouteOptions {
  readonly auth: AuthService;
  readonly oidc: OidcService;
  readonly ssoSettings: SsoSettingsService;
  readonly secureCookies: boolean;
  readonly addressLimit: number;
  /** Plain-HTTP providers on loopback may be entered (never in production). */
  readonly allowLoopbackHttp: boolean;
}

const settingsFields = ['issuer', 'clientId', 'clientSecret', 'domains', 'createAccounts'] as const;
const providerSignOutParams = z.strictObject({ organisationId: z.uuid() });
const settingsQuery = z.object({ done: z.literal('saved').optional().catch(undefined) });

/** What the person is told for each refusal: plain words, the same for reasons they cannot act on. */
function refusalPage(reason: SsoRefusalReason): { status: number; paragraphs: string[] } {
  switch (reason) {
    case 'unknown_user':
      return {
        status: 403,
        paragraphs: [
          'Your organisation’s account was accepted, but there is no Safeshare account for your work email address.',
          'Ask your Safeshare administrator to create an account for you, then sign in again.',
        ],
      };
    case 'account_deactivated':
      return {
        status: 403,
        paragraphs: ['Your Safeshare account has been deactivated. Contact your Safeshare administrator.'],
      };
    case 'email_not_verified':
    case 'email_missing':
    case 'email_domain_not_allowed':
    case 'account_in_another_organisation':
      return {
        status: 403,
        paragraphs: [
          'Your organisation’s account did not give a verified work email address that your organisation uses with Safeshare.',
          'Contact your Safeshare administrator or IT service desk.',
        ],
      };
    case 'provider_unreachable':
      return {
        status: 503,
        paragraphs: [
          'Safeshare could not reach your organisation’s sign-in service. Try again in a few minutes.',
        ],
      };
    default:
      return {
        status: 400,
        paragraphs: [
          'The sign-in could not be completed, or it took longer than 10 minutes. Nothing has been changed.',
        ],
      };
  }
}

/**
 * Signing in with an organisation's own account (OpenID Connect, ADR 0028), the provider's sign-out,
 * and the administrator's page that sets the organisation's provider.
 */
export async function oidcRoutes(app: FastifyInstance, options: OidcRouteOptions): Promise<void> {
  const { auth, oidc, ssoSettings } = options;
  const cookies = cookiePolicy(options.secureCookies);
  // SameSite=Lax, as the session cookie: the provider sends the browser back by a cross-site redirect.
  const signInCookie = { ...cookies.sessionAttributes, maxAge: ssoSignInTtlMs / 1000 };

  // The same per-address limit as password sign-in, counted in the database.
  const limitAddress = signInAddressLimit(auth, options.addressLimit);

  const renderSignIn = (
    reply: FastifyReply,
    status: number,
    values: Record<string, unknown>,
    errors: FormErrors,
  ) => reply.code(status).render('auth/views/sign-in.njk', { pageTitle: 'Sign in', values, errors });

  // The work address is posted (never in a URL) and used only to find the organisation.
  app.post(
    oidcPaths.start,
    { config: { access: 'public', audit: 'none' }, onRequest: limitAddress },
    async (request, reply) => {
      const next = nextQuery.parse(request.query).next;
      const form = parseForm(ssoStartForm, request.body);
      const typed = typedAnswers(request.body, ['workEmail'])['workEmail'];
      if (!form.ok) return renderSignIn(reply, 400, { next, workEmail: typed }, form.errors);
      const outcome = await oidc.start(form.value.workEmail, next);
      if (outcome.kind === 'unknown-domain')
        return renderSignIn(
          reply,
          400,
          { next, workEmail: form.value.workEmail },
          fieldError(
            'workEmail',
            'Your organisation does not sign in to Safeshare with its own account. Sign in with your email address and password',
          ),
        );
      if (outcome.kind === 'unavailable')
        return renderSignIn(
          reply.header('retry-after', '60'),
          503,
          { next, workEmail: form.value.workEmail },
          fieldError(
            'workEmail',
            'Safeshare could not reach your organisation’s sign-in service. Try again in a few minutes',
          ),
        );
      reply.setCookie(cookies.names.singleSignOn, outcome.cookieToken, signInCookie);
      // A link the person follows, not a redirect: the CSP's form-action 'self' (rightly) stops a form's
      // submission from being redirected to another site, and it is not loosened for this.
      return reply.render('auth/views/sso-continue.njk', {
        pageTitle: 'Continue to your organisation’s sign-in page',
        providerUrl: outcome.url,
      });
    },
  );

  app.get(
    oidcPaths.callback,
    {
      config: {
        access: 'public',
        audit: ['user.signed_in', 'user.sso_accepted', 'user.created', 'auth.sso_refused'],
      },
      onRequest: limitAddress,
    },
    async (request, reply) => {
      const query = callbackQuery.safeParse(request.query);
      const rawQuery = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      const cookieToken = request.cookies[cookies.names.singleSignOn];
      reply.clearCookie(cookies.names.singleSignOn, cookies.sessionAttributes);
      const outcome = await oidc.complete({
        cookieToken,
        query: query.success ? rawQuery : '',
        state: query.success ? query.data.state : undefined,
        previousToken: request.sessionToken,
      });
      if (outcome.kind === 'refused') {
        request.log.info({ reason: outcome.reason }, 'single sign-on refused');
        const page = refusalPage(outcome.reason);
        return reply.code(page.status).render('auth/views/sso-refused.njk', {
          pageTitle: 'You could not be signed in',
          paragraphs: page.paragraphs,
        });
      }
      reply.setSessionCookie(outcome.token);
      const after = outcome.next === undefined ? '' : `?next=${encodeURIComponent(outcome.next)}`;
      return reply.redirect(
        outcome.stage === 'active' ? (outcome.next ?? '/') : `${signInStepPaths[outcome.stage]}${after}`,
        303,
      );
    },
  );

  // Offered on the signed-out page: the organisation's provider ends its own session there.
  app.get(
    '/sign-in/organisation/sign-out/:organisationId',
    { config: { access: 'public', audit: 'none' } },
    async (request, reply) => {
      const params = providerSignOutParams.safeParse(request.params);
      const url = params.success ? await oidc.providerSignOutUrl(params.data.organisationId) : undefined;
      if (url === undefined) return reply.callNotFound();
      return reply.redirect(url, 303);
    },
  );

  async function renderSettings(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    values?: Record<string, unknown>,
    errors?: FormErrors,
    notice?: string,
  ) {
    const viewer = viewerOf(request);
    const current = await ssoSettings.settingsOf(administratorOf(viewer));
    return reply.code(status).render('auth/views/sso-settings.njk', {
      pageTitle: 'Single sign-on',
      backLink: staffPaths.list,
      organisationName: viewer.organisationName,
      redirectUri: oidc.redirectUri,
      signedOutUri: oidc.signedOutUri,
      current,
      values: values ?? {
        issuer: current.issuer,
        clientId: current.clientId,
        domains: current.domains.join('\n'),
        createAccounts: current.configured ? (current.createAccounts ? 'yes' : 'no') : undefined,
      },
      errors,
      notice,
    });
  }

  app.get(oidcPaths.settings, { config: { access: ['admin'], audit: 'none' } }, async (request, reply) => {
    const saved = settingsQuery.parse(request.query).done === 'saved';
    return renderSettings(
      request,
      reply,
      200,
      undefined,
      undefined,
      saved ? 'Single sign-on settings saved.' : undefined,
    );
  });

  app.post(
    oidcPaths.settings,
    { config: { access: ['admin'], audit: ['organisation.sso_configured'] } },
    async (request, reply) => {
      // The secret typed is never shown back, even beside an error.
      const values = typedAnswers(
        request.body,
        settingsFields.filter((field) => field !== 'clientSecret'),
      );
      const form = parseForm(ssoSettingsForm(options.allowLoopbackHttp), request.body);
      if (!form.ok) return renderSettings(request, reply, 400, values, form.errors);
      try {
        await ssoSettings.save(administratorOf(viewerOf(request)), form.value);
      } catch (error) {
        if (error instanceof RuleError)
          return renderSettings(request, reply, 400, values, ruleErrors(error, settingsFields));
        throw error;
      }
      return reply.redirect(`${oidcPaths.settings}?done=saved`, 303);
    },
  );
}
