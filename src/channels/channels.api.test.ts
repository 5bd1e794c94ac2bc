import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation, createStaff, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { systemActor } from '../audit/index.ts';
import type { Role } from '../auth/index.ts';

let context: TestContext;
let practitionerToken: string;
let igLeadToken: string;
let auditorToken: string;
let dataDir: string;
/** Distinct domains for this file's database, so that runs never collide. */
const tag = randomBytes(3).toString('hex');
const council = `swindon${tag}.gov.uk`;
const neighbour = `wiltshire${tag}.gov.uk`;
const hospital = `gwh${tag}.nhs.uk`;

beforeAll(async () => {
  context = await testApp();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-channels-'));
  const swindon = await createOrganisation(context, { name: `Swindon Borough Council ${tag}` });
  const wiltshire = await createOrganisation(context, { name: `Wiltshire Council ${tag}`, hosted: false });
  const gwh = await createOrganisation(context, { name: `Great Western Hospital ${tag}`, hosted: false });
  await context.services.orgs.addDomain(systemActor, swindon, council);
  await context.services.orgs.addDomain(systemActor, swindon, `swindon${tag}.gcsx.gov.uk`);
  await context.services.orgs.addDomain(systemActor, wiltshire, neighbour);
  await context.services.orgs.addDomain(systemActor, gwh, hospital);
  await context.services.orgs.addTrustedLink(
    systemActor,
    swindon,
    gwh,
    'N3 private network between the council and the hospital',
  );
  const token = async (roles: readonly Role[]) => {
    const staff: TestStaff = await createStaff(context, { organisationId: swindon, roles });
    return (await context.services.apiTokens.issue(systemActor, staff.id, 'Mosaic case management', 30))
      .token;
  };
  practitionerToken = await token(['practitioner']);
  igLeadToken = await token(['ig_lead']);
  auditorToken = await token(['auditor']);
}, 60_000);

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

