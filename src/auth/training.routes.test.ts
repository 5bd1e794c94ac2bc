import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/index.ts';
import { errorSummary } from '../../test/support/browser.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { StaffRuleError } from './staff.service.ts';

/** Data protection training (R1.1, R2.2). The test clock stands at 30 November 2026. */
let context: TestContext;
let organisationId: string;
let admin: TestStaff;

beforeAll(async () => {
  context = await testApp();
  organisationId = await createOrganisation(context, { name: 'Swindon Borough Council' });
  admin = await createStaff(context, { roles: ['admin'], organisationId, displayName: 'Alex Morgan' });
});

async function trainingOn(id: string) {
  return (
    await context.db
      .selectFrom('users')
      .select('data_protection_training_on')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).data_protection_training_on;
}

async function trainingEvents(id: string) {
  return context.db
    .selectFrom('audit_events')
    .selectAll()
    .where('entity_id', '=', id)
    .where('action', '=', 'user.training_recorded')
    .orderBy('seq')
    .execute();
}

describe('recording data protection training (administrators)', () => {
  it('records the date, writes the audit event, and shows the status on the staff page', async () => {
    const person = await createStaff(context, { organisationId, displayName: 'Priya Sharma' });
    const browser = await signIn(context, admin);

    const before = await browser.get(`/admin/staff/${person.id}`);
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain('Data protection training');
    expect(before.body).toContain('Not recorded');
    expect(before.body).toContain(`href="/admin/staff/${person.id}/training"`);

    const form = await browser.get(`/admin/staff/${person.id}/training`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('When did they complete data protection training?');
    expect(form.body).toContain('name="completedOn-day"');

    const saved = await browser.post(`/admin/staff/${person.id}/training`, {
      'completedOn-day': '31',
      'completedOn-month': '1',
      'completedOn-year': '2026',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers['location']).toBe(`/admin/staff/${person.id}?done=training-recorded`);
    expect(await trainingOn(person.id)).toBe('2026-01-31');

    const events = await trainingEvents(person.id);
    expect(events).toHaveLength(1);
    expect(events[0]?.actor_user_id).toBe(admin.id);
    expect(events[0]?.organisation_id).toBe(organisationId);
    expect(events[0]?.change).toEqual({
      dataProtectionTrainingOn: '2026-01-31',
      previousDataProtectionTrainingOn: null,
    });

    const page = await browser.get(String(saved.headers['location']));
    expect(page.body).toContain('Data protection training recorded.');
    expect(page.body).toContain('Completed 31 January 2026');
    expect(page.body).toContain('Current');
    expect(page.body).toContain('Expires 31 January 2027');
  });

  it('re-renders bad dates with an error, answering 400 and changing nothing', async () => {
    const person = await createStaff(context, { organisationId });
    await context.services.staff.recordTraining(systemActor, person.id, '2026-03-02');
    const browser = await signIn(context, admin);
    await browser.get(`/admin/staff/${person.id}/training`);

    const cases: [Record<string, string>, string][] = [
      [
        { 'completedOn-day': '', 'completedOn-month': '', 'completedOn-year': '' },
        'Enter the date they completed data protection training',
      ],
      [
        { 'completedOn-day': '30', 'completedOn-month': '2', 'completedOn-year': '2026' },
        'Date they completed the training must be a real date',
      ],
      [
        { 'completedOn-day': '29', 'completedOn-month': '2', 'completedOn-year': '2027' },
        'Date they completed the training must be a real date',
      ],
      [
        { 'completedOn-day': 'first', 'completedOn-month': 'June', 'completedOn-year': '2026' },
        'Date they completed the training must be a real date',
      ],
      [
        { 'completedOn-day': '1', 'completedOn-month': '12', 'completedOn-year': '2026' },
        'Date they completed the training must be today or in the past',
      ],
      [
        { 'completedOn-day': '31', 'completedOn-month': '12', 'completedOn-year': '1999' },
        'Date they completed the training must be on or after 1 January 2000',
      ],
    ];
    for (const [answers, message] of cases) {
      const response = await browser.post(`/admin/staff/${person.id}/training`, answers);
      expect(response.statusCode, message).toBe(400);
      expect(errorSummary(response.body)).toEqual([message]);
      expect(response.body).toContain('href="#completedOn-day"');
      expect(response.body).toContain('govuk-input--error');
    }
    // What was typed is shown again.
    const again = await browser.post(`/admin/staff/${person.id}/training`, {
      'completedOn-day': '31',
      'completedOn-month': '4',
      'completedOn-year': '2026',
    });
    expect(again.body).toContain('value="31"');

    // A tampered form is refused too.
    const tampered = await browser.post(`/admin/staff/${person.id}/training`, {
      'completedOn-day': '1',
      'completedOn-month': '6',
      'completedOn-year': '2026',
      role: 'admin',
    });
    expect(tampered.statusCode).toBe(400);

    expect(await trainingOn(person.id)).toBe('2026-03-02');
    expect(await trainingEvents(person.id)).toHaveLength(1);
  });

  it('refuses a future date, a date before 2000 or a malformed one in the service as well', async () => {
    const person = await createStaff(context, { organisationId });
    for (const date of ['2026-12-01', '1999-12-31', '2026-02-30', '30/11/2026']) {
      await expect(
        context.services.staff.recordTraining(systemActor, person.id, date),
      ).rejects.toBeInstanceOf(StaffRuleError);
    }
    await context.services.staff.recordTraining(systemActor, person.id, '2026-11-30');
    expect(await trainingOn(person.id)).toBe('2026-11-30');
    expect(await context.services.staff.trainingOf(person.id)).toEqual({
      completedOn: '2026-11-30',
      state: 'current',
      expiresOn: '2027-11-30',
    });
  });

  it('answers 404 for someone who does not exist, and is for administrators only', async () => {
    const browser = await signIn(context, admin);
    expect((await browser.get('/admin/staff/00000000-0000-4000-8000-000000000000/training')).statusCode).toBe(
      404,
    );
    expect((await browser.get('/admin/staff/not-an-id/training')).statusCode).toBe(404);
    const manager = await createStaff(context, { organisationId, roles: ['manager'] });
    const managerBrowser = await signIn(context, manager);
    expect((await managerBrowser.get(`/admin/staff/${admin.id}/training`)).statusCode).toBe(403);
    expect(
      (
        await managerBrowser.post(`/admin/staff/${admin.id}/training`, {
          'completedOn-day': '1',
          'completedOn-month': '6',
          'completedOn-year': '2026',
        })
      ).statusCode,
    ).toBe(403);
    expect(await trainingOn(admin.id)).toBeNull();
  });
});

describe('a line manager’s team (R2.2)', () => {
  it('shows only their own active direct reports, each with their training status', async () => {
    const manager = await createStaff(context, {
      organisationId,
      roles: ['manager'],
      displayName: 'Tom Hughes',
    });
    const otherManager = await createStaff(context, {
      organisationId,
      roles: ['manager'],
      displayName: 'Ruth Adeyemi',
    });
    const current = await createStaff(context, {
      organisationId,
      lineManagerId: manager.id,
      displayName: 'Amira Current',
    });
    const expiring = await createStaff(context, {
      organisationId,
      lineManagerId: manager.id,
      displayName: 'Bella Expiring',
    });
    const lapsed = await createStaff(context, {
      organisationId,
      lineManagerId: manager.id,
      displayName: 'Callum Lapsed',
    });
    await createStaff(context, {
      organisationId,
      lineManagerId: manager.id,
      displayName: 'Dylan Unrecorded',
    });
    const leaver = await createStaff(context, {
      organisationId,
      lineManagerId: manager.id,
      displayName: 'Evan Leaver',
    });
    await createStaff(context, {
      organisationId,
      lineManagerId: otherManager.id,
      displayName: 'Fiona Elsewhere',
    });
    const { staff } = context.services;
    await staff.recordTraining(systemActor, current.id, '2026-06-15');
    await staff.recordTraining(systemActor, expiring.id, '2025-12-20');
    await staff.recordTraining(systemActor, lapsed.id, '2025-10-31');
    await staff.setActive(systemActor, leaver.id, false);

    const browser = await signIn(context, manager);
    const home = await browser.get('/');
    expect(home.body).toContain('href="/team"');
    const page = await browser.get('/team');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Your team');
    const rows = [...page.body.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)]
      .map((match) =>
        (match[1] ?? '')
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .slice(1);
    expect(rows).toEqual([
      'Amira Current Social worker Current Expires 15 June 2027',
      'Bella Expiring Social worker Expires soon Expires 20 December 2026',
      'Callum Lapsed Social worker Lapsed Expired 31 October 2026',
      'Dylan Unrecorded Social worker Not recorded',
    ]);
    expect(page.body).not.toContain('Evan Leaver');
    expect(page.body).not.toContain('Fiona Elsewhere');

    expect((await staff.team(otherManager.id)).map((member) => member.displayName)).toEqual([
      'Fiona Elsewhere',
    ]);
  });

  it('tells a manager with no direct reports so', async () => {
    const manager = await createStaff(context, { organisationId, roles: ['manager'] });
    const page = await (await signIn(context, manager)).get('/team');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('No one reports to you');
  });

  it('is refused to a practitioner (403) and not in their navigation', async () => {
    const practitioner = await createStaff(context, { organisationId });
    const browser = await signIn(context, practitioner);
    expect((await browser.get('/team')).statusCode).toBe(403);
    expect((await browser.get('/')).body).not.toContain('href="/team"');
  });
});

describe('the warning about a practitioner’s own training (R1.1)', () => {
  it('warns on the home page while training is not recorded or has lapsed, reminds when it expires soon, and is quiet when current', async () => {
    const practitioner = await createStaff(context, { organisationId });
    const browser = await signIn(context, practitioner);
    const warning = (body: string) =>
      /govuk-warning-text__text">([\s\S]*?)<\/strong>/
        .exec(body)?.[1]
        ?.replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();

    expect(warning((await browser.get('/')).body)).toBe(
      'Warning Your data protection training is not recorded. Complete it before sharing information.',
    );

    await context.services.staff.recordTraining(systemActor, practitioner.id, '2025-11-01');
    expect(warning((await browser.get('/')).body)).toBe(
      'Warning Your data protection training has lapsed. Complete it before sharing information.',
    );

    await context.services.staff.recordTraining(systemActor, practitioner.id, '2025-12-10');
    const expiring = await browser.get('/');
    expect(warning(expiring.body)).toBeUndefined();
    expect(expiring.body).toContain(
      'Your data protection training expires on 10 December 2026. Renew it before then.',
    );

    await context.services.staff.recordTraining(systemActor, practitioner.id, '2026-09-01');
    const current = await browser.get('/');
    expect(current.body).not.toContain('data protection training');
  });

  it('does not warn staff who never share, such as auditors', async () => {
    const auditor = await createStaff(context, { organisationId, roles: ['auditor'] });
    const page = await (await signIn(context, auditor)).get('/');
    expect(page.body).not.toContain('data protection training');
  });
});
