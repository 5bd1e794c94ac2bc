import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyHelmet from '@fastify/helmet';
import { hkdfSync } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type nunjucks from 'nunjucks';
import { signInStepPaths } from '../auth/auth.paths.ts';
import type { Role } from '../lib/roles.ts';
import { tokenMay } from '../lib/api-scopes.ts';
import type { PendingStage, SessionState, TokenBearer, Viewer } from '../lib/viewer.ts';
import { allows, type Access, type RouteRule } from './access.ts';
import { navigationFor } from './navigation.ts';
import { answerRefusal } from './refusals.ts';
import { registerStrictBodyParsers, textRefusalOf } from './request-text.ts';
import { assetRoutes } from './assets.ts';
import { holdToDeclarations } from './declarations.ts';
import { problem } from '../api/problem.ts';
import { isDatabaseUnavailable } from '../db/health.ts';
import type { RequestRecord } from '../lib/request-context.ts';
import { tokenDigest } from '../lib/tokens.ts';

/** Where a cookie is sent, and who may read it; never a Domain, so it stays with this host. */
export interface CookieAttributes {
  readonly path: '/';
  readonly httpOnly: true;
  readonly sameSite: 'strict' | 'lax';
  readonly secure: boolean;
}

export interface CookiePolicy {
  readonly names: {
    readonly session: string;
    readonly csrf: string;
    readonly disclosureDraft: string;
    /** A secure exchange recipient's session for one package (not a member of staff). */
    readonly exchange: string;
    /** A single sign-on started at an organisation's provider and not yet back (ADR 0028). */
    readonly singleSignOn: string;
  };
  /** Path=/, HttpOnly, SameSite=Strict, Secure unless turned off explicitly. */
  readonly attributes: CookieAttributes;
  /** The session cookie is SameSite=Lax: see `cookiePolicy`. */
  readonly sessionAttributes: CookieAttributes;
}

/**
 * Every cookie Safeshare sets, named and dressed in one place (ASVS 3.3.1, 3.3.3, 3.3.4).
 *
 * The `__Host-` prefix makes the browser refuse a cookie unless it is Secure, has Path=/ and no
 * Domain, so neither a sibling subdomain nor a plain-HTTP page can plant or overwrite it (cookie
 * tossing). Browsers refuse `__Host-` without Secure, so when secure cookies are turned off
 * explicitly (`SECURE_COOKIES=false`, plain-HTTP local use) the plain names are used instead.
 *
 * The session cookie is SameSite=Lax so that a link in a notification e-mail opens Safeshare signed
 * in; a cross-site form still fails, because the CSRF cookie is SameSite=Strict and the token in the
 * form is bound to the session.
 */
export function cookiePolicy(secure: boolean): CookiePolicy {
  const prefix = secure ? '__Host-' : '';
  const attributes: CookieAttributes = { path: '/', httpOnly: true, sameSite: 'strict', secure };
  return {
    names: {
      session: `${prefix}safeshare_session`,
      csrf: `${prefix}safeshare_csrf`,
      disclosureDraft: `${prefix}safeshare_disclosure`,
      exchange: `${prefix}safeshare_exchange`,
      singleSignOn: `${prefix}safeshare_sso`,
    },
    attributes,
    sessionAttributes: { ...attributes, sameSite: 'lax' },
  };
}

/**
 * What a CSRF token is bound to (ASVS 3.5.1): the session it was issued in, by the digest of the
 * session token, or no session at all. A token taken from the anonymous sign-in page, or from
 * another person's session, does not verify in a signed-in session, even with its own CSRF cookie.
 */
