import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary, type TestBrowser } from '../../test/support/browser.ts';
import { viewerOf } from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';

/**
 * Containment beyond the letter and the package. It disables an account (R5.2): at once by the IT
 * service desk or an administrator, or asked of the desk by anyone else, who finish it with one
 * button; and marks a registered device lost, linked to the incident (R4.7.3). The DPO tells the officers who need to know (R5.4): a colleague is
 * told and may then read the incident; someone outside Safeshare is recorded with how.
 */

let context: TestContext;
let councilId: string;
let practitioner: TestStaff;
let dpo: TestStaff;
let desk: TestStaff;
let guardian: TestStaff;
let outsider: TestStaff;

function report() {
  return {
    kind: 'unauthorised-access',
    whatHappened: 'A laptop was stolen from a car while signed in to Safeshare.',
    'happenedOn-day': '29',
    'happenedOn-month': '11',
    'happenedOn-year': '2026',
    'awareOn-day': '30',
    'awareOn-month': '11',
    'awareOn-year': '2026',
    awareTime: '08:00',
    information: 'Whatever the signed-in account could open.',
    peopleAffected: '10',
    peopleEstimated: ['yes'],
    actionsTaken: 'Rang the IT service desk.',
  };
}

async function reported(browser: TestBrowser): Promise<string> {
  const response = await browser.post('/incidents/new', report());
  expect(response.statusCode, errorSummary(response.body).join('; ')).toBe(303);
  const location = response.headers['location'] ?? '';
  return location.slice(0, location.indexOf('?'));
}

async function isActive(userId: string): Promise<boolean> {
  const row = await context.db
    .selectFrom('users')
    .select('active')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.active;
}

async function eventsOf(entityId: string): Promise<string[]> {
  const rows = await context.db
    .selectFrom('audit_events')
    .select('action')
    .where('entity_id', '=', entityId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.action);
}

async function noticesOf(userId: string): Promise<{ kind: string; subject: string; body: string }[]> {
  return context.db
    .selectFrom('notifications')
    .select(['kind', 'subject', 'body'])
    .where('user_id', '=', userId)
    .execute();
}

beforeAll(async () => {
  context = await testApp({ SIGN_IN_ADDRESS_LIMIT: '1000' });
  context.clock.set('2026-11-30T09:00:00Z');
  councilId = await createOrganisation(context, { name: `Wiltshire Council ${randomUUID().slice(0, 6)}` });
  practitioner = await createStaff(context, { organisationId: councilId, roles: ['practitioner'] });
  dpo = await createStaff(context, { organisationId: councilId, roles: ['dpo'], displayName: 'Dana Price' });
  desk = await createStaff(context, {
    organisationId: councilId,
    roles: ['it_service_desk'],
    displayName: 'Ian Desk',
  });
  guardian = await createStaff(context, {
    organisationId: councilId,
    roles: ['child_protection_adviser', 'practitioner'],
    displayName: 'Grace Guardian',
  });
  const otherId = await createOrganisation(context, { name: `Dorset Council ${randomUUID().slice(0, 6)}` });
  outsider = await createStaff(context, { organisationId: otherId, roles: ['practitioner'] });
}, 60_000);

