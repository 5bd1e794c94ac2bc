import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { buildApp } from '../../src/app.ts';
import { systemActor } from '../../src/audit/index.ts';
import { roles, type Role, type Viewer } from '../../src/auth/index.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { SecretBox } from '../../src/lib/secret-box.ts';
import { testNhsNumbers } from '../../src/lib/nhs-number.ts';
import { services as buildServices } from '../../src/services.ts';
import type { RouteRule } from '../../src/web/access.ts';
import { TestBrowser } from './browser.ts';
import { londonToday } from '../../src/lib/time.ts';
import { ehcAgreement } from './agreement-fixtures.ts';
import { givenConsentAnswers } from './consent-fixtures.ts';
import { letterDisclosure } from './disclosure-fixtures.ts';
import { createOrganisation, createPerson, createStaff, signIn, type TestStaff } from './factories.ts';
import type { TestContext, TestDatabase } from './harness.ts';
import { routineShareAnswers } from './sharing-fixtures.ts';

/**
 * A fuzzer generated from the app's route table: every form page and every API route is sent
 * hostile values (control characters, invalid UTF-8, lone surrogates, huge strings and numbers,
 * impossible dates, arrays and objects where text belongs, prototype keys, empty and mistyped
 * bodies, deep nesting, hostile path parameters) by a member of staff the route allows, on real
 * records. Invariant 8: bad input gets a 4xx, never a 5xx. Shared by the bounded suite test and the
 * long run (npm run fuzz).
 */

// ---------------------------------------------------------------------------------------------
// The app, with every server error's cause kept for the report (the test app logs nothing).

/** Header the fuzz app answers with, naming the request, so that concurrent requests find their own errors. */
export const requestIdHeader = 'x-fuzz-request';

/** Errors the app raised while answering, by request id; the driver takes a request's after its response. */
export class ServerErrorLog {
  readonly #errors = new Map<string, string[]>();

  record(requestId: string, error: Error): void {
    const stack = error.stack?.split('\n') ?? [];
    // The app's own frame says where; a driver's frame (pg, fastify) is the next best.
    const frame =
      (
        stack.find((line) => line.includes('/src/')) ?? stack.find((line) => line.includes('node_modules/'))
      )?.trim() ?? '';
    const text = `${error.name}: ${error.message.slice(0, 300)}${frame === '' ? '' : ` (${frame.replace(/^at /, '').replace(/.*\/(src|node_modules)\//, '$1/')})`}`;
    this.#errors.set(requestId, [...(this.#errors.get(requestId) ?? []), text]);
  }

  take(requestId: string | undefined): string[] {
    if (requestId === undefined) return [];
    const errors = this.#errors.get(requestId) ?? [];
    this.#errors.delete(requestId);
    return errors;
  }

  clear(): void {
    this.#errors.clear();
  }
}

export interface FuzzApp {
  readonly context: TestContext;
  readonly errors: ServerErrorLog;
  /** Closes the app and removes its data folder (the database is the caller's). */
  close(): Promise<void>;
}

/** The real application over the given database, as test/support/harness.ts builds it, with its errors captured. */
export async function fuzzApp(database: TestDatabase): Promise<FuzzApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'safeshare-fuzz-'));
  const config: Config = {
    ...loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      SIGN_IN_ADDRESS_LIMIT: '10000',
      DATA_DIR: dataDir,
    }),
    secretKey: randomBytes(32),
  };
  const clock = new ManualClock();
  const secretBox = new SecretBox(randomBytes(32));
  const dependencies = { db: database.db, clock, secretBox, config };
  const services = buildServices(dependencies);
  const app = await buildApp({ ...dependencies, services, logger: false });
  const errors = new ServerErrorLog();
  // The app's error handler answers 500 without a log here (logger off): this hook keeps the cause.
  app.addHook('onError', async (request, _reply, error) => {
    errors.record(request.id, error);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header(requestIdHeader, request.id);
    return payload;
  });
  await app.ready();
  return {
    context: { ...database, app, services, clock, config, secretBox },
    errors,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A seeded source of choices: the same seed gives the same inputs.

export class Dice {
  readonly #stream: Iterator<number>;

  constructor(readonly seed: number) {
    const [stream] = fc.sample(fc.infiniteStream(fc.noBias(fc.integer({ min: 0, max: 0x7fff_ffff }))), {
      seed,
      numRuns: 1,
    });
    if (stream === undefined) throw new Error('fast-check gave no stream');
    this.#stream = stream[Symbol.iterator]();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    const next = this.#stream.next();
    return next.done === true ? 0 : next.value % Math.max(1, n);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  chance(probability: number): boolean {
    return this.int(1_000_000) < probability * 1_000_000;
  }

  /** A string of random code points, lone surrogates and controls included. */
  codePoints(maxLength: number): string {
    const length = this.int(maxLength + 1);
    let text = '';
    for (let index = 0; index < length; index += 1) {
      const range = this.int(5);
      const code =
        range === 0
          ? this.int(0x20)
          : range === 1
            ? 0xd800 + this.int(0x800)
            : range === 2
              ? this.int(0x80)
              : range === 3
                ? this.int(0x10000)
                : 0x10000 + this.int(0x100000);
      text += code >= 0xd800 && code <= 0xdfff ? String.fromCharCode(code) : String.fromCodePoint(code);
    }
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile values.

/** Text a browser could send (already decoded); the encoder turns each into UTF-8 percent-escapes. */
const hostileText: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'Amelia\u0000Hughes',
  '\u0001\u0002\u0007\u0008\u000b\u000c\u001b\u007f',
  '\r\n\r\n',
  '\u202eevil\u202c',
  '\ufeff',
  '\ufffe\uffff',
  'Zoë 👩‍👧 Łódź ﷽',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{ 7 * 7 }}{% raw %}',
  "' OR 1=1 --",
  '%',
  '../../../../etc/passwd',
  'x'.repeat(5_000),
  'x'.repeat(60_000),
  '-1',
  '0',
  '1e309',
  '-1e309',
  'NaN',
  'Infinity',
  '99999999999999999999999999',
  '0x1F',
  '1.5',
  '0000-01-01',
  '0000-00-00',
  '99999-12-31',
  '2026-02-31',
  '2026-13-45',
  '2026-11-20T25:61:61Z',
  '-000001-01-01',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'true',
  'null',
  'undefined',
  '[object Object]',
  '__proto__',
  'constructor',
];

/** Percent-escapes a browser never sends: invalid UTF-8, an encoded lone surrogate, broken escapes. */
const rawEncoded: readonly string[] = [
  '%C3%28',
  '%FF',
  '%FE%FF',
  '%ED%A0%80',
  '%ED%BF%BF',
  '%C0%80',
  '%F4%90%80%80',
  '%E2%82',
  '%',
  '%zz',
  '%00',
  '%0',
  'a%00b%FFc',
];

/** Values for date parts of GOV.UK date inputs (name-day, name-month, name-year). */
const hostileDateParts: readonly string[] = [
  '0',
  '-1',
  '31',
  '32',
  '2',
  '13',
  '99999',
  '00000',
  '1e3',
  '',
  '٣',
  '2026.5',
  '+1',
];

/** Values put straight into a JSON body where the route expects its own. */
const hostileJson: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  -0,
  2 ** 53 + 1,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  '',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '<b>bold</b><script>alert(1)</script>',
  '{{ 7 * 7 }}',
  'x'.repeat(10_000),
  '0000-01-01',
  '99999-12-31',
  '2026-02-31',
  '2026-11-20T25:00:00Z',
  'NaN',
  '00000000-0000-0000-0000-000000000000',
  [],
  [null],
  ['x', 1, {}],
  {},
  { constructor: { prototype: { polluted: true } } },
  { toString: 'x', valueOf: 1 },
];

/** Markers the JSON encoder replaces by text JSON.stringify cannot produce. */
const marker = {
  proto: '__fuzz_proto_key__',
  bytes: '__fuzz_raw_bytes__',
  number: '__fuzz_raw_number__',
} as const;

const rawNumbers: readonly string[] = [
  '1e999',
  '-1e999',
  '1e-999',
  '123456789012345678901234567890123456789',
  '-0.0e-0',
  '0.1e+400',
];
const rawBytes: readonly Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0x00]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
];

