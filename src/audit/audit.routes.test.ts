import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, type TestBrowser } from '../../test/support/browser.ts';
import {
  createOrganisation,
  createPerson,
  createStaff,
  signIn,
  type TestStaff,
} from '../../test/support/factories.ts';
import { seedDecision, seedDisclosure } from '../../test/support/oversight-seed.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { systemActor, type AuditEvent } from './index.ts';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let context: TestContext;
let ashford: string;
let barnet: string;
let auditor: TestStaff;
let browser: TestBrowser;
const child = randomUUID();

async function record(event: Omit<AuditEvent, 'actor'> & { actor?: AuditEvent['actor'] }): Promise<void> {
  await context.db
    .transaction()
    .execute((trx) => context.services.audit.record(trx, { actor: systemActor, ...event }));
}

/** The sequence numbers of the events listed on a trail page, in page order. */
function listedSeqs(html: string): number[] {
  return [...html.matchAll(/data-seq="(\d+)"/g)].map((match) => Number(match[1]));
}

function link(html: string, rel: 'prev' | 'next'): string | undefined {
  return new RegExp(`href="([^"]+)" rel="${rel}"`).exec(html)?.[1]?.replace(/&amp;/g, '&');
}

beforeAll(async () => {
  context = await testApp();
  ashford = await createOrganisation(context, {
    name: `Ashford Borough Council ${randomBytes(3).toString('hex')}`,
  });
  barnet = await createOrganisation(context, { name: `Barnet Council ${randomBytes(3).toString('hex')}` });
  auditor = await createStaff(context, {
    roles: ['auditor'],
    organisationId: ashford,
    displayName: 'Alex Auditor',
  });
  await createStaff(context, { roles: ['auditor'], organisationId: barnet, displayName: 'Bea Barnet' });
  // Barnet's trail holds a marker that Ashford's auditor must never see.
  await record({
    organisationId: barnet,
    action: 'person.viewed',
    entity: { type: 'person', id: child },
    personId: child,
    change: { reason: 'BARNET-ONLY-MARKER' },
  });
  await record({
    organisationId: barnet,
    action: 'barnet.only_action',
    entity: { type: 'thing', id: null },
    change: {},
  });
  context.clock.set('2026-12-01T10:00:00Z');
  await record({
    organisationId: ashford,
    action: 'person.viewed',
    entity: { type: 'person', id: child },
    personId: child,
    change: { reason: 'allocated worker', secretToken: 'must-not-show' },
  });
  context.clock.set('2026-12-03T10:00:00Z');
  await record({
    organisationId: ashford,
    action: 'consent.recorded',
    entity: { type: 'consent', id: randomUUID() },
    personId: child,
    change: { status: 'given', lawfulBasis: 'consent' },
  });
  browser = await signIn(context, auditor);
});

