import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import { viewerOf } from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';

/**
 * The off-site log (R4.3): logged before it leaves, agreed by the line manager unless local policy
 * covers the reason, protected as the source policy asks, its return recorded, followed up daily
 * once overdue, and reported lost as an incident linked to the entry.
 */

let context: TestContext;
let practitioner: TestStaff;
let manager: TestStaff;
let stranger: TestStaff;
let noManager: TestStaff;

const day = 86_400_000;

/** The form, as a practitioner fills it in: a court bundle back at 17:30 on 2 December 2026. */
function courtBundle(overrides: Record<string, string | string[]> = {}) {
  return {
    form: 'paper',
    what: 'The court bundle for the care proceedings hearing.',
    reasonId: 'court',
    reasonDetail: '',
    destination: 'Swindon Combined Court',
    'dueBackOn-day': '2',
    'dueBackOn-month': '12',
    'dueBackOn-year': '2026',
    dueBackTime: '17:30',
    protected: ['yes'],
    carSafe: ['yes'],
    ...overrides,
  };
}

async function statusOf(id: string): Promise<string> {
  return (
    await context.db
      .selectFrom('custody_items')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).status;
}

async function noticesFor(userId: string, kind: string): Promise<number> {
  const rows = await context.db
    .selectFrom('notifications')
    .select('id')
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .execute();
  return rows.length;
}

beforeAll(async () => {
  context = await testApp();
  context.clock.set('2026-12-01T09:00:00Z');
  const organisationId = await createOrganisation(context);
  manager = await createStaff(context, { organisationId, roles: ['manager'], displayName: 'Maria Lopez' });
  practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
    lineManagerId: manager.id,
  });
  stranger = await createStaff(context, { organisationId, roles: ['practitioner'] });
  noManager = await createStaff(context, { organisationId, roles: ['practitioner'] });
}, 60_000);

describe('logging information taken off site (R4.3.2, R4.3.3)', () => {
  it('lets a reason local policy covers go at once, and records it', async () => {
    const browser = await signIn(context, practitioner);
    expect((await browser.get('/off-site/new')).statusCode).toBe(200);
    const logged = await browser.post('/off-site/new', courtBundle());
    expect(logged.statusCode, errorSummary(logged.body).join('; ')).toBe(303);
    const id = String(logged.headers['location']).split('/').at(-1) ?? '';
    expect(await statusOf(id)).toBe('out');
    const page = await browser.get(`/off-site/${id}`);
    expect(page.body).toContain('Allowed by local policy');
    expect(page.body).toContain('Record its return');
    const audit = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', id)
      .execute();
    expect(audit.map((event) => event.action)).toEqual(['custody.logged']);
  });

  it('waits for the line manager for any other reason: only they decide, and a refusal needs reasons', async () => {
    const asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
    const id = await context.services.custody.log(asPractitioner, {
      form: 'electronic',
      what: 'The team laptop with the case recording, asset SBC-1234.',
      reasonId: 'working-from-home',
      destination: 'Working from home',
      dueBackAt: new Date('2026-12-03T09:00:00Z'),
      protected: true,
      carSafe: true,
    });
    expect(await statusOf(id)).toBe('awaiting-agreement');
    expect(await noticesFor(manager.id, 'custody.agreement_asked')).toBe(1);

    const own = await signIn(context, practitioner);
    expect((await own.get(`/off-site/${id}`)).body).not.toContain('Do you agree to it going off site?');
    expect((await own.post(`/off-site/${id}/decision`, { agree: 'yes' })).statusCode).toBe(400);
    expect(await statusOf(id)).toBe('awaiting-agreement');

    const boss = await signIn(context, manager);
    const refusal = await boss.post(`/off-site/${id}/decision`, { agree: 'no', reason: '' });
    expect(errorSummary(refusal.body)).toEqual(['Say why you are refusing, in up to 1000 characters']);
    expect(await statusOf(id)).toBe('awaiting-agreement');
    expect((await boss.post(`/off-site/${id}/decision`, { agree: 'yes' })).statusCode).toBe(303);
    expect(await statusOf(id)).toBe('out');
    expect(await noticesFor(practitioner.id, 'custody.agreed')).toBe(1);

    // Someone outside the line sees nothing of it.
    expect((await (await signIn(context, stranger)).get(`/off-site/${id}`)).statusCode).toBe(404);
  });

  it('refuses what the source policy forbids, says why, and logs nothing', async () => {
    const browser = await signIn(context, practitioner);
    const before = await context.db.selectFrom('custody_items').select('id').execute();
    const unencrypted = await browser.post(
      '/off-site/new',
      courtBundle({ form: 'electronic', protected: [] }),
    );
    expect(unencrypted.statusCode).toBe(400);
    expect(errorSummary(unencrypted.body)).toEqual([
      'Electronic information must be encrypted or password-protected before it leaves the building',
    ]);
    const unsealed = await browser.post('/off-site/new', courtBundle({ protected: [], carSafe: [] }));
    expect(errorSummary(unsealed.body)).toEqual([
      'Paper must travel in a sealed file or envelope',
      'Confirm that in a car it will be locked in the boot, never left on view',
    ]);
    const tooLong = await browser.post('/off-site/new', courtBundle({ 'dueBackOn-day': '30' }));
    expect(errorSummary(tooLong.body)).toEqual([
      'It must be back within 14 days: bring it back and take it out again if you need it longer',
    ]);
    const past = await browser.post(
      '/off-site/new',
      courtBundle({ 'dueBackOn-day': '30', 'dueBackOn-month': '11' }),
    );
    expect(errorSummary(past.body)).toEqual(['When it will be back must be in the future']);
    const vague = await browser.post('/off-site/new', courtBundle({ reasonId: 'other', what: '' }));
    expect(errorSummary(vague.body)).toEqual([
      'Say what you are taking off site',
      'Say why you are taking it',
    ]);
    const alone = await signIn(context, noManager);
    const unagreed = await alone.post('/off-site/new', courtBundle({ reasonId: 'working-from-home' }));
    expect(errorSummary(unagreed.body)).toEqual([
      'Your line manager must agree to this, and Safeshare has no line manager for you: ask an administrator to add one',
    ]);
    expect(await context.db.selectFrom('custody_items').select('id').execute()).toHaveLength(before.length);
  });
});