const hostilePath: readonly string[] = [
  '%00',
  '%FF',
  '%C3%28',
  '%ED%A0%80',
  '..',
  '%2e%2e',
  '%2F',
  '%20',
  'null',
  '-1',
  '0',
  '1e309',
  '99999999999999999999999999999',
  'NaN',
  'a'.repeat(3_000),
  "'%3B--",
  '%3Cscript%3E',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-4FFF-8FFF-FFFFFFFFFFFF',
  '%7B%7B7*7%7D%7D',
  '%u0000',
];

const protoNames: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  '__proto__[polluted]',
  'constructor[prototype][polluted]',
  '__proto__.polluted',
  'hasOwnProperty',
  'toString',
  'valueOf',
];

/** Percent-encodes the UTF-8 of text, as a browser does for a urlencoded form. */
export function formEncode(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-_.~]/.test(char)
      ? char
      : byte === 0x20
        ? '+'
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

// ---------------------------------------------------------------------------------------------
// The world: real records for the routes' parameters, and a signed-in browser and token per role.

export interface FuzzActor {
  readonly name: string;
  browser: TestBrowser;
  readonly staff: TestStaff | undefined;
  readonly token: string | undefined;
}

export interface FuzzWorld {
  readonly context: TestContext;
  readonly errors: ServerErrorLog;
  readonly actors: Map<string, FuzzActor>;
  /** Real ids by the name a route gives its parameter (with the route's prefix where it matters). */
  readonly ids: Record<string, string>;
  readonly nhsNumber: string;
  /**
   * Puts back what a cycle may have used up: a valid-looking input can record the draft decision or
   * end the practitioner's allocation, and later cycles would then stop at "not found".
   */
  refresh(): Promise<void>;
}

function viewerOf(staff: TestStaff, role: Role): Viewer {
  return {
    userId: staff.id,
    displayName: 'Priya Sharma',
    email: staff.email,
    organisationId: staff.organisationId,
    organisationName: 'Swindon Borough Council',
    roles: [role],
  };
}

/** The colleague's open allocation (an ended one cannot be ended again). */
async function openAllocation(context: TestContext, userId: string): Promise<string> {
  const result = await sql<{
    id: string;
  }>`SELECT id::text AS id FROM allocations WHERE user_id = ${userId} AND ended_at IS NULL LIMIT 1`.execute(
    context.db,
  );
  return result.rows[0]?.id ?? randomUUID();
}

async function firstId(context: TestContext, table: string, where: string, value: string): Promise<string> {
  const result = await sql<{
    id: string;
  }>`SELECT id::text AS id FROM ${sql.table(table)} WHERE ${sql.ref(where)} = ${value} ORDER BY id LIMIT 1`.execute(
    context.db,
  );
  return result.rows[0]?.id ?? randomUUID();
}

