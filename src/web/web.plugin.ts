import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type nunjucks from 'nunjucks';
import type { ApiTokensService, AuthService, Viewer } from '../auth/index.ts';
import { allows, type Access, type RouteRule } from './access.ts';
import { navigationFor } from './navigation.ts';
import { assetFolders } from './render.ts';
import { problem } from '../api/problem.ts';

export const sessionCookie = 'safeshare_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in member of staff; set before any handler runs on a `staff` or role route. */
    viewer: Viewer | undefined;
    /** The session token from the cookie, when the browser has a live session (any stage). */
    sessionToken: string | undefined;
    /** A session between password and one-time code, and whose it is. */
    pending: { readonly stage: 'mfa' | 'enrol'; readonly viewer: Viewer } | undefined;
    /** The viewer's unread notifications, for the header; set by the notifications plugin on page requests. */
    unreadNotifications: number | undefined;
  }
  interface FastifyReply {
    render(template: string, context?: Record<string, unknown>): FastifyReply;
  }
  interface FastifyInstance {
    routeRules: RouteRule[];
  }
}

export interface WebOptions {
  readonly templates: nunjucks.Environment;
  readonly auth: AuthService;
  readonly apiTokens: ApiTokensService;
  readonly serviceName: string;
  readonly cookieSecret: string;
  readonly secureCookies: boolean;
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isApi(url: string): boolean {
  return url.startsWith('/api/');
}

/**
 * The web shell every page stands on: security headers with a strict nonce-based CSP, cookies,
 * forms, CSRF, sessions, the declared access rule of every route (default deny), rendering in the
 * GOV.UK layout, and error pages that never show a stack trace.
 */
export const webPlugin = fp<WebOptions>(async (app: FastifyInstance, options) => {
  app.decorate('routeRules', [] as RouteRule[]);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no access rule (every route must say who may use it)`);
    }
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      const api = route.config?.api;
      app.routeRules.push({ method, url: route.url, access, ...(api === undefined ? {} : { api }) });
    }
  });

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
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
  await app.register(fastifyCsrf, {
    cookieKey: 'safeshare_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: options.secureCookies, signed: true },
    getToken: (request) => (request.body as { _csrf?: string } | undefined)?._csrf,
  });
  await app.register(fastifyStatic, { root: assetFolders.govuk, serve: false });

  app.decorateRequest('viewer', undefined);
  app.decorateRequest('sessionToken', undefined);
  app.decorateRequest('pending', undefined);

  app.decorateReply('render', function render(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    const request = this.request;
    const html = options.templates.render(template, {
      serviceName: options.serviceName,
      viewer: request.viewer,
      navigation: navigationFor(request.viewer, request.url.split('?')[0] ?? '/', request.unreadNotifications),
      cspNonce: this.cspNonce.script,
      csrfToken: this.generateCsrf(),
      ...context,
    });
    return this.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });

  // Sessions and access: before the body is read, so a refused request costs nothing.
  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access ?? 'public';
    if (isApi(request.url)) return authoriseApi(request, reply, access);
    const token = request.cookies[sessionCookie];
    const state = token === undefined ? { kind: 'none' as const } : await options.auth.session(token);
    if (state.kind === 'active') {
      request.viewer = state.viewer;
      request.sessionToken = token;
    } else if (state.kind === 'pending') {
      request.pending = { stage: state.stage, viewer: state.viewer };
      request.sessionToken = token;
    } else if (token !== undefined) {
      reply.clearCookie(sessionCookie, { path: '/' });
    }
    if (allows(access, request.viewer)) return;
    if (access === 'mfa') {
      if (request.pending !== undefined) return;
      return reply.redirect(request.viewer ? '/' : '/sign-in', 303);
    }
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
    if (bearer !== undefined) request.viewer = await options.apiTokens.viewerFor(bearer);
    if (allows(access, request.viewer)) return;
    if (request.viewer === undefined) {
      return problem(reply.header('www-authenticate', 'Bearer'), 401, 'Authentication required', 'Send a valid API token as "Authorization: Bearer <token>".');
    }
    return problem(reply, 403, 'Forbidden', 'The roles of this token\'s account do not allow this request.');
  }

  app.addHook('preHandler', (request, reply, done) => {
    if (!unsafeMethods.has(request.method) || isApi(request.url)) return done();
    app.csrfProtection(request, reply, done);
  });

  app.setNotFoundHandler(
    async (request, reply) => {
      if (isApi(request.url)) return problem(reply, 404, 'Not found', 'There is nothing at this address.');
      return reply.code(404).render('web/views/error.njk', {
        pageTitle: 'Page not found',
        heading: 'Page not found',
        paragraphs: ['If you typed the web address, check it is correct.', 'If you pasted the web address, check you copied the entire address.'],
        showHomeLink: true,
      });
    },
  );

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: error.code, status }, 'request refused');
    const csrf = error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET';
    const title = csrf ? 'Your form has expired' : status === 500 ? 'Sorry, there is a problem with the service' : describeStatus(status);
    const detail = csrf
      ? 'The form you sent could not be checked. Go back, reload the page and try again.'
      : status === 500
        ? 'Try again later. Your request has not been saved.'
        : 'The request could not be accepted. Nothing has been changed.';
    if (isApi(request.url)) return problem(reply, status, title, detail);
    return reply.code(status).render('web/views/error.njk', { pageTitle: title, heading: title, paragraphs: [detail], showHomeLink: true });
  });

  app.get('/assets/*', { config: { access: 'public' } }, async (request, reply) => {
    const wildcard = (request.params as { '*': string })['*'];
    const [folder, ...rest] = wildcard.split('/');
    const root = folder === 'govuk' ? assetFolders.govuk : folder === 'moj' ? assetFolders.moj : folder === 'safeshare' ? assetFolders.safeshare : undefined;
    if (root === undefined || rest.length === 0) return reply.callNotFound();
    return reply.header('cache-control', 'public, max-age=3600').sendFile(rest.join('/'), root);
  });
});

export function forbidden(request: FastifyRequest, reply: FastifyReply) {
  if (isApi(request.url)) return problem(reply, 403, 'Forbidden', 'Your roles do not allow this request.');
  return reply.code(403).render('web/views/error.njk', {
    pageTitle: 'You do not have access to this page',
    heading: 'You do not have access to this page',
    paragraphs: ['Your roles in Safeshare do not include this page. If you need it for your work, ask your administrator.'],
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
