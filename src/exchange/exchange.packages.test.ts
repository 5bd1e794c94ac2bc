import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewerOf } from '../../test/support/consent-fixtures.ts';
import {
  asPractitioner,
  childId,
  colleague,
  context,
  dpo,
  notShared,
  setUpDisclosureWorldWith,
  shareToNeighbour,
} from '../../test/support/disclosure-world.ts';
import { DisclosureRuleError } from '../disclosures/index.ts';
import { NotFoundError } from '../lib/errors.ts';
import { ObjectGoneError } from './exchange.vault.ts';
import { ExchangeRuleError, type NewPackage } from './exchange.packages.service.ts';

let dataDir: string;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-packages-'));
  await setUpDisclosureWorldWith({ DATA_DIR: dataDir });
  context.clock.set('2026-12-01T10:00:00Z');
}, 60_000);

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const file = (name: string, bytes: Buffer) => ({ name, content: Readable.from([bytes]) });
const request = (overrides: Partial<NewPackage> = {}): NewPackage => ({
  recipientIndex: 0,
  categoryIds: ['education'],
  message: 'The EHC needs assessment report is attached, as discussed.',
  mode: 'download',
  files: [file('Assessment report.pdf', pdf)],
  ...overrides,
});

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const liveObjects = async () =>
  (
    await context.db
      .selectFrom('exchange_objects')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('shredded_at', 'is', null)
      .executeTakeFirstOrThrow()
  ).count;

