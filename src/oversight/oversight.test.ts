import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../../test/support/browser.ts';
import {
  createOrganisation,
  createPerson,
  createStaff,
  signIn,
  type TestStaff,
} from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { seedDecision, seedDisclosure, seedMany } from '../../test/support/oversight-seed.ts';

let context: TestContext;
let ashford: string;
let barnet: string;
let police: string;
let school: string;
let manager: TestStaff;
let first: TestStaff;
let second: TestStaff;
let outsider: TestStaff;
let dpo: TestBrowser;
let auditor: TestBrowser;
let childId: string;
const decisions: Record<string, string> = {};

/** The figures of one dashboard table, by row label. */
function tableOf(html: string, table: string): Record<string, number> {
  const start = html.indexOf(`data-table="${table}"`);
  if (start < 0) return {};
  const body = html.slice(start, html.indexOf('</table>', start));
  const figures: Record<string, number> = {};
  for (const row of body.matchAll(
    /<tr class="govuk-table__row">\s*<th[^>]*>([^<]*)<\/th>\s*<td[^>]*>([^<]*)<\/td>/g,
  ))
    figures[(row[1] ?? '').trim()] = Number((row[2] ?? '').replace(/,/g, ''));
  return figures;
}

function actionCount(html: string, label: string): number | undefined {
  const match = new RegExp(`safeshare-work__count[^"]*">(\\d+)</span>\\s*${label}`).exec(html);
  return match === null ? undefined : Number(match[1]);
}

beforeAll(async () => {
  context = await testApp();
  context.clock.set('2026-12-04T10:00:00Z');
  const suffix = randomBytes(3).toString('hex');
  ashford = await createOrganisation(context, { name: `Ashford Borough Council ${suffix}` });
  barnet = await createOrganisation(context, { name: `Barnet Council ${suffix}` });
  police = await createOrganisation(context, { name: `Kent Police ${suffix}` });
  school = await createOrganisation(context, { name: `Ashford Oaks Primary School ${suffix}` });
  manager = await createStaff(context, {
    roles: ['manager'],
    organisationId: ashford,
    displayName: 'Morgan Manager',
  });
  first = await createStaff(context, {
    roles: ['practitioner'],
    organisationId: ashford,
    displayName: 'Priya First',
    lineManagerId: manager.id,
  });
  second = await createStaff(context, {
    roles: ['practitioner'],
    organisationId: ashford,
    displayName: 'Pat Second',
    lineManagerId: manager.id,
  });
  outsider = await createStaff(context, {
    roles: ['practitioner'],
    organisationId: ashford,
    displayName: 'Quinn Other',
  });
  const barnetWorker = await createStaff(context, { roles: ['practitioner'], organisationId: barnet });
  childId = await createPerson(context, {
    organisationId: ashford,
    givenNames: 'Ava',
    familyName: 'Okonkwo',
  });

  decisions['d1'] = await seedDecision(context.db, {
    organisationId: ashford,
    recordedBy: first.id,
    recordedAt: '2026-11-09T10:00:00Z',
    article6: 'public-task',
    recipientOrganisationIds: [police],
    personIds: [childId],
  });
  for (const day of ['10', '12'])
    await seedDisclosure(context.db, {
      organisationId: ashford,
      decisionId: decisions['d1'],
      disclosedBy: first.id,
      disclosedAt: `2026-11-${day}T10:00:00Z`,
      method: 'secure-email',
      recipientOrganisationId: police,
    });
  decisions['d2'] = await seedDecision(context.db, {
    organisationId: ashford,
    recordedBy: second.id,
    recordedAt: '2026-10-04T10:00:00Z',
    article6: 'legal-obligation',
    withoutConsent: true,
    recipientOrganisationIds: [school],
  });
  await seedDisclosure(context.db, {
    organisationId: ashford,
    decisionId: decisions['d2'],
    disclosedBy: second.id,
    // 00:30 on 1 October in London is still 30 September in UTC: counted in October.
    disclosedAt: '2026-09-30T23:30:00Z',
    method: 'post',
    recipientOrganisationId: school,
    receiptDueOn: '2026-10-20',
    recipientName: '=HYPERLINK("http://example.com")',
  });
  decisions['d3'] = await seedDecision(context.db, {
    organisationId: ashford,
    recordedBy: outsider.id,
    recordedAt: '2026-09-01T10:00:00Z',
    article6: 'public-task',
    withoutConsent: true,
    recipientOrganisationIds: [police],
  });
  await seedDisclosure(context.db, {
    organisationId: ashford,
    decisionId: decisions['d3'],
    disclosedBy: outsider.id,
    disclosedAt: '2026-09-02T10:00:00Z',
    method: 'telephone',
    recipientOrganisationId: police,
  });
  decisions['d4'] = await seedDecision(context.db, {
    organisationId: ashford,
    recordedBy: first.id,
    recordedAt: '2026-11-20T10:00:00Z',
    outcome: 'not-share',
    article6: 'public-task',
    notShareReasonIds: ['not-necessary'],
  });
  // Another organisation's sharing is never counted in Ashford's.
  const barnetDecision = await seedDecision(context.db, {
    organisationId: barnet,
    recordedBy: barnetWorker.id,
    recordedAt: '2026-11-09T10:00:00Z',
    article6: 'legal-obligation',
    withoutConsent: true,
    recipientOrganisationIds: [police],
  });
  for (let index = 0; index < 5; index += 1)
    await seedDisclosure(context.db, {
      organisationId: barnet,
      decisionId: barnetDecision,
      disclosedBy: barnetWorker.id,
      disclosedAt: '2026-11-10T10:00:00Z',
      method: 'secure-email',
      recipientOrganisationId: police,
    });

  dpo = await signIn(context, await createStaff(context, { roles: ['dpo'], organisationId: ashford }));
  auditor = await signIn(
    context,
    await createStaff(context, { roles: ['auditor'], organisationId: ashford }),
  );
});