function csrfBinding(sessionToken: string | undefined): string {
  return sessionToken === undefined ? 'no-session' : `session:${tokenDigest(sessionToken)}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in member of staff; set before any handler runs on a `staff` or role route. */
    viewer: Viewer | undefined;
    /** On the API: the bearer token the request came with, once it is found valid. */
    apiToken: TokenBearer['token'] | undefined;
    /** The session token from the cookie, when the browser has a live session (any stage). */
    sessionToken: string | undefined;
    /** A session between password and one-time code, and whose it is. */
    pending: { readonly stage: PendingStage; readonly viewer: Viewer } | undefined;
    /** The viewer's unread notifications, for the header; set by the notifications plugin on page requests. */
    unreadNotifications: number | undefined;
    /** What this request has done so far (the audit actions written for it); set before anything else runs. */
    requestRecord: RequestRecord | undefined;
  }
  interface FastifyReply {
    render(template: string, context?: Record<string, unknown>): FastifyReply;
    /** Gives the browser a (new) session token; the forms of the next page carry tokens bound to it. */
    setSessionCookie(token: string): FastifyReply;
    clearSessionCookie(): FastifyReply;
  }
  interface FastifyInstance {
    routeRules: RouteRule[];
  }
}

export interface WebOptions {
  readonly templates: nunjucks.Environment;
  /** What a session cookie stands for (the sign-in service). */
  readonly auth: { session(token: string): Promise<SessionState> };
  /** The member of staff an API token stands for (the API tokens service). */
  readonly apiTokens: { bearerFor(bearer: string): Promise<TokenBearer | undefined> };
  readonly serviceName: string;
  /** The policy pack in force, as its name and version: the footer names it to those who oversee sharing. */
  readonly policyInForce?: string;
  readonly cookieSecret: string;
  readonly secureCookies: boolean;
  /**
   * Under `test`, a successful request that writes none of the audit events its route declares is
   * answered 500, and so is an API answer that does not match its declared response schema, so that
   * tests catch both; elsewhere they are logged as errors and the answer stands.
   */
  readonly environment?: 'development' | 'test' | 'production';
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Those who oversee sharing or run Safeshare: the footer names the policy pack in force to them. */
const policyOverseers = new Set<Role>(['admin', 'platform_operator', 'dpo', 'caldicott_guardian', 'ig_lead']);
/** The bodies a browser's form sends: the only ones pages accept. */
const pageBodyTypes = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

function mediaTypeOf(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function isApi(url: string): boolean {
  return url.startsWith('/api/');
}

/**
 * The web shell every page stands on: security headers with a strict nonce-based CSP, cookies,
 * forms, CSRF, sessions, the declared access rule of every route (default deny), rendering in the
 * GOV.UK layout, and error pages that never show a stack trace.
 */
export const webPlugin = fp<WebOptions>(async (app: FastifyInstance, options) => {
  const cookies = cookiePolicy(options.secureCookies);
  app.decorate('routeRules', [] as RouteRule[]);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined) {
      throw new Error(
        `route ${String(route.method)} ${route.url} declares no access rule (every route must say who may use it)`,
      );
    }
    const audit = route.config?.audit;
    if (audit === undefined) {
      throw new Error(
        `route ${String(route.method)} ${route.url} declares no audit event (every route must say what it records, or 'none')`,
      );
    }
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      const api = route.config?.api;
      app.routeRules.push({
        method,
        url: route.url,
        access,
        ...(api === undefined ? {} : { api }),
        audit,
      });
    }
  });

  // What each route declares, held to: its audit events, its API body, parameters and response.
  holdToDeclarations(app, { enforcing: options.environment === 'test' });

  await app.register(fastifyHelmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: options.secureCookies ? [] : null,
      },
    },
    strictTransportSecurity: options.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifyCookie, { secret: options.cookieSecret });
  // Forms and JSON are read as strict UTF-8 (request-text.ts), in place of the default readers.
  // As large as the app's body limit: a very long paste is refused by the form's own length rule,
  // beside what was typed, not by a page that loses it.
  registerStrictBodyParsers(app, { formBodyLimit: 1024 * 1024 });
  await app.register(fastifyCsrf, {
    cookieKey: cookies.names.csrf,
    cookieOpts: { ...cookies.attributes, signed: true },
    getToken: (request) => (request.body as { _csrf?: string } | undefined)?._csrf,
    getUserInfo: (request) => csrfBinding(request.sessionToken),
    csrfOpts: {
      hmacKey: Buffer.from(
        hkdfSync('sha256', options.cookieSecret, Buffer.alloc(0), 'safeshare csrf tokens', 32),
      ),
    },
  });

  app.decorateRequest('viewer', undefined);
  app.decorateRequest('apiToken', undefined);
  app.decorateRequest('sessionToken', undefined);
  app.decorateRequest('pending', undefined);

  app.decorateReply(
    'render',
    function render(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
      const request = this.request;
      const html = options.templates.render(template, {
        serviceName: options.serviceName,
        viewer: request.viewer,
        navigation: navigationFor(
          request.viewer,
          request.url.split('?')[0] ?? '/',
          request.unreadNotifications,
        ),
        policyInForce:
          request.viewer?.roles.some((role) => policyOverseers.has(role)) === true
            ? options.policyInForce
            : undefined,
        cspNonce: this.cspNonce.script,
        csrfToken: this.generateCsrf({ userInfo: csrfBinding(request.sessionToken) }),
        ...context,
      });
      return this.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
    },
  );
  // Each also moves the request to the new session, so a form rendered in the same response carries a
  // token bound to the cookie sent with it.
  app.decorateReply('setSessionCookie', function setSessionCookie(this: FastifyReply, token: string) {
    this.request.sessionToken = token;
    return this.setCookie(cookies.names.session, token, cookies.sessionAttributes);
  });
  // The same attributes as when set: a browser ignores a Set-Cookie for a `__Host-` name without Secure.
  app.decorateReply('clearSessionCookie', function clearSessionCookie(this: FastifyReply) {
    this.request.sessionToken = undefined;
    return this.clearCookie(cookies.names.session, cookies.sessionAttributes);
  });

  // Sessions and access: before the body is read, so a refused request costs nothing.
  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access ?? 'public';
    if (isApi(request.url)) return authoriseApi(request, reply, access);
    const token = request.cookies[cookies.names.session];
    const state = token === undefined ? { kind: 'none' as const } : await options.auth.session(token);
    if (state.kind === 'active') {
      request.viewer = state.viewer;
      request.sessionToken = token;
    } else if (state.kind === 'pending') {
      request.pending = { stage: state.stage, viewer: state.viewer };
      request.sessionToken = token;
    } else if (token !== undefined) {
      reply.clearSessionCookie();
    }
    if (allows(access, request.viewer)) return;
    if (access === 'mfa') {
      if (request.pending !== undefined) return;
      return reply.redirect(request.viewer ? '/' : '/sign-in', 303);
    }
    // A password an administrator set is replaced before any other page is reachable.
    if (request.pending?.stage === 'password') return reply.redirect(signInStepPaths.password, 303);
    if (request.viewer === undefined) {
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      return reply.redirect(state.kind === 'expired' ? `/sign-in?expired=1` : `/sign-in${next}`, 303);
    }
    return forbidden(request, reply);
  });

  /**
   * The JSON API takes bearer tokens only, never the session cookie: a browser cannot be made to send
   * a bearer token, so the API needs no CSRF token.
   */
  async function authoriseApi(request: FastifyRequest, reply: FastifyReply, access: Access) {
    const header = request.headers.authorization;
    const bearer = header?.startsWith('Bearer ') === true ? header.slice(7).trim() : undefined;
    const found = bearer === undefined ? undefined : await options.apiTokens.bearerFor(bearer);
    if (found !== undefined) {
      // The trail names the token as well as its account: "Mosaic service (API token Mosaic live)".
      request.viewer = {
        ...found.viewer,
        displayName: `${found.viewer.displayName} (API token ${found.token.name})`,
      };
      request.apiToken = found.token;
    }
    if (allows(access, request.viewer)) {
      const need = request.routeOptions.config.api?.scope ?? 'any';
      if (request.apiToken === undefined || tokenMay(request.apiToken.scopes, need)) return;
      return problem(
        reply,
        403,
        'Forbidden',
        `This token was not issued with the scope "${need}" that this request needs: an administrator can issue one that has it.`,
      );
    }
    if (request.viewer === undefined) {
      return problem(
        reply.header('www-authenticate', 'Bearer'),
        401,
        'Authentication required',
        'Send a valid API token as "Authorization: Bearer <token>".',
      );
    }
    return problem(reply, 403, 'Forbidden', "The roles of this token's account do not allow this request.");
  }

  app.addHook('preHandler', (request, reply, done) => {
    if (!unsafeMethods.has(request.method) || isApi(request.url)) return done();
    // Pages take what a browser's form sends, nothing else: a JSON body to a page is refused before
    // any handler sees values of shapes no form can produce.
    if (request.body !== undefined && !pageBodyTypes.has(mediaTypeOf(request))) {
      done(Object.assign(new Error('pages take form bodies only'), { statusCode: 415 }));
      return;
    }
    // Signing out without a live session changes nothing, so the header's form from a session that
    // has since timed out still signs out, rather than saying the form has expired.
    if (request.routeOptions.url === '/sign-out' && request.sessionToken === undefined) return done();
    app.csrfProtection(request, reply, done);
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (isApi(request.url)) return problem(reply, 404, 'Not found', 'There is nothing at this address.');
    return reply.code(404).render('web/views/error.njk', {
      pageTitle: 'Page not found',
      heading: 'Page not found',
      paragraphs: [
        'If you typed the web address, check it is correct.',
        'If you pasted the web address, check you copied the entire address.',
      ],
      showHomeLink: true,
    });
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const answered = answerRefusal(request, reply, error);
    if (answered !== undefined) {
      request.log.info({ refusal: error.name, status: reply.statusCode }, 'request refused');
      return answered;
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ code: error.code }, 'database unavailable');
      const title = 'Sorry, the service is unavailable';
      const detail =
        'Safeshare cannot reach its database just now. Nothing has been saved: try again in a few minutes.';
      reply.header('retry-after', '30');
      if (isApi(request.url)) return problem(reply, 503, title, detail);
      return reply.code(503).render('web/views/error.njk', {
        pageTitle: title,
        heading: title,
        paragraphs: [detail],
        showHomeLink: false,
      });
    }
    const refusal = textRefusalOf(error);
    if (refusal !== undefined) {
      request.log.info({ code: error.code, status: refusal.status }, 'request refused: text');
      if (isApi(request.url)) return problem(reply, refusal.status, refusal.title, refusal.detail);
      return reply.code(refusal.status).render('web/views/error.njk', {
        pageTitle: refusal.title,
        heading: refusal.title,
        paragraphs: [refusal.detail],
        showHomeLink: true,
      });
    }
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: error.code, status }, 'request refused');
    const csrf = error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET';
    const title = csrf
      ? 'Your form has expired'
      : status === 500
        ? 'Sorry, there is a problem with the service'
        : describeStatus(status);
    const detail = csrf
      ? 'The form you sent could not be checked. Go back, reload the page and try again.'
      : status === 500
        ? 'Try again later. Your request has not been saved.'
        : 'The request could not be accepted. Nothing has been changed.';
    if (isApi(request.url)) return problem(reply, status, title, detail);
    return reply.code(status).render('web/views/error.njk', {
      pageTitle: title,
      heading: title,
      paragraphs: [detail],
      showHomeLink: true,
    });
  });

  assetRoutes(app);
});

export function forbidden(request: FastifyRequest, reply: FastifyReply) {
  if (isApi(request.url)) return problem(reply, 403, 'Forbidden', 'Your roles do not allow this request.');
  return reply.code(403).render('web/views/error.njk', {
    pageTitle: 'You do not have access to this page',
    heading: 'You do not have access to this page',
    paragraphs: [
      'Your roles in Safeshare do not include this page. If you need it for your work, ask your administrator.',
    ],
    showHomeLink: true,
  });
}

function describeStatus(status: number): string {
  switch (status) {
    case 400:
      return 'The request could not be understood';
    case 404:
      return 'Page not found';
    case 413:
      return 'What you sent is too large';
    case 415:
      return 'The request is in a form Safeshare does not accept';
    case 429:
      return 'Too many attempts';
    default:
      return 'The request could not be accepted';
  }
}
