import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../../test/support/browser.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import type { Notice } from './notifications.service.ts';

let context: TestContext;
let organisationId: string;

beforeAll(async () => {
  context = await testApp();
  organisationId = await createOrganisation(context, { name: 'Swindon Borough Council' });
});

async function notify(staff: TestStaff, notice: Partial<Notice> = {}): Promise<string> {
  await context.db.transaction().execute(async (trx) => {
    await context.services.notifications.notify(trx, {
      organisationId,
      userId: staff.id,
      kind: 'consent.review_due',
      subject: 'A consent review is due',
      body: 'A consent you recorded is due for review.',
      link: '/consents/reviews',
      ...notice,
    });
  });
  context.clock.advance(1_000);
  const row = await context.db
    .selectFrom('notifications')
    .select('id')
    .where('user_id', '=', staff.id)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function readAt(id: string) {
  return (
    await context.db
      .selectFrom('notifications')
      .select('read_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).read_at;
}

/** The header navigation's text for the notifications link. */
function navigationLabel(html: string): string | undefined {
  const inner = /<a class="govuk-service-navigation__link" href="\/notifications"[^>]*>([\s\S]*?)<\/a>/.exec(
    html,
  )?.[1];
  return inner?.replace(/<[^>]*>/g, '').trim();
}

describe('the notifications page', () => {
  it("lists the viewer's notifications newest first, marks the unread ones, and counts them in the header", async () => {
    const staff = await createStaff(context, { organisationId });
    const other = await createStaff(context, { organisationId });
    await notify(staff, { subject: 'An advice request needs your answer', link: '/advice/requests' });
    await notify(staff, { subject: 'A file has not been returned' });
    await notify(other, { subject: "Someone else's notice" });

    const browser = await signIn(context, staff);
    const page = await browser.get('/notifications');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You have 2 unread notifications.');
    expect(page.body.indexOf('A file has not been returned')).toBeLessThan(
      page.body.indexOf('An advice request needs your answer'),
    );
    expect(page.body).toContain('href="/advice/requests"');
    expect(page.body.match(/>\s*Unread\s*</g)).toHaveLength(2);
    expect(page.body).not.toContain('Someone else');
    expect(navigationLabel(page.body)).toBe('Notifications (2)');

    // Every signed-in page shows the count.
    const home = await browser.get('/');
    expect(navigationLabel(home.body)).toBe('Notifications (2)');
  });

  it('marks one notification read, then all of them', async () => {
    const staff = await createStaff(context, { organisationId });
    const first = await notify(staff);
    const second = await notify(staff);
    const third = await notify(staff);
    const browser = await signIn(context, staff);
    await browser.get('/notifications');

    const marked = await browser.post(`/notifications/${second}/read`);
    expect(marked.statusCode).toBe(303);
    expect(marked.headers['location']).toBe('/notifications?done=read');
    expect(await readAt(second)).toEqual(context.clock.now());
    expect(await readAt(first)).toBeNull();

    const page = await browser.get('/notifications?done=read');
    expect(page.body).toContain('Notification marked as read.');
    expect(page.body).toContain('You have 2 unread notifications.');
    expect(navigationLabel(page.body)).toBe('Notifications (2)');

    // Marking it again changes nothing and still succeeds.
    const readTime = await readAt(second);
    context.clock.advance(60_000);
    expect((await browser.post(`/notifications/${second}/read`)).statusCode).toBe(303);
    expect(await readAt(second)).toEqual(readTime);

    const all = await browser.post('/notifications/read-all');
    expect(all.statusCode).toBe(303);
    expect(all.headers['location']).toBe('/notifications?done=all-read');
    expect(await readAt(first)).not.toBeNull();
    expect(await readAt(third)).not.toBeNull();
    const done = await browser.get('/notifications?done=all-read');
    expect(done.body).toContain('All notifications marked as read.');
    expect(done.body).toContain('You have no unread notifications.');
    expect(done.body).not.toContain('Mark all as read');
    expect(navigationLabel(done.body)).toBe('Notifications');
  });

  it("refuses to mark someone else's notification, and changes nothing", async () => {
    const owner = await createStaff(context, { organisationId });
    const intruder = await createStaff(context, { organisationId, roles: ['admin'] });
    const id = await notify(owner);
    const browser = await signIn(context, intruder);
    await browser.get('/notifications');
    const response = await browser.post(`/notifications/${id}/read`);
    expect(response.statusCode).toBe(403);
    expect(await readAt(id)).toBeNull();

    // "Mark all as read" touches only the viewer's own.
    await browser.post('/notifications/read-all');
    expect(await readAt(id)).toBeNull();
  });

  it('answers 404 for a malformed or unknown notification and a page that does not exist', async () => {
    const staff = await createStaff(context, { organisationId });
    const browser = await signIn(context, staff);
    await browser.get('/notifications');
    for (const id of ['not-a-uuid', '1%27%20OR%201%3D1', randomUUID()]) {
      expect((await browser.post(`/notifications/${id}/read`)).statusCode).toBe(404);
    }
    for (const query of ['page=abc', 'page=0', 'page=2', 'page=1&page=2', 'done=hacked', 'sort=oldest']) {
      expect((await browser.get(`/notifications?${query}`)).statusCode).toBe(404);
    }
  });

  it("requires the form's CSRF token to mark a notification read", async () => {
    const staff = await createStaff(context, { organisationId });
    const id = await notify(staff);
    const browser = await signIn(context, staff);
    await browser.get('/notifications');
    const withoutToken = await browser.post(`/notifications/${id}/read`, {}, { csrf: false });
    expect(withoutToken.statusCode).toBe(403);
    expect(withoutToken.body).toContain('Your form has expired');
    const wrongToken = await browser.post('/notifications/read-all', { _csrf: 'forged' });
    expect(wrongToken.statusCode).toBe(403);
    expect(await readAt(id)).toBeNull();
  });

  it('sends a signed-out visitor to sign in', async () => {
    const browser = new TestBrowser(context.app);
    const response = await browser.get('/notifications');
    expect(response.statusCode).toBe(303);
    expect(response.headers['location']).toBe('/sign-in?next=%2Fnotifications');
  });

  it('escapes what a notification says, and does not link outside Safeshare', async () => {
    const staff = await createStaff(context, { organisationId });
    await notify(staff, { subject: '<script>alert(1)</script> review', link: '//evil.example.com/phish' });
    const browser = await signIn(context, staff);
    const page = await browser.get('/notifications');
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; review');
    expect(page.body).toContain(
      'Mark as read<span class="govuk-visually-hidden">: &lt;script&gt;alert(1)&lt;/script&gt; review</span>',
    );
    expect(page.body).not.toContain('evil.example.com');
  });

  it('pages through more than 50 notifications', async () => {
    const staff = await createStaff(context, { organisationId });
    for (let index = 1; index <= 51; index += 1) await notify(staff, { subject: `Notice number ${index}.` });
    const browser = await signIn(context, staff);
    const first = await browser.get('/notifications');
    expect(first.body).toContain('Notice number 51.');
    expect(first.body).not.toContain('Notice number 1.');
    expect(first.body).toContain('href="/notifications?page=2"');
    expect(navigationLabel(first.body)).toBe('Notifications (51)');
    const second = await browser.get('/notifications?page=2');
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('Notice number 1.');
    expect(second.body).not.toContain('Notice number 2.');
  });

  it('counts unread notifications with the partial index', async () => {
    const staff = await createStaff(context, { organisationId });
    const plan = await context.db.transaction().execute(async (trx) => {
      // A tiny table is cheaper to scan; forbid scans to see which index the query would use.
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      return trx
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<string>().as('unread'))
        .where('user_id', '=', staff.id)
        .where('read_at', 'is', null)
        .explain('json');
    });
    expect(JSON.stringify(plan)).toContain('notifications_unread_idx');
  });
});