/** Organisations, staff in every role, a child with a relative, consent, decisions (draft and recorded), advice, approval, a disclosure, tokens. */
export async function prepareWorld(app: FuzzApp): Promise<FuzzWorld> {
  const { context } = app;
  const suffix = randomBytes(3).toString('hex');
  const council = await createOrganisation(context, { name: `Swindon Borough Council ${suffix}` });
  const school = await createOrganisation(context, {
    name: `Oakfield Primary School ${suffix}`,
    hosted: false,
  });
  await context.services.orgs.addDomain(systemActor, council, `fuzz${suffix}.swindon.gov.uk`);
  await context.services.orgs.addFaxNumber(systemActor, council, {
    label: "Children's social care",
    number: '01632960101',
  });
  await context.services.orgs.addAddress(systemActor, council, {
    label: 'Civic Offices',
    line1: 'Civic Offices, Euclid Street',
    line2: null,
    town: 'Swindon',
    postcode: 'SN1 2JH',
  });
  await context.services.orgs.addTrustedLink(
    systemActor,
    council,
    school,
    'Private network between the council and the school',
  );

  const staffByRole = new Map<Role, TestStaff>();
  const manager = await createStaff(context, {
    organisationId: council,
    roles: ['manager'],
    displayName: 'Tom Hughes',
  });
  staffByRole.set('manager', manager);
  for (const role of roles) {
    if (role === 'manager') continue;
    staffByRole.set(
      role,
      await createStaff(context, { organisationId: council, roles: [role], lineManagerId: manager.id }),
    );
  }
  const practitioner = staffByRole.get('practitioner');
  if (practitioner === undefined) throw new Error('no practitioner');
  const asPractitioner = viewerOf(practitioner, 'practitioner');

  // Records for the parameters: a child allocated to the practitioner, her mother, consent, decisions.
  const child = await createPerson(context, {
    organisationId: council,
    allocatedTo: practitioner.id,
    givenNames: 'Amelia',
    familyName: 'Hughes',
  });
  const nhsNumber = testNhsNumbers(777_000).next().value;
  await context.services.people.addRelative(asPractitioner, child, {
    kind: 'new',
    details: {
      givenNames: 'Rachel',
      familyName: 'Hughes',
      knownAs: null,
      dateOfBirth: '1988-02-03',
      nhsNumber: null,
      localReference: null,
      upn: null,
      externalId: null,
      addressLine1: '14 Fleet Street',
      addressLine2: null,
      town: 'Swindon',
      postcode: 'SN1 1RQ',
    },
    relationship: 'mother',
    parentalResponsibility: true,
  });
  const consent = await context.services.consent.record(
    asPractitioner,
    child,
    givenConsentAnswers({ recipientOrganisationIds: [school], categoryIds: ['education', 'health'] }),
  );
  const answers = routineShareAnswers({ personIds: [child], schoolId: school });
  const draft = await context.services.sharing.start(asPractitioner, { personId: child });
  await context.services.sharing.save(asPractitioner, draft, answers);
  const recorded = (await context.services.sharing.recordComplete(asPractitioner, answers)).id;
  const advised = await context.services.sharing.start(asPractitioner, { personId: child });
  await context.services.sharing.save(asPractitioner, advised, answers);
  await context.services.sharing.askAdvice(asPractitioner, advised, {
    adviser: 'dpo',
    question: 'Is public task right here?',
    anonymised: true,
  });
  // A public-interest share of health information waits for the Caldicott Guardian's approval.
  const approved = await context.services.sharing.start(asPractitioner, { personId: child });
  await context.services.sharing.save(asPractitioner, approved, {
    ...answers,
    lawfulBasis: {
      unsure: false,
      article6: 'public-task',
      article9: 'health-social-care',
      schedule1: 'safeguarding',
      commonLaw: 'public-interest',
      confidenceReason: 'The risk of significant harm outweighs the duty of confidence.',
      justification: 'Health information is needed to protect him.',
    },
  });
  await context.services.sharing.sendForApproval(asPractitioner, approved).catch(() => undefined);

  const tokens = new Map<Role, string>();
  for (const [role, staff] of staffByRole)
    tokens.set(
      role,
      (await context.services.apiTokens.issue(systemActor, staff.id, 'Mosaic case management', 30)).token,
    );
  const disclosed = await context.app.inject({
    method: 'POST',
    url: `/api/v1/decisions/${recorded}/disclosures`,
    headers: {
      authorization: `Bearer ${tokens.get('practitioner') ?? ''}`,
      'content-type': 'application/json',
    },
    payload: JSON.stringify(letterDisclosure()),
  });
  const disclosure = disclosed.statusCode === 201 ? disclosed.json<{ id: string }>().id : randomUUID();

  // Someone without an allocation gives a reason to read the child's record: a grant for managers to review.
  const outsider = await createStaff(context, {
    organisationId: council,
    roles: ['practitioner'],
    lineManagerId: manager.id,
  });
  await context.services.people.recordReason(
    viewerOf(outsider, 'practitioner'),
    child,
    'Covering for the allocated social worker on leave.',
  );
  // The allocation the manager's pages end is this colleague's, so that the practitioner keeps hers.
  const asManager = viewerOf(manager, 'manager');
  await context.services.people.allocate(asManager, child, outsider.id).catch(() => undefined);
  // The member of staff the admin pages act on, so that the signed-in admin never locks itself out.
  const subject = await createStaff(context, { organisationId: council, roles: ['practitioner'] });
  const subjectToken = await context.services.apiTokens.issue(systemActor, subject.id, 'Liquidlogic', 30);

  const audit = await sql<{
    seq: string;
  }>`SELECT seq::text AS seq FROM audit_events WHERE organisation_id = ${council} ORDER BY seq LIMIT 1`.execute(
    context.db,
  );
  // The registers' records, so that their pages (and the forms on them) are reached.
  const lead = staffByRole.get('ig_lead');
  const agreement =
    lead === undefined
      ? randomUUID()
      : await context.services.agreements.create(
          viewerOf(lead, 'ig_lead'),
          ehcAgreement(school, londonToday(context.clock.now())),
        );
  const incident = await context.services.incidents.report(asPractitioner, {
    kind: 'wrong-recipient',
    whatHappened: 'A letter went to number 14 instead of 41.',
    happenedOn: londonToday(context.clock.now()),
    awareAt: context.clock.now(),
    information: 'A conference invitation.',
    peopleAffected: 3,
    peopleEstimated: false,
    actionsTaken: 'Asked for it back.',
  });
  await context.services.incidents.recordAction(asPractitioner, incident, {
    kind: 'retrieve',
    description: 'Asked number 14 to post it back.',
    dueOn: londonToday(context.clock.now()),
  });
  const offSite = await context.services.custody.log(asPractitioner, {
    form: 'paper',
    what: 'The court bundle.',
    reasonId: 'court',
    destination: 'Swindon Combined Court',
    dueBackAt: new Date(context.clock.now().getTime() + 8 * 3_600_000),
    protected: true,
    carSafe: true,
  });
  const medium = await context.services.media.register(asPractitioner, {
    kind: 'usb-stick',
    assetTag: `SBC-USB-${suffix}`,
    encrypted: true,
    encryption: 'BitLocker To Go',
    contents: 'Photographs for the court bundle.',
    purpose: 'Taking them to court.',
    backedUp: 'The case management system.',
    neededUntil: londonToday(new Date(context.clock.now().getTime() + 7 * 86_400_000)),
  });

  const ids: Record<string, string> = {
    agreement,
    incident,
    incidentAction: await firstId(context, 'incident_actions', 'incident_id', incident),
    offSite,
    medium,
    organisation: council,
    person: child,
    consent,
    draftDecision: draft,
    recordedDecision: recorded,
    disclosure,
    staff: subject.id,
    token: subjectToken.id,
    seq: audit.rows[0]?.seq ?? '1',
    domains: await firstId(context, 'organisation_domains', 'organisation_id', council),
    'fax-numbers': await firstId(context, 'organisation_fax_numbers', 'organisation_id', council),
    addresses: await firstId(context, 'organisation_addresses', 'organisation_id', council),
    'trusted-links': await firstId(
      context,
      'trusted_links',
      'organisation_id',
      council < school ? council : school,
    ),
    grant: await firstId(context, 'break_glass_access', 'person_id', child),
    allocation: await openAllocation(context, outsider.id),
    advice: await firstId(context, 'sharing_advice_requests', 'decision_id', advised),
    approval: await firstId(context, 'sharing_approvals', 'decision_id', approved),
    evidence: await firstId(context, 'consent_evidence', 'consent_id', consent),
    notification: await firstId(context, 'notifications', 'organisation_id', council),
    mail: await firstId(context, 'mail_outbox', 'organisation_id', council),
  };

  const actors = new Map<string, FuzzActor>();
  for (const [role, staff] of staffByRole)
    actors.set(role, { name: role, browser: await signIn(context, staff), staff, token: tokens.get(role) });
  const anonymous = new TestBrowser(context.app);
  await anonymous.get('/sign-in');
  actors.set('signed-out', { name: 'signed-out', browser: anonymous, staff: undefined, token: undefined });
  // Between password and code: one enrolled (asked for a code), one not (asked to set up an authenticator).
  for (const [name, enrolled] of [
    ['awaiting-code', true],
    ['awaiting-enrolment', false],
  ] as const) {
    const staff = await createStaff(context, { organisationId: council, roles: ['practitioner'], enrolled });
    actors.set(name, {
      name,
      browser: await pendingBrowser(context, staff, enrolled),
      staff,
      token: undefined,
    });
  }
  async function refresh(): Promise<void> {
    const fresh = await context.services.sharing
      .start(asPractitioner, { personId: child })
      .catch(() => undefined);
    if (fresh !== undefined) {
      await context.services.sharing.save(asPractitioner, fresh, answers).catch(() => undefined);
      ids['draftDecision'] = fresh;
    }
    for (const member of [asPractitioner.userId, outsider.id])
      await context.services.people.allocate(asManager, child, member).catch(() => undefined);
    ids['allocation'] = await openAllocation(context, outsider.id);
  }
  return { context, errors: app.errors, actors, ids, nhsNumber, refresh };
}

async function pendingBrowser(
  context: TestContext,
  staff: TestStaff,
  enrolled: boolean,
): Promise<TestBrowser> {
  const browser = new TestBrowser(context.app);
  await browser.get('/sign-in');
  await browser.post('/sign-in', { email: staff.email, password: staff.password });
  await browser.get(enrolled ? '/sign-in/code' : '/sign-in/set-up-authenticator');
  return browser;
}

/** Signs an actor in again when a request ended its session (a sign-out, a lock-out). */
async function restore(world: FuzzWorld, actor: FuzzActor): Promise<void> {
  if (actor.staff === undefined) {
    actor.browser = new TestBrowser(world.context.app);
    await actor.browser.get('/sign-in');
  } else if (actor.name.startsWith('awaiting-')) {
    actor.browser = await pendingBrowser(world.context, actor.staff, actor.name === 'awaiting-code');
  } else {
    actor.browser = await signIn(world.context, actor.staff);
  }
}

// ---------------------------------------------------------------------------------------------
// Targets: each route of the table, who sends to it, its concrete address and what it expects.