describe('the audit trail page', () => {
  it("shows the viewer organisation's events, newest first, and never another organisation's", async () => {
    const page = await browser.get('/audit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('consent.recorded');
    expect(page.body).toContain('Lawful basis');
    expect(page.body).toContain('user.created');
    expect(page.body).not.toContain('BARNET-ONLY-MARKER');
    expect(page.body).not.toContain('barnet.only_action');
    expect(page.body).not.toContain('must-not-show');
    expect(page.body).toContain('Not shown (secret)');
    const seqs = listedSeqs(page.body);
    expect(seqs.length).toBeGreaterThan(3);
    const events = await context.db
      .selectFrom('audit_events')
      .select(['seq', 'occurred_at'])
      .where('organisation_id', '=', ashford)
      .execute();
    const times = new Map(events.map((event) => [event.seq, event.occurred_at.getTime()]));
    const shown = seqs.map((seq) => times.get(seq) ?? Number.NaN);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
  });

  it("shows one event with its hash and previous hash, and another organisation's event never", async () => {
    const [first, second] = await context.db
      .selectFrom('audit_events')
      .select(['seq', 'hash', 'prev_hash'])
      .where('organisation_id', '=', ashford)
      .orderBy('seq')
      .limit(2)
      .execute();
    const page = await browser.get(`/audit/events/${String(second?.seq)}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`id="event-hash">${second?.hash ?? 'x'}<`);
    expect(page.body).toContain(`id="previous-hash">${first?.hash ?? 'x'}<`);
    expect(second?.prev_hash).toBe(first?.hash);

    const barnetEvents = await context.db
      .selectFrom('audit_events')
      .select('seq')
      .where('organisation_id', '=', barnet)
      .orderBy('seq', 'desc')
      .execute();
    const beyondAshford = (barnetEvents[0]?.seq ?? 0) + 1000;
    expect((await browser.get(`/audit/events/${String(beyondAshford)}`)).statusCode).toBe(404);
    for (const { seq } of barnetEvents)
      expect((await browser.get(`/audit/events/${String(seq)}`)).body).not.toContain('BARNET-ONLY-MARKER');
    expect((await browser.get('/audit/events/0')).statusCode).toBe(404);
    expect((await browser.get('/audit/events/not-a-number')).statusCode).toBe(404);
  });

  it('filters by person, user, action and date range', async () => {
    const byPerson = await browser.get(`/audit?person=${child}`);
    expect(byPerson.statusCode).toBe(200);
    expect(listedSeqs(byPerson.body)).toHaveLength(2);
    expect(byPerson.body).toContain('Selected filters');

    const byAction = await browser.get('/audit?action=consent.recorded');
    expect(listedSeqs(byAction.body)).toHaveLength(1);

    const byUser = await browser.get(`/audit?user=${auditor.id}`);
    expect(byUser.statusCode).toBe(200);
    const signedIn = await context.db
      .selectFrom('audit_events')
      .select('seq')
      .where('organisation_id', '=', ashford)
      .where('actor_user_id', '=', auditor.id)
      .execute();
    expect(signedIn.length).toBeGreaterThan(0);
    expect(listedSeqs(byUser.body).sort((a, b) => a - b)).toEqual(
      signedIn.map((row) => row.seq).sort((a, b) => a - b),
    );

    // 1 to 2 December (London): the person.viewed of 1 December only; 3 December: the consent only.
    const first = await browser.get(
      `/audit?person=${child}&from-day=1&from-month=12&from-year=2026&to-day=2&to-month=12&to-year=2026`,
    );
    expect(first.statusCode).toBe(200);
    expect(listedSeqs(first.body)).toHaveLength(1);
    expect(first.body).toContain('person.viewed');
    const third = await browser.get(
      `/audit?person=${child}&from-day=3&from-month=12&from-year=2026&to-day=3&to-month=12&to-year=2026`,
    );
    expect(listedSeqs(third.body)).toHaveLength(1);
    expect(third.body).toContain('consent.recorded');
    // Empty fields, as a GET form sends them, are no filter at all.
    const blank = await browser.get(
      '/audit?person=&user=&action=&from-day=&from-month=&from-year=&to-day=&to-month=&to-year=',
    );
    expect(blank.statusCode).toBe(200);
  });

  it('finds a person’s decisions and disclosures by the person, though their events name them only in their change', async () => {
    const sibling = await createPerson(context, { organisationId: ashford });
    const brother = await createPerson(context, { organisationId: ashford });
    const other = await createPerson(context, { organisationId: ashford });
    const about = async (personIds: string[], marker: string) => {
      const decisionId = await seedDecision(context.db, {
        organisationId: ashford,
        recordedBy: auditor.id,
        recordedAt: '2026-12-02T10:00:00Z',
        personIds,
      });
      await seedDisclosure(context.db, {
        organisationId: ashford,
        decisionId,
        disclosedBy: auditor.id,
        disclosedAt: '2026-12-02T11:00:00Z',
        method: 'post',
        recipientOrganisationId: ashford,
      });
      const disclosure = await context.db
        .selectFrom('disclosures')
        .select('id')
        .where('decision_id', '=', decisionId)
        .executeTakeFirstOrThrow();
      await record({
        organisationId: ashford,
        action: 'sharing.decision_recorded',
        entity: { type: 'sharing_decision', id: decisionId },
        change: { reasons: `${marker} decision` },
      });
      await record({
        organisationId: ashford,
        action: 'disclosure.recorded',
        entity: { type: 'disclosure', id: disclosure.id },
        change: { description: `${marker} letter` },
      });
    };
    await about([sibling, brother], 'SHARED-ABOUT-BOTH');
    await about([other], 'ABOUT-SOMEONE-ELSE');

    for (const personId of [sibling, brother]) {
      const page = await browser.get(`/audit?person=${personId}`);
      expect(page.statusCode).toBe(200);
      // Their record's creation (the person's own event), the decision and the disclosure.
      expect(listedSeqs(page.body)).toHaveLength(3);
      expect(page.body).toContain('SHARED-ABOUT-BOTH decision');
      expect(page.body).toContain('SHARED-ABOUT-BOTH letter');
      expect(page.body).not.toContain('ABOUT-SOMEONE-ELSE');
      const exported = await browser.get(`/audit/export?person=${personId}`);
      expect(exported.statusCode).toBe(200);
      expect(exported.body).toContain('SHARED-ABOUT-BOTH letter');
      expect(exported.body).not.toContain('ABOUT-SOMEONE-ELSE');
    }
    // The export's own event records the filter as asked, not the records it was widened to.
    const recorded = await context.db
      .selectFrom('audit_events')
      .select('change')
      .where('organisation_id', '=', ashford)
      .where('action', '=', 'audit.exported')
      .where('person_id', '=', brother)
      .executeTakeFirstOrThrow();
    expect(Object.keys(recorded.change as object).sort()).toEqual(
      ['action', 'actorUserId', 'events', 'from', 'personId', 'to'].sort(),
    );
  });

  it('refuses bad filters with 400 and an error summary', async () => {
    const cases: [string, string][] = [
      ['from-day=31&from-month=2&from-year=2026', 'Date from must be a real date'],
      [
        'from-day=1&from-month=12&from-year=2026&to-day=30&to-month=11&to-year=2026',
        'Date to must be the same as or after date from',
      ],
      ['to-day=1&to-year=2026', 'Date to must include a month'],
      ['from-day=1&from-month=1&from-year=26', 'Year must include 4 numbers'],
      [
        'person=not-a-uuid',
        'Enter a person ID in the correct format, like 6f1c2a7e-3b7d-4d59-9a53-0e4f6d1c9b21',
      ],
      [
        `person=${'a'.repeat(5000)}`,
        'Person ID must be 36 characters, like 6f1c2a7e-3b7d-4d59-9a53-0e4f6d1c9b21',
      ],
      ['action=made.up', 'Select an action from the list'],
      ['action=barnet.only_action', 'Select an action from the list'],
      [`action=${'x'.repeat(500)}`, 'Select an action from the list'],
      [`user=${randomUUID()}`, 'Select a user from the list'],
      ['before=-1', 'The page link is not valid: go back to the first page'],
      ['surprise=1', 'The form has a field it does not expect (surprise)'],
    ];
    for (const [query, message] of cases) {
      const response = await browser.get(`/audit?${query}`);
      expect(response.statusCode, query.slice(0, 60)).toBe(400);
      expect(errorSummary(response.body), query.slice(0, 60)).toContain(message);
      expect(listedSeqs(response.body)).toEqual([]);
    }
    const dateError = await browser.get('/audit?from-day=31&from-month=2&from-year=2026');
    expect(dateError.body).toContain('href="#from-day"');
  });

  it('pages through the trail 50 at a time, older and back to newer, without gaps or repeats', async () => {
    for (let index = 0; index < 120; index += 1) {
      if (index % 10 === 0) context.clock.advance(60_000);
      await record({
        organisationId: ashford,
        action: 'person.viewed',
        entity: { type: 'person', id: null },
        change: { index },
      });
    }
    const total = (
      await context.db
        .selectFrom('audit_events')
        .select('seq')
        .where('organisation_id', '=', ashford)
        .execute()
    ).length;
    const seen: number[] = [];
    let url: string | undefined = '/audit';
    const pages: string[] = [];
    while (url !== undefined) {
      const response = await browser.get(url);
      expect(response.statusCode).toBe(200);
      const seqs = listedSeqs(response.body);
      expect(seqs.length).toBeLessThanOrEqual(50);
      seen.push(...seqs);
      pages.push(url);
      url = link(response.body, 'next');
    }
    expect(pages.length).toBe(Math.ceil(total / 50));
    expect(new Set(seen).size).toBe(total);
    expect(seen).toHaveLength(total);

    // Back from the second page to the first.
    const second = await browser.get(pages[1] ?? '/audit');
    const back = link(second.body, 'prev');
    expect(back).toBeDefined();
    const first = await browser.get(back ?? '/audit');
    expect(listedSeqs(first.body)).toEqual(seen.slice(0, 50));
    // Paging keeps the filter.
    const filtered = await browser.get('/audit?action=person.viewed');
    expect(link(filtered.body, 'next')).toContain('action=person.viewed');
  });

  it('refuses staff without the auditor or DPO role', async () => {
    const practitioner = await createStaff(context, { roles: ['practitioner'], organisationId: ashford });
    const other = await signIn(context, practitioner);
    expect((await other.get('/audit')).statusCode).toBe(403);
    expect((await other.get('/audit/events/1')).statusCode).toBe(403);
    expect((await other.get('/audit/verify')).statusCode).toBe(403);
    expect((await other.post('/audit/verify')).statusCode).toBe(403);
    const dpo = await signIn(
      context,
      await createStaff(context, { roles: ['dpo'], organisationId: ashford }),
    );
    expect((await dpo.get('/audit')).statusCode).toBe(200);
  });
});

describe('verifying the audit trail', () => {
  it('refuses a verification without its CSRF token', async () => {
    await browser.get('/audit/verify');
    const response = await browser.post('/audit/verify', {}, { csrf: false });
    expect(response.statusCode).toBe(403);
  });

  it("verifies every chain, says how many events, and records the check in the viewer's chain", async () => {
    const page = await browser.get('/audit/verify');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Verify the audit trail');
    const events = (await context.db.selectFrom('audit_events').select('seq').execute()).length;
    const response = await browser.post('/audit/verify');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(`Verified ${events.toLocaleString('en-GB')} events`);
    const recorded = await context.db
      .selectFrom('audit_events')
      .select(['change', 'actor_user_id'])
      .where('organisation_id', '=', ashford)
      .where('action', '=', 'audit.verified')
      .executeTakeFirstOrThrow();
    expect(recorded.actor_user_id).toBe(auditor.id);
    expect(recorded.change).toMatchObject({ ok: true, events });
  });

  it('has the command line verify a good chain: "verified N events", exit 0', async () => {
    const events = (await context.db.selectFrom('audit_events').select('seq').execute()).length;
    const outcome = await cli(['audit', 'verify']);
    expect(outcome.stdout).toContain(`verified ${String(events)} events`);
    expect(outcome.code).toBe(0);
  }, 90_000);

  it('lists every break in every chain, on the page and the command line, and records what it found', async () => {
    const barnetName = (
      await context.db
        .selectFrom('organisations')
        .select('name')
        .where('id', '=', barnet)
        .executeTakeFirstOrThrow()
    ).name;
    const ashfordName = (
      await context.db
        .selectFrom('organisations')
        .select('name')
        .where('id', '=', ashford)
        .executeTakeFirstOrThrow()
    ).name;
    // An event of Ashford's chain that has a later one: deleting it leaves a gap, not a shorter chain.
    const deleted = await context.db
      .selectFrom('audit_events')
      .select('seq')
      .where('organisation_id', '=', ashford)
      .where('action', '=', 'person.viewed')
      .executeTakeFirstOrThrow();
    await context.ownerDb.transaction().execute(async (trx) => {
      await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(trx);
      await sql`UPDATE audit_events SET change = jsonb_set(change, '{reason}', '"BARNET-ONLY-MARKEr"'::jsonb) WHERE organisation_id = ${barnet} AND action = 'person.viewed'`.execute(
        trx,
      );
      await sql`DELETE FROM audit_events WHERE organisation_id = ${ashford} AND seq = ${deleted.seq}`.execute(
        trx,
      );
      await sql`ALTER TABLE audit_events ENABLE TRIGGER USER`.execute(trx);
    });
    const altered = await context.db
      .selectFrom('audit_events')
      .select('seq')
      .where('organisation_id', '=', barnet)
      .where('action', '=', 'person.viewed')
      .executeTakeFirstOrThrow();

    await browser.get('/audit/verify');
    const response = await browser.post('/audit/verify');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('The audit trail has been altered');
    expect(response.body).toContain('2 breaks found');
    expect(breakCells(response.body)).toEqual(['Missing', 'Altered']);
    expect(response.body).toContain(ashfordName);
    expect(response.body).toContain(`event ${String(deleted.seq)} is missing`);
    expect(response.body).toContain(barnetName);
    expect(response.body).toContain(barnet);
    expect(response.body).toContain(`event ${String(altered.seq)} has been altered`);
    expect(response.body).not.toContain('not listed');
    const recorded = await context.db
      .selectFrom('audit_events')
      .select('change')
      .where('organisation_id', '=', ashford)
      .where('action', '=', 'audit.verified')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(recorded.change).toMatchObject({
      ok: false,
      breaks: 2,
      moreFindings: 0,
      findings: [
        { organisationId: ashford, seq: deleted.seq, lastSeq: deleted.seq, problem: 'missing' },
        { organisationId: barnet, seq: altered.seq, lastSeq: altered.seq, problem: 'altered' },
      ],
    });

    const outcome = await cli(['audit', 'verify']);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toContain('FAILED: 2 breaks found in 2 chains');
    expect(outcome.stdout).toContain(
      `organisation "${ashfordName}" (${ashford}), event ${String(deleted.seq)}: missing`,
    );
    expect(outcome.stdout).toContain(
      `organisation "${barnetName}" (${barnet}), event ${String(altered.seq)}: altered`,
    );
  }, 90_000);

  it('lists the first 100 breaks on the page and counts the rest', async () => {
    const croydon = await createOrganisation(context, {
      name: `Croydon Council ${randomBytes(3).toString('hex')}`,
    });
    for (let index = 0; index < 105; index += 1)
      await record({
        organisationId: croydon,
        action: 'person.viewed',
        entity: { type: 'person', id: null },
        change: { visit: index },
      });
    // Every event of Croydon's chain altered: one break per event, after the two already there.
    await context.ownerDb.transaction().execute(async (trx) => {
      await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(trx);
      await sql`UPDATE audit_events SET actor_label = 'Someone else' WHERE organisation_id = ${croydon}`.execute(
        trx,
      );
      await sql`ALTER TABLE audit_events ENABLE TRIGGER USER`.execute(trx);
    });
    const altered = (
      await context.db
        .selectFrom('audit_events')
        .select('seq')
        .where('organisation_id', '=', croydon)
        .execute()
    ).length;
    expect(altered).toBeGreaterThan(100);
    await browser.get('/audit/verify');
    const response = await browser.post('/audit/verify');
    expect(response.statusCode).toBe(200);
    expect(/id="breaks-summary">([^<]*)</.exec(response.body)?.[1]).toMatch(
      new RegExp(`^${String(altered + 2)} breaks found in `),
    );
    expect(breakCells(response.body)).toHaveLength(100);
    expect(/id="breaks-more">([^<]*)</.exec(response.body)?.[1]).toBe(
      `The first 100 breaks are listed; ${String(altered + 2 - 100)} more breaks were found and not listed.`,
    );
  }, 90_000);
});

/** The problem of each break the verification page lists, in page order. */
function breakCells(html: string): string[] {
  return [...html.matchAll(/data-break="([^"]+)"/g)].map((match) => match[1] ?? '');
}

async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/safeshare.js', ...args],
      {
        cwd: repositoryRoot,
        env: {
          ...process.env,
          DATABASE_URL: context.url,
          SECRET_KEY: randomBytes(32).toString('hex'),
          NODE_ENV: 'development',
          LOG_LEVEL: 'silent',
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          stdout,
          stderr,
        }),
    );
  });
}
