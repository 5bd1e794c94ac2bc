import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../../test/support/browser.ts';
import { createOrganisation, createPerson, createStaff, signIn } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { systemActor, type AuditEvent } from './index.ts';

let context: TestContext;
let ashford: string;
let barnet: string;
let childId: string;
let dpo: TestBrowser;
let auditor: TestBrowser;

async function record(event: Omit<AuditEvent, 'actor'> & { actor?: AuditEvent['actor'] }): Promise<void> {
  await context.db
    .transaction()
    .execute((trx) => context.services.audit.record(trx, { actor: systemActor, ...event }));
}

beforeAll(async () => {
  context = await testApp();
  ashford = await createOrganisation(context, {
    name: `Ashford Borough Council ${randomBytes(3).toString('hex')}`,
  });
  barnet = await createOrganisation(context, { name: `Barnet Council ${randomBytes(3).toString('hex')}` });
  childId = await createPerson(context, {
    organisationId: ashford,
    givenNames: 'Ava',
    familyName: 'Okonkwo',
  });
  // British Summer Time: 23:30 UTC on 1 July is 12:30am on 2 July in London.
  context.clock.set('2026-07-01T23:30:00Z');
  await record({
    organisationId: ashford,
    actor: { userId: null, label: '=SUM(A1:A9)' },
    action: 'consent.reviews_viewed',
    entity: { type: 'person', id: childId },
    personId: childId,
    change: { reason: 'Looked at the overdue reviews' },
  });
  await record({
    organisationId: barnet,
    action: 'person.viewed',
    entity: { type: 'person', id: childId },
    change: { reason: 'BARNET-ONLY-MARKER' },
  });
  context.clock.set('2026-12-04T10:00:00Z');
  dpo = await signIn(context, await createStaff(context, { roles: ['dpo'], organisationId: ashford }));
  auditor = await signIn(
    context,
    await createStaff(context, { roles: ['auditor'], organisationId: ashford }),
  );
});

describe('the readable audit trail', () => {
  it('names actions in plain words, shows times in UK time and the change as a description list', async () => {
    const page = await dpo.get('/audit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h3 class="moj-timeline__title">Opened the list of consent reviews</h3>');
    expect(page.body).not.toMatch(/<h3[^>]*>consent\.reviews_viewed/);
    const event = page.body.slice(page.body.indexOf('Opened the list of consent reviews</h3>'));
    expect(event).toMatch(/^[^]*?<\/h3>\s*<p class="moj-timeline__byline">by =SUM\(A1:A9\)<\/p>/);
    const when = /<time datetime="([^"]*)">([^<]*)<\/time>/.exec(event);
    // London's date, not UTC's (1 July); the machine-readable time is the instant itself.
    expect(when?.[2]).toMatch(/^2 July 2026 at (12|0):30am$/);
    expect(when?.[1]).toBe('2026-07-01T23:30:00.000Z');
    expect(page.body).toMatch(
      /<dt class="safeshare-trail__key">Reason<\/dt>\s*<dd class="safeshare-trail__value">Looked at the overdue reviews<\/dd>/,
    );
    expect(page.body).toContain(
      '<option value="consent.reviews_viewed">Opened the list of consent reviews</option>',
    );
  });

  it('names the person to the DPO, and not to the auditor', async () => {
    expect((await dpo.get('/audit')).body).toContain('Ava Okonkwo');
    const audited = await auditor.get('/audit');
    expect(audited.body).not.toMatch(/About<\/dt>\s*<dd[^>]*>[^<]*<a[^>]*>Ava Okonkwo/);
    expect(audited.body).toMatch(
      /About<\/dt>\s*<dd[^>]*>A person’s record: <a[^>]*>A child or family member/,
    );
    expect(audited.body).not.toContain('Find a person by name');
    expect(audited.body).toContain('id="person"');
  });

  it('finds a person by a posted name and filters the trail by their id', async () => {
    await dpo.get('/audit');
    const found = await dpo.post('/audit', { name: 'ava okonkwo' });
    expect(found.statusCode).toBe(200);
    const link = /<a class="govuk-link" href="(\/audit\?person=[^"]+)">Ava Okonkwo<\/a>/.exec(
      found.body,
    )?.[1];
    expect(link).toBe(`/audit?person=${childId}`);
    const filtered = await dpo.get(link ?? '/audit');
    expect(filtered.body).toContain('Opened the list of consent reviews');
    const events = [...filtered.body.matchAll(/<h3 class="moj-timeline__title">([^<]*)<\/h3>/g)].map(
      (match) => match[1],
    );
    expect(events).toEqual(['Added a person', 'Opened the list of consent reviews']);
    expect(filtered.body).toMatch(/Person<\/h3>[^]*Ava Okonkwo/);
    const blank = await dpo.post('/audit', { name: ' ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('Enter a name');
  });

  it("exports the filtered trail as CSV, formulas escaped, another organisation's never, and records the export", async () => {
    const csv = await dpo.get('/audit/export?action=consent.reviews_viewed');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=SUM(A1:A9)"`);
    expect(lines[1]).toContain('"Opened the list of consent reviews","consent.reviews_viewed"');
    expect(lines[1]).toContain('"Ava Okonkwo"');
    expect(csv.body).not.toContain('BARNET-ONLY-MARKER');
    const everything = await dpo.get('/audit/export');
    expect(everything.body).not.toContain('BARNET-ONLY-MARKER');
    const exported = await context.db
      .selectFrom('audit_events')
      .select('change')
      .where('organisation_id', '=', ashford)
      .where('action', '=', 'audit.exported')
      .execute();
    expect(exported.map((event) => event.change['events'])).toContain(1);
    expect((await dpo.get('/audit/export?action=Not%20an%20action')).statusCode).toBe(400);
  });

  it('refuses the export and the name search to staff without the auditor or DPO role', async () => {
    const practitioner = await signIn(
      context,
      await createStaff(context, { roles: ['practitioner'], organisationId: ashford }),
    );
    expect((await practitioner.get('/audit/export')).statusCode).toBe(403);
    expect((await practitioner.post('/audit', { name: 'Ava' })).statusCode).toBe(403);
  });
});
