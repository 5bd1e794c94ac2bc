import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asPractitioner,
  context,
  setUpDisclosureWorldWith,
  shareToNeighbour,
} from '../../test/support/disclosure-world.ts';
import type { PackageUnavailableError, Reader } from './exchange.receiving.service.ts';

let dataDir: string;
const address = 'rebecca.sutton@wiltshire.gov.uk';

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-receiving-'));
  await setUpDisclosureWorldWith({ DATA_DIR: dataDir });
  context.clock.set('2026-12-01T10:00:00Z');
}, 60_000);

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(3 * 1_048_576)]);

async function send(overrides: { downloadLimit?: number } = {}) {
  return context.services.exchange.send(asPractitioner, shareToNeighbour, {
    recipientIndex: 0,
    categoryIds: ['education'],
    message: 'The report is attached.',
    mode: 'download',
    files: [{ name: 'report.pdf', content: Readable.from([pdf]) }],
    ...overrides,
  });
}

/** Asks for a code a second after the last one, so that the outbox orders them (the clock only goes forward here). */
async function requestCode(packageId: string, to = address): Promise<void> {
  context.clock.advance(1000);
  await context.services.exchange.requestCode(packageId, to);
}

/** The last code e-mailed to the address, read from the outbox as the recipient would. */
async function lastCode(): Promise<string> {
  const mail = await context.db
    .selectFrom('mail_outbox')
    .select('body')
    .where('to_address', '=', address)
    .where('subject', 'like', 'Your % code')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  return /Your code is (\d{6})/.exec(mail.body)?.[1] ?? '';
}

/** The reader a session token makes of the package; fails the test when it makes none. */
async function readerOf(packageId: string, token: string): Promise<Reader> {
  const reader = await context.services.exchange.reader(packageId, { token });
  if (reader === undefined) throw new Error('the session does not open the package');
  return reader;
}

async function codesSent(packageId: string): Promise<number> {
  const rows = await context.db
    .selectFrom('exchange_codes')
    .select('id')
    .where('package_id', '=', packageId)
    .execute();
  return rows.length;
}