describe('return, follow-up and loss (R4.3.7, R4.3.8, R4.7.3)', () => {
  async function logBundle(): Promise<string> {
    return context.services.custody.log(viewerOf(practitioner, ['practitioner'], 'Priya Sharma'), {
      form: 'paper',
      what: 'The child protection conference papers.',
      reasonId: 'meeting',
      destination: 'Great Western Hospital',
      dueBackAt: new Date(context.clock.now().getTime() + 8 * 3_600_000),
      protected: true,
      carSafe: true,
    });
  }

  it('records the return; once overdue, follows up daily, the line manager from the second day', async () => {
    const returned = await logBundle();
    const browser = await signIn(context, practitioner);
    expect((await browser.post(`/off-site/${returned}/returned`)).statusCode).toBe(303);
    expect(await statusOf(returned)).toBe('returned');
    expect((await browser.post(`/off-site/${returned}/returned`)).statusCode).toBe(400);

    const late = await logBundle();
    const before = {
      practitioner: await noticesFor(practitioner.id, 'custody.overdue'),
      manager: await noticesFor(manager.id, 'custody.overdue'),
    };
    context.clock.advance(day);
    expect(await context.services.custody.followUpOverdue()).toBeGreaterThanOrEqual(1);
    expect(await noticesFor(practitioner.id, 'custody.overdue')).toBeGreaterThan(before.practitioner);
    expect(await noticesFor(manager.id, 'custody.overdue')).toBe(before.manager);
    context.clock.advance(day);
    await context.services.custody.followUpOverdue();
    expect(await noticesFor(manager.id, 'custody.overdue')).toBeGreaterThan(before.manager);
    // Two days on, the morning's sign-in shows it overdue.
    expect((await (await signIn(context, practitioner)).get(`/off-site/${late}`)).body).toContain('Overdue');
  });

  it('reports an item lost as an incident in one form, marking the entry lost and linking the two', async () => {
    const id = await logBundle();
    const browser = await signIn(context, practitioner);
    const form = await browser.get(`/incidents/new?custody=${id}`);
    expect(form.body).toContain('from the off-site log as lost');
    expect(form.body).toMatch(/value="lost-or-stolen" checked/);

    // Someone with no part in it cannot report it lost, nor have it linked.
    const other = await signIn(context, stranger);
    expect((await other.get(`/incidents/new?custody=${id}`)).body).not.toContain('from the off-site log');
    const now = context.clock.now();
    const report = {
      kind: 'lost-or-stolen',
      whatHappened: 'The papers were left on the train.',
      'happenedOn-day': String(now.getUTCDate()),
      'happenedOn-month': String(now.getUTCMonth() + 1),
      'happenedOn-year': String(now.getUTCFullYear()),
      'awareOn-day': String(now.getUTCDate()),
      'awareOn-month': String(now.getUTCMonth() + 1),
      'awareOn-year': String(now.getUTCFullYear()),
      awareTime: '09:00',
      information: 'Conference papers.',
      peopleAffected: '4',
      peopleEstimated: [],
      actionsTaken: 'Rang the train company.',
      custodyItemId: id,
    };
    const refused = await other.post('/incidents/new', report);
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      'Report the loss from the off-site log entry of something you or your team have off site',
    ]);
    expect(await statusOf(id)).toBe('out');

    const reported = await browser.post('/incidents/new', report);
    expect(reported.statusCode, errorSummary(reported.body).join('; ')).toBe(303);
    expect(await statusOf(id)).toBe('lost');
    const incident = await context.db
      .selectFrom('incidents')
      .select(['id', 'kind'])
      .where('custody_item_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(incident.kind).toBe('lost-or-stolen');
    expect((await browser.get(`/incidents/${incident.id}`)).body).toContain(`/off-site/${id}`);
  });
});