describe('disabling an account to contain an incident (R5.2)', () => {
  it('asks the IT service desk when a practitioner asks, and the desk disables it with one button', async () => {
    const victim = await createStaff(context, {
      organisationId: councilId,
      roles: ['practitioner'],
      displayName: 'Vic Stolen',
    });
    const victimBrowser = await signIn(context, victim);
    const browser = await signIn(context, practitioner);
    const path = await reported(browser);
    const id = path.split('/').at(-1) ?? '';

    // Another organisation's account, and nothing chosen, are refused and change nothing.
    for (const accountId of [outsider.id, '', 'not-an-id']) {
      const refused = await browser.post(`${path}/disable-account`, { accountId });
      expect(refused.statusCode).toBe(400);
      expect(errorSummary(refused.body)).toEqual([
        'Select the active account in your organisation to disable',
      ]);
    }
    expect(await isActive(outsider.id)).toBe(true);

    const asked = await browser.post(`${path}/disable-account`, { accountId: victim.id });
    expect(asked.statusCode, errorSummary(asked.body).join('; ')).toBe(303);
    expect(await isActive(victim.id)).toBe(true);
    const page = await browser.get(path);
    expect(page.body).toMatch(
      /Asked the IT service desk to disable the account of Vic Stolen[\s\S]*?Waiting/,
    );
    // Only the desk (or an administrator) may finish it: no button for the practitioner, and a refusal.
    expect(page.body).not.toContain('Disable the account now');
    const task = await context.db
      .selectFrom('incident_actions')
      .select('id')
      .where('incident_id', '=', id)
      .where('kind', '=', 'disable-account')
      .executeTakeFirstOrThrow();
    const byPractitioner = await browser.post(`${path}/actions/${task.id}/disable`, {});
    expect(errorSummary(byPractitioner.body)).toEqual([
      'Only an administrator or the IT service desk can disable an account',
    ]);
    // Nor is it ticked off without disabling the account.
    const ticked = await browser.post(`${path}/actions/${task.id}/done`, {});
    expect(errorSummary(ticked.body)).toEqual(['That action is already done']);
    expect(await isActive(victim.id)).toBe(true);

    // The desk is told, without the name, and disables it from the incident.
    const told = (await noticesOf(desk.id)).filter((notice) => notice.kind === 'incident.disable_account');
    expect(told).toHaveLength(1);
    expect(`${told[0]?.subject ?? ''} ${told[0]?.body ?? ''}`).not.toContain('Vic Stolen');
    const deskBrowser = await signIn(context, desk);
    const deskPage = await deskBrowser.get(path);
    const action = /action="([^"]+\/disable)"/.exec(deskPage.body)?.[1] ?? '';
    expect(action).toBe(`${path}/actions/${task.id}/disable`);
    const disabled = await deskBrowser.post(action, {});
    expect(disabled.statusCode, errorSummary(disabled.body).join('; ')).toBe(303);
    expect(await isActive(victim.id)).toBe(false);
    // Their session ended at once.
    expect((await victimBrowser.get('/')).statusCode).toBe(303);
    expect((await deskBrowser.get(path)).body).toMatch(
      /Asked the IT service desk to disable the account of Vic Stolen[\s\S]*?Done \d/,
    );
    expect(await eventsOf(id)).toEqual([
      'incident.reported',
      'incident.action_recorded',
      'incident.action_done',
    ]);
    expect(await eventsOf(victim.id)).toContain('user.deactivated');
    expect(errorSummary((await deskBrowser.post(action, {})).body)).toEqual(['That action is already done']);
  });

  it('disables at once when the IT service desk asks, but never their own account', async () => {
    const victim = await createStaff(context, { organisationId: councilId, roles: ['practitioner'] });
    const deskBrowser = await signIn(context, desk);
    const path = await reported(deskBrowser);
    const own = await deskBrowser.post(`${path}/disable-account`, { accountId: desk.id });
    expect(own.statusCode).toBe(400);
    expect(errorSummary(own.body)).toEqual(['You cannot deactivate your own account']);
    expect(await isActive(desk.id)).toBe(true);
    const done = await deskBrowser.post(`${path}/disable-account`, { accountId: victim.id });
    expect(done.statusCode, errorSummary(done.body).join('; ')).toBe(303);
    expect(await isActive(victim.id)).toBe(false);
    expect((await deskBrowser.get(path)).body).toMatch(
      /Disabled the account of [^:]+: they were signed out and cannot sign in[\s\S]*?Done/,
    );
  });

  it('says to ask an administrator where no one holds the IT service desk role', async () => {
    const loneId = await createOrganisation(context, { name: `Poole Council ${randomUUID().slice(0, 6)}` });
    const reporter = await createStaff(context, { organisationId: loneId, roles: ['practitioner'] });
    const victim = await createStaff(context, { organisationId: loneId, roles: ['practitioner'] });
    const browser = await signIn(context, reporter);
    const path = await reported(browser);
    const refused = await browser.post(`${path}/disable-account`, { accountId: victim.id });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)[0]).toMatch(
      /^No one in your organisation holds the IT service desk role/,
    );
    const actions = await context.db
      .selectFrom('incident_actions')
      .select('id')
      .where('incident_id', '=', path.split('/').at(-1) ?? '')
      .execute();
    expect(actions).toEqual([]);
  });
});

