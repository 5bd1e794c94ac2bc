import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/** The session cookie, by either of its names (`__Host-` unless secure cookies are turned off). */
const sessionCookieName = /^(__Host-)?safeshare_session$/;

/**
 * A cookie-keeping client over app.inject: it follows the app the way a browser without JavaScript
 * would, and sends the CSRF token from the last page it read. CSRF tokens are bound to the session,
 * so when the session changes the token is forgotten and the next form fetches a page for a new one,
 * as a browser loads the page a sign-in redirects to.
 */
export class TestBrowser {
  readonly #app: FastifyInstance;
  readonly #cookies = new Map<string, string>();
  #csrfToken: string | undefined;

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  forgetCookie(name: string): void {
    this.#cookies.delete(name);
  }

  get csrfToken(): string | undefined {
    return this.#csrfToken;
  }

  /** The token a form would carry now: the last page's, or a fresh page's when the session has changed since. */
  async formToken(): Promise<string> {
    if (this.#csrfToken === undefined) await this.#loadCsrfToken();
    return this.#csrfToken ?? '';
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.request('GET', url, undefined, headers);
  }

  /** Posts a form. The CSRF token of the last page read is added unless the form carries `_csrf` itself. */
  async post(
    url: string,
    form: Record<string, string | readonly string[]> = {},
    options: { csrf?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    const fields = { ...form };
    if (options.csrf !== false && fields['_csrf'] === undefined) {
      fields['_csrf'] = await this.formToken();
    }
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) {
      for (const item of [value].flat()) body.append(key, item);
    }
    return this.request('POST', url, body.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  /**
   * Posts a form with files, as a browser does: the fields in order (the CSRF token first unless
   * `csrf` is false), then the files.
   */
  async postMultipart(
    url: string,
    form: Record<string, string | readonly string[]>,
    files: readonly {
      readonly field?: string;
      readonly name: string;
      readonly bytes: Buffer;
      readonly type?: string;
    }[],
    options: { csrf?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    const body = new FormData();
    if (options.csrf !== false) body.append('_csrf', await this.formToken());
    for (const [key, value] of Object.entries(form))
      for (const item of [value].flat()) body.append(key, item);
    for (const file of files)
      body.append(
        file.field ?? 'files',
        new Blob([file.bytes], { type: file.type ?? 'application/octet-stream' }),
        file.name,
      );
    const encoded = new Response(body);
    return this.request('POST', url, Buffer.from(await encoded.arrayBuffer()), {
      'content-type': encoded.headers.get('content-type') ?? '',
    });
  }

  async request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const cookieHeader = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await this.#app.inject({
      method,
      url,
      headers: { ...headers, ...(cookieHeader ? { cookie: cookieHeader } : {}) },
      ...(payload === undefined ? {} : { payload }),
    });
    for (const cookie of response.cookies as {
      name: string;
      value: string;
      expires?: Date;
      maxAge?: number;
    }[]) {
      const expired =
        cookie.value === '' ||
        (cookie.expires !== undefined && cookie.expires.getTime() <= Date.now()) ||
        cookie.maxAge === 0;
      if (expired) this.#cookies.delete(cookie.name);
      else this.#cookies.set(cookie.name, cookie.value);
      if (sessionCookieName.test(cookie.name)) this.#csrfToken = undefined;
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token !== undefined) this.#csrfToken = token;
    return response;
  }

  /** The sign-in page has a form in every state; signed in, it redirects to the home page, whose header has one. */
  async #loadCsrfToken(): Promise<void> {
    const page = await this.get('/sign-in');
    const location = page.headers['location'];
    if (page.statusCode === 303 && typeof location === 'string') await this.get(location);
  }
}

/** The text of a page's error summary entries, for asserting what the user is told. */
export function errorSummary(html: string): string[] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/<a href="#[^"]*"[^>]*>([^<]*)<\/a>/g)].map((match) => decode(match[1] ?? ''));
}

function decode(text: string): string {
  return text
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

/**
 * A rendered page with no template slips: nothing undefined, no objects printed as text. Scripts
 * and the random values of CSRF tokens and nonces are left out first: a token can spell "NaN".
 */
export function expectClean(html: string): void {
  const text = html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf"')
    .replace(/nonce="[^"]*"/g, '');
  expect(text).not.toMatch(/undefined|\[object Object\]|NaN|Invalid Date/);
}
