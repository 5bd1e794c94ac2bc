import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation, createStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { systemActor } from '../audit/index.ts';
import { londonToday } from '../lib/time.ts';
import { apiDocsPaths } from './docs.paths.ts';
import { apiDocumentInfo, openApiDocument } from './openapi.ts';

let context: TestContext;

beforeAll(async () => {
  context = await testApp();
});

async function get(url: string, headers: Record<string, string> = {}) {
  return context.app.inject({ method: 'GET', url, headers });
}

/** The policy with its per-response nonce taken out, to compare one response's policy with another's. */
function policyOf(header: unknown): string {
  return String(header).replace(/'nonce-[^']+'/g, "'nonce'");
}

describe('the OpenAPI document at /api/openapi.json', () => {
  it('is the document of the running app, to anyone without a token, and cacheable briefly', async () => {
    const response = await get(apiDocsPaths.document);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const document = openApiDocument(context.app.routeRules, apiDocumentInfo);
    // Byte for byte the form docs/api/openapi.json is written in (src/api/openapi.test.ts keeps that file equal).
    expect(response.body).toBe(`${JSON.stringify(document, null, 2)}\n`);
    const served = response.json<{ openapi: string; info: unknown; paths: Record<string, unknown> }>();
    expect(served.openapi).toBe('3.1.0');
    expect(served.info).toMatchObject({ title: 'Safeshare API', version: 'v1' });
    expect(JSON.stringify(served.paths)).toContain('Read a consent record as FHIR R4 Consent');
    // The documentation describes the operations, not itself.
    expect(Object.keys(served.paths)).not.toContain(apiDocsPaths.document);
    expect(Object.keys(served.paths)).not.toContain(apiDocsPaths.page);
  });

  it('is docs/api/openapi.json, as committed', async () => {
    // When this fails, the API changed: `npm run openapi` rewrites the file (src/api/openapi.test.ts).
    expect((await get(apiDocsPaths.document)).body).toBe(await readFile('docs/api/openapi.json', 'utf8'));
  });

  it('answers 304 to a client that holds the current version, and the same to a request with any token', async () => {
    const first = await get(apiDocsPaths.document);
    const etag = String(first.headers['etag']);
    expect(etag).toMatch(/^"[\w-]{43}"$/);
    const again = await get(apiDocsPaths.document, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const stale = await get(apiDocsPaths.document, { 'if-none-match': '"an-older-version"' });
    expect(stale.statusCode).toBe(200);
    // A token that is not valid is no reason to refuse a public document.
    const withBadToken = await get(apiDocsPaths.document, { authorization: 'Bearer ss_not-a-token' });
    expect(withBadToken.statusCode).toBe(200);
    expect(withBadToken.body).toBe(first.body);
  });
});

describe('the API documentation page at /api/docs', () => {
  it('is public, under the same strict policy as every page, and asks only for files of its own address', async () => {
    const page = await get(apiDocsPaths.page);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const policy = String(page.headers['content-security-policy']);
    expect(policyOf(policy)).toBe(policyOf((await get('/sign-in')).headers['content-security-policy']));
    expect(policy).toContain("script-src 'self' 'nonce-");
    expect(policy).toContain("style-src 'self' 'nonce-");
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);

    const html = page.body;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    const sources = scripts.flatMap((script) => /\bsrc="([^"]+)"/.exec(script[1] ?? '')?.[1] ?? []);
    const stylesheets = [...html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*>/g)].flatMap(
      (link) => /\bhref="([^"]+)"/.exec(link[0])?.[1] ?? [],
    );
    expect(sources).toEqual([
      '/assets/safeshare/init.js',
      '/assets/swagger-ui/swagger-ui-bundle.js',
      '/assets/safeshare/api-docs.js',
    ]);
    expect(stylesheets).toEqual([
      '/assets/govuk/govuk-frontend.min.css',
      '/assets/moj/moj-frontend.min.css',
      '/assets/safeshare/safeshare.css',
      '/assets/swagger-ui/swagger-ui.css',
      '/assets/safeshare/api-docs.css',
    ]);
    for (const url of [...sources, ...stylesheets]) {
      // Same origin: a path on this host, never another host (`//...`) or scheme.
      expect(url, url).toMatch(/^\/(?!\/)/);
      const asset = await get(url);
      expect(asset.statusCode, url).toBe(200);
      expect(asset.headers['content-type'], url).toMatch(url.endsWith('.css') ? /^text\/css/ : /javascript/);
    }
    // The only script written into the page is GOV.UK's one line, with this response's nonce; no style in the page.
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    const inline = scripts.filter((script) => !/\bsrc="/.test(script[1] ?? ''));
    expect(inline.length).toBeLessThanOrEqual(1);
    for (const script of inline) expect(script[1]).toContain(`nonce="${nonce ?? 'none'}"`);
    expect(html).not.toMatch(/<style\b|\sstyle="/);
  });

  it('says what it is and links to the document and to the rest of Safeshare, without JavaScript', async () => {
    const html = (await get(apiDocsPaths.page)).body;
    expect(html).toContain('<title>API documentation – Safeshare</title>');
    expect(html).toMatch(/<h1 class="govuk-heading-l">Safeshare API<\/h1>/);
    expect(html).toContain(`href="${apiDocsPaths.document}"`);
    expect(html).toContain('<a class="govuk-link" href="/">Go to Safeshare</a>');
    expect(html).toMatch(
      /<noscript>[\s\S]*the OpenAPI document describes every operation[\s\S]*<\/noscript>/,
    );
    expect(html).toContain(`data-document="${apiDocsPaths.document}"`);
  });

  it('serves only the two Swagger UI files the page uses, not the rest of its package', async () => {
    for (const url of [
      '/assets/swagger-ui/index.html',
      '/assets/swagger-ui/swagger-initializer.js',
      '/assets/swagger-ui/oauth2-redirect.html',
      '/assets/swagger-ui/swagger-ui-bundle.js.map',
    ])
      expect((await get(url)).statusCode, url).toBe(404);
  });

  it('declares both routes public, with nothing to audit, like every other route', () => {
    const declared = context.app.routeRules
      .filter((rule) => Object.values<string>(apiDocsPaths).includes(rule.url))
      .map((rule) => ({ method: rule.method, url: rule.url, access: rule.access, audit: rule.audit }));
    expect(declared).toEqual(
      expect.arrayContaining([
        { method: 'GET', url: apiDocsPaths.document, access: 'public', audit: 'none' },
        { method: 'GET', url: apiDocsPaths.page, access: 'public', audit: 'none' },
      ]),
    );
    expect(declared).toHaveLength(2);
  });
});