describe('the oversight dashboard', () => {
  it("counts the organisation's disclosures by London month, method and recipient, and never another's", async () => {
    const page = await dpo.get('/oversight');
    expect(page.statusCode).toBe(200);
    expect(tableOf(page.body, 'months')).toMatchObject({
      'Sep 2026': 1,
      'Oct 2026': 1,
      'Nov 2026': 2,
      'Dec 2026': 0,
    });
    expect(tableOf(page.body, 'methods')).toEqual({ 'Secure e-mail': 2, Post: 1, Telephone: 1 });
    const recipients = tableOf(page.body, 'recipients');
    expect(Object.values(recipients).sort()).toEqual([1, 3]);
    expect(page.body).toContain('4 disclosures in this period');
  });

  it('counts shares without consent by lawful basis and refused sends by reason', async () => {
    const page = await dpo.get('/oversight');
    expect(Object.values(tableOf(page.body, 'without-consent'))).toEqual([1, 1]);
    expect(page.body).toMatch(/Legal obligation[^<]*<\/th>\s*<td[^>]*>1</);
    expect(tableOf(page.body, 'refusals')).toEqual({
      'The information is not necessary for the stated purpose': 1,
    });
  });

  it('shows what needs action: overdue receipts and reviews, approvals waiting, open incidents', async () => {
    const page = await dpo.get('/oversight');
    expect(actionCount(page.body, 'receipt overdue')).toBe(1);
    expect(actionCount(page.body, 'consent reviews overdue')).toBe(0);
    expect(actionCount(page.body, 'approvals waiting')).toBe(0);
    expect(actionCount(page.body, 'open incidents')).toBe(0);
  });

  it('filters by team, recipient organisation and period', async () => {
    const team = await dpo.get(`/oversight?team=${manager.id}`);
    expect(team.statusCode).toBe(200);
    expect(team.body).toContain('3 disclosures in this period');
    expect(Object.values(tableOf(team.body, 'without-consent'))).toEqual([1]);
    const toSchool = await dpo.get(`/oversight?recipient=${school}`);
    expect(toSchool.body).toContain('1 disclosure in this period');
    const november = await dpo.get(
      '/oversight?from-day=1&from-month=11&from-year=2026&to-day=30&to-month=11&to-year=2026',
    );
    expect(tableOf(november.body, 'months')).toEqual({ 'Nov 2026': 2 });
  });

  it('counts whole months from the monthly counts and part months from the log, alike', async () => {
    const part = await dpo.get(
      '/oversight?from-day=10&from-month=9&from-year=2026&to-day=15&to-month=11&to-year=2026',
    );
    expect(tableOf(part.body, 'months')).toEqual({ 'Sep 2026': 0, 'Oct 2026': 1, 'Nov 2026': 2 });
    const kept = await sql<{ kept: string; logged: string }>`
      SELECT (SELECT sum(disclosures) FROM oversight_disclosure_months WHERE organisation_id = ${ashford}) AS kept,
             (SELECT count(*) FROM disclosures WHERE organisation_id = ${ashford}) AS logged`.execute(
      context.db,
    );
    expect(Number(kept.rows[0]?.kept)).toBe(4);
    expect(Number(kept.rows[0]?.logged)).toBe(4);
  });

  it("counts a disclosure as it commits, so one sender's disclosures to one recipient do not queue for the count", async () => {
    const council = await createOrganisation(context, {
      name: `Camden Council ${randomBytes(3).toString('hex')}`,
    });
    const sender = await createStaff(context, { roles: ['practitioner'], organisationId: council });
    const decisionId = await seedDecision(context.db, {
      organisationId: council,
      recordedBy: sender.id,
      recordedAt: '2026-12-01T10:00:00Z',
      recipientOrganisationIds: [police],
    });
    const disclosure = {
      organisationId: council,
      decisionId,
      disclosedBy: sender.id,
      disclosedAt: '2026-12-02T10:00:00Z',
      method: 'secure-email',
      recipientOrganisationId: police,
    };
    const counted = async () =>
      Number(
        (
          await sql<{ n: string | null }>`
            SELECT sum(disclosures) AS n FROM oversight_disclosure_months WHERE organisation_id = ${council}`.execute(
            context.db,
          )
        ).rows[0]?.n ?? 0,
      );
    await seedDisclosure(context.db, disclosure);
    expect(await counted()).toBe(1);
    await context.db.transaction().execute(async (first) => {
      await seedDisclosure(first, disclosure);
      // Uncommitted, the first holds no lock on the count, so a second such disclosure goes straight in.
      await context.db.transaction().execute(async (second) => {
        await sql`SET LOCAL lock_timeout = '1s'`.execute(second);
        await seedDisclosure(second, disclosure);
      });
      expect(await counted()).toBe(2);
    });
    expect(await counted()).toBe(3);
  });

  it('refuses bad filters with an error summary, never a 500', async () => {
    const badDate = await dpo.get('/oversight?from-day=31&from-month=2&from-year=2026');
    expect(badDate.statusCode).toBe(400);
    expect(badDate.body).toContain('Date from must be a real date');
    expect(badDate.body).toContain('href="#from-day"');
    const reversed = await dpo.get(
      '/oversight?from-day=2&from-month=2&from-year=2026&to-day=1&to-month=2&to-year=2026',
    );
    expect(reversed.body).toContain('Date to must be the same as or after date from');
    const unknownTeam = await dpo.get(`/oversight?team=${outsider.id}`);
    expect(unknownTeam.statusCode).toBe(400);
    expect(unknownTeam.body).toContain('Select a team from the list');
    expect((await dpo.get('/oversight?surprise=1')).statusCode).toBe(400);
  });

  it('draws each chart as SVG named for assistive technology, with no inline style, and a table beside it', async () => {
    const page = await dpo.get('/oversight');
    const svgs = [...page.body.matchAll(/<svg [^>]*>/g)].map((match) => match[0]);
    const charts = svgs.filter((svg) => svg.includes('safeshare-chart__svg'));
    expect(charts).toHaveLength(5);
    for (const svg of charts) {
      expect(svg).toContain('role="img"');
      expect(svg).toMatch(/aria-labelledby="chart-[a-z-]+-title"/);
    }
    expect(page.body).not.toMatch(/<svg[^]*style="/);
    expect(page.body).not.toContain('graphics-symbol');
    expect(page.body).toContain('Disclosures by month: the figures as a table');
  });

  it('exports each table as CSV', async () => {
    const csv = await dpo.get('/oversight/tables/methods');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('"Secure e-mail","2"');
    const actions = await dpo.get('/oversight/tables/actions');
    expect(actions.body).toContain('"receipt overdue","1"');
    expect((await dpo.get('/oversight/tables/nothing')).statusCode).toBe(404);
  });

  it('is refused to a practitioner and a line manager', async () => {
    const practitioner = await signIn(context, first);
    expect((await practitioner.get('/oversight')).statusCode).toBe(403);
    expect((await practitioner.get('/oversight/decisions')).statusCode).toBe(403);
    expect((await practitioner.get('/oversight/tables/months')).statusCode).toBe(403);
    const lineManager = await signIn(context, manager);
    expect((await lineManager.get('/oversight')).statusCode).toBe(403);
  });
});

describe('the organisation-wide lists', () => {
  it('lists every recorded decision, naming people for the DPO and counting them for the auditor', async () => {
    const page = await dpo.get('/oversight/decisions');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('4 decisions match');
    expect(page.body).toContain('Ava Okonkwo');
    const audited = await auditor.get('/oversight/decisions');
    expect(audited.body).toContain('4 decisions match');
    expect(audited.body).not.toContain('Okonkwo');
    expect(audited.body).toContain('1 person');
  });

  it('marks one navigation item as the current page: the list, not the dashboard above it', async () => {
    const page = await auditor.get('/oversight/decisions');
    const active = [
      ...page.body.matchAll(/govuk-service-navigation__item--active[^]*?<a[^>]*href="([^"]+)"/g),
    ].map((match) => match[1]);
    expect(active).toEqual(['/oversight/decisions']);
  });

  it('filters by lawful basis, consent, practitioner and person', async () => {
    expect((await dpo.get('/oversight/decisions?basis=legal-obligation')).body).toContain('1 decision match');
    expect((await dpo.get('/oversight/decisions?consent=without')).body).toContain('2 decisions match');
    expect((await dpo.get('/oversight/decisions?consent=with')).body).toContain('2 decisions match');
    expect((await dpo.get(`/oversight/decisions?practitioner=${first.id}`)).body).toContain(
      '2 decisions match',
    );
    const about = await dpo.get(`/oversight/decisions?person=${childId}`);
    expect(about.body).toContain('1 decision match');
    expect(about.body).toContain('Show everyone');
    expect((await dpo.get('/oversight/disclosures?consent=without')).body).toContain('2 disclosures match');
  });

  it('finds a person by a posted name and filters by their id, never putting the name in an address', async () => {
    await dpo.get('/oversight/decisions');
    const found = await dpo.post('/oversight/decisions', { name: 'okonkwo', filters: 'consent=with' });
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('People found');
    expect(found.body).toContain(`href="/oversight/decisions?`);
    const link = /href="(\/oversight\/decisions\?[^"]*person=[^"]+)"/
      .exec(found.body)?.[1]
      ?.replace(/&amp;/g, '&');
    expect(link).toContain(`person=${childId}`);
    expect(link).toContain('consent=with');
    expect(link).not.toMatch(/okonkwo/i);
    const blank = await dpo.post('/oversight/decisions', { name: '' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('Enter a name');
  });

  it("limits a line manager to their team's decisions, disclosures and access reasons", async () => {
    const lineManager = await signIn(context, manager);
    const page = await lineManager.get('/oversight/decisions');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('3 decisions match');
    expect(page.body).not.toContain('Quinn Other');
    const elsewhere = await lineManager.get(`/oversight/decisions?practitioner=${outsider.id}`);
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.body).toContain('Select a practitioner from the list');
    expect(elsewhere.body).not.toContain('Quinn Other');
    expect((await lineManager.get('/oversight/disclosures')).body).toContain('3 disclosures match');
    const reasons = await lineManager.get('/oversight/access-reasons');
    expect(reasons.statusCode).toBe(200);
    expect(reasons.body).toContain('Why your team opened records');
  });

  it('exports the filtered list as CSV with formula cells escaped, and records the export', async () => {
    const csv = await dpo.get('/oversight/disclosures?format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toContain('attachment');
    expect(csv.body).toContain(`"'=HYPERLINK(""http://example.com"")"`);
    expect(csv.body.trim().split('\r\n')).toHaveLength(5);
    const exported = await context.db
      .selectFrom('audit_events')
      .select(['action', 'change'])
      .where('organisation_id', '=', ashford)
      .where('action', '=', 'oversight.exported')
      .execute();
    expect(exported.map((event) => event.change['list'])).toContain('disclosures');
  });

  it('pages 50 at a time with numbered GOV.UK pagination', async () => {
    const camden = await createOrganisation(context);
    const worker = await createStaff(context, { roles: ['practitioner'], organisationId: camden });
    await seedMany(context.db, {
      organisationId: camden,
      staffIds: [worker.id],
      recipientOrganisationIds: [police],
      decisions: 120,
      perDecision: 1,
      days: 60,
      until: '2026-12-01T00:00:00Z',
      withoutConsentEvery: 4,
      notShareEvery: 10,
    });
    const camdenDpo = await signIn(
      context,
      await createStaff(context, { roles: ['dpo'], organisationId: camden }),
    );
    const first = await camdenDpo.get('/oversight/decisions');
    expect(first.body).toContain('120 decisions match');
    expect(first.body).toContain('govuk-pagination');
    expect((first.body.match(/<tr class="govuk-table__row">/g) ?? []).length).toBe(51);
    const third = await camdenDpo.get('/oversight/decisions?page=3');
    expect((third.body.match(/<tr class="govuk-table__row">/g) ?? []).length).toBe(21);
    expect(third.body).toContain('aria-current="page"');
    expect((await camdenDpo.get('/oversight/decisions?page=9')).statusCode).toBe(404);
    // The dashboard counts the same seeded set: 108 decisions to share, a disclosure each.
    expect((await camdenDpo.get('/oversight')).body).toContain('108 disclosures in this period');
  });
});
