import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eicarTestFile, startClamd, type TestClamd } from '../../test/support/clamd.ts';
import {
  asPractitioner,
  childId,
  context,
  elsewhere,
  practitioner,
  setUpDisclosureWorldWith,
  shareToNeighbour,
} from '../../test/support/disclosure-world.ts';
import { samplePdf } from '../../test/support/sample-files.ts';
import { startSmtpServer, type TestSmtpServer } from '../../test/support/smtp.ts';
import { systemActor } from '../audit/index.ts';
import { apiPackageMegabytes } from './exchange.api.ts';

const publicUrl = 'https://safeshare.swindon.gov.uk';
const address = 'rebecca.sutton@wiltshire.gov.uk';
const url = () => `/api/v1/decisions/${shareToNeighbour}/exchange-packages`;
const megabyte = 1_048_576;

let dataDir: string;
let clamd: TestClamd;
let smtp: TestSmtpServer;
let pdf: Buffer;
let token: string;
let logOnlyToken: string;
let elsewhereToken: string;

beforeAll(async () => {
  clamd = await startClamd();
  smtp = await startSmtpServer();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-exchange-api-'));
  await setUpDisclosureWorldWith({
    DATA_DIR: dataDir,
    CLAMD_URL: clamd.url,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Safeshare Swindon <safeshare@swindon.gov.uk>',
    PUBLIC_URL: publicUrl,
  });
  context.clock.set('2026-12-01T10:00:00Z');
  pdf = await samplePdf({ pages: 2, text: 'Education, health and care needs assessment: summary.' });
  const issue = async (staffId: string, scopes?: Parameters<typeof context.services.apiTokens.issue>[4]) =>
    (await context.services.apiTokens.issue(systemActor, staffId, 'Mosaic case management', 30, scopes))
      .token;
  token = await issue(practitioner.id);
  logOnlyToken = await issue(practitioner.id, ['people.read', 'decisions.record']);
  elsewhereToken = await issue(elsewhere.id);
}, 120_000);