/** `null`: no token at all. */
async function post(url: string, body: unknown, token: string | null = practitionerToken) {
  return context.app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /api/v1/method-advice', () => {
  it('allows e-mail within the council and over the directory’s trusted link, naming the organisations', async () => {
    const internal = await post('/api/v1/method-advice', {
      from: `a@${council}`,
      to: `b@${council}`,
      method: 'email',
      sensitivity: 'personal',
    });
    expect(internal.statusCode).toBe(200);
    expect(internal.headers['cache-control']).toBe('no-store');
    expect(internal.json()).toMatchObject({
      allowed: true,
      route: 'same-organisation',
      sender: { organisation: { name: `Swindon Borough Council ${tag}` } },
    });

    const linked = await post(
      '/api/v1/method-advice',
      { from: `a@${council}`, to: `nurse@${hospital}`, method: 'email', sensitivity: 'special-category' },
      igLeadToken,
    );
    expect(linked.json()).toMatchObject({
      allowed: true,
      route: 'trusted-link',
      recipient: { organisation: { name: `Great Western Hospital ${tag}` } },
    });
  });

  it('refuses e-mail to the neighbouring council with the reasons and IDs, recommends the secure exchange and gives its checklist', async () => {
    const response = await post('/api/v1/method-advice', {
      from: `a@${council}`,
      to: `b@${neighbour}`,
      method: 'email',
      sensitivity: 'personal',
      people: 12,
      passwordProtected: true,
    });
    expect(response.statusCode).toBe(200);
    const advice = response.json<{
      allowed: boolean;
      recommended: string;
      bulk: boolean;
      reasons: { requirement: string; effect: string }[];
      checklist: { id: string }[];
      policy: { name: string; version: string };
    }>();
    expect(advice).toMatchObject({
      allowed: false,
      recommended: 'secure-exchange',
      bulk: true,
      policy: { name: 'default' },
    });
    expect(advice.reasons.map((reason) => `${reason.requirement} ${reason.effect}`)).toEqual(
      expect.arrayContaining([
        'R4.5.1 refuses',
        'R4.5.6 refuses',
        'R4.6.5 refuses',
        'R2.16 requires',
        'R4.6.4 notes',
      ]),
    );
    expect(advice.checklist.map((item) => item.id)).toContain('subject');
  });

  it('answers 400 problem+json naming the member for bad input, and a malformed or look-alike address with its code; never a 500', async () => {
    const lookAlike = await post('/api/v1/method-advice', {
      from: `a@${council}`,
      to: 'gp@nhs.n\u0435t',
      method: 'email',
      sensitivity: 'personal',
    });
    expect(lookAlike.statusCode).toBe(400);
    expect(lookAlike.headers['content-type']).toContain('application/problem+json');
    expect(lookAlike.json()).toMatchObject({
      status: 400,
      errors: [
        { pointer: '/to', detail: expect.stringContaining('CHANNELS.ADDRESS_NOT_ASCII: ') as unknown },
      ],
    });

    const malformed = await post('/api/v1/method-advice', {
      from: 'a@@swindon.gov.uk',
      to: 'b@nhs.net.',
      method: 'email',
    });
    expect(
      malformed
        .json<{ errors: { pointer: string; detail: string }[] }>()
        .errors.map((error) => error.pointer),
    ).toEqual(['/from', '/to']);

    const invalid = await post('/api/v1/method-advice', {
      from: 7,
      method: 'carrier-pigeon',
      sensitivity: 'secret',
      people: -1,
      extra: true,
    });
    expect(invalid.statusCode).toBe(400);
    expect(
      invalid
        .json<{ errors: { pointer: string }[] }>()
        .errors.map((error) => error.pointer)
        .sort(),
    ).toEqual(['/', '/from', '/method', '/people', '/sensitivity']);

    const contradiction = await post('/api/v1/method-advice', {
      from: `a@${council}`,
      to: `b@${council}`,
      sensitivity: 'none',
      people: 3,
    });
    expect(contradiction.json()).toMatchObject({ status: 400, errors: [{ pointer: '/sensitivity' }] });

    const missing = await post('/api/v1/method-advice', { method: 'email', sensitivity: 'personal' });
    expect(missing.json<{ errors: { pointer: string }[] }>().errors.map((error) => error.pointer)).toEqual([
      '/from',
      '/to',
    ]);

    for (const body of [
      '[]',
      'null',
      '"x"',
      '{',
      '{"people": 1e400}',
      JSON.stringify({ from: 'x'.repeat(10_000) }),
    ]) {
      const response = await post('/api/v1/method-advice', body);
      expect(response.statusCode, body.slice(0, 20)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, body.slice(0, 20)).toBeLessThan(500);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('takes bearer tokens only, for the roles that send or advise', async () => {
    const none = await post('/api/v1/method-advice', { from: `a@${council}`, to: `b@${council}` }, null);
    expect(none.statusCode).toBe(401);
    const auditor = await post(
      '/api/v1/method-advice',
      { from: `a@${council}`, to: `b@${council}` },
      auditorToken,
    );
    expect(auditor.statusCode).toBe(403);
    expect(auditor.headers['content-type']).toContain('application/problem+json');
  });
});

describe('POST /api/v1/subject-check', () => {
  it('answers with kinds and positions, never the text found', async () => {
    const subject = 'Jayden Smith DOB 12/03/2015 - SBC-204417';
    const response = await post('/api/v1/subject-check', { subject, names: ['Jayden Smith'] });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      clean: false,
      findings: [
        { kind: 'name', start: 0, end: 12 },
        { kind: 'date-of-birth', start: 17, end: 27 },
        { kind: 'local-reference', start: 30, end: 40 },
      ],
    });
    for (const secret of ['Jayden', '12/03/2015', 'SBC-204417']) expect(response.body).not.toContain(secret);
    expect(
      (await post('/api/v1/subject-check', { subject: 'Core group minutes - for comment' })).json(),
    ).toEqual({ clean: true, findings: [] });
    // The pack's confidential terms, and a name no one passed.
    expect((await post('/api/v1/subject-check', { subject: 'HIV status of mother - Liam' })).json()).toEqual({
      clean: false,
      findings: [
        { kind: 'confidential-content', start: 0, end: 10 },
        { kind: 'name', start: 23, end: 27 },
      ],
    });
  });

  it('refuses bad input with problem+json, and answers 401 without a token', async () => {
    const invalid = await post('/api/v1/subject-check', { subject: 12, names: 'Jayden Smith' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json<{ errors: { pointer: string }[] }>().errors.map((error) => error.pointer)).toEqual([
      '/subject',
      '/names',
    ]);
    expect((await post('/api/v1/subject-check', { subject: 'x'.repeat(1001) })).statusCode).toBe(400);
    expect((await post('/api/v1/subject-check', { subject: 'x' }, null)).statusCode).toBe(401);
  });
});

describe('safeshare method check and subject check', () => {
  const run = promisify(execFile);
  const bin = path.resolve(import.meta.dirname, '../../bin/safeshare.js');

  async function safeshare(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
        env: {
          ...process.env,
          NODE_ENV: 'test',
          DATABASE_URL: context.url,
          DATA_DIR: dataDir,
          LOG_LEVEL: 'silent',
        },
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('gives the same answer as the API, with exit code 0 when allowed and 1 when refused', async () => {
    const question = {
      from: `a@${council}`,
      to: `b@${neighbour}`,
      method: 'email',
      sensitivity: 'personal',
      people: 12,
    } as const;
    const cli = await safeshare(
      'method',
      'check',
      '--from',
      question.from,
      '--to',
      question.to,
      '--method',
      question.method,
      '--sensitivity',
      question.sensitivity,
      '--people',
      '12',
      '--json',
    );
    expect(cli.code).toBe(1);
    const api = await post('/api/v1/method-advice', question);
    expect(JSON.parse(cli.stdout)).toEqual(api.json());

    const human = await safeshare(
      'method',
      'check',
      '--from',
      `a@${council}`,
      '--to',
      `nurse@${hospital}`,
      '--sensitivity',
      'confidential',
    );
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ALLOWED: ordinary e-mail$/m);
    expect(human.stdout).toMatch(/^Recommended method: ordinary e-mail \(email\)$/m);
    expect(human.stdout).toMatch(/^ {2}R4\.6\.3 +allows +A trusted link/m);
    expect(human.stdout).toContain('Checklist for ordinary e-mail:');
  }, 120_000);

  it('judges under another pack, and exits 2 for bad input', async () => {
    const current = await safeshare(
      'method',
      'check',
      '--from',
      `x@swindon${tag}.gcsx.gov.uk`,
      '--to',
      'y@trust.nhs.net',
      '--method',
      'secure-email',
      '--sensitivity',
      'personal',
      '--pack',
      'current',
    );
    expect(current.code).toBe(1);
    expect(current.stdout).toMatch(/^NOT ALLOWED: secure e-mail$/m);
    const lookAlike = await safeshare('method', 'check', '--from', `a@${council}`, '--to', 'gp@nhs.n\u0435t');
    expect(lookAlike.code).toBe(2);
    expect(lookAlike.stderr).toContain(
      '--to: The domain uses characters outside the letters a to z: it looks like nhs.net but is not',
    );
    expect((await safeshare('method', 'check', '--from', `a@${council}`)).code).toBe(2);
    expect(
      (
        await safeshare(
          'method',
          'check',
          '--from',
          `a@${council}`,
          '--to',
          `b@${council}`,
          '--people',
          'many',
        )
      ).code,
    ).toBe(2);
    expect(
      (
        await safeshare(
          'method',
          'check',
          '--from',
          `a@${council}`,
          '--to',
          `b@${council}`,
          '--pack',
          'no-such-pack',
        )
      ).code,
    ).toBe(2);
  }, 120_000);

  it('checks a subject without a database: exit 1 with the kinds and the redacted subject, 0 when clean', async () => {
    const found = await safeshare(
      'subject',
      'check',
      'Rose Taylor DOB 09/10/2016 - referral',
      '--names',
      'Rose Taylor, Kelly Taylor',
    );
    expect(found.code).toBe(1);
    expect(found.stdout).toContain('FOUND a name and a date of birth');
    expect(found.stdout).toContain('Without them: [name] DOB [date of birth] - referral');
    const clean = await safeshare(
      'subject',
      'check',
      'Concerns rose after the visit',
      '--names',
      'Rose Taylor',
      '--json',
    );
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual({ clean: true, findings: [] });
    const confidential = await safeshare(
      'subject',
      'check',
      'Section 47: sexual abuse disclosure by stepfather',
    );
    expect(confidential.code).toBe(1);
    expect(confidential.stdout).toContain('FOUND confidential content');
  }, 120_000);
});
