import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/audit/index.ts';
import { letterDisclosure } from '../support/disclosure-fixtures.ts';
import { createOrganisation, createStaff } from '../support/factories.ts';
import { testApp, type TestContext } from '../support/harness.ts';
import { routineShareAnswers } from '../support/sharing-fixtures.ts';

/**
 * The whole loop a case-management system drives over the API, every POST sent twice with the same
 * Idempotency-Key as a client does when it did not hear the answer: register a child, find them,
 * record consent, record a decision, log a disclosure, read the sharing history, withdraw the
 * consent (which stops the next disclosure), and an auditor's system reads it all back from the
 * audit trail with the token's name on every event.
 */
let context: TestContext;
let organisationId: string;
let schoolId: string;
let token: string;
let auditorToken: string;
let unscopedAuditorToken: string;
/** A family name no other test uses: letters only, as names must be. */
const familyName = `Kowalczyk-${randomUUID()
  .slice(0, 8)
  .replace(/./g, (digit) => String.fromCharCode(97 + parseInt(digit, 16)))}`;

beforeAll(async () => {
  context = await testApp();
  organisationId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  schoolId = await createOrganisation(context, {
    name: `Oakfield Primary School ${randomUUID().slice(0, 6)}`,
    hosted: false,
  });
  const practitioner = await createStaff(context, {
    organisationId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
  });
  const auditor = await createStaff(context, {
    organisationId,
    roles: ['auditor'],
    displayName: 'Aled Jones',
  });
  const tokens = context.services.apiTokens;
  token = (
    await tokens.issue(systemActor, practitioner.id, 'Mosaic', 30, [
      'people.read',
      'people.register',
      'consent.record',
      'decisions.record',
      'disclosures.log',
    ])
  ).token;
  auditorToken = (await tokens.issue(systemActor, auditor.id, 'Audit copy', 30, ['audit.read'])).token;
  unscopedAuditorToken = (await tokens.issue(systemActor, auditor.id, 'Reader', 30, ['people.read'])).token;
}, 60_000);

function call(
  method: 'GET' | 'POST',
  url: string,
  options: { body?: unknown; key?: string; bearer?: string } = {},
) {
  return context.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${options.bearer ?? token}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.key === undefined ? {} : { 'idempotency-key': options.key }),
    },
    ...(options.body === undefined ? {} : { payload: JSON.stringify(options.body) }),
  });
}
type Answer = Awaited<ReturnType<typeof call>>;

/** Posts twice with one key: the second answer is the first, replayed, and nothing is recorded twice. */
async function postOnce(
  url: string,
  body: unknown,
  table: 'people' | 'consents' | 'sharing_decisions' | 'disclosures',
) {
  const key = randomUUID();
  const before = await count(table);
  const first = await call('POST', url, { body, key });
  const retry = await call('POST', url, { body, key });
  expect(retry.statusCode).toBe(first.statusCode);
  expect(retry.body).toBe(first.body);
  expect(retry.headers['idempotent-replayed']).toBe('true');
  expect(first.headers['idempotent-replayed']).toBeUndefined();
  expect(await count(table)).toBe(first.statusCode < 300 ? before + 1 : before);
  return first;
}