async function signInTo(packageId: string): Promise<string> {
  await requestCode(packageId);
  const token = await context.services.exchange.verifyCode(packageId, address, await lastCode());
  if (token === undefined) throw new Error('no session');
  return token;
}

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('opening a package with a one-time code (R4.6.4)', () => {
  it('sends a code only to the package’s own address, says nothing either way, and audits each', async () => {
    const exchange = context.services.exchange;
    const sent = await send();
    await exchange.requestCode(sent.id, 'someone.else@wiltshire.gov.uk');
    expect(await codesSent(sent.id)).toBe(0);
    await exchange.requestCode(sent.id, '  Rebecca.Sutton@Wiltshire.gov.uk ');
    expect(await codesSent(sent.id)).toBe(1);
    await exchange.requestCode('00000000-0000-4000-8000-000000000000', address);
    const actions = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', sent.id)
      .orderBy('seq')
      .execute();
    expect(actions.map((row) => row.action)).toEqual([
      'exchange.package_sent',
      'exchange.code_refused',
      'exchange.code_sent',
    ]);
  });

  it('lets a code in once, within ten minutes, and kills it at the fifth wrong try', async () => {
    const exchange = context.services.exchange;
    const sent = await send();
    await requestCode(sent.id);
    const code = await lastCode();
    const wrong = code === '000000' ? '000001' : '000000';
    for (let attempt = 1; attempt <= 5; attempt += 1)
      expect(await exchange.verifyCode(sent.id, address, wrong)).toBeUndefined();
    // Dead after five: even the right code no longer works.
    expect(await exchange.verifyCode(sent.id, address, code)).toBeUndefined();

    await requestCode(sent.id);
    const fresh = await lastCode();
    expect(await exchange.verifyCode(sent.id, 'someone.else@wiltshire.gov.uk', fresh)).toBeUndefined();
    const token = await exchange.verifyCode(sent.id, address, fresh);
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(await exchange.verifyCode(sent.id, address, fresh)).toBeUndefined();

    await requestCode(sent.id);
    const late = await lastCode();
    context.clock.advance(10 * 60_000 + 1000);
    expect(await exchange.verifyCode(sent.id, address, late)).toBeUndefined();
  });

  it('sends at most ten codes a day for a package', async () => {
    const sent = await send();
    for (let request = 0; request < 12; request += 1) await requestCode(sent.id);
    expect(await codesSent(sent.id)).toBe(10);
  });

  it('opens the package for its session only, confirms receipt once, and the session ends after 30 idle minutes', async () => {
    const exchange = context.services.exchange;
    const sent = await send();
    const token = await signInTo(sent.id);
    const other = await send();
    expect(await exchange.reader(other.id, { token })).toBeUndefined();
    expect(await exchange.reader(sent.id, { token })).toMatchObject({ address, staff: false });
    const opened = await exchange.open(await readerOf(sent.id, token));
    expect(opened).toMatchObject({ message: 'The report is attached.', mode: 'download', downloadsLeft: 3 });
    expect(opened.files.map((file) => [file.name, file.mediaType, file.bytes])).toEqual([
      ['report.pdf', 'application/pdf', pdf.length],
    ]);
    const disclosure = await context.db
      .selectFrom('exchange_packages')
      .innerJoin('disclosures', 'disclosures.id', 'exchange_packages.disclosure_id')
      .select(['disclosures.receipt_confirmed_at', 'disclosures.receipt_how'])
      .where('exchange_packages.id', '=', sent.id)
      .executeTakeFirstOrThrow();
    expect(disclosure.receipt_confirmed_at).toEqual(context.clock.now());
    expect(disclosure.receipt_how).toContain(address);
    context.clock.advance(29 * 60_000);
    expect(await exchange.reader(sent.id, { token })).toMatchObject({ address, staff: false });
    context.clock.advance(31 * 60_000);
    expect(await exchange.reader(sent.id, { token })).toBeUndefined();
  });

  it('gives exactly the download limit under 50 parallel downloads, each file whole', async () => {
    const exchange = context.services.exchange;
    const sent = await send({ downloadLimit: 3 });
    const token = await signInTo(sent.id);
    const fileId = (await exchange.open(await readerOf(sent.id, token))).files[0]?.id ?? '';
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, async () =>
        read((await exchange.download(await readerOf(sent.id, token), fileId)).stream),
      ),
    );
    const whole = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    expect(whole).toHaveLength(3);
    for (const file of whole) expect(file.equals(pdf)).toBe(true);
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [(outcome.reason as PackageUnavailableError).reason] : [],
    );
    expect(refused).toEqual(Array.from({ length: 47 }, () => 'used-up'));
  });

  it('stops a download in progress when the package is withdrawn, and then says it was withdrawn', async () => {
    const exchange = context.services.exchange;
    const sent = await send();
    const token = await signInTo(sent.id);
    const fileId = (await exchange.open(await readerOf(sent.id, token))).files[0]?.id ?? '';
    const { stream } = await exchange.download(await readerOf(sent.id, token), fileId);
    const received: Buffer[] = [];
    const finished = (async () => {
      for await (const chunk of stream) {
        received.push(chunk as Buffer);
        if (received.length === 1)
          await exchange.revoke(asPractitioner, sent.id, 'Sent to the wrong caseworker.');
      }
    })();
    await expect(finished).rejects.toBeDefined();
    expect(Buffer.concat(received).length).toBeLessThan(pdf.length);
    await expect(exchange.open(await readerOf(sent.id, token))).rejects.toMatchObject({
      reason: 'withdrawn',
    });
    await expect(exchange.requestCode(sent.id, address)).resolves.toBeUndefined();
  });

  it('takes at most twenty replies to a package, and none once it has been withdrawn', async () => {
    const exchange = context.services.exchange;
    const sent = await send();
    const reader = await readerOf(sent.id, await signInTo(sent.id));
    for (let reply = 1; reply <= 20; reply += 1)
      await exchange.reply(reader, { message: `Reply ${String(reply)}.`, files: [] });
    await expect(exchange.reply(reader, { message: 'One more.', files: [] })).rejects.toMatchObject({
      code: 'EXCHANGE.REPLIES',
    });
    const other = await send();
    const otherReader = await readerOf(other.id, await signInTo(other.id));
    await exchange.revoke(asPractitioner, other.id, 'Sent too early.');
    await expect(exchange.reply(otherReader, { message: 'Thanks.', files: [] })).rejects.toMatchObject({
      reason: 'withdrawn',
    });
  });

  it('says an expired package has expired', async () => {
    const exchange = context.services.exchange;
    const sent = await send();
    const reader = await readerOf(sent.id, await signInTo(sent.id));
    context.clock.advance(20 * 86_400_000);
    await expect(exchange.open(reader)).rejects.toMatchObject({ reason: 'expired' });
    // The link itself now says so, before any code is asked for.
    await expect(exchange.checkLive(sent.id)).rejects.toMatchObject({ reason: 'expired' });
  });
});
