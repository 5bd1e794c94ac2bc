import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, errorSummary } from '../../test/support/browser.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { systemActor } from '../audit/index.ts';
import { roles } from '../lib/roles.ts';
import { administratorOf } from './staff.authority.ts';
import { StaffNotFoundError } from './staff.service.ts';

let context: TestContext;
let organisationId: string;
let otherOrganisationId: string;
let admin: TestStaff;

beforeAll(async () => {
  context = await testApp();
  organisationId = await createOrganisation(context, { name: 'Swindon Borough Council' });
  otherOrganisationId = await createOrganisation(context, {
    name: 'Great Western Hospitals NHS Foundation Trust',
  });
  admin = await createStaff(context, { roles: ['admin'], organisationId, displayName: 'Alex Morgan' });
});

/** A fresh administrator session, so that no test depends on another's clock or session. */
async function asAdmin(): Promise<TestBrowser> {
  return signIn(context, admin);
}

function uniqueEmail(name: string): string {
  return `${name}.${randomBytes(3).toString('hex')}@swindon.gov.uk`;
}

const newPassword = 'marble otter lantern';

function validNewStaff(
  overrides: Record<string, string | readonly string[]> = {},
): Record<string, string | readonly string[]> {
  return {
    displayName: 'Priya Sharma',
    email: uniqueEmail('priya.sharma'),
    jobTitle: 'Health visitor',
    roles: ['practitioner'],
    lineManagerId: '',
    password: newPassword,
    ...overrides,
  };
}

async function counts() {
  const users = await context.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  const events = await context.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  const sessions = await context.db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return { users: Number(users.count), events: Number(events.count), sessions: Number(sessions.count) };
}

async function userRow(id: string) {
  return context.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function passwordStep(email: string, password: string) {
  const browser = new TestBrowser(context.app);
  await browser.get('/sign-in');
  return browser.post('/sign-in', { email, password });
}

function createdId(location: unknown): string {
  const id = /^\/admin\/staff\/([0-9a-f-]{36})\?done=created$/.exec(String(location))?.[1];
  if (id === undefined) throw new Error(`unexpected redirect: ${String(location)}`);
  return id;
}

describe('creating a member of staff', () => {
  it('creates a practitioner who can then sign in and must set up an authenticator app', async () => {
    const browser = await asAdmin();
    const form = await browser.get('/admin/staff/new');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Create a member of staff');
    expect(form.body).toContain('Data Protection Officer');

    const answers = validNewStaff();
    const response = await browser.post('/admin/staff/new', answers);
    expect(response.statusCode).toBe(303);
    const id = createdId(response.headers['location']);

    const page = await browser.get(String(response.headers['location']));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Account created');
    expect(page.body).toContain('Priya Sharma');
    expect(page.body).toContain('Practitioner');

    const signInResponse = await passwordStep(String(answers['email']), newPassword);
    expect(signInResponse.statusCode).toBe(303);
    // They choose their own password first, then set up their authenticator app.
    expect(signInResponse.headers['location']).toBe('/sign-in/change-password');

    const events = await context.db
      .selectFrom('audit_events')
      .selectAll()
      .where('entity_id', '=', id)
      .where('action', '=', 'user.created')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]?.organisation_id).toBe(organisationId);
    expect(events[0]?.actor_user_id).toBe(admin.id);
    expect(JSON.stringify(events[0]?.change)).not.toContain(newPassword);
  });

  it('stores an SQL fragment in a name as plain text, and the users table stays intact', async () => {
    const browser = await asAdmin();
    await browser.get('/admin/staff/new');
    const before = await counts();
    const name = "Robert'); DROP TABLE users;--";
    const response = await browser.post('/admin/staff/new', validNewStaff({ displayName: name }));
    expect(response.statusCode).toBe(303);
    const id = createdId(response.headers['location']);
    expect((await userRow(id)).display_name).toBe(name);
    expect((await counts()).users).toBe(before.users + 1);
    const page = await browser.get(`/admin/staff/${id}`);
    expect(page.body).toContain('Robert&#39;); DROP TABLE users;--');
  });
});

