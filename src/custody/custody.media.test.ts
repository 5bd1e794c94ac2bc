import { beforeAll, describe, expect, it } from 'vitest';
import { errorSummary } from '../../test/support/browser.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';

/**
 * The register of removable media and devices (R4.7, R1.2): only encrypted media are registered;
 * what is on each, why, where it is backed up and until when; secure deletion or destruction
 * recorded; held past its purpose, flagged once; lost, an incident linked to the entry.
 */

let context: TestContext;
let holder: TestStaff;
let desk: TestStaff;
let stranger: TestStaff;

const stick = (overrides: Record<string, string | string[]> = {}) => ({
  kind: 'usb-stick',
  assetTag: 'SBC-USB-0042',
  encrypted: ['yes'],
  encryption: 'Hardware-encrypted stick with a PIN',
  contents: 'Photographs of the family home for the court.',
  purpose: 'The court asked for them in the care proceedings.',
  backedUp: 'The case management system',
  'neededUntil-day': '10',
  'neededUntil-month': '12',
  'neededUntil-year': '2026',
  ...overrides,
});

async function statusOf(id: string): Promise<string> {
  return (
    await context.db.selectFrom('media_items').select('status').where('id', '=', id).executeTakeFirstOrThrow()
  ).status;
}

beforeAll(async () => {
  context = await testApp();
  context.clock.set('2026-12-01T09:00:00Z');
  const organisationId = await createOrganisation(context);
  holder = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
  });
  desk = await createStaff(context, { organisationId, roles: ['it_service_desk'] });
  stranger = await createStaff(context, { organisationId, roles: ['practitioner'] });
}, 60_000);

describe('the media register (R4.7.1, R1.2, R4.7.4)', () => {
  it('refuses unencrypted media and incomplete entries, and registers nothing', async () => {
    const browser = await signIn(context, holder);
    const unencrypted = await browser.post('/media/new', stick({ encrypted: [] }));
    expect(unencrypted.statusCode).toBe(400);
    expect(errorSummary(unencrypted.body)).toEqual([
      'Unencrypted media cannot hold personal information: ask the IT service desk for an encrypted one',
    ]);
    const blank = await browser.post(
      '/media/new',
      stick({ contents: '', backedUp: '', 'neededUntil-day': '30', 'neededUntil-month': '11' }),
    );
    expect(errorSummary(blank.body)).toEqual([
      'Enter what personal information is on it',
      'Enter where the information is backed up',
      'The date it is needed until must be today or later',
    ]);
    expect(await context.db.selectFrom('media_items').select('id').execute()).toEqual([]);
  });

  it('registers an encrypted stick, flags it once past its purpose, and records its destruction', async () => {
    const browser = await signIn(context, holder);
    const registered = await browser.post('/media/new', stick());
    expect(registered.statusCode, errorSummary(registered.body).join('; ')).toBe(303);
    const path = String(registered.headers['location']);
    const id = path.split('/').at(-1) ?? '';
    expect((await browser.get('/media')).body).toContain('SBC-USB-0042');
    expect((await (await signIn(context, stranger)).get(path)).statusCode).toBe(404);

    context.clock.set('2026-12-11T09:00:00Z');
    expect(await context.services.media.flagPastNeed()).toBe(1);
    expect(await context.services.media.flagPastNeed()).toBe(0);
    const itDesk = await signIn(context, desk);
    const page = await itDesk.get(path);
    expect(page.body).toContain('Past its purpose');
    const vague = await itDesk.post(`${path}/disposal`, { how: 'destroyed', method: '' });
    expect(errorSummary(vague.body)).toEqual(['Enter how it was done']);
    const destroyed = await itDesk.post(`${path}/disposal`, {
      how: 'destroyed',
      method: 'Shredded by the IT service desk’s contractor, certificate 2026-118.',
    });
    expect(destroyed.statusCode).toBe(303);
    expect(await statusOf(id)).toBe('destroyed');
    expect((await itDesk.get(path)).body).toContain('certificate 2026-118');
  });

  it('reports a device lost as an incident linked to its entry', async () => {
    const id = await context.services.media.register(
      {
        userId: holder.id,
        displayName: 'Priya Sharma',
        email: holder.email,
        organisationId: holder.organisationId,
        organisationName: 'Swindon',
        roles: ['practitioner'],
      },
      {
        kind: 'laptop',
        assetTag: 'SBC-LT-0100',
        encrypted: true,
        encryption: 'BitLocker',
        contents: 'Case recordings for the team.',
        purpose: 'Working at court.',
        backedUp: 'The case management system',
        neededUntil: '2027-01-31',
      },
    );
    const browser = await signIn(context, holder);
    const form = await browser.get(`/incidents/new?media=${id}`);
    expect(form.body).toContain('from the media register as lost');
    const now = context.clock.now();
    const day = String(now.getUTCDate());
    const month = String(now.getUTCMonth() + 1);
    const reported = await browser.post('/incidents/new', {
      kind: 'lost-or-stolen',
      whatHappened: 'Stolen from the car.',
      'happenedOn-day': day,
      'happenedOn-month': month,
      'happenedOn-year': '2026',
      'awareOn-day': day,
      'awareOn-month': month,
      'awareOn-year': '2026',
      awareTime: '08:30',
      information: 'Case recordings.',
      peopleAffected: '60',
      peopleEstimated: ['yes'],
      actionsTaken: 'Reported to the police; IT locked it remotely.',
      mediaItemId: id,
    });
    expect(reported.statusCode, errorSummary(reported.body).join('; ')).toBe(303);
    expect(await statusOf(id)).toBe('lost');
    const incident = await context.db
      .selectFrom('incidents')
      .select('id')
      .where('media_item_id', '=', id)
      .executeTakeFirstOrThrow();
    expect((await browser.get(`/incidents/${incident.id}`)).body).toContain(`/media/${id}`);
  });
});