afterAll(async () => {
  await clamd.stop();
  await smtp.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const base64 = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64');

function body(overrides: Record<string, unknown> = {}) {
  return {
    recipientIndex: 0,
    categoryIds: ['education'],
    message: 'The EHC needs assessment report is attached.',
    mode: 'download',
    expiresInDays: 7,
    downloadLimit: 2,
    files: [
      { name: 'C:\\Users\\priya\\EHC report.pdf', mediaType: 'application/pdf', contentBase64: base64(pdf) },
      { name: 'notes.txt', mediaType: 'text/plain', contentBase64: base64('Annual review due in March.\n') },
    ],
    ...overrides,
  };
}

async function post(payload: unknown, options: { bearer?: string; key?: string; to?: string } = {}) {
  return context.app.inject({
    method: 'POST',
    url: options.to ?? url(),
    headers: {
      authorization: `Bearer ${options.bearer ?? token}`,
      'content-type': 'application/json',
      ...(options.key === undefined ? {} : { 'idempotency-key': options.key }),
    },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

interface Sent {
  id: string;
  reference: string;
  decisionId: string;
  disclosureId: string;
  mode: string;
  expiresAt: string;
  links: { page: string; disclosure: string };
}

interface Problem {
  status: number;
  errors?: { pointer: string; code?: string; detail: string }[];
}

async function count(table: 'exchange_packages' | 'disclosures' | 'mail_outbox'): Promise<number> {
  const row = await context.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** What a send records: packages, disclosures and e-mails queued. */
async function recorded() {
  return {
    packages: await count('exchange_packages'),
    disclosures: await count('disclosures'),
    mail: await count('mail_outbox'),
  };
}

/** Sealed objects that belong to no package or reply and are not shredded: what a refusal left behind. */
async function orphanObjects() {
  return context.db
    .selectFrom('exchange_objects')
    .leftJoin('exchange_packages', 'exchange_packages.message_object_id', 'exchange_objects.id')
    .leftJoin('exchange_package_files', 'exchange_package_files.object_id', 'exchange_objects.id')
    .select('exchange_objects.id')
    .where('exchange_objects.shredded_at', 'is', null)
    .where('exchange_packages.id', 'is', null)
    .where('exchange_package_files.id', 'is', null)
    .execute();
}

/** Delivers the outbox to the test's SMTP server, and what it received about one package. */
async function deliveredAbout(packageId: string) {
  const report = await context.services.mail.deliverDue();
  expect(report.failures).toEqual([]);
  return smtp.received.filter((mail) => mail.raw.includes(packageId));
}

describe('POST /api/v1/decisions/:id/exchange-packages (R4.6.4)', () => {
  it('sends a package: sealed files, the disclosure it logs, the audit event naming the token, and an e-mail with only a link', async () => {
    const response = await post(body());
    expect(response.statusCode, response.body).toBe(201);
    const sent = response.json<Sent>();
    expect(sent.reference).toMatch(/^EX-/);
    expect(sent).toMatchObject({
      decisionId: shareToNeighbour,
      mode: 'download',
      expiresAt: '2026-12-08T10:00:00.000Z',
      links: {
        page: `${publicUrl}/decisions/${shareToNeighbour}#packages`,
        disclosure: `${publicUrl}/api/v1/disclosures/${sent.disclosureId}`,
      },
    });
    expect(response.headers['location']).toBe(`${publicUrl}/api/v1/disclosures/${sent.disclosureId}`);
    expect(response.headers['cache-control']).toBe('no-store');

    const row = await context.db
      .selectFrom('exchange_packages')
      .innerJoin('disclosures', 'disclosures.id', 'exchange_packages.disclosure_id')
      .select([
        'exchange_packages.reference',
        'exchange_packages.disclosure_id',
        'exchange_packages.download_limit',
        'exchange_packages.recipient_address',
        'disclosures.method',
        'disclosures.description',
      ])
      .where('exchange_packages.id', '=', sent.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      reference: sent.reference,
      disclosure_id: sent.disclosureId,
      download_limit: 2,
      recipient_address: address,
      method: 'secure-exchange',
      description: 'Secure exchange package: a message and EHC report.pdf, notes.txt.',
    });
    // The same intake as the page's uploads: names cleaned, types read from the bytes.
    const files = await context.db
      .selectFrom('exchange_package_files')
      .select(['name', 'media_type', 'bytes'])
      .where('package_id', '=', sent.id)
      .orderBy('position')
      .execute();
    expect(files).toEqual([
      { name: 'EHC report.pdf', media_type: 'application/pdf', bytes: pdf.length },
      { name: 'notes.txt', media_type: 'text/plain', bytes: 28 },
    ]);

    const events = await context.db
      .selectFrom('audit_events')
      .select(['action', 'actor_label'])
      .where('entity_id', 'in', [sent.id, sent.disclosureId])
      .orderBy('action')
      .execute();
    expect(events).toEqual([
      { action: 'disclosure.recorded', actor_label: 'Priya Sharma (API token Mosaic case management)' },
      { action: 'exchange.package_sent', actor_label: 'Priya Sharma (API token Mosaic case management)' },
    ]);

    const mails = await deliveredAbout(sent.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toEqual([address]);
    expect(mails[0]?.subject).toMatch(/^Secure information from Swindon Borough Council/);
    expect(mails[0]?.subject).not.toMatch(/Amelia|Hughes|Zoltar|Qorvathy|EHC|assessment/);
    // The body is quoted-printable: its soft line breaks undone, the link is whole.
    expect(mails[0]?.raw.replace(/=\r?\n/g, '')).toContain(`${publicUrl}/exchange/packages/${sent.id}`);

    // The Location answers over the API: the disclosure, with the package as its evidence.
    const disclosure = await context.app.inject({
      method: 'GET',
      url: `/api/v1/disclosures/${sent.disclosureId}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(disclosure.statusCode).toBe(200);
    expect(disclosure.json<{ method: string }>().method).toBe('secure-exchange');
  }, 60_000);

  it('answers a retry with the same Idempotency-Key with the first answer, and sends nothing twice', async () => {
    const key = randomUUID();
    const before = await recorded();
    const first = await post(body(), { key });
    expect(first.statusCode, first.body).toBe(201);
    const retry = await post(body(), { key });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toBe(first.body);
    expect(retry.headers['location']).toBe(first.headers['location']);
    expect(await recorded()).toEqual({
      packages: before.packages + 1,
      disclosures: before.disclosures + 1,
      mail: before.mail + 1,
    });
    expect(await deliveredAbout(first.json<Sent>().id)).toHaveLength(1);
  }, 60_000);

  it('refuses a file with malware (422, the scanner’s code), records the attempt, and sends nothing', async () => {
    const before = await recorded();
    const response = await post(
      body({
        files: [
          { name: 'report.pdf', mediaType: 'application/pdf', contentBase64: base64(pdf) },
          { name: 'notes.txt', mediaType: 'text/plain', contentBase64: base64(eicarTestFile()) },
        ],
      }),
    );
    expect(response.statusCode, response.body).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<Problem>().errors).toEqual([
      expect.objectContaining({ pointer: '/files', code: 'EXCHANGE.MALWARE' }),
    ]);
    expect(await recorded()).toEqual(before);
    // The clean file and the message sealed before the malware was found are shredded too.
    expect(await orphanObjects()).toEqual([]);
    const refused = await context.db
      .selectFrom('audit_events')
      .select('actor_label')
      .where('action', '=', 'exchange.malware_refused')
      .execute();
    expect(refused).toEqual([{ actor_label: 'Priya Sharma (API token Mosaic case management)' }]);
  }, 60_000);

  it('refuses a body that is not valid (400): bad base64, unknown members, unsafe names, empty files', async () => {
    const before = await recorded();
    const withFile = (file: Record<string, unknown>) =>
      body({ files: [{ name: 'notes.txt', mediaType: 'text/plain', contentBase64: 'QUJD', ...file }] });
    const pointers = async (payload: unknown) => {
      const response = await post(payload);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      return response.json<Problem>().errors?.map((error) => error.pointer);
    };
    for (const content of [
      'not base64!',
      'QUJ', // not a whole group
      'QQ', // unpadded
      'QR==', // padding over bits that are not zero
      'QUJD\nREVG', // a line break
      'QUJD REVG', // a space
      'QU=D', // padding inside
      'QUJD-_8=', // the URL alphabet
    ])
      expect(await pointers(withFile({ contentBase64: content })), content).toEqual([
        '/files/0/contentBase64',
      ]);
    expect(await pointers({ ...body(), priority: 'high' })).toEqual(['/']);
    expect(await pointers(withFile({ size: 3 }))).toEqual(['/files/0']);
    expect(await pointers(withFile({ name: 'CON .txt' }))).toEqual(['/files/0/name']);
    expect(await pointers(withFile({ name: '\u202e' }))).toEqual(['/files/0/name']);
    expect(await pointers(withFile({ mediaType: 'pdf' }))).toEqual(['/files/0/mediaType']);
    expect(await pointers(withFile({ contentBase64: '' }))).toEqual(['/files/0/contentBase64']);
    expect(await pointers(body({ mode: 'print' }))).toEqual(['/mode']);
    expect(await pointers(body({ expiresInDays: 31 }))).toEqual(['/expiresInDays']);
    expect(
      await pointers(
        body({
          files: Array.from({ length: 11 }, () => ({
            name: 'a.txt',
            mediaType: 'text/plain',
            contentBase64: 'QUJD',
          })),
        }),
      ),
    ).toEqual(['/files']);
    expect(await recorded()).toEqual(before);
  });

  it('takes the largest package the API carries, refuses a file over it (400), and a body over the route’s limit (413)', async () => {
    const largest = apiPackageMegabytes * megabyte;
    const before = await recorded();
    const tooLarge = await post(
      body({
        files: [
          {
            name: 'scan.txt',
            mediaType: 'text/plain',
            contentBase64: base64(Buffer.alloc(largest + 1, 'a')),
          },
        ],
      }),
    );
    expect(tooLarge.statusCode).toBe(400);
    expect(tooLarge.json<Problem>().errors).toEqual([
      {
        pointer: '/files/0/contentBase64',
        detail: `scan.txt must be smaller than ${String(apiPackageMegabytes)} MB`,
      },
      {
        pointer: '/files/0/contentBase64',
        detail: `The files must be smaller than ${String(apiPackageMegabytes)} MB in total`,
      },
    ]);
    const together = await post(
      body({
        files: ['one.txt', 'two.txt'].map((name) => ({
          name,
          mediaType: 'text/plain',
          contentBase64: base64(Buffer.alloc(largest / 2 + 1, 'a')),
        })),
      }),
    );
    expect(together.statusCode).toBe(400);
    expect(together.json<Problem>().errors).toEqual([
      {
        pointer: '/files/1/contentBase64',
        detail: `The files must be smaller than ${String(apiPackageMegabytes)} MB in total`,
      },
    ]);

    const overLimit = await post(
      body({
        files: [
          {
            name: 'scan.txt',
            mediaType: 'text/plain',
            contentBase64: base64(Buffer.alloc(largest + 2 * megabyte, 'a')),
          },
        ],
      }),
    );
    expect(overLimit.statusCode).toBe(413);
    expect(overLimit.headers['content-type']).toContain('application/problem+json');
    expect(overLimit.json<Problem>().status).toBe(413);
    expect(await recorded()).toEqual(before);

    const atLimit = await post(
      body({
        files: [
          { name: 'scan.txt', mediaType: 'text/plain', contentBase64: base64(Buffer.alloc(largest, 'a')) },
        ],
      }),
    );
    expect(atLimit.statusCode, atLimit.body).toBe(201);
    const file = await context.db
      .selectFrom('exchange_package_files')
      .select('bytes')
      .where('package_id', '=', atLimit.json<Sent>().id)
      .executeTakeFirstOrThrow();
    expect(file.bytes).toBe(largest);
  }, 120_000);

  it('answers 404 for another organisation’s decision and a malformed id, and 403 to a token without disclosures.log', async () => {
    const before = await recorded();
    const elsewhereAnswer = await post(body(), { bearer: elsewhereToken });
    expect(elsewhereAnswer.statusCode).toBe(404);
    expect(elsewhereAnswer.headers['content-type']).toContain('application/problem+json');
    expect((await post(body(), { to: '/api/v1/decisions/not-an-id/exchange-packages' })).statusCode).toBe(
      404,
    );
    expect(
      (await post(body(), { to: `/api/v1/decisions/${randomUUID()}/exchange-packages` })).statusCode,
    ).toBe(404);

    const unscoped = await post(body(), { bearer: logOnlyToken });
    expect(unscoped.statusCode).toBe(403);
    expect(unscoped.headers['content-type']).toContain('application/problem+json');
    expect(unscoped.body).toContain('disclosures.log');
    expect(await recorded()).toEqual(before);
  });

  // Last: the withdrawal stops every later share under the decision.
  it('refuses (422, the disclosure log’s code) once the consent the decision rests on is withdrawn, sending nothing', async () => {
    const consent = await context.db
      .selectFrom('consents')
      .select('id')
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    await context.services.consent.withdraw(asPractitioner, consent.id, {
      withdrawnOn: '2026-12-01',
      method: 'telephone',
      by: 'parent_carer',
      note: 'Mum rang to withdraw consent.',
    });
    const before = await recorded();
    const response = await post(body());
    expect(response.statusCode, response.body).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<Problem>().errors).toContainEqual(
      expect.objectContaining({ code: 'DISCLOSURE.CONSENT_WITHDRAWN' }),
    );
    expect(await recorded()).toEqual(before);
    expect(await orphanObjects()).toEqual([]);
  }, 60_000);
});