describe('the staff list', () => {
  it('lists the administrator’s own organisation’s staff with their roles, status and authenticator, and no one else', async () => {
    const colleague = await createStaff(context, {
      organisationId,
      displayName: 'Jordan Hughes',
      roles: ['practitioner', 'manager'],
      enrolled: false,
    });
    const nurse = await createStaff(context, {
      organisationId: otherOrganisationId,
      displayName: 'Casey Nowak',
    });
    const browser = await asAdmin();
    const all = await browser.get('/admin/staff');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('Create a member of staff');
    expect(all.body).toContain('Swindon Borough Council');
    expect(all.body).toContain('Jordan Hughes');
    expect(all.body).toContain(colleague.email);
    expect(all.body).toContain('Line manager');
    expect(all.body).not.toContain('Casey Nowak');
    expect(all.body).not.toContain(nurse.email);
    // The old organisation filter no longer reaches anyone else's staff.
    expect((await browser.get(`/admin/staff?organisationId=${otherOrganisationId}`)).body).not.toContain(
      nurse.email,
    );
  });
});

describe('changing a member of staff', () => {
  it('changes roles and line manager, and records the change', async () => {
    const manager = await createStaff(context, {
      organisationId,
      displayName: 'Chris Evans',
      roles: ['manager'],
    });
    const person = await createStaff(context, { organisationId, displayName: 'Dana Patel' });
    const browser = await asAdmin();
    const form = await browser.get(`/admin/staff/${person.id}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Dana Patel');

    const response = await browser.post(`/admin/staff/${person.id}/edit`, {
      displayName: 'Dana Patel',
      jobTitle: 'Senior social worker',
      organisationId,
      roles: ['practitioner', 'manager'],
      lineManagerId: manager.id,
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers['location']).toBe(`/admin/staff/${person.id}?done=updated`);

    const changed = await context.services.staff.find(systemActor, person.id);
    expect(changed?.roles).toEqual(['practitioner', 'manager']);
    expect(changed?.lineManagerId).toBe(manager.id);
    expect(changed?.jobTitle).toBe('Senior social worker');
    const page = await browser.get(String(response.headers['location']));
    expect(page.body).toContain('Details updated');
    expect(page.body).toContain('Chris Evans');

    const events = await context.db
      .selectFrom('audit_events')
      .select(['action', 'organisation_id'])
      .where('entity_id', '=', person.id)
      .where('action', '=', 'user.updated')
      .execute();
    expect(events).toEqual([{ action: 'user.updated', organisation_id: organisationId }]);
  });

  it('resets a password and ends the person’s live sessions', async () => {
    const person = await createStaff(context, { organisationId });
    const theirs = await signIn(context, person);
    expect((await theirs.get('/')).statusCode).toBe(200);

    const browser = await asAdmin();
    expect((await browser.get(`/admin/staff/${person.id}/reset-password`)).statusCode).toBe(200);
    const response = await browser.post(`/admin/staff/${person.id}/reset-password`, {
      password: newPassword,
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers['location']).toBe(`/admin/staff/${person.id}?done=password-reset`);

    const after = await theirs.get('/');
    expect(after.statusCode).toBe(303);
    expect(String(after.headers['location'])).toContain('/sign-in');
    expect((await passwordStep(person.email, person.password)).statusCode).toBe(400);
    const withNew = await passwordStep(person.email, newPassword);
    expect(withNew.statusCode).toBe(303);
    // A password an administrator set is replaced by one they choose before the one-time code.
    expect(withNew.headers['location']).toBe('/sign-in/change-password');
  });

  it('resets the authenticator app, so the person must set one up again', async () => {
    const person = await createStaff(context, { organisationId });
    const theirs = await signIn(context, person);
    const browser = await asAdmin();
    const confirm = await browser.get(`/admin/staff/${person.id}/reset-mfa`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('govuk-warning-text');

    const response = await browser.post(`/admin/staff/${person.id}/reset-mfa`);
    expect(response.statusCode).toBe(303);
    expect((await context.services.staff.find(systemActor, person.id))?.mfaEnrolled).toBe(false);
    expect((await theirs.get('/')).statusCode).toBe(303);
    const again = await passwordStep(person.email, person.password);
    expect(again.headers['location']).toBe('/sign-in/set-up-authenticator');
  });

  it('deactivates an account, ending its live session at the next request, and reactivates it', async () => {
    const person = await createStaff(context, { organisationId });
    const theirs = await signIn(context, person);
    expect((await theirs.get('/')).statusCode).toBe(200);

    const browser = await asAdmin();
    const confirm = await browser.get(`/admin/staff/${person.id}/deactivate`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('govuk-warning-text');
    const response = await browser.post(`/admin/staff/${person.id}/deactivate`);
    expect(response.statusCode).toBe(303);
    expect((await browser.get(String(response.headers['location']))).body).toContain('Account deactivated');

    const after = await theirs.get('/');
    expect(after.statusCode).toBe(303);
    expect(String(after.headers['location'])).toContain('/sign-in');
    expect((await passwordStep(person.email, person.password)).statusCode).toBe(400);

    expect((await browser.get(`/admin/staff/${person.id}/reactivate`)).statusCode).toBe(200);
    expect((await browser.post(`/admin/staff/${person.id}/reactivate`)).statusCode).toBe(303);
    expect((await context.services.staff.find(systemActor, person.id))?.active).toBe(true);
    expect((await signIn(context, person).then((back) => back.get('/'))).statusCode).toBe(200);
    const actions = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', person.id)
      .orderBy('seq')
      .execute();
    expect(actions.map((event) => event.action)).toEqual(
      expect.arrayContaining(['user.deactivated', 'user.reactivated']),
    );
  });
});

describe('who may use the staff pages', () => {
  const pages = (id: string) => [
    '/admin/staff',
    '/admin/staff/new',
    `/admin/staff/${id}`,
    `/admin/staff/${id}/edit`,
    `/admin/staff/${id}/reset-password`,
    `/admin/staff/${id}/reset-mfa`,
    `/admin/staff/${id}/deactivate`,
    `/admin/staff/${id}/reactivate`,
  ];
  const forms = (id: string) => ['/admin/staff/new', ...pages(id).slice(3)];

  it('refuses every staff page to staff without the administrator role', async () => {
    const person = await createStaff(context, { organisationId });
    const everyOtherRole = await createStaff(context, {
      organisationId,
      roles: roles.filter((role) => role !== 'admin'),
    });
    const browser = await signIn(context, everyOtherRole);
    const before = await userRow(person.id);
    const beforeCounts = await counts();
    for (const url of pages(person.id)) {
      expect((await browser.get(url)).statusCode, url).toBe(403);
    }
    for (const url of forms(person.id)) {
      const response = await browser.post(url, { ...validNewStaff(), password: newPassword });
      expect(response.statusCode, url).toBe(403);
    }
    expect(await userRow(person.id)).toEqual(before);
    expect((await counts()).users).toBe(beforeCounts.users);
  });

  it('sends someone not signed in to the sign-in page', async () => {
    const browser = new TestBrowser(context.app);
    const response = await browser.get('/admin/staff');
    expect(response.statusCode).toBe(303);
    expect(response.headers['location']).toBe('/sign-in?next=%2Fadmin%2Fstaff');
  });

  it('answers 404 for an unknown or malformed id, on every page and form', async () => {
    const browser = await asAdmin();
    const before = await counts();
    for (const id of [randomUUID(), 'not-a-uuid', '12345', "1'%20OR%20'1'='1"]) {
      for (const url of pages(id).slice(2)) {
        expect((await browser.get(url)).statusCode, url).toBe(404);
        expect(
          (await browser.post(url, { displayName: 'Someone', password: newPassword })).statusCode,
          url,
        ).toBe(404);
      }
    }
    const after = await counts();
    expect({ users: after.users, events: after.events }).toEqual({
      users: before.users,
      events: before.events,
    });
  });
});

describe('bad input changes nothing', () => {
  it('refuses every kind of bad answer on the create form with an error summary', async () => {
    const managerElsewhere = await createStaff(context, {
      organisationId: otherOrganisationId,
      roles: ['manager'],
    });
    const notHosted = await createOrganisation(context, { hosted: false });
    const browser = await asAdmin();
    await browser.get('/admin/staff/new');
    const cases: { answers: Record<string, string | readonly string[]>; expected: string }[] = [
      { answers: {}, expected: 'Enter full name' },
      { answers: validNewStaff({ displayName: '' }), expected: 'Enter full name' },
      {
        answers: validNewStaff({ displayName: 'x'.repeat(10_000) }),
        expected: 'Full name must be 120 characters or fewer',
      },
      { answers: validNewStaff({ displayName: ['Priya', 'Sharma'] }), expected: 'Enter full name' },
      {
        answers: validNewStaff({ isAdmin: 'true' }),
        expected: 'The form has a field it does not expect (isAdmin)',
      },
      {
        answers: validNewStaff({ displayName: '<script>alert(1)</script>' }),
        expected: 'Full name must not contain < or >',
      },
      {
        answers: validNewStaff({ email: 'not-an-email' }),
        expected: 'Enter an email address in the correct format, like name@example.gov.uk',
      },
      {
        answers: validNewStaff({ email: admin.email }),
        expected: 'A member of staff already has that email address',
      },
      { answers: validNewStaff({ password: 'short' }), expected: 'Password must be 12 characters or more' },
      {
        answers: validNewStaff({ password: 'password1234' }),
        expected: 'Password is too common or too easy to guess. Try three random words',
      },
      { answers: validNewStaff({ password: '' }), expected: 'Enter a password' },
      { answers: validNewStaff({ roles: [] }), expected: 'Select at least one role' },
      {
        answers: validNewStaff({ roles: ['practitioner', 'superuser'] }),
        expected: 'Select roles from the list',
      },
      {
        answers: validNewStaff({ organisationId: 'swindon' }),
        expected: 'Select an organisation from the list',
      },
      {
        answers: validNewStaff({ organisationId: notHosted }),
        expected: 'You can only create accounts for staff of your own organisation',
      },
      {
        answers: validNewStaff({ organisationId: randomUUID() }),
        expected: 'You can only create accounts for staff of your own organisation',
      },
      {
        answers: validNewStaff({ organisationId: otherOrganisationId }),
        expected: 'You can only create accounts for staff of your own organisation',
      },
      {
        answers: validNewStaff({ lineManagerId: managerElsewhere.id }),
        expected: 'The line manager must work for the same organisation',
      },
      {
        answers: validNewStaff({ lineManagerId: "'); DROP TABLE users;--" }),
        expected: 'Select a line manager from the list',
      },
    ];
    const before = await counts();
    for (const { answers, expected } of cases) {
      const response = await browser.post('/admin/staff/new', answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toContain(expected);
      expect(response.body).not.toContain(newPassword);
      expect(response.body).not.toContain('<script>alert(1)</script>');
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses bad answers on the change-details form, including removing one’s own administrator role', async () => {
    const person = await createStaff(context, { organisationId, displayName: 'Morgan Lewis' });
    const managerElsewhere = await createStaff(context, {
      organisationId: otherOrganisationId,
      roles: ['manager'],
    });
    const browser = await asAdmin();
    await browser.get(`/admin/staff/${person.id}/edit`);
    const valid = { displayName: 'Morgan Lewis', jobTitle: '', roles: ['practitioner'], lineManagerId: '' };
    const cases: { id: string; answers: Record<string, string | readonly string[]>; expected: string }[] = [
      { id: person.id, answers: {}, expected: 'Enter full name' },
      {
        id: person.id,
        answers: { ...valid, displayName: 'x'.repeat(10_000) },
        expected: 'Full name must be 120 characters or fewer',
      },
      {
        id: person.id,
        answers: { ...valid, jobTitle: ['Social worker', 'Manager'] },
        expected: 'Job title must be text',
      },
      {
        id: person.id,
        answers: { ...valid, email: 'someone.else@swindon.gov.uk' },
        expected: 'The form has a field it does not expect (email)',
      },
      {
        id: person.id,
        answers: { ...valid, displayName: '<script>alert(1)</script>' },
        expected: 'Full name must not contain < or >',
      },
      { id: person.id, answers: { ...valid, roles: [] }, expected: 'Select at least one role' },
      {
        id: person.id,
        answers: { ...valid, lineManagerId: managerElsewhere.id },
        expected: 'The line manager must work for the same organisation',
      },
      {
        id: person.id,
        answers: { ...valid, lineManagerId: person.id },
        expected: 'A person cannot be their own line manager',
      },
      {
        id: person.id,
        answers: { ...valid, organisationId: otherOrganisationId },
        expected: 'You cannot move staff to another organisation',
      },
      {
        id: admin.id,
        answers: { ...valid, displayName: 'Alex Morgan' },
        expected: 'You cannot remove your own administrator role',
      },
    ];
    const before = {
      person: await userRow(person.id),
      admin: await userRow(admin.id),
      counts: await counts(),
    };
    for (const { id, answers, expected } of cases) {
      const response = await browser.post(`/admin/staff/${id}/edit`, answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toContain(expected);
    }
    expect(await userRow(person.id)).toEqual(before.person);
    expect(await userRow(admin.id)).toEqual(before.admin);
    expect((await counts()).events).toBe(before.counts.events);
  });

  it('refuses a bad new password, and a confirmation with extra fields or on one’s own account', async () => {
    const person = await createStaff(context, { organisationId });
    const browser = await asAdmin();
    await browser.get(`/admin/staff/${person.id}/reset-password`);
    const before = {
      person: await userRow(person.id),
      admin: await userRow(admin.id),
      events: (await counts()).events,
    };
    const passwordCases: { answers: Record<string, string | readonly string[]>; expected: string }[] = [
      { answers: {}, expected: 'Enter a password' },
      { answers: { password: 'short' }, expected: 'Password must be 12 characters or more' },
      {
        answers: { password: 'passwordpassword' },
        expected: 'Password is too common or too easy to guess. Try three random words',
      },
      { answers: { password: 'x'.repeat(10_000) }, expected: 'Password must be 256 characters or fewer' },
      { answers: { password: [newPassword, newPassword] }, expected: 'Enter a password' },
      {
        answers: { password: newPassword, roles: 'admin' },
        expected: 'The form has a field it does not expect (roles)',
      },
    ];
    for (const { answers, expected } of passwordCases) {
      const response = await browser.post(`/admin/staff/${person.id}/reset-password`, answers);
      expect(response.statusCode, expected).toBe(400);
      expect(errorSummary(response.body), expected).toContain(expected);
    }
    for (const action of ['reset-mfa', 'deactivate', 'reactivate']) {
      const response = await browser.post(`/admin/staff/${person.id}/${action}`, { active: 'false' });
      expect(response.statusCode, action).toBe(400);
      expect(errorSummary(response.body), action).toContain(
        'The form has a field it does not expect (active)',
      );
    }
    const self = await browser.post(`/admin/staff/${admin.id}/deactivate`);
    expect(self.statusCode).toBe(400);
    expect(errorSummary(self.body)).toEqual(['You cannot deactivate your own account']);
    expect(self.body).toContain('href="#confirm"');
    expect(self.body).toContain('id="confirm"');

    expect(await userRow(person.id)).toEqual(before.person);
    expect(await userRow(admin.id)).toEqual(before.admin);
    expect((await counts()).events).toBe(before.events);
  });
});

describe('administrators are confined to their own organisation (ADR 0011)', () => {
  /** The hosted case: the hospital's administrator and a council practitioner on one Safeshare. */
  async function hospitalAdminAndCouncilStaff() {
    const hospitalAdmin = await createStaff(context, {
      roles: ['admin'],
      organisationId: otherOrganisationId,
      displayName: 'Rowan Blake',
    });
    const councilStaff = await createStaff(context, { organisationId, displayName: 'Ellis Warren' });
    return { hospitalAdmin, councilStaff };
  }

  async function sessionsOf(userId: string): Promise<number> {
    return (await context.db.selectFrom('sessions').select('user_id').where('user_id', '=', userId).execute())
      .length;
  }

  it('answers 404 to another organisation’s administrator on every page and form about a council member of staff, and changes nothing', async () => {
    const { hospitalAdmin, councilStaff } = await hospitalAdminAndCouncilStaff();
    const theirs = await signIn(context, councilStaff);
    const browser = await signIn(context, hospitalAdmin);
    const before = {
      row: await userRow(councilStaff.id),
      counts: await counts(),
      sessions: await sessionsOf(councilStaff.id),
    };
    expect((await browser.get('/admin/staff')).body).not.toContain(councilStaff.email);
    const attempts: [string, Record<string, string | readonly string[]>][] = [
      [`/admin/staff/${councilStaff.id}`, {}],
      [
        `/admin/staff/${councilStaff.id}/edit`,
        { displayName: 'Ellis Warren', jobTitle: '', roles: ['practitioner', 'dpo'], lineManagerId: '' },
      ],
      [`/admin/staff/${councilStaff.id}/reset-password`, { password: newPassword }],
      [`/admin/staff/${councilStaff.id}/reset-mfa`, {}],
      [`/admin/staff/${councilStaff.id}/deactivate`, {}],
      [`/admin/staff/${councilStaff.id}/reactivate`, {}],
      [
        `/admin/staff/${councilStaff.id}/training`,
        { 'completedOn-day': '1', 'completedOn-month': '6', 'completedOn-year': '2026' },
      ],
    ];
    for (const [url, form] of attempts) {
      const page = await browser.get(url);
      expect(page.statusCode, url).toBe(404);
      expect(page.body, url).not.toContain('Ellis Warren');
      const response = await browser.post(url, form);
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).not.toContain('Ellis Warren');
    }
    expect(await userRow(councilStaff.id)).toEqual(before.row);
    expect(await counts()).toEqual(before.counts);
    expect(await sessionsOf(councilStaff.id)).toBe(before.sessions);
    expect((await theirs.get('/')).statusCode).toBe(200);
  });

  it('refuses the same changes in the service itself, as for someone who does not exist', async () => {
    const { hospitalAdmin, councilStaff } = await hospitalAdminAndCouncilStaff();
    const administrator = administratorOf({
      userId: hospitalAdmin.id,
      displayName: 'Rowan Blake',
      email: hospitalAdmin.email,
      organisationId: otherOrganisationId,
      organisationName: 'Great Western Hospitals NHS Foundation Trust',
      roles: ['admin'],
    });
    const { staff } = context.services;
    const before = { row: await userRow(councilStaff.id), counts: await counts() };
    expect(await staff.find(administrator, councilStaff.id)).toBeUndefined();
    expect(
      (await staff.list({ organisationId: administrator.organisationId })).map((member) => member.id),
    ).not.toContain(councilStaff.id);
    const changes = [
      () =>
        staff.update(administrator, councilStaff.id, {
          organisationId,
          displayName: 'Ellis Warren',
          jobTitle: null,
          roles: ['dpo'],
          lineManagerId: null,
        }),
      () =>
        staff.update(administrator, councilStaff.id, {
          organisationId: otherOrganisationId,
          displayName: 'Ellis Warren',
          jobTitle: null,
          roles: ['practitioner'],
          lineManagerId: null,
        }),
      () => staff.setActive(administrator, councilStaff.id, false),
      () => staff.resetPassword(administrator, councilStaff.id, newPassword),
      () => staff.resetMfa(administrator, councilStaff.id),
      () => staff.recordTraining(administrator, councilStaff.id, '2026-06-01'),
    ];
    for (const change of changes) await expect(change()).rejects.toBeInstanceOf(StaffNotFoundError);
    await expect(
      staff.create(administrator, {
        organisationId,
        email: uniqueEmail('dpo'),
        displayName: 'Drew Parker',
        jobTitle: 'Data Protection Officer',
        roles: ['dpo'],
        lineManagerId: null,
        password: newPassword,
      }),
    ).rejects.toMatchObject({
      field: 'organisationId',
      message: 'You can only create accounts for staff of your own organisation',
    });
    expect(await userRow(councilStaff.id)).toEqual(before.row);
    expect(await counts()).toEqual(before.counts);
  });

  it('refuses a hospital administrator creating a Data Protection Officer in the council, and offers only their own organisation', async () => {
    const { hospitalAdmin } = await hospitalAdminAndCouncilStaff();
    const browser = await signIn(context, hospitalAdmin);
    const form = await browser.get('/admin/staff/new');
    expect(form.body).toContain('Great Western Hospitals NHS Foundation Trust');
    expect(form.body).not.toContain('Swindon Borough Council');
    expect(form.body).not.toContain(organisationId);
    const before = await counts();
    const email = uniqueEmail('drew.parker');
    const response = await browser.post(
      '/admin/staff/new',
      validNewStaff({ email, organisationId, roles: ['dpo'], displayName: 'Drew Parker' }),
    );
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toEqual([
      'You can only create accounts for staff of your own organisation',
    ]);
    expect(await counts()).toEqual(before);
    expect(await context.db.selectFrom('users').select('id').where('email', '=', email).execute()).toEqual(
      [],
    );

    // Without an organisation, the account joins the administrator's own.
    const created = await browser.post('/admin/staff/new', validNewStaff({ email }));
    expect(created.statusCode).toBe(303);
    expect((await userRow(createdId(created.headers['location']))).organisation_id).toBe(otherOrganisationId);
  });

  it('does not offer a line manager from another organisation', async () => {
    const { hospitalAdmin, councilStaff } = await hospitalAdminAndCouncilStaff();
    const browser = await signIn(context, hospitalAdmin);
    expect((await browser.get('/admin/staff/new')).body).not.toContain(councilStaff.id);
  });
});

describe('the platform operator role', () => {
  const operatorRefusal = 'Only a platform operator can give or remove the platform operator role';

  it('cannot be given or removed by an administrator who does not hold it, and is not offered to them', async () => {
    const person = await createStaff(context, { organisationId, displayName: 'Taylor Reed' });
    const operator = await createStaff(context, {
      organisationId,
      displayName: 'Quinn Harper',
      roles: ['platform_operator'],
    });
    const browser = await asAdmin();
    expect((await browser.get('/admin/staff/new')).body).not.toContain('value="platform_operator"');
    expect((await browser.get(`/admin/staff/${person.id}/edit`)).body).not.toContain(
      'value="platform_operator"',
    );
    const before = {
      person: await userRow(person.id),
      operator: await userRow(operator.id),
      counts: await counts(),
    };

    const created = await browser.post(
      '/admin/staff/new',
      validNewStaff({ roles: ['admin', 'platform_operator'] }),
    );
    expect(created.statusCode).toBe(400);
    expect(errorSummary(created.body)).toEqual([operatorRefusal]);
    const raised = await browser.post(`/admin/staff/${person.id}/edit`, {
      displayName: 'Taylor Reed',
      jobTitle: '',
      roles: ['practitioner', 'platform_operator'],
      lineManagerId: '',
    });
    expect(raised.statusCode).toBe(400);
    expect(errorSummary(raised.body)).toEqual([operatorRefusal]);
    const self = await browser.post(`/admin/staff/${admin.id}/edit`, {
      displayName: 'Alex Morgan',
      jobTitle: '',
      roles: ['admin', 'platform_operator'],
      lineManagerId: '',
    });
    expect(self.statusCode).toBe(400);
    await expect(
      context.services.staff.update(
        administratorOf({
          userId: admin.id,
          displayName: 'Alex Morgan',
          email: admin.email,
          organisationId,
          organisationName: 'Swindon Borough Council',
          roles: ['admin'],
        }),
        operator.id,
        {
          organisationId,
          displayName: 'Quinn Harper',
          jobTitle: null,
          roles: ['practitioner'],
          lineManagerId: null,
        },
      ),
    ).rejects.toMatchObject({ field: 'roles', message: operatorRefusal });
    expect(await userRow(person.id)).toEqual(before.person);
    expect(await userRow(operator.id)).toEqual(before.operator);
    expect(await counts()).toEqual(before.counts);

    // Changing someone else about an operator keeps their role: the form does not show it.
    const kept = await browser.post(`/admin/staff/${operator.id}/edit`, {
      displayName: 'Quinn Harper',
      jobTitle: 'Directory operator',
      roles: ['practitioner'],
      lineManagerId: '',
    });
    expect(kept.statusCode).toBe(303);
    expect((await userRow(operator.id)).roles).toEqual(['practitioner', 'platform_operator']);
  });

  it('can be given and removed by an administrator who is a platform operator', async () => {
    const operatorAdmin = await createStaff(context, {
      organisationId,
      roles: ['admin', 'platform_operator'],
    });
    const person = await createStaff(context, { organisationId, displayName: 'Jamie Cole' });
    const browser = await signIn(context, operatorAdmin);
    expect((await browser.get(`/admin/staff/${person.id}/edit`)).body).toContain('value="platform_operator"');
    const given = await browser.post(`/admin/staff/${person.id}/edit`, {
      displayName: 'Jamie Cole',
      jobTitle: '',
      roles: ['platform_operator'],
      lineManagerId: '',
    });
    expect(given.statusCode).toBe(303);
    expect((await userRow(person.id)).roles).toEqual(['platform_operator']);
    const removed = await browser.post(`/admin/staff/${person.id}/edit`, {
      displayName: 'Jamie Cole',
      jobTitle: '',
      roles: ['practitioner'],
      lineManagerId: '',
    });
    expect(removed.statusCode).toBe(303);
    expect((await userRow(person.id)).roles).toEqual(['practitioner']);
  });

  it('gives no access to staff accounts or to anyone’s records', async () => {
    const person = await createStaff(context, { organisationId });
    const browser = await signIn(
      context,
      await createStaff(context, { organisationId, roles: ['platform_operator'] }),
    );
    for (const url of ['/admin/staff', `/admin/staff/${person.id}`, '/people', '/decisions', '/audit']) {
      expect((await browser.get(url)).statusCode, url).toBe(403);
    }
    expect((await browser.get('/admin/organisations')).statusCode).toBe(200);
  });
});