async function count(table: 'people' | 'consents' | 'sharing_decisions' | 'disclosures'): Promise<number> {
  const row = await context.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('organisation_id', '=', organisationId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('the API’s whole loop, with idempotent retries', () => {
  it('registers, finds, records consent, a decision and a disclosure; withdrawal stops the next; the audit trail holds it all', async () => {
    const registered = await postOnce(
      '/api/v1/people',
      { givenNames: 'Zofia', familyName, dateOfBirth: '2013-05-14' },
      'people',
    );
    expect(registered.statusCode, registered.body).toBe(201);
    const personId = registered.json<{ id: string }>().id;

    const found = await call('POST', '/api/v1/people/search', { body: { query: familyName } });
    expect(found.json<{ matches: { id: string }[] }>().matches.map((match) => match.id)).toEqual([personId]);

    const consent = await postOnce(
      `/api/v1/people/${personId}/consents`,
      {
        decision: 'given',
        givenOn: '2026-11-20',
        consentGivenBy: ['child'],
        childCapacity: 'competent',
        childView: 'Zofia wants her school to know what help she needs.',
        prevailingView: 'child',
        purposeIds: ['early-help', 'education-support'],
        useDescription: 'To review her EHC plan with the school.',
        recipientOrganisationIds: [schoolId],
        methodIds: ['post'],
        categoryIds: ['education', 'health'],
        retentionPeriod: 'Until she is 25',
        retentionFormIds: ['electronic'],
        toldSharedWithoutConsent: true,
        toldMayWithdraw: true,
        howGiven: 'written',
      },
      'consents',
    );
    expect(consent.statusCode, consent.body).toBe(201);
    const consentId = consent.json<{ id: string }>().id;

    // What is missing is named before anything is recorded.
    const incomplete = await call('POST', '/api/v1/decisions', {
      body: { ...routineShareAnswers({ personIds: [personId], schoolId }), safety: undefined },
    });
    expect(incomplete.statusCode).toBe(422);
    expect(
      incomplete
        .json<{ errors: { pointer: string }[] }>()
        .errors.some((error) => error.pointer.startsWith('/safety')),
      incomplete.body,
    ).toBe(true);
    const decision = await postOnce(
      '/api/v1/decisions',
      routineShareAnswers({ personIds: [personId], schoolId }),
      'sharing_decisions',
    );
    expect(decision.statusCode, decision.body).toBe(201);
    const decisionId = decision.json<{ id: string }>().id;
    expect(decision.json<{ consent: { consentId: string }[] }>().consent[0]?.consentId).toBe(consentId);

    const disclosure = await postOnce(
      `/api/v1/decisions/${decisionId}/disclosures`,
      letterDisclosure(),
      'disclosures',
    );
    expect(disclosure.statusCode, disclosure.body).toBe(201);
    const disclosureId = disclosure.json<{ id: string }>().id;

    const history = await call('GET', `/api/v1/people/${personId}/sharing-history?limit=1`);
    expect(history.statusCode).toBe(200);
    const firstPage = history.json<{ entries: { kind: string }[]; next: string | null }>();
    expect(firstPage.entries.map((entry) => entry.kind)).toEqual(['disclosure']);
    expect(firstPage.next).not.toBeNull();
    const secondPage = await call('GET', (firstPage.next ?? '').slice(context.config.publicUrl.length));
    expect(secondPage.json<{ entries: { kind: string }[] }>().entries.map((entry) => entry.kind)).toEqual([
      'decision',
    ]);

    const withdrawn = await call('POST', `/api/v1/consents/${consentId}/withdrawal`, {
      body: { withdrawnOn: '2026-11-29', withdrawalMethod: 'letter', withdrawnBy: 'child' },
      key: randomUUID(),
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    // The decision was recorded on that consent: a disclosure now is refused, and nothing is logged.
    const after = await postOnce(
      `/api/v1/decisions/${decisionId}/disclosures`,
      letterDisclosure(),
      'disclosures',
    );
    expect(after.statusCode).toBe(422);
    expect(after.body).toContain('DISCLOSURE.CONSENT_WITHDRAWN');

    // An auditor's system reads the trail a page at a time, oldest first, to keep its own copy.
    type Seen = {
      seq: number;
      action: string;
      by: string;
      entity: { type: string; id: string | null };
      personId: string | null;
    };
    async function walk(start: string): Promise<Seen[]> {
      const events: Seen[] = [];
      let next: string | null = start;
      while (next !== null) {
        const page: Answer = await call('GET', next, { bearer: auditorToken });
        expect(page.statusCode, page.body).toBe(200);
        const body = page.json<{ events: Seen[]; next: string | null }>();
        events.push(...body.events);
        next = body.next === null ? null : body.next.slice(context.config.publicUrl.length);
      }
      const seqs = events.map((event) => event.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      return events;
    }
    const about = await walk(`/api/v1/audit/events?personId=${personId}&limit=2`);
    expect(about.length).toBeGreaterThan(4);
    // About the person: their own events, and those of the decision and disclosure about them,
    // which name them only in their change.
    expect(
      about.every(
        (event) =>
          event.personId === personId ||
          (event.entity.type === 'sharing_decision' && event.entity.id === decisionId) ||
          (event.entity.type === 'disclosure' && event.entity.id === disclosureId),
      ),
    ).toBe(true);
    expect(about.map((event) => event.action)).toEqual(
      expect.arrayContaining(['person.created', 'decision.recorded', 'disclosure.recorded']),
    );
    const trail = await walk('/api/v1/audit/events?limit=100');
    const done = (action: string, id: string) =>
      trail.find((event) => event.action === action && event.entity.id === id);
    for (const [action, id] of [
      ['person.created', personId],
      ['consent.recorded', consentId],
      ['decision.recorded', decisionId],
      ['disclosure.recorded', disclosureId],
      ['consent.withdrawn', consentId],
    ] as const)
      expect(done(action, id)?.by, `${action} ${JSON.stringify(trail.map((event) => event.action))}`).toBe(
        'Priya Sharma (API token Mosaic)',
      );
  });
});

describe('GET /api/v1/audit/events', () => {
  it('gives the unfiltered trail as a chain, each event’s prevHash the hash before it, and records each page as an export', async () => {
    const first = await call('GET', '/api/v1/audit/events?limit=5', { bearer: auditorToken });
    expect(first.statusCode).toBe(200);
    const events = first.json<{ events: { seq: number; hash: string; prevHash: string }[] }>().events;
    expect(events.length).toBeGreaterThan(1);
    for (const [index, event] of events.entries()) {
      if (index === 0) continue;
      expect(event.seq).toBe((events[index - 1]?.seq ?? 0) + 1);
      expect(event.prevHash).toBe(events[index - 1]?.hash);
    }
    const exports = await context.db
      .selectFrom('audit_events')
      .select(['actor_label', 'change'])
      .where('organisation_id', '=', organisationId)
      .where('action', '=', 'audit.exported')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(exports.actor_label).toBe('Aled Jones (API token Audit copy)');
    expect(exports.change).toMatchObject({ events: 5, via: 'api' });
  });

  it('needs the audit.read scope and an auditor’s or DPO’s role, and refuses a forged cursor or bad filter with 400', async () => {
    const unscoped = await call('GET', '/api/v1/audit/events', { bearer: unscopedAuditorToken });
    expect(unscoped.statusCode).toBe(403);
    expect(unscoped.json<{ detail: string }>().detail).toContain('"audit.read"');
    const practitioner = await call('GET', '/api/v1/audit/events');
    expect(practitioner.statusCode).toBe(403);
    for (const query of [
      'cursor=bm90LWEtc2Vx',
      'limit=0',
      'action=DROP%20TABLE',
      'from=2026-13-01',
      'personId=1',
    ]) {
      const response = await call('GET', `/api/v1/audit/events?${query}`, { bearer: auditorToken });
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });
});