describe('telling the officers who need to know (R5.4)', () => {
  it('tells a colleague, who may then read the incident, and records someone outside Safeshare with how', async () => {
    const path = await reported(await signIn(context, practitioner));
    const id = path.split('/').at(-1) ?? '';
    const guardianBrowser = await signIn(context, guardian);
    expect((await guardianBrowser.get(path)).statusCode).toBe(404);

    const dpoBrowser = await signIn(context, dpo);
    const cases: [Record<string, string>, string[]][] = [
      [{ why: 'Needs to know.' }, ['Select a colleague, or name someone outside Safeshare']],
      [
        { userId: guardian.id, outsideName: 'Sam Siro, SIRO', how: 'Telephone', why: 'Needs to know.' },
        ['Select a colleague or name someone outside Safeshare, not both'],
      ],
      [
        { outsideName: 'Sam Siro, SIRO', why: 'Needs to know.' },
        ['Say how you told them, for example by telephone'],
      ],
      [{ userId: guardian.id }, ['Say why they need to know']],
      [
        { userId: outsider.id, why: 'Needs to know.' },
        ['Select a colleague in your organisation, or name someone outside Safeshare'],
      ],
    ];
    for (const [answers, summary] of cases) {
      const refused = await dpoBrowser.post(`${path}/officers`, answers);
      expect(refused.statusCode).toBe(400);
      expect(errorSummary(refused.body)).toEqual(summary);
    }
    // Only the DPO records it.
    expect(
      (await guardianBrowser.post(`${path}/officers`, { userId: guardian.id, why: 'x' })).statusCode,
    ).toBe(403);
    expect(await eventsOf(id)).not.toContain('incident.officer_told');

    const toldColleague = await dpoBrowser.post(`${path}/officers`, {
      userId: guardian.id,
      why: 'Health information of a child may have been seen: the child protection adviser must know.',
    });
    expect(toldColleague.statusCode, errorSummary(toldColleague.body).join('; ')).toBe(303);
    const toldOutside = await dpoBrowser.post(`${path}/officers`, {
      outsideName: 'Sam Siro, senior information risk owner',
      how: 'By telephone',
      why: 'A reportable breach.',
    });
    expect(toldOutside.statusCode).toBe(303);

    const notice = (await noticesOf(guardian.id)).find((row) => row.kind === 'incident.officer_told');
    expect(notice?.subject).toMatch(/^Incident INC-\d{7}: for your information$/);
    const page = await guardianBrowser.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /Grace Guardian[\s\S]*?Told in Safeshare[\s\S]*?the child protection adviser must know/,
    );
    expect(page.body).toMatch(/Sam Siro, senior information risk owner[\s\S]*?By telephone/);
    expect((await eventsOf(id)).filter((event) => event === 'incident.officer_told')).toHaveLength(2);
  });
});

describe('marking a registered device lost from an incident (R4.7.3)', () => {
  it('marks the holder’s device lost and links it, once; someone else’s device is refused', async () => {
    const register = (holder: TestStaff, assetTag: string) =>
      context.services.media.register(viewerOf(holder, ['practitioner']), {
        kind: 'laptop',
        assetTag,
        encrypted: true,
        encryption: 'BitLocker',
        contents: 'Case recordings for the team.',
        purpose: 'Working at the family centre.',
        backedUp: 'The case management system.',
        neededUntil: '2027-01-31',
      });
    const own = await register(practitioner, `WC-LT-${randomUUID().slice(0, 4)}`);
    const someoneElses = await register(guardian, `WC-LT-${randomUUID().slice(0, 4)}`);
    const browser = await signIn(context, practitioner);
    const path = await reported(browser);
    const page = await browser.get(path);
    expect(page.body).toContain('Mark a device in the media register lost');
    expect(page.body).toContain(`value="${own}"`);
    expect(page.body).not.toContain(`value="${someoneElses}"`);

    const refused = await browser.post(`${path}/device-lost`, { mediaItemId: someoneElses });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      'Select a device in use that you hold, or that someone you manage holds',
    ]);
    const marked = await browser.post(`${path}/device-lost`, { mediaItemId: own });
    expect(marked.statusCode, errorSummary(marked.body).join('; ')).toBe(303);
    const status = await context.db
      .selectFrom('media_items')
      .select('status')
      .where('id', 'in', [own, someoneElses])
      .orderBy((eb) => eb.case().when('id', '=', own).then(0).else(1).end())
      .execute();
    expect(status.map((row) => row.status)).toEqual(['lost', 'in-use']);
    const after = await browser.get(path);
    expect(after.body).toContain(`href="/media/${own}"`);
    expect(after.body).toMatch(/Marked MD-\d+ \(asset tag WC-LT-[0-9a-f]{4}\) lost in the media register/);
    expect(after.body).not.toContain('Mark a device in the media register lost');
    expect(await eventsOf(own)).toContain('media.lost');
  });
});