describe('sending a secure exchange package (R4.6.4)', () => {
  it('seals the message and files, logs the disclosure with the package as evidence, and e-mails only a link', async () => {
    const exchange = context.services.exchange;
    const sent = await exchange.send(asPractitioner, shareToNeighbour, request());
    expect(sent.reference).toMatch(/^EX-\d{7}$/);
    const row = await context.db
      .selectFrom('exchange_packages')
      .selectAll()
      .where('id', '=', sent.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      recipient_address: 'rebecca.sutton@wiltshire.gov.uk',
      mode: 'download',
      download_limit: context.services.policy.exchange.defaultDownloadLimit,
      ended: null,
    });
    expect(row.expires_at).toEqual(new Date('2026-12-15T10:00:00Z'));
    const disclosure = await context.db
      .selectFrom('disclosures')
      .select(['method', 'decision_id'])
      .where('id', '=', row.disclosure_id)
      .executeTakeFirstOrThrow();
    expect(disclosure).toEqual({ method: 'secure-exchange', decision_id: shareToNeighbour });
    const files = await context.db
      .selectFrom('exchange_package_files')
      .selectAll()
      .where('package_id', '=', sent.id)
      .execute();
    expect(files.map((entry) => [entry.name, entry.media_type, entry.bytes])).toEqual([
      ['Assessment report.pdf', 'application/pdf', pdf.length],
    ]);
    expect((await read(await exchange.vault.open(files[0]?.object_id ?? ''))).equals(pdf)).toBe(true);
    expect((await read(await exchange.vault.open(row.message_object_id))).toString()).toBe(
      'The EHC needs assessment report is attached, as discussed.',
    );
    const mail = await context.db
      .selectFrom('mail_outbox')
      .select(['subject', 'body'])
      .where('to_address', '=', 'rebecca.sutton@wiltshire.gov.uk')
      .executeTakeFirstOrThrow();
    expect(mail.subject).toMatch(/^Secure information from Swindon Borough Council/);
    expect(mail.body).toContain(`/exchange/packages/${sent.id}`);
    expect(`${mail.subject} ${mail.body}`).not.toMatch(/Amelia|Hughes|EHC|Assessment report/);
    const events = await context.db
      .selectFrom('audit_events')
      .select(['action', 'change'])
      .where('entity_id', '=', sent.id)
      .execute();
    expect(events.map((event) => event.action)).toEqual(['exchange.package_sent']);
  });

  it('refuses what the pack and the decision forbid, and leaves nothing readable behind', async () => {
    const exchange = context.services.exchange;
    const before = await liveObjects();
    const refusals: [string, Partial<NewPackage>, RegExp][] = [
      ['no message', { message: '   ' }, /Enter a message/],
      ['too long to keep', { expiresInDays: 31 }, /expiry from 1 to 30 days/],
      ['too many downloads', { downloadLimit: 11 }, /download limit from 1 to 10/],
      [
        'a program',
        { files: [file('report.pdf', Buffer.from('MZ\x90\x00 this is a program'))] },
        /not a kind of file/,
      ],
      ['an empty file', { files: [file('empty.pdf', Buffer.alloc(0))] }, /empty\.pdf is empty/],
      ['a reserved name', { files: [file('CON.pdf', pdf)] }, /reserved/],
      [
        'a file too large to be shown view only',
        {
          mode: 'view-only',
          files: [file('bundle.pdf', Buffer.concat([pdf, Buffer.alloc(51 * 1_048_576)]))],
        },
        /bundle\.pdf is too large to send view only/,
      ],
      [
        'too many files',
        { files: Array.from({ length: 11 }, (_, index) => file(`f${String(index)}.pdf`, pdf)) },
        /Attach up to 10 files/,
      ],
    ];
    for (const [what, overrides, message] of refusals) {
      const error = await exchange
        .send(asPractitioner, shareToNeighbour, request(overrides))
        .catch((caught: unknown) => caught);
      expect(error, what).toBeInstanceOf(ExchangeRuleError);
      expect((error as ExchangeRuleError).message, what).toMatch(message);
    }
    // The decision's own rules, checked now: a category it did not share, a decision not to share.
    await expect(
      exchange.send(asPractitioner, shareToNeighbour, request({ categoryIds: ['social-care'] })),
    ).rejects.toBeInstanceOf(DisclosureRuleError);
    await expect(exchange.send(asPractitioner, notShared, request())).rejects.toBeInstanceOf(
      DisclosureRuleError,
    );
    expect(await liveObjects()).toBe(before);
  });

  it('is revoked at once by its sender or the DPO, destroying its keys; a colleague cannot', async () => {
    const exchange = context.services.exchange;
    const sent = await exchange.send(asPractitioner, shareToNeighbour, request());
    const asColleague = viewerOf(colleague, ['practitioner'], 'Tom Walsh');
    await expect(exchange.revoke(asColleague, sent.id, 'Sent by mistake.')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(exchange.revoke(asPractitioner, sent.id, ' ')).rejects.toBeInstanceOf(ExchangeRuleError);
    await exchange.revoke(viewerOf(dpo, ['dpo'], 'Dana Okafor'), sent.id, 'Sent to the wrong caseworker.');
    const row = await context.db
      .selectFrom('exchange_packages')
      .selectAll()
      .where('id', '=', sent.id)
      .executeTakeFirstOrThrow();
    expect(row.ended).toBe('revoked');
    await expect(exchange.vault.open(row.message_object_id)).rejects.toBeInstanceOf(ObjectGoneError);
    await expect(exchange.revoke(asPractitioner, sent.id, 'Again.')).rejects.toThrow(
      /already been withdrawn/,
    );
  });

  it('is revoked by the sender’s line manager, and by no other manager', async () => {
    const exchange = context.services.exchange;
    const sent = await exchange.send(asPractitioner, shareToNeighbour, request());
    // The colleague manages the practitioner for this test only.
    await context.db
      .updateTable('users')
      .set({ line_manager_id: colleague.id })
      .where('id', '=', asPractitioner.userId)
      .execute();
    try {
      const asManager = viewerOf(colleague, ['manager'], 'Tom Walsh');
      const asOtherManager = viewerOf(dpo, ['manager'], 'Dana Okafor');
      await expect(exchange.revoke(asOtherManager, sent.id, 'Not mine.')).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await exchange.revoke(asManager, sent.id, 'Sent before the strategy meeting agreed it.');
      expect(
        (
          await context.db
            .selectFrom('exchange_packages')
            .select('ended')
            .where('id', '=', sent.id)
            .executeTakeFirstOrThrow()
        ).ended,
      ).toBe('revoked');
    } finally {
      await context.db
        .updateTable('users')
        .set({ line_manager_id: null })
        .where('id', '=', asPractitioner.userId)
        .execute();
    }
  });

  it('expires when its time comes, and the job destroys its keys once', async () => {
    const exchange = context.services.exchange;
    const sent = await exchange.send(asPractitioner, shareToNeighbour, request({ expiresInDays: 1 }));
    expect(await exchange.expireDue()).toBe(0);
    context.clock.set('2026-12-02T10:00:00Z');
    expect(await exchange.expireDue()).toBeGreaterThanOrEqual(1);
    expect(await exchange.expireDue()).toBe(0);
    const row = await context.db
      .selectFrom('exchange_packages')
      .select(['ended', 'message_object_id'])
      .where('id', '=', sent.id)
      .executeTakeFirstOrThrow();
    expect(row.ended).toBe('expired');
    await expect(exchange.vault.open(row.message_object_id)).rejects.toBeInstanceOf(ObjectGoneError);
    await expect(
      context.db.updateTable('exchange_packages').set({ ended: null }).where('id', '=', sent.id).execute(),
    ).rejects.toThrow(/cannot change/);
  });

  it('withdrawal of the consent it relied on revokes each package not yet opened, and tells its sender (R3.3)', async () => {
    const exchange = context.services.exchange;
    const unopened = await exchange.send(asPractitioner, shareToNeighbour, request());
    const opened = await exchange.send(asPractitioner, shareToNeighbour, request());
    await exchange.requestCode(opened.id, 'rebecca.sutton@wiltshire.gov.uk');
    const mail = await context.db
      .selectFrom('mail_outbox')
      .select('body')
      .where('subject', 'like', 'Your % code')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const token = await exchange.verifyCode(
      opened.id,
      'rebecca.sutton@wiltshire.gov.uk',
      /(\d{6})/.exec(mail.body)?.[1] ?? '',
    );
    const reader = await exchange.reader(opened.id, { token });
    if (reader === undefined) throw new Error('the code opened nothing');
    await exchange.open(reader);

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
    const rows = await context.db
      .selectFrom('exchange_packages')
      .select(['id', 'ended', 'end_reason'])
      .where('id', 'in', [unopened.id, opened.id])
      .execute();
    expect(rows.find((row) => row.id === unopened.id)).toMatchObject({
      ended: 'revoked',
      end_reason: 'Consent withdrawn on 2026-12-01, before the package was opened',
    });
    expect(rows.find((row) => row.id === opened.id)?.ended).toBeNull();
    const told = await context.db
      .selectFrom('notifications')
      .select('subject')
      .where('user_id', '=', asPractitioner.userId)
      .where('kind', '=', 'exchange.package_revoked')
      .execute();
    // Every unopened package under the decision, this one and the first test's, each once.
    expect(told.map((row) => row.subject)).toContain(
      `Secure exchange package ${unopened.reference} withdrawn: consent was withdrawn`,
    );
    expect(told.map((row) => row.subject)).not.toContain(
      `Secure exchange package ${opened.reference} withdrawn: consent was withdrawn`,
    );
    // Shredded inside the withdrawal's transaction, the sealed bytes go with the nightly job's sweep.
    const messageObject = (
      await context.db
        .selectFrom('exchange_packages')
        .select('message_object_id')
        .where('id', '=', unopened.id)
        .executeTakeFirstOrThrow()
    ).message_object_id;
    const stored = path.join(dataDir, 'exchange', messageObject.slice(0, 2), messageObject);
    await expect(fs.stat(stored)).resolves.toBeDefined();
    await exchange.expireDue();
    await expect(fs.stat(stored)).rejects.toThrow(/ENOENT/);
    // Nothing more goes under the decision: consent is checked at the moment of sending.
    await expect(exchange.send(asPractitioner, shareToNeighbour, request())).rejects.toBeInstanceOf(
      DisclosureRuleError,
    );
  });
});
