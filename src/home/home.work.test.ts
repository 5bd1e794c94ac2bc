import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/index.ts';
import type { Role, Viewer } from '../auth/index.ts';
import {
  addPerson,
  consentWorld,
  everyMethodId,
  givenConsentAnswers,
  viewerOf,
} from '../../test/support/consent-fixtures.ts';
import { letterDisclosure } from '../../test/support/disclosure-fixtures.ts';
import { decisionNeedingPublicInterestApproval } from '../../test/support/emergency-fixtures.ts';
import { createOrganisation, createStaff, signIn, type TestStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';

/**
 * A council where work waits for every role: a practitioner's decisions, disclosures, off-site log
 * and device made weeks ago and now overdue; today, incidents, an approval, an advice request and an
 * account to disable. Each role's home page is read as that role signs in.
 */
let context: TestContext;
let organisationId: string;
const staff = new Map<string, TestStaff>();
let riskyIncidentId: string;

const hour = 3_600_000;
const today = new Date('2026-11-30T09:00:00Z');

async function person(name: string, roles: readonly Role[], lineManagerId?: string): Promise<TestStaff> {
  const member = await createStaff(context, {
    organisationId,
    roles,
    displayName: name,
    ...(lineManagerId === undefined ? {} : { lineManagerId }),
  });
  staff.set(name, member);
  return member;
}

function as(name: string, roles: readonly Role[]): Viewer {
  const member = staff.get(name);
  if (member === undefined) throw new Error(`no ${name} in this council`);
  return viewerOf(member, roles, name);
}

beforeAll(async () => {
  context = await testApp();
  const { services } = context;
  organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  const schoolId = await createOrganisation(context, {
    name: `Oakfield Primary School ${randomUUID().slice(0, 6)}`,
    hosted: false,
  });
  const tom = await person('Tom Hughes', ['manager']);
  const priya = await person('Priya Sharma', ['practitioner'], tom.id);
  await person('Helen Carter', ['caldicott_guardian']);
  await person('Dana Okafor', ['dpo']);
  await person('Ian Desk', ['it_service_desk']);
  await person('Alex Morgan', ['admin']);
  await person('Ade Bello', ['auditor']);
  await person('Iris Lane', ['ig_lead']);
  await person('Carl Mensah', ['child_protection_adviser']);
  await person('Pat Quinn', ['platform_operator']);
  await person('Lee Stolen', ['practitioner'], tom.id);
  // Tom's team: Priya has no training recorded; Lee's is current.
  await services.staff.recordTraining(systemActor, staff.get('Lee Stolen')?.id ?? '', '2026-09-01');
  const asPriya = as('Priya Sharma', ['practitioner']);

  // Eight weeks ago: consent due for review in October, a letter whose receipt is awaited, a laptop
  // needed until 10 October, a court bundle due back on 2 October.
  context.clock.set(new Date('2026-10-01T09:00:00Z'));
  const consents = consentWorld(context);
  const childId = await addPerson(consents, organisationId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: priya.id,
  });
  await consents.consents.record(
    asPriya,
    childId,
    givenConsentAnswers({
      givenOn: '2026-09-20',
      reviewOn: '2026-10-20',
      recipientOrganisationIds: [schoolId],
      categoryIds: ['education', 'health'],
      methodIds: everyMethodId,
    }),
  );
  const routine = routineShareAnswers({ personIds: [childId], schoolId });
  const shared = await services.sharing.recordComplete(asPriya, {
    ...routine,
    request: { ...routine.request, receivedOn: '2026-09-30' },
  });
  await services.disclosures.record(asPriya, shared.id, letterDisclosure() as never);
  await services.media.register(asPriya, {
    kind: 'laptop',
    assetTag: 'SBC-LT-0100',
    encrypted: true,
    encryption: 'BitLocker',
    contents: 'Case recordings for the team.',
    purpose: 'Visits to families.',
    backedUp: 'The case management system.',
    neededUntil: '2026-10-10',
  });
  await services.custody.log(asPriya, {
    form: 'paper',
    what: 'The court bundle for the care proceedings hearing.',
    reasonId: 'court',
    destination: 'Swindon Combined Court',
    dueBackAt: new Date('2026-10-02T16:30:00Z'),
    protected: true,
    carSafe: true,
  });

  // Today.
  context.clock.set(today);
  await services.custody.log(asPriya, {
    form: 'electronic',
    what: 'The team laptop with the case recording, asset SBC-1234.',
    reasonId: 'working-from-home',
    destination: 'Working from home',
    dueBackAt: new Date(today.getTime() + 48 * hour),
    protected: true,
    carSafe: true,
  });
  const report = {
    kind: 'lost-or-stolen' as const,
    whatHappened: 'A bag with a case file was left on a train.',
    happenedOn: '2026-11-26',
    information: 'A case file about one family.',
    peopleAffected: 3,
    peopleEstimated: false,
    actionsTaken: 'Rang the train operator’s lost property office.',
  };
  await services.incidents.report(asPriya, { ...report, awareAt: new Date(today.getTime() - 80 * hour) });
  riskyIncidentId = await services.incidents.report(asPriya, {
    ...report,
    whatHappened: 'A colleague’s password was seen written on a desk.',
    happenedOn: '2026-11-30',
    awareAt: new Date(today.getTime() - 2 * hour),
  });
  // The DPO asks the IT service desk to disable the account whose password was seen.
  await services.incidents.disableAccount(
    as('Dana Okafor', ['dpo']),
    riskyIncidentId,
    staff.get('Lee Stolen')?.id ?? '',
  );
  // Health information shared against a withdrawal: the line manager and the Caldicott Guardian approve.
  const awaiting = await decisionNeedingPublicInterestApproval(context, {
    organisationId,
    schoolId,
    practitioner: priya,
    manager: tom,
    guardian: staff.get('Helen Carter') as TestStaff,
    dpo: staff.get('Dana Okafor') as TestStaff,
    asPractitioner: asPriya,
    asGuardian: as('Helen Carter', ['caldicott_guardian']),
  });
  await services.sharing.sendForApproval(asPriya, awaiting);
  // Education alone on the public interest: her line manager approves.
  const leoId = await addPerson(consents, organisationId, {
    givenNames: 'Leo',
    familyName: 'Marsh',
    dateOfBirth: '2016-01-20',
    allocateTo: priya.id,
  });
  const forManager = await services.sharing.start(asPriya, { personId: leoId });
  const leoShare = routineShareAnswers({ personIds: [leoId], schoolId });
  await services.sharing.save(asPriya, forManager, {
    ...leoShare,
    information: {
      ...leoShare.information,
      shared: leoShare.information.shared.filter((item) => item.categoryId === 'education'),
    },
    lawfulBasis: {
      unsure: false,
      article6: 'public-task',
      article9: 'health-social-care',
      schedule1: 'safeguarding',
      commonLaw: 'public-interest',
      confidenceReason: 'Risk of significant harm outweighs confidence.',
      justification: 'The school reports he is often hungry; his attendance record is needed today.',
    },
  });
  await services.sharing.sendForApproval(asPriya, forManager);
  // Amelia's mother asked on 2 November what has been shared about her: due on 2 December.
  await services.subjectAccess.create(as('Dana Okafor', ['dpo']), {
    personId: childId,
    requesterKind: 'parental-responsibility',
    requesterName: 'Rachel Hughes',
    requesterRelationship: 'mother',
    receivedOn: '2026-11-02',
    verification: 'Passport seen at the front desk.',
    verifiedOn: '2026-11-02',
  });
  await services.sharing.askAdvice(asPriya, shared.id, {
    adviser: 'caldicott_guardian',
    question: 'Should the school nurse have the health reports too?',
    anonymised: true,
  });
});