/** Which role reaches a route's records: the owner of the decisions, the adviser, the approver... */
const rolePreferences: readonly (readonly [RegExp, readonly Role[]])[] = [
  [/^\/advice/, ['dpo']],
  [/^\/approvals/, ['caldicott_guardian', 'manager']],
  [/access-reviews|allocations/, ['manager', 'dpo']],
  [/^\/admin\/outbox/, ['admin', 'it_service_desk']],
  [/^\/admin/, ['admin']],
  [/^\/audit/, ['auditor', 'dpo']],
  [/^\/team/, ['manager']],
  [
    /.*/,
    [
      'practitioner',
      'manager',
      'dpo',
      'caldicott_guardian',
      'ig_lead',
      'child_protection_adviser',
      'admin',
      'auditor',
      'it_service_desk',
    ],
  ],
];

export function actorFor(rule: RouteRule): string {
  if (rule.access === 'public') return 'signed-out';
  if (rule.access === 'mfa')
    return rule.url.includes('set-up-authenticator') ? 'awaiting-enrolment' : 'awaiting-code';
  if (rule.access === 'staff') return 'practitioner';
  const allowed = rule.access;
  for (const [pattern, preferred] of rolePreferences) {
    if (!pattern.test(rule.url)) continue;
    const role = preferred.find((candidate) => allowed.includes(candidate));
    if (role !== undefined) return role;
  }
  return allowed[0] ?? 'signed-out';
}

/** The real id for a parameter of a route: the route's own prefix says which record it names. */
function realId(world: FuzzWorld, url: string, parameter: string): string {
  const { ids } = world;
  const pick = (key: string) => ids[key] ?? randomUUID();
  switch (parameter) {
    case 'personId':
      return pick('person');
    case 'grantId':
      return pick('grant');
    case 'allocationId':
      return pick('allocation');
    case 'adviceId':
      return pick('advice');
    case 'approvalId':
      return pick('approval');
    case 'evidenceId':
      return pick('evidence');
    case 'tokenId':
      return pick('token');
    case 'seq':
      return pick('seq');
    case 'actionId':
      return pick('incidentAction');
    case 'incidentId':
      return pick('incident');
    case 'itemId':
      return pick(/\/(domains|fax-numbers|addresses|trusted-links)\//.exec(url)?.[1] ?? 'domains');
    default:
      break;
  }
  if (url.startsWith('/agreements')) return pick('agreement');
  if (url.startsWith('/incidents')) return pick('incident');
  if (url.startsWith('/off-site')) return pick('offSite');
  if (url.startsWith('/media')) return pick('medium');
  if (url.startsWith('/admin/organisations')) return pick('organisation');
  if (url.startsWith('/admin/staff')) return pick('staff');
  if (url.startsWith('/admin/outbox')) return pick('mail');
  if (url.startsWith('/notifications')) return pick('notification');
  if (/^\/(api\/v1\/)?consents/.test(url)) return pick('consent');
  if (/^\/(api\/v1\/)?disclosures/.test(url)) return pick('disclosure');
  if (/^\/(api\/v1\/)?decisions/.test(url)) {
    return /^\/api|disclosures|addenda|record-sheet|confirmation|ask-for-advice/.test(url) &&
      !/\/(request|people|recipients|information|lawful-basis|decision|record|check-your-answers)(\/|$)/.test(
        url,
      )
      ? pick('recordedDecision')
      : pick('draftDecision');
  }
  return randomUUID();
}

/** A route's address with real ids, or with one parameter replaced by a hostile value. */
export function concreteUrl(world: FuzzWorld, rule: RouteRule, hostile?: { dice: Dice }): string {
  const parameters = [...rule.url.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1] ?? '');
  const spoiled =
    hostile === undefined || parameters.length === 0 ? undefined : hostile.dice.pick(parameters);
  return rule.url
    .replace(/\*$/, 'govuk/govuk-frontend.min.css')
    .replace(/:([A-Za-z]+)/g, (_match, parameter: string) => {
      if (parameter !== spoiled || hostile === undefined) return realId(world, rule.url, parameter);
      const value = hostile.dice.pick(hostilePath);
      return hostile.dice.chance(0.3) ? `${realId(world, rule.url, parameter)}${value}` : value;
    });
}

/** The fields of a form, with values a member of staff could have chosen. */
export interface FormShape {
  readonly fields: Map<string, string[]>;
  /** Hidden inputs the page leaves empty: the fuzzer fills them with text, and says so. */
  readonly hidden: Set<string>;
}

const decode = (text: string) =>
  text
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The POST forms on a page, by the path they post to. */
export function formsOf(pageUrl: string, html: string): Map<string, FormShape> {
  const forms = new Map<string, FormShape>();
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attributes = match[1] ?? '';
    if (!/method="post"/i.test(attributes)) continue;
    const action = decode(/action="([^"]*)"/.exec(attributes)?.[1] ?? pageUrl).split('?')[0] ?? pageUrl;
    const shape = forms.get(action) ?? { fields: new Map<string, string[]>(), hidden: new Set<string>() };
    const body = match[2] ?? '';
    for (const control of body.matchAll(/<(input|textarea|select)\b([^>]*)>([\s\S]*?<\/select>)?/g)) {
      const tag = control[1] ?? '';
      const attrs = control[2] ?? '';
      const name = /\bname="([^"]+)"/.exec(attrs)?.[1];
      if (name === undefined || name === '_csrf') continue;
      const values = shape.fields.get(decode(name)) ?? [];
      if (tag === 'select') {
        for (const option of (control[3] ?? '').matchAll(/<option\b[^>]*value="([^"]*)"/g))
          if (option[1] !== '') values.push(decode(option[1] ?? ''));
      } else {
        const value = /\bvalue="([^"]*)"/.exec(attrs)?.[1];
        if (value !== undefined && value !== '') values.push(decode(value));
        else if (/type="hidden"/.test(attrs)) shape.hidden.add(decode(name));
      }
      shape.fields.set(decode(name), values);
    }
    forms.set(action, shape);
  }
  return forms;
}

export interface Target {
  readonly rule: RouteRule;
  readonly actor: string;
  /** For a page POST: the fields of the form that posts to it, where the crawl found one. */
  readonly form: FormShape | undefined;
  /** For an API POST: a body the route accepts (or nearly), and its field names from the schema. */
  readonly apiBody: unknown;
  readonly kinds: readonly Kind[];
}

/** A plausible value for a field the form leaves empty, so that the other fields pass and the hostile one reaches the handler. */
function plausible(name: string, world: FuzzWorld): string {
  if (/-day$|\[day\]$/i.test(name)) return '12';
  if (/-month$|\[month\]$/i.test(name)) return '5';
  if (/-year$|\[year\]$/i.test(name)) return '2016';
  if (/email|^to$|^from$/i.test(name)) return 'rebecca.sutton@oakfield.swindon.sch.uk';
  if (/postcode/i.test(name)) return 'SN1 1RQ';
  if (/nhs/i.test(name)) return world.nhsNumber;
  if (/domain/i.test(name)) return 'oakfield.swindon.sch.uk';
  if (/phone|fax|number/i.test(name)) return '01632960101';
  if (/password/i.test(name)) return 'correct horse battery staple 42';
  if (/code$/i.test(name)) return '123456';
  if (/days|count|people/i.test(name)) return '30';
  if (/date|On$/.test(name)) return '2026-11-20';
  return 'Amelia needs help with reading at school.';
}

