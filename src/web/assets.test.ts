import { beforeAll, describe, expect, it } from 'vitest';
import { createStaff, signIn } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';

let context: TestContext;
let signedInPage: string;

beforeAll(async () => {
  context = await testApp();
  signedInPage = (await (await signIn(context, await createStaff(context))).get('/')).body;
});

async function get(url: string) {
  return context.app.inject({ method: 'GET', url });
}

/** Every file a page's head and body ask for: stylesheets, icons, the manifest and scripts. */
function pageAssets(html: string): string[] {
  const tags = html.match(/<(?:link|script)\b[^>]*>/g) ?? [];
  const urls = tags.flatMap((tag) => /\b(?:href|src)="([^"]+)"/.exec(tag)?.[1] ?? []);
  return [...new Set(urls)];
}

/** The addresses in a stylesheet's url(...) references: fonts and images. */
function stylesheetReferences(css: string): string[] {
  const urls = [...css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((match) => match[1] ?? '');
  return [...new Set(urls.filter((url) => !url.startsWith('data:')))];
}

describe('the files every page asks for', () => {
  it('answers 200 for every stylesheet, script, icon and the manifest the layout links to', async () => {
    const urls = pageAssets(signedInPage);
    // The page template's icons and manifest, and Safeshare's stylesheets and script.
    for (const expected of [
      '/assets/images/favicon.ico',
      '/assets/images/favicon.svg',
      '/assets/images/govuk-icon-mask.svg',
      '/assets/images/govuk-icon-180.png',
      '/assets/manifest.json',
      '/assets/govuk/govuk-frontend.min.css',
      '/assets/moj/moj-frontend.min.css',
      '/assets/safeshare/safeshare.css',
      '/assets/safeshare/init.js',
    ])
      expect(urls).toContain(expected);
    for (const url of urls) expect((await get(url)).statusCode, url).toBe(200);
    // The anonymous sign-in page has the same head.
    expect(pageAssets((await get('/sign-in')).body)).toEqual(urls);
  });

  it("answers 200 for every font and image the stylesheets refer to, all from Safeshare's own address", async () => {
    const stylesheets = pageAssets(signedInPage).filter((url) => url.endsWith('.css'));
    const references = new Set<string>();
    for (const stylesheet of stylesheets) {
      for (const url of stylesheetReferences((await get(stylesheet)).body)) references.add(url);
    }
    const fonts = [...references].filter((url) => /\.woff2?$/.test(url));
    expect(fonts.sort()).toEqual([
      '/assets/fonts/bold-affa96571d-v2.woff',
      '/assets/fonts/bold-b542beb274-v2.woff2',
      '/assets/fonts/light-94a07e06a1-v2.woff2',
      '/assets/fonts/light-f591b13f7d-v2.woff',
    ]);
    // The MoJ components' icons are asked for at /assets/images too, beside GOV.UK's.
    expect(references).toContain('/assets/images/govuk-crest.svg');
    expect(references).toContain('/assets/images/icon-toggle-plus-minus.svg');
    for (const url of references) {
      // Same origin, so the strict CSP (font-src and img-src 'self') lets the browser load them.
      expect(url, url).toMatch(/^\/assets\//);
      const response = await get(url);
      expect(response.statusCode, url).toBe(200);
      if (url.endsWith('.woff2')) expect(response.headers['content-type']).toBe('font/woff2');
    }
  });

  it("answers 200 for the manifest's icons, and for /favicon.ico that browsers ask for by themselves", async () => {
    const manifest = (await get('/assets/manifest.json')).json<{ icons: { src: string }[] }>();
    expect(manifest.icons.length).toBeGreaterThan(3);
    for (const icon of manifest.icons) {
      const url = new URL(icon.src, 'https://safeshare.example/assets/manifest.json').pathname;
      expect((await get(url)).statusCode, url).toBe(200);
    }
    const favicon = await get('/favicon.ico');
    expect(favicon.statusCode).toBe(200);
    expect(favicon.headers['content-type']).toMatch(/icon/);
  });

  it('lets browsers keep fonts for a year and icons for a week, and stylesheets for an hour', async () => {
    const font = await get('/assets/fonts/bold-b542beb274-v2.woff2');
    expect(font.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const url of ['/assets/images/favicon.svg', '/assets/manifest.json', '/favicon.ico'])
      expect((await get(url)).headers['cache-control'], url).toBe('public, max-age=604800');
    expect((await get('/assets/govuk/govuk-frontend.min.css')).headers['cache-control']).toBe(
      'public, max-age=3600',
    );
  });

  it('answers 404 for what is in neither images folder, and nothing outside them', async () => {
    for (const url of [
      '/assets/images/no-such-icon.svg',
      '/assets/images/../../package.json',
      '/assets/images/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/assets/manifest.json/x',
      '/assets/fonts/',
    ]) {
      const response = await get(url);
      expect([400, 403, 404], url).toContain(response.statusCode);
      expect(response.body, url).not.toContain('"dependencies"');
    }
  });
});