describe('the documentation pages left out of the document', () => {
  const info = { title: 'Safeshare API', version: 'v1' };

  it('leaves out the two documentation pages only', () => {
    const document = openApiDocument(
      [
        { method: 'GET', url: apiDocsPaths.page, access: 'public', audit: 'none' },
        { method: 'GET', url: apiDocsPaths.document, access: 'public', audit: 'none' },
      ],
      info,
    );
    expect(document.paths).toEqual({});
  });

  it('still refuses any other /api route without a description, beside them or under them', () => {
    for (const rule of [
      { method: 'POST', url: apiDocsPaths.page },
      { method: 'GET', url: `${apiDocsPaths.page}/more` },
      { method: 'GET', url: '/api/openapi.yaml' },
    ])
      expect(
        () => openApiDocument([{ ...rule, access: 'public', audit: 'none' }], info),
        `${rule.method} ${rule.url}`,
      ).toThrow(/no API description/);
  });
});

/** One request the README's example client makes, as sent and answered. */
interface ClientRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
}

/**
 * Runs the shell script of the README's "An example client" against the app, as `sh` would: its
 * variables, its heredoc file, each `curl` (method, address, headers, body) and the `jq -r` filters
 * it reads ids with. A line of another form fails the test, so the script cannot drift from what runs.
 */