/** A JSON body the schema accepts in shape, for API routes without a known good body. */
function fromJsonSchema(schema: unknown, depth = 0): unknown {
  if (typeof schema !== 'object' || schema === null || depth > 8) return 'text';
  const node = schema as Record<string, unknown>;
  if ('const' in node) return node['const'];
  if (Array.isArray(node['enum'])) return node['enum'][0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = node[key];
    if (Array.isArray(options) && options.length > 0) return fromJsonSchema(options[0], depth + 1);
  }
  switch (node['type']) {
    case 'object': {
      const properties = (node['properties'] ?? {}) as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, fromJsonSchema(value, depth + 1)]),
      );
    }
    case 'array':
      return [fromJsonSchema(node['items'], depth + 1)];
    case 'integer':
    case 'number':
      return typeof node['minimum'] === 'number' ? node['minimum'] : 1;
    case 'boolean':
      return true;
    case 'string':
      return node['format'] === 'email'
        ? 'rebecca.sutton@oakfield.swindon.sch.uk'
        : node['format'] === 'date'
          ? '2026-11-20'
          : node['format'] === 'uuid'
            ? randomUUID()
            : 'Education and health reports.';
    default:
      return 'text';
  }
}

/** Field names the schema declares, at every depth: optional ones the good body leaves out too. */
function schemaFieldNames(schema: unknown, into = new Set<string>(), depth = 0): Set<string> {
  if (typeof schema !== 'object' || schema === null || depth > 10) return into;
  const node = schema as Record<string, unknown>;
  const properties = node['properties'];
  if (typeof properties === 'object' && properties !== null) {
    for (const [key, value] of Object.entries(properties)) {
      into.add(key);
      schemaFieldNames(value, into, depth + 1);
    }
  }
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf', 'additionalProperties']) {
    const child = node[key];
    for (const item of Array.isArray(child) ? child : [child]) schemaFieldNames(item, into, depth + 1);
  }
  return into;
}

function knownGoodBody(world: FuzzWorld, rule: RouteRule, schema: unknown): unknown {
  const school = world.ids['organisation'] ?? randomUUID();
  switch (rule.url) {
    case '/api/v1/decisions':
      return routineShareAnswers({ personIds: [world.ids['person'] ?? randomUUID()], schoolId: school });
    case '/api/v1/decisions/:id/disclosures':
      return letterDisclosure();
    case '/api/v1/disclosures/:id/receipt':
      return { how: 'The SENCo rang to confirm the letter arrived.' };
    case '/api/v1/method-advice':
      return {
        from: 'a@swindon.gov.uk',
        to: 'nurse@nhs.net',
        method: 'email',
        sensitivity: 'personal',
        people: 12,
      };
    case '/api/v1/subject-check':
      return { subject: 'Core group minutes - for comment', names: ['Jayden Smith'] };
    default:
      return fromJsonSchema(schema);
  }
}

export type Kind =
  | 'one-field'
  | 'every-field'
  | 'invalid-utf8'
  | 'array-for-text'
  | 'prototype-keys'
  | 'json-objects'
  | 'empty-body'
  | 'wrong-content-type'
  | 'huge-body'
  | 'random-text'
  | 'date-parts'
  | 'path-parameter'
  | 'query-string'
  | 'json-leaf'
  | 'json-type-confusion'
  | 'json-prototype'
  | 'json-deep'
  | 'json-raw'
  | 'json-missing-and-extra'
  | 'body-garbage';

const pageKinds: readonly Kind[] = [
  'one-field',
  'every-field',
  'invalid-utf8',
  'array-for-text',
  'prototype-keys',
  'json-objects',
  'empty-body',
  'wrong-content-type',
  'huge-body',
  'random-text',
  'date-parts',
  'path-parameter',
];
const apiKinds: readonly Kind[] = [
  'json-leaf',
  'json-leaf',
  'json-type-confusion',
  'json-prototype',
  'json-deep',
  'json-raw',
  'json-missing-and-extra',
  'body-garbage',
  'wrong-content-type',
  'huge-body',
  'invalid-utf8',
  'path-parameter',
];
const getKinds: readonly Kind[] = ['path-parameter', 'query-string'];

/**
 * Every route of the table as a target. Form fields come from a crawl: every GET page, with real
 * ids, read by the actor the page allows; each POST form found is filed under the path it posts to.
 */
export async function fuzzTargets(world: FuzzWorld): Promise<Target[]> {
  const { app } = world.context;
  const forms = new Map<string, FormShape>();
  const rules = app.routeRules.filter((rule) => rule.url !== '/assets/*' && rule.url !== '/sign-out');
  for (const rule of rules) {
    if (rule.method !== 'GET' || rule.url.startsWith('/api/')) continue;
    const actor = world.actors.get(actorFor(rule));
    if (actor === undefined) continue;
    const url = concreteUrl(world, rule);
    const page = await actor.browser.get(url);
    if (page.statusCode !== 200 || !String(page.headers['content-type']).includes('html')) continue;
    for (const [action, shape] of formsOf(url, page.body)) {
      const known = forms.get(action);
      if (known === undefined) forms.set(action, shape);
      else {
        for (const [name, values] of shape.fields)
          known.fields.set(name, [...(known.fields.get(name) ?? []), ...values]);
        for (const name of shape.hidden) known.hidden.add(name);
      }
    }
  }
  const targets: Target[] = [];
  for (const rule of app.routeRules) {
    if (rule.url === '/assets/*') continue;
    const actor = actorFor(rule);
    if (rule.url.startsWith('/api/') && rule.method !== 'GET') {
      const schema =
        rule.api?.body === undefined
          ? {}
          : z.toJSONSchema(rule.api.body, { io: 'input', unrepresentable: 'any' });
      const base = knownGoodBody(world, rule, schema);
      targets.push({
        rule,
        actor,
        form: undefined,
        apiBody: { base, names: [...schemaFieldNames(schema)] },
        kinds: apiKinds,
      });
    } else if (rule.method === 'GET') {
      targets.push({
        rule,
        actor,
        form: undefined,
        apiBody: undefined,
        kinds: rule.url.includes(':') ? getKinds : getKinds.slice(1),
      });
    } else {
      const url = concreteUrl(world, rule);
      targets.push({ rule, actor, form: forms.get(url), apiBody: undefined, kinds: pageKinds });
    }
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------
// Inputs.

export interface FuzzInput {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload: string | Buffer | undefined;
  /** What was sent, briefly, for the report. */
  readonly summary: string;
  /** Send with the actor's bearer token (API) or through its browser (pages). */
  readonly api: boolean;
}

const short = (text: string) => {
  const printable = JSON.stringify(text.length > 60 ? `${text.slice(0, 40)}…(${text.length} chars)` : text);
  return printable;
};

function formBody(world: FuzzWorld, target: Target, dice: Dice, notes: string[]): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const [name, values] of target.form?.fields ?? []) {
    // Mostly the first choice of a radio or select, so that the other fields pass and the hostile one reaches deep.
    const first = values[0];
    const value =
      first === undefined ? plausible(name, world) : dice.chance(0.75) ? first : dice.pick(values);
    if (first === undefined && target.form?.hidden.has(name) === true)
      notes.push(`hidden ${name}=${short(value)}`);
    fields.set(name, [formEncode(value)]);
  }
  if (fields.size === 0)
    for (const name of ['name', 'reason', 'answer', 'note'])
      fields.set(name, [formEncode(plausible(name, world))]);
  return fields;
}

function encodeFields(fields: Map<string, string[]>, csrf: string | undefined): string {
  const pairs: string[] = [];
  if (csrf !== undefined) pairs.push(`_csrf=${formEncode(csrf)}`);
  for (const [name, values] of fields) for (const value of values) pairs.push(`${name}=${value}`);
  return pairs.join('&');
}