/** The counts on a home page, by the words beside each number. */
function countsOn(html: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of html.matchAll(
    /<span class="safeshare-work__count[^"]*">(\d+)<\/span>\s*([^<]*?)\s*<\/a>/g,
  ))
    counts.set(match[2] ?? '', Number(match[1]));
  return counts;
}

/** The headings of the role sections, in order. */
function sectionsOn(html: string): string[] {
  return [...html.matchAll(/<h2 class="govuk-heading-m">([^<]+)<\/h2>\s*<ul class="safeshare-work">/g)].map(
    (match) => match[1] ?? '',
  );
}

async function homeOf(name: string): Promise<string> {
  const member = staff.get(name);
  if (member === undefined) throw new Error(`no ${name} in this council`);
  const page = await (await signIn(context, member)).get('/');
  expect(page.statusCode).toBe(200);
  return page.body;
}

describe("each role's home page leads with its own work, counted", () => {
  it("keeps the practitioner's home page as it was: what they can do, with no counts", async () => {
    const home = await homeOf('Priya Sharma');
    expect(home).not.toContain('safeshare-work');
    expect(home).toContain('href="/decisions"');
    expect(home).toContain('Your data protection training is not recorded');
  });

  it("shows a line manager their team's decisions waiting for approval, off-site items waiting for agreement, overdue receipts and training", async () => {
    const home = await homeOf('Tom Hughes');
    expect(sectionsOn(home)).toEqual(['Line manager']);
    expect(Object.fromEntries(countsOn(home))).toEqual({
      'sharing decision waiting for your approval': 1,
      'item to take off site waiting for your agreement': 1,
      'receipts overdue': 0,
      'advice requests waiting for your answer': 0,
      'person in your team whose data protection training has lapsed or is not recorded': 1,
    });
    expect(home).toContain('2 people report to you.');
    // The counts come first, then the list of what a manager can do.
    expect(home.indexOf('safeshare-work')).toBeLessThan(
      home.indexOf('<h2 class="govuk-heading-m"><a class="govuk-link" href="/team">'),
    );
  });

  it('shows the Caldicott Guardian the approvals and advice waiting for them, and the open incidents', async () => {
    const home = await homeOf('Helen Carter');
    expect(sectionsOn(home)).toEqual(['Caldicott Guardian']);
    expect(Object.fromEntries(countsOn(home))).toEqual({
      'sharing decision waiting for your approval': 1,
      'advice request waiting for your answer': 1,
      'open incidents': 2,
    });
  });

  it("shows the DPO the open incidents and their 72-hour clocks, subject access deadlines, approvals, the organisation's overdue consent reviews and disposals", async () => {
    const before = await auditCount('consent.reviews_viewed');
    const home = await homeOf('Dana Okafor');
    expect(sectionsOn(home)).toEqual(['Data Protection Officer']);
    expect([...countsOn(home)]).toEqual([
      ['open incidents', 2],
      ['subject access request open', 1],
      ['sharing decisions waiting for your approval', 0],
      ['consent review overdue', 1],
      ['records due for disposal', 0],
      ['disposals waiting for approval', 0],
      ['advice requests waiting for your answer', 0],
    ]);
    expect(home).toMatch(/SAR-[0-9A-Z-]+: due 2 December 2026 \(2 days left\)/);
    expect(home).toContain('0 more due in the next 30 days.');
    expect(home).toContain('The 72-hour clock for reporting to the ICO is running on 2.');
    expect(home).toContain('1 is past the 72 hours.');
    // The second was found two hours ago: 70 hours left (less the minutes each sign-in moves the
    // test clock on), due on 3 December at 7am.
    expect(home).toMatch(
      /The next report is due by 3 December 2026 at 7:00am \(69 hours \d+ minutes left\)\./,
    );
    expect(home).toContain('safeshare-work__count safeshare-work__count--urgent">2<');
    // The page counts the reviews and names no one: the list's page records its reading (R3.4), the
    // count does not.
    expect(home).not.toContain('Amelia');
    expect(await auditCount('consent.reviews_viewed')).toBe(before);
  });

  it('shows the IT service desk the open incidents, the accounts they are asked to disable, and devices kept too long', async () => {
    const home = await homeOf('Ian Desk');
    expect(sectionsOn(home)).toEqual(['IT service desk']);
    expect(Object.fromEntries(countsOn(home))).toEqual({
      'open incidents': 2,
      'account to disable': 1,
      'device kept past the date it was needed until': 1,
    });
    expect(home).toContain(`href="/incidents/${riskyIncidentId}#containment"`);
    expect(home).toContain('1 registered device is in use.');
  });

  it('shows the information governance lead disposals, subject access deadlines, approvals, advice, incidents, and the organisation’s overdue receipts and off-site items', async () => {
    const home = await homeOf('Iris Lane');
    expect([...countsOn(home)]).toEqual([
      ['records due for disposal', 0],
      ['disposals waiting for approval', 0],
      ['subject access request open', 1],
      ['sharing decisions waiting for your approval', 0],
      ['advice requests waiting for your answer', 0],
      ['open incidents', 2],
      ['receipt overdue', 1],
      ['item taken off site not back when due', 1],
    ]);
    expect(home).toContain('href="/retention"');
    expect(home).toContain('href="/subject-access"');
    expect(home).toContain('1 awaited in all.');
  });

  it('shows a child protection adviser the advice requests waiting for them', async () => {
    const home = await homeOf('Carl Mensah');
    expect(Object.fromEntries(countsOn(home))).toEqual({ 'advice requests waiting for your answer': 0 });
  });

  it('shows an administrator the staff accounts and the partner directory', async () => {
    const leaver = await person('Jo Leaver', ['practitioner']);
    await context.services.staff.setActive(systemActor, leaver.id, false);
    const newcomer = await person('Sam Newcomer', ['practitioner']);
    // Neither has an authenticator: only the active one is counted as not set up.
    await context.ownerDb
      .updateTable('users')
      .set({ mfa_enrolled_at: null, mfa_secret_sealed: null })
      .where('id', 'in', [leaver.id, newcomer.id])
      .execute();
    const members = await context.services.staff.list({ organisationId });
    const organisations = (await context.services.orgs.list()).length;
    const home = await homeOf('Alex Morgan');
    expect(sectionsOn(home)).toEqual(['Administrator']);
    expect(Object.fromEntries(countsOn(home))).toEqual({
      'active accounts': members.length - 1,
      [`organisations in the partner directory`]: organisations,
    });
    expect(home).toContain('1 account is deactivated.');
    expect(home).toContain('1 has not set up an authenticator yet.');
  });

  it('shows the platform operator the partner directory', async () => {
    const home = await homeOf('Pat Quinn');
    expect([...countsOn(home).keys()]).toEqual(['organisations in the partner directory']);
  });

  it('shows an auditor the events in the trail and when it was last verified, and links to verifying it', async () => {
    const ade = await signIn(context, staff.get('Ade Bello') as TestStaff);
    const first = (await ade.get('/')).body;
    const events = await context.services.audit.latestSeq(organisationId);
    expect(Object.fromEntries(countsOn(first))).toEqual({ 'events in the audit trail': events });
    expect(first).toContain('It has not been verified yet.');
    expect(first).toContain('href="/audit/verify"');
    expect((await ade.post('/audit/verify')).statusCode).toBeLessThan(400);
    const after = (await ade.get('/')).body;
    expect(after).toMatch(/Last verified 30 November 2026 at [0-9:]+[ap]m by Ade Bello\./);
  });

  it('shows someone with several roles each role’s work once, under the first role that has it', async () => {
    const both = await person('Sam Both', ['dpo', 'caldicott_guardian']);
    const home = (await (await signIn(context, both)).get('/')).body;
    expect(sectionsOn(home)).toEqual(['Caldicott Guardian', 'Data Protection Officer']);
    expect([...countsOn(home).keys()]).toEqual([
      'sharing decision waiting for your approval',
      'advice request waiting for your answer',
      'open incidents',
      'subject access request open',
      'consent review overdue',
      'records due for disposal',
      'disposals waiting for approval',
    ]);
  });
});

async function auditCount(action: string): Promise<number> {
  const rows = await context.db
    .selectFrom('audit_events')
    .select('seq')
    .where('action', '=', action)
    .execute();
  return rows.length;
}