async function runReadmeClient(token: string, today: string): Promise<ClientRequest[]> {
  const readme = await readFile('README.md', 'utf8');
  const start = readme.indexOf('```sh\n', readme.indexOf('**An example client**'));
  const script = readme.slice(start + 6, readme.indexOf('```', start + 6));
  const lines = script.split('\n').map((line) => line.replace(/^ {4}/, ''));
  const variables = new Map<string, string>([
    ['SAFESHARE', ''],
    ['TOKEN', token],
  ]);
  const files = new Map<string, string>();
  const sent: ClientRequest[] = [];
  const expand = (text: string) =>
    text
      .replaceAll('$(uuidgen)', randomUUID())
      .replaceAll('$(date +%F)', today)
      .replace(/\$([A-Z_]+)/g, (_whole, name: string) => {
        const value = variables.get(name);
        if (value === undefined) throw new Error(`the README's client uses $${name} before setting it`);
        return value;
      });
  async function curl(command: string): Promise<unknown> {
    const method = /\s-X (\w+)/.exec(command)?.[1] ?? 'GET';
    const url = expand(/"(\$SAFESHARE[^"]*)"/.exec(command)?.[1] ?? '');
    const headers = Object.fromEntries(
      [...command.matchAll(/-H "([^":]+): ([^"]*)"/g)].map((match) => [
        (match[1] ?? '').toLowerCase(),
        expand(match[2] ?? ''),
      ]),
    );
    const file = /--data @(\S+)/.exec(command)?.[1];
    const inline = /--data '([^']*)'/.exec(command)?.[1];
    const body = file === undefined ? inline : files.get(file);
    if (file !== undefined && body === undefined) throw new Error(`no ${file} written before it is sent`);
    const answer = await context.app.inject({
      method: method as 'GET' | 'POST',
      url,
      headers,
      ...(body === undefined ? {} : { payload: body }),
    });
    sent.push({ method, path: url, headers, status: answer.statusCode });
    expect(answer.statusCode, `${method} ${url}: ${answer.body}`).toBeLessThan(300);
    return answer.json();
  }
  function jq(filter: string, answer: unknown): string {
    if (filter === '.id') return (answer as { id: string }).id;
    const named = /^'\.organisations\[\] \| select\(\.name == "([^"]+)"\) \| \.id'$/.exec(filter);
    if (named === null)
      throw new Error(`the README's client uses a jq filter this test cannot run: ${filter}`);
    const found = (answer as { organisations: { id: string; name: string }[] }).organisations.find(
      (organisation) => organisation.name === named[1],
    );
    if (found === undefined) throw new Error(`no organisation named ${named[1] ?? ''} in the directory`);
    return found.id;
  }
  for (let index = 0; index < lines.length; index += 1) {
    let command = lines[index]?.trim() ?? '';
    if (command === '' || command.startsWith('#')) continue;
    const heredoc = /^cat > (\S+) <<JSON$/.exec(command);
    if (heredoc !== null) {
      const end = lines.indexOf('JSON', index + 1);
      files.set(heredoc[1] ?? '', expand(lines.slice(index + 1, end).join('\n')));
      index = end;
      continue;
    }
    // A command goes on while a line ends in a backslash or a single-quoted body is still open.
    while (command.endsWith('\\') || (command.match(/'/g) ?? []).length % 2 === 1) {
      index += 1;
      command = `${command.replace(/\\$/, '')} ${lines[index]?.trim() ?? ''}`;
    }
    const captured = /^([A-Z_]+)=\$\((curl .*) \| jq -r (.+)\)$/s.exec(command);
    const assigned = /^([A-Z_]+)=(\S+)$/.exec(command);
    if (captured !== null)
      variables.set(captured[1] ?? '', jq(captured[3] ?? '', await curl(captured[2] ?? '')));
    else if (command.startsWith('curl ')) await curl(command);
    // The address and the token are this test's own.
    else if (assigned !== null && variables.has(assigned[1] ?? '')) continue;
    else throw new Error(`the README's client has a line this test cannot run: ${command}`);
  }
  return sent;
}

describe("the README's example client", () => {
  it('finds, registers, records a decision and logs its disclosure, with a bearer token and an idempotency key on each POST', async () => {
    const councilId = await createOrganisation(context, { name: 'Swindon Borough Council' });
    await context.services.orgs.create(systemActor, {
      name: 'Oakfield Primary School',
      kind: 'school',
      switchboardPhone: '01793000111',
      hosted: false,
    });
    const system = await createStaff(context, { organisationId: councilId, roles: ['practitioner'] });
    // The scopes the README tells the administrator to give.
    const { token } = await context.services.apiTokens.issue(systemActor, system.id, 'Mosaic live', 30, [
      'people.read',
      'people.register',
      'decisions.record',
      'disclosures.log',
    ]);
    const sent = await runReadmeClient(token, londonToday(context.clock.now()));
    expect(
      sent.map((request) => `${request.method} ${request.path.replace(/[0-9a-f-]{36}/g, '{id}')}`),
    ).toEqual([
      'POST /api/v1/people/search',
      'POST /api/v1/people',
      'GET /api/v1/organisations',
      'POST /api/v1/decisions',
      'POST /api/v1/decisions/{id}/disclosures',
    ]);
    expect(sent.map((request) => request.status)).toEqual([200, 201, 200, 201, 201]);
    for (const request of sent) {
      expect(request.headers['authorization']).toBe(`Bearer ${token}`);
      if (request.method === 'POST') {
        expect(request.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
        expect(request.headers['content-type']).toBe('application/json');
      }
    }
    const disclosures = await context.db
      .selectFrom('disclosures')
      .select('method')
      .where('organisation_id', '=', councilId)
      .execute();
    expect(disclosures).toEqual([{ method: 'post' }]);
  });
});