function hostileFormValue(dice: Dice): { encoded: string; summary: string } {
  if (dice.chance(0.2)) {
    const raw = dice.pick(rawEncoded);
    return { encoded: raw, summary: `raw ${raw}` };
  }
  const text = dice.pick(hostileText);
  return { encoded: formEncode(text), summary: short(text) };
}

function pageInput(
  world: FuzzWorld,
  target: Target,
  kind: Kind,
  dice: Dice,
  csrf: string | undefined,
): FuzzInput {
  const hostilePathWanted = kind === 'path-parameter';
  const url = concreteUrl(world, target.rule, hostilePathWanted ? { dice } : undefined);
  const notes: string[] = [];
  const fields = formBody(world, target, dice, notes);
  const names = [...fields.keys()];
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const input = (
    payload: string | Buffer | undefined,
    summary: string,
    headers: Record<string, string> = form,
  ): FuzzInput => ({
    method: target.rule.method,
    url,
    headers,
    payload,
    summary: notes.length === 0 ? summary : `${summary} [${notes.join(', ')}]`,
    api: false,
  });
  switch (kind) {
    case 'one-field': {
      const name = dice.pick(names);
      const value = hostileFormValue(dice);
      fields.set(name, [value.encoded]);
      return input(encodeFields(fields, csrf), `${name}=${value.summary}`);
    }
    case 'every-field': {
      const summaries: string[] = [];
      for (const name of names) {
        const value = hostileFormValue(dice);
        fields.set(name, [value.encoded]);
        summaries.push(`${name}=${value.summary}`);
      }
      return input(encodeFields(fields, csrf), summaries.join(' '));
    }
    case 'invalid-utf8': {
      const name = dice.pick(names);
      const raw = dice.pick(rawEncoded);
      fields.set(name, [`${fields.get(name)?.[0] ?? ''}${raw}`]);
      const alsoName = dice.chance(0.3);
      const body = encodeFields(fields, csrf) + (alsoName ? `&${raw}=x` : '');
      return input(body, `${name}+=raw ${raw}${alsoName ? ` and field name ${raw}` : ''}`);
    }
    case 'array-for-text': {
      const name = dice.pick(names);
      const count = dice.pick([2, 3, 50, 1000]);
      fields.set(
        name,
        Array.from({ length: count }, (_, index) => formEncode(index % 2 === 0 ? 'Amelia' : '')),
      );
      return input(encodeFields(fields, csrf), `${name} sent ${count} times`);
    }
    case 'prototype-keys': {
      const name = dice.pick(protoNames);
      fields.set(formEncode(name), [formEncode(dice.pick(['x', '1', '', 'admin']))]);
      if (dice.chance(0.5))
        fields.set(`${formEncode(dice.pick(names))}[${formEncode(dice.pick(protoNames))}]`, ['1']);
      return input(encodeFields(fields, csrf), `field ${name}`);
    }
    case 'json-objects': {
      // JSON to a form route: the CSRF token still reads from body._csrf, so objects reach the handler.
      const body: Record<string, unknown> = { _csrf: csrf };
      const summaries: string[] = [];
      for (const name of names) {
        const value = dice.chance(0.5)
          ? dice.pick(hostileJson)
          : new URLSearchParams(`v=${fields.get(name)?.[0] ?? ''}`).get('v');
        body[name] = value;
        if (dice.chance(0.5)) summaries.push(`${name}=${jsonText(value).slice(0, 40)}`);
      }
      let text = JSON.stringify(body);
      if (dice.chance(0.5)) text = text.replace(/^\{/, `{"__proto__":{"polluted":true,"roles":["admin"]},`);
      return input(text, `JSON body ${summaries.join(' ')}`, { 'content-type': 'application/json' });
    }
    case 'empty-body': {
      const which = dice.int(3);
      if (which === 0) return input(encodeFields(new Map(), csrf), 'only _csrf');
      if (which === 1) return input('', 'empty body');
      return input(undefined, 'no body, no content type', {});
    }
    case 'wrong-content-type': {
      const type = dice.pick([
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'multipart/form-data',
        'application/x-www-form-urlencoded; charset=latin1',
        'application/octet-stream',
        'application/json',
        '*/*',
        ';;;',
      ]);
      return input(encodeFields(fields, csrf), `content-type ${type}`, { 'content-type': type });
    }
    case 'huge-body': {
      const name = dice.pick(names);
      const size = dice.pick([63 * 1024, 64 * 1024, 1024 * 1024 + 1]);
      fields.set(name, ['x'.repeat(size)]);
      return input(encodeFields(fields, csrf), `${name}=${size} bytes`);
    }
    case 'random-text': {
      const name = dice.pick(names);
      const text = dice.codePoints(40);
      fields.set(name, [formEncode(text)]);
      return input(encodeFields(fields, csrf), `${name}=${JSON.stringify(text)}`);
    }
    case 'date-parts': {
      const parts = names.filter((name) => /-(day|month|year)$|date|On$/i.test(name));
      const chosen = parts.length > 0 ? parts : names;
      const summaries: string[] = [];
      for (const name of chosen) {
        if (!dice.chance(0.7)) continue;
        const value = /-(day|month|year)$/.test(name)
          ? dice.pick(hostileDateParts)
          : dice.pick([
              '0000-01-01',
              '99999-01-01',
              '2026-02-31',
              '2026-02-29',
              '1900-02-29',
              '-1-01-01',
              '2026-1-1',
              '31/02/2026',
            ]);
        fields.set(name, [formEncode(value)]);
        summaries.push(`${name}=${value}`);
      }
      return input(encodeFields(fields, csrf), summaries.join(' ') || 'date fields as formed');
    }
    default:
      return input(encodeFields(fields, csrf), hostilePathWanted ? `path ${url.slice(0, 120)}` : 'as formed');
  }
}

/** Paths to every value in a JSON body: objects' keys and arrays' items. */
function leafPaths(
  value: unknown,
  prefix: readonly (string | number)[] = [],
  into: (string | number)[][] = [],
): (string | number)[][] {
  into.push([...prefix]);
  if (Array.isArray(value)) value.forEach((item, index) => leafPaths(item, [...prefix, index], into));
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) leafPaths(item, [...prefix, key], into);
  return into;
}

function setAt(root: unknown, at: readonly (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  const [head, ...rest] = at;
  if (Array.isArray(root) && typeof head === 'number')
    return root.map((item: unknown, index) => (index === head ? setAt(item, rest, value) : item));
  if (typeof root === 'object' && root !== null && head !== undefined)
    return {
      ...(root as Record<string, unknown>),
      [head]: setAt((root as Record<string, unknown>)[head], rest, value),
    };
  return root;
}

function deleteAt(root: unknown, at: readonly (string | number)[]): unknown {
  if (at.length === 0) return root;
  const [head, ...rest] = at;
  if (rest.length === 0) {
    if (Array.isArray(root)) return root.filter((_, index) => index !== head);
    if (typeof root === 'object' && root !== null)
      return Object.fromEntries(Object.entries(root).filter(([key]) => key !== head));
    return root;
  }
  if (Array.isArray(root))
    return root.map((item: unknown, index) => (index === head ? deleteAt(item, rest) : item));
  if (typeof root === 'object' && root !== null && head !== undefined)
    return {
      ...(root as Record<string, unknown>),
      [head]: deleteAt((root as Record<string, unknown>)[head], rest),
    };
  return root;
}

const pointer = (at: readonly (string | number)[]) => `/${at.join('/')}`;

/** JSON text of a value; JSON.stringify gives undefined for undefined, whatever its declared type says. */
function jsonText(value: unknown): string {
  const text = JSON.stringify(value) as string | undefined;
  return text ?? 'undefined';
}

/** JSON text with the markers replaced by what JSON.stringify cannot write: raw bytes, out-of-range numbers, prototype keys. */
function jsonPayload(body: unknown, dice: Dice): Buffer {
  const text = jsonText(body);
  const withNumbers = text
    .replaceAll(`"${marker.number}"`, () => dice.pick(rawNumbers))
    .replaceAll(`"${marker.proto}"`, '"__proto__"');
  const pieces = withNumbers.split(marker.bytes);
  const buffers: Buffer[] = [];
  pieces.forEach((piece, index) => {
    buffers.push(Buffer.from(piece, 'utf8'));
    if (index < pieces.length - 1) buffers.push(dice.pick(rawBytes));
  });
  return Buffer.concat(buffers);
}

function apiInput(world: FuzzWorld, target: Target, kind: Kind, dice: Dice): FuzzInput {
  const url = concreteUrl(world, target.rule, kind === 'path-parameter' ? { dice } : undefined);
  const { base, names } = target.apiBody as { base: unknown; names: string[] };
  const paths = leafPaths(base);
  const json = { 'content-type': 'application/json' };
  const input = (body: unknown, summary: string, headers: Record<string, string> = json): FuzzInput => ({
    method: target.rule.method,
    url,
    headers,
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : jsonPayload(body, dice),
    summary,
    api: true,
  });
  switch (kind) {
    case 'json-leaf': {
      let body = base;
      const summaries: string[] = [];
      for (let count = 1 + dice.int(3); count > 0; count -= 1) {
        const at = dice.pick(
          paths.filter((candidate) => candidate.length > 0).concat(paths.length === 1 ? [[]] : []),
        );
        const value = dice.chance(0.15)
          ? marker.number
          : dice.chance(0.15)
            ? dice.codePoints(30)
            : dice.pick(hostileJson);
        body = setAt(body, at, value);
        summaries.push(
          `${pointer(at)}=${value === marker.number ? 'out-of-range number' : jsonText(value).slice(0, 50)}`,
        );
      }
      return input(body, summaries.join(' '));
    }
    case 'json-type-confusion': {
      const at = dice.pick(paths);
      const value = dice.pick([
        [],
        [[]],
        {},
        { value: 'x' },
        1,
        true,
        null,
        ['a', 'b'],
        [{}],
        '1',
        'true',
        '2026-11-20',
      ]);
      return input(setAt(base, at, value), `${pointer(at)}=${JSON.stringify(value)}`);
    }
    case 'json-prototype': {
      const objects = paths.filter((at) => {
        let node: unknown = base;
        for (const key of at) node = (node as Record<string | number, unknown>)[key];
        return typeof node === 'object' && node !== null && !Array.isArray(node);
      });
      const at = dice.pick(objects.length > 0 ? objects : [[]]);
      const key = dice.pick([
        marker.proto,
        'constructor',
        'prototype',
        '__defineGetter__',
        'hasOwnProperty',
        dice.pick(names.length > 0 ? names : ['x']),
      ]);
      let node: unknown = base;
      for (const step of at) node = (node as Record<string | number, unknown>)[step];
      const patched = {
        ...(typeof node === 'object' && node !== null ? node : {}),
        [key]: dice.pick([
          { polluted: true, roles: ['admin'] },
          { prototype: { polluted: true } },
          'x',
          null,
        ]),
      };
      return input(
        setAt(base, at, patched),
        `${pointer(at)} gets key ${key === marker.proto ? '__proto__' : key}`,
      );
    }
    case 'json-deep': {
      const depth = dice.pick([64, 1_000, 10_000, 200_000]);
      const array = dice.chance(0.5);
      const nested = array
        ? `${'['.repeat(depth)}${']'.repeat(depth)}`
        : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      if (paths.length > 1 && dice.chance(0.5)) {
        const at = dice.pick(paths.slice(1));
        const text = jsonText(setAt(base, at, marker.bytes)).replace(`"${marker.bytes}"`, nested);
        return input(text, `${pointer(at)} nested ${depth} deep`);
      }
      return input(nested, `body nested ${depth} deep`);
    }
    case 'json-raw': {
      const at = dice.pick(paths);
      const which = dice.int(2);
      const body = setAt(base, at, which === 0 ? marker.number : `Amelia${marker.bytes}`);
      return input(
        body,
        `${pointer(at)}=${which === 0 ? 'out-of-range number literal' : 'string with invalid UTF-8 bytes'}`,
      );
    }
    case 'json-missing-and-extra': {
      let body = base;
      const summaries: string[] = [];
      if (paths.length > 1) {
        const at = dice.pick(paths.slice(1));
        body = deleteAt(body, at);
        summaries.push(`without ${pointer(at)}`);
      }
      const extra = dice.pick([...names, 'id', 'organisationId', 'recordedBy', 'roles', 'status', '']);
      if (typeof body === 'object' && body !== null && !Array.isArray(body))
        body = { ...body, [extra]: dice.pick(hostileJson) };
      summaries.push(`with extra ${JSON.stringify(extra)}`);
      return input(body, summaries.join(' '));
    }
    case 'body-garbage': {
      const garbage = dice.pick([
        '',
        ' ',
        'null',
        '[]',
        '"text"',
        '1',
        'true',
        '{',
        '{"a":1}garbage',
        '\ufeff{}',
        '{"a":1,"a":2}',
        "{'a':1}",
        'NaN',
        '{"a":NaN}',
        '{"a":Infinity}',
        '\u0000',
        '[' + '1,'.repeat(100_000) + '1]',
      ]);
      return input(garbage, `body ${short(garbage)}`);
    }
    case 'wrong-content-type': {
      const type = dice.pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/problem+json',
        'application/xml',
        '',
      ]);
      const payload = type.includes('urlencoded')
        ? 'subject=%00&names=a&names=b&__proto__[x]=1'
        : jsonText(base);
      return input(
        payload,
        `content-type ${JSON.stringify(type)}`,
        type === '' ? {} : { 'content-type': type },
      );
    }
    case 'huge-body': {
      const at = dice.pick(paths);
      const size = dice.pick([100_000, 1024 * 1024 - 200, 1024 * 1024 + 1]);
      return input(setAt(base, at, 'x'.repeat(size)), `${pointer(at)}=${size} chars`);
    }
    case 'invalid-utf8':
      return input(
        Buffer.concat([
          Buffer.from('{"'),
          dice.pick(rawBytes),
          Buffer.from('":"'),
          dice.pick(rawBytes),
          Buffer.from('"}'),
        ]),
        'invalid UTF-8 in key and value',
      );
    default:
      return input(base, `path ${url.slice(0, 120)}`);
  }
}

function getInput(world: FuzzWorld, target: Target, kind: Kind, dice: Dice): FuzzInput {
  const url = concreteUrl(world, target.rule, kind === 'path-parameter' ? { dice } : undefined);
  if (kind === 'path-parameter')
    return {
      method: 'GET',
      url,
      headers: {},
      payload: undefined,
      summary: `path ${url.slice(0, 120)}`,
      api: url.startsWith('/api/'),
    };
  const keys = [
    'page',
    'q',
    'name',
    'next',
    'from',
    'to',
    'status',
    'filter',
    'sort',
    'expired',
    'personId',
    'organisationId',
    'seq',
    'before',
    'after',
    'step',
    'format',
    'kind',
    'supersedes',
    'recipientIndex',
    'method',
  ];
  const pairs: string[] = [];
  for (let count = 1 + dice.int(4); count > 0; count -= 1) {
    const key = dice.chance(0.15) ? formEncode(dice.pick(protoNames)) : dice.pick(keys);
    const value = dice.chance(0.2) ? dice.pick(rawEncoded) : formEncode(dice.pick(hostileText));
    pairs.push(`${key}=${value}`);
    if (dice.chance(0.2)) pairs.push(`${key}=${value}`);
  }
  const query = pairs.join('&');
  return {
    method: 'GET',
    url: `${url}?${query}`,
    headers: {},
    payload: undefined,
    summary: `query ${query.slice(0, 160)}`,
    api: url.startsWith('/api/'),
  };
}

export function inputFor(
  world: FuzzWorld,
  target: Target,
  kind: Kind,
  dice: Dice,
  csrf: string | undefined,
): FuzzInput {
  if (target.rule.method === 'GET') return getInput(world, target, kind, dice);
  if (target.rule.url.startsWith('/api/')) return apiInput(world, target, kind, dice);
  return pageInput(world, target, kind, dice, csrf);
}

// ---------------------------------------------------------------------------------------------
// The driver.

export interface Finding {
  readonly route: string;
  readonly actor: string;
  readonly kind: Kind;
  readonly status: number;
  readonly input: string;
  readonly errors: readonly string[];
  /** The input's index in the run: with the seed, enough to send it again. */
  readonly index: number;
}

export interface FuzzReport {
  readonly seed: number;
  sent: number;
  readonly byClass: Record<string, number>;
  readonly findings: Finding[];
  sessionsRestored: number;
  elapsedMs: number;
}

async function send(world: FuzzWorld, actor: FuzzActor, input: FuzzInput): Promise<LightMyRequestResponse> {
  const app: FastifyInstance = world.context.app;
  if (input.api) {
    const bearer: Record<string, string> =
      actor.token === undefined ? {} : { authorization: `Bearer ${actor.token}` };
    return app.inject({
      method: input.method as 'POST',
      url: input.url,
      headers: { ...input.headers, ...bearer },
      ...(input.payload === undefined ? {} : { payload: input.payload }),
    });
  }
  // Page bodies are text (invalid UTF-8 travels percent-encoded, as a browser would send it).
  const payload =
    input.payload === undefined || typeof input.payload === 'string'
      ? input.payload
      : input.payload.toString('latin1');
  return actor.browser.request(input.method as 'POST', input.url, payload, input.headers);
}

/**
 * Sends `count` inputs, cycling through every target and, for each, every kind of hostile input
 * the target takes; the dice choose the field and the value. Inputs are made in order (one seed,
 * one sequence) and sent `concurrency` at a time. Any 5xx is a finding.
 */
export async function runFuzz(
  world: FuzzWorld,
  targets: readonly Target[],
  options: {
    seed: number;
    count: number;
    concurrency?: number;
    onProgress?: (report: FuzzReport) => void;
    onResponse?: (target: Target, input: FuzzInput, response: LightMyRequestResponse) => void;
  },
): Promise<FuzzReport> {
  const dice = new Dice(options.seed);
  const report: FuzzReport = {
    seed: options.seed,
    sent: 0,
    byClass: {},
    findings: [],
    sessionsRestored: 0,
    elapsedMs: 0,
  };
  const started = performance.now();
  // Each target gets its kinds in turn: a cycle is every (target, kind) pair once.
  const cycle = targets.flatMap((target) => target.kinds.map((kind) => ({ target, kind })));
  if (cycle.length === 0) throw new Error('the route table gave no targets');
  world.errors.clear();
  const restoring = new Map<FuzzActor, Promise<void>>();
  const inFlight = new Set<Promise<void>>();

  async function one(
    index: number,
    target: Target,
    kind: Kind,
    actor: FuzzActor,
    input: FuzzInput,
  ): Promise<void> {
    const response = await send(world, actor, input);
    report.sent += 1;
    const statusClass = `${String(response.statusCode).slice(0, 1)}xx`;
    report.byClass[statusClass] = (report.byClass[statusClass] ?? 0) + 1;
    const requestId = response.headers[requestIdHeader];
    const errors = world.errors.take(typeof requestId === 'string' ? requestId : undefined);
    options.onResponse?.(target, input, response);
    if (response.statusCode >= 500) {
      report.findings.push({
        route: `${target.rule.method} ${target.rule.url}`,
        actor: actor.name,
        kind,
        status: response.statusCode,
        input: input.summary,
        errors,
        index,
      });
    }
    const location = response.headers['location'] ?? '';
    const pending = actor.name.startsWith('awaiting-');
    const signedOut =
      actor.staff !== undefined &&
      response.statusCode === 303 &&
      (pending ? location === '/sign-in' : location.startsWith('/sign-in'));
    if (signedOut && !restoring.has(actor)) {
      const restored = restore(world, actor).finally(() => restoring.delete(actor));
      restoring.set(actor, restored);
      report.sessionsRestored += 1;
      await restored;
    }
    if (options.onProgress !== undefined && report.sent % 1000 === 0) {
      report.elapsedMs = performance.now() - started;
      options.onProgress(report);
    }
  }

  for (let index = 0; index < options.count; index += 1) {
    if (index > 0 && index % cycle.length === 0) {
      await Promise.all(inFlight);
      await world.refresh();
    }
    const pair = cycle[index % cycle.length];
    if (pair === undefined) continue;
    const actor = world.actors.get(pair.target.actor);
    if (actor === undefined) throw new Error(`no actor ${pair.target.actor}`);
    await restoring.get(actor);
    const input = inputFor(world, pair.target, pair.kind, dice, actor.browser.csrfToken);
    const task: Promise<void> = one(index, pair.target, pair.kind, actor, input).finally(() =>
      inFlight.delete(task),
    );
    inFlight.add(task);
    if (inFlight.size >= (options.concurrency ?? 1)) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  report.elapsedMs = performance.now() - started;
  return report;
}

/** The number of (target, kind) pairs: a run of this many inputs sends every kind to every route once. */
export function cycleLength(targets: readonly Target[]): number {
  return targets.reduce((total, target) => total + target.kinds.length, 0);
}

/** Findings grouped by cause (the first error, with ids and numbers blurred), for the report. */
export function groupFindings(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const cause = (finding.errors[0] ?? `status ${finding.status} with no error raised`)
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
      .replace(/:\d+:\d+\)/g, ')')
      .replace(/\d+/g, 'N')
      .replace(/"[^"]{0,200}"/g, '"…"');
    groups.set(cause, [...(groups.get(cause) ?? []), finding]);
  }
  return groups;
}

/** The findings as text: each cause, then every route, actor and input that hit it. */
export function describeFindings(report: FuzzReport, limitPerCause = 20): string {
  const lines: string[] = [`seed ${report.seed}: ${report.findings.length} responses of 5xx`];
  for (const [cause, findings] of groupFindings(report.findings)) {
    lines.push(`\n${findings.length} x ${cause}`);
    for (const finding of findings.slice(0, limitPerCause))
      lines.push(
        `  #${finding.index} ${finding.route} as ${finding.actor} [${finding.kind}] ${finding.status}: ${finding.input.slice(0, 200)}`,
      );
    if (findings.length > limitPerCause) lines.push(`  ... and ${findings.length - limitPerCause} more`);
  }
  return lines.join('\n');
}
