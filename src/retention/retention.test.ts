import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../../test/support/browser.ts';
import { errorSummary, expectClean } from '../../test/support/browser.ts';
import {
  createOrganisation,
  createPerson,
  createStaff,
  signIn,
  type TestStaff,
} from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import type { Viewer } from '../lib/viewer.ts';
import { loadPolicyPack } from '../policy/index.ts';
import { retentionService } from './retention.service.ts';
import { retentionPaths } from './retention.paths.ts';
import type { RetentionSubject } from './retention.table.ts';

let context: TestContext;
let ashford: string;
let igLead: TestStaff;
let dpo: TestStaff;
let secondDpo: TestStaff;
let practitioner: TestStaff;
/** Born 29 February 2004: a decision about them alone, consent with evidence, a disclosure. */
let child: string;
/** Born 1 June 1990: due under every DOB entry, proposed by the DPO. */
let older: string;
/** The child's sibling, a decision about both of them. */
let sibling: string;
let childDecision: string;
let sharedDecision: string;
const suffix = randomBytes(3).toString('hex');
const childName = { given: `Zephyrine${suffix}`, family: `Quillfeather${suffix}` };
const childNhs = '9990000026';

const aPerson = (id: string): RetentionSubject => ({ type: 'person', id });

function viewerOf(staff: TestStaff, roles: Viewer['roles']): Viewer {
  return {
    userId: staff.id,
    displayName: `Staff ${staff.id.slice(0, 4)}`,
    email: staff.email,
    organisationId: staff.organisationId,
    organisationName: 'Ashford Borough Council',
    roles,
  };
}

async function insertConsent(personId: string, recordedBy: string, text: string): Promise<string> {
  const result = await sql<{ id: string }>`
    INSERT INTO consents (organisation_id, person_id, decision, status, policy_version, given_by_child, purpose_ids,
      child_view, use_description, evidence_note, told_shared_without_consent, told_may_withdraw, how_given,
      given_on, review_on, recorded_by, created_at, changed_at)
    VALUES (${ashford}, ${personId}, 'given', 'given', '1', true, ARRAY['safeguarding'], ${`${text} wants the school told`},
      ${`Shared about ${text}`}, ${`Signed by ${text}`}, true, true, 'written', '2015-03-01', '2016-03-01', ${recordedBy},
      '2015-03-01T10:00:00Z', '2015-03-01T10:00:00Z')
    RETURNING id`.execute(context.db);
  const id = result.rows[0]?.id ?? '';
  await sql`
    INSERT INTO consent_events (organisation_id, consent_id, person_id, kind, status_after, occurred_on, recorded_at, recorded_by, note)
    VALUES (${ashford}, ${id}, ${personId}, 'recorded', 'given', '2015-03-01', '2015-03-01T10:00:00Z', ${recordedBy}, ${`Met ${text} at home`})`.execute(
    context.db,
  );
  await sql`
    INSERT INTO consent_evidence (organisation_id, consent_id, file_name, content_type, size_bytes, sha256, ciphertext, iv,
      auth_tag, wrapped_key, uploaded_by, uploaded_at)
    VALUES (${ashford}, ${id}, ${`${text}-consent.pdf`}, 'application/pdf', 10, ${'a'.repeat(64)}, ${randomBytes(10)},
      ${randomBytes(12)}, ${randomBytes(16)}, 'sealed-key', ${recordedBy}, '2015-03-01T10:00:00Z')`.execute(
    context.db,
  );
  return id;
}

async function insertDecision(
  personIds: readonly string[],
  recordedBy: string,
  reasons: string,
): Promise<string> {
  const answers = {
    outcome: { outcome: 'share', notShareReasonIds: [], reasons },
    recipients: { recipients: [] },
  };
  const assessment = {
    bulk: false,
    withoutConsent: false,
    override: false,
    internal: false,
    specialCategory: false,
    criminalOffence: false,
    consent: [],
    approvals: [],
  };
  const result = await sql<{ id: string }>`
    INSERT INTO sharing_decisions (organisation_id, status, started_by, purpose_id, answers, outcome, policy_name,
      policy_version, assessment, recorded_by, recorded_at, created_at, updated_at)
    VALUES (${ashford}, 'recorded', ${recordedBy}, 'safeguarding', ${JSON.stringify(answers)}::jsonb, 'share', 'test', '1',
      ${JSON.stringify(assessment)}::jsonb, ${recordedBy}, '2015-03-02T10:00:00Z', '2015-03-02T10:00:00Z', '2015-03-02T10:00:00Z')
    RETURNING id`.execute(context.db);
  const id = result.rows[0]?.id ?? '';
  for (const personId of personIds)
    await sql`INSERT INTO sharing_decision_people (decision_id, person_id, organisation_id) VALUES (${id}, ${personId}, ${ashford})`.execute(
      context.db,
    );
  await sql`
    INSERT INTO disclosures (organisation_id, decision_id, method, recipient_name, recipient_role, recipient_organisation_id,
      purpose_id, category_ids, description, checklist, method_advice, policy_version, disclosed_at, disclosed_by, created_at)
    VALUES (${ashford}, ${id}, 'post', 'Sam Recipient', 'Safeguarding lead', ${ashford}, 'safeguarding', ARRAY['health'],
      ${`Letter about ${reasons}`}, '{}'::jsonb, '{}'::jsonb, '1', '2015-03-03T10:00:00Z', ${recordedBy}, '2015-03-03T10:00:00Z')`.execute(
    context.db,
  );
  return id;
}

/** A secure exchange package sent under the decision, still live, its message sealed under a key. */
async function insertPackage(decisionId: string, sentBy: string): Promise<void> {
  const objectId = randomUUID();
  await sql`
    INSERT INTO exchange_objects (id, organisation_id, kek_id, wrapped_key, plaintext_bytes, sealed_bytes, sha256, created_at)
    VALUES (${objectId}, ${ashford}, 'kek-1', 'wrapped-data-key', 10, 38, ${'b'.repeat(64)}, '2015-03-03T10:00:00Z')`.execute(
    context.db,
  );
  await sql`
    INSERT INTO exchange_packages (organisation_id, decision_id, disclosure_id, recipient_address, recipient_organisation_id,
      recipient_name, mode, message_object_id, expires_at, download_limit, sent_by, sent_at)
    SELECT ${ashford}, ${decisionId}, d.id, 'sam.recipient@kent.police.uk', ${ashford}, 'Sam Recipient', 'download',
      ${objectId}, '2035-01-01T00:00:00Z', 3, ${sentBy}, '2015-03-03T10:00:00Z'
    FROM disclosures d WHERE d.decision_id = ${decisionId}`.execute(context.db);
}

/** A sealed object (a message or a file) under a key, for the exchange rows below. */
async function insertObject(): Promise<string> {
  const id = randomUUID();
  await sql`
    INSERT INTO exchange_objects (id, organisation_id, kek_id, wrapped_key, plaintext_bytes, sealed_bytes, sha256, created_at)
    VALUES (${id}, ${ashford}, 'kek-1', 'wrapped-data-key', 10, 38, ${'c'.repeat(64)}, '2015-03-03T10:00:00Z')`.execute(
    context.db,
  );
  return id;
}

/** A recipient's reply to the decision's package: a sealed message and a file whose name names the person. */
async function insertReply(decisionId: string, text: string): Promise<void> {
  const message = await insertObject();
  const file = await insertObject();
  await sql`
    WITH reply AS (
      INSERT INTO exchange_replies (package_id, from_address, message_object_id, sent_at)
      SELECT p.id, 'sam.recipient@kent.police.uk', ${message}, '2015-03-04T10:00:00Z'
      FROM exchange_packages p WHERE p.decision_id = ${decisionId}
      RETURNING id)
    INSERT INTO exchange_reply_files (reply_id, object_id, position, name, media_type, bytes)
    SELECT reply.id, ${file}, 0, ${`${text} school report.pdf`}, 'application/pdf', 10 FROM reply`.execute(
    context.db,
  );
}

/**
 * Everything else kept about a decision or a person that can name them: an addendum, advice asked
 * and given, a refused approval's reason, an emergency's risk, a package's file, an unfinished
 * consent draft and a break-glass reason. Each names the person.
 */
async function insertSurroundings(
  personId: string,
  decisionId: string,
  by: string,
  text: string,
): Promise<void> {
  await sql`
    INSERT INTO sharing_addenda (organisation_id, decision_id, kind, body, written_by, written_at)
    VALUES (${ashford}, ${decisionId}, 'later-fact', ${`${text} moved school`}, ${by}, '2015-04-01T10:00:00Z')`.execute(
    context.db,
  );
  await sql`
    INSERT INTO sharing_advice_requests (organisation_id, decision_id, asked_by, adviser, anonymised, question, summary,
      status, answer, answered_by, answered_at, created_at)
    VALUES (${ashford}, ${decisionId}, ${by}, 'dpo', false, ${`May I share about ${text}?`}, ${`About ${text}`},
      'answered', ${`Yes, share about ${text}`}, ${by}, '2015-03-02T11:00:00Z', '2015-03-02T09:00:00Z')`.execute(
    context.db,
  );
  await sql`
    INSERT INTO sharing_approvals (organisation_id, decision_id, kind, approvers, status, requested_by, requested_at,
      decided_by, decided_at, reason)
    VALUES (${ashford}, ${decisionId}, 'public-interest', ARRAY['caldicott_guardian'], 'refused', ${by},
      '2015-03-02T09:00:00Z', ${by}, '2015-03-02T09:30:00Z', ${`Not enough known about ${text}`})`.execute(
    context.db,
  );
  await sql`
    INSERT INTO sharing_emergencies (organisation_id, decision_id, risk, approve_by, recorded_by, recorded_at)
    VALUES (${ashford}, ${decisionId}, ${`${text} at risk tonight`}, '2015-03-03T10:00:00Z', ${by}, '2015-03-02T10:00:00Z')`.execute(
    context.db,
  );
  const fileObject = await insertObject();
  await sql`
    INSERT INTO exchange_package_files (package_id, object_id, position, name, media_type, bytes)
    SELECT p.id, ${fileObject}, 0, ${`${text} assessment.pdf`}, 'application/pdf', 10
    FROM exchange_packages p WHERE p.decision_id = ${decisionId}`.execute(context.db);
  await sql`
    INSERT INTO consent_drafts (user_id, person_id, organisation_id, answers, saved_at)
    VALUES (${by}, ${personId}, ${ashford}, ${JSON.stringify({ childView: `${text} said yes` })}::jsonb, '2015-05-01T10:00:00Z')`.execute(
    context.db,
  );
  await sql`
    INSERT INTO break_glass_access (organisation_id, person_id, user_id, reason, granted_at, expires_at)
    VALUES (${ashford}, ${personId}, ${by}, ${`Out of hours call about ${text}`}, '2015-06-01T10:00:00Z', '2015-06-01T18:00:00Z')`.execute(
    context.db,
  );
}

/** Every table of the schema whose rows, as text, contain `needle` (case-insensitive). */
async function tablesHolding(needle: string): Promise<string[]> {
  const tables = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY c.relname`.execute(
    context.ownerDb,
  );
  const holding: string[] = [];
  for (const { name } of tables.rows) {
    const found = await sql<{ n: number }>`
      SELECT count(*)::integer AS n FROM ${sql.id(name)} t WHERE t::text ILIKE ${`%${needle}%`}`.execute(
      context.ownerDb,
    );
    if ((found.rows[0]?.n ?? 0) > 0) holding.push(name);
  }
  return holding;
}

beforeAll(async () => {
  context = await testApp();
  context.clock.set('2030-06-03T10:00:00Z');
  ashford = await createOrganisation(context, { name: `Ashford Borough Council ${suffix}` });
  igLead = await createStaff(context, {
    roles: ['ig_lead'],
    organisationId: ashford,
    displayName: 'Ira Lead',
  });
  dpo = await createStaff(context, { roles: ['dpo'], organisationId: ashford, displayName: 'Dana Officer' });
  secondDpo = await createStaff(context, {
    roles: ['dpo'],
    organisationId: ashford,
    displayName: 'Dev Second',
  });
  practitioner = await createStaff(context, { roles: ['practitioner'], organisationId: ashford });
  child = await createPerson(context, {
    organisationId: ashford,
    givenNames: childName.given,
    familyName: childName.family,
    dateOfBirth: '2004-02-29',
    nhsNumber: childNhs,
    localReference: `ABC-${suffix}`,
  });
  older = await createPerson(context, { organisationId: ashford, dateOfBirth: '1990-06-01' });
  sibling = await createPerson(context, { organisationId: ashford, dateOfBirth: '2010-05-05' });
  await insertConsent(child, practitioner.id, childName.given);
  await insertConsent(sibling, practitioner.id, 'the sibling');
  childDecision = await insertDecision([child], practitioner.id, `${childName.given} ${childName.family}`);
  await insertPackage(childDecision, practitioner.id);
  await insertSurroundings(child, childDecision, practitioner.id, childName.family);
  await insertReply(childDecision, childName.family);
  // The decision's own event names the child only in its change, with no person on the event.
  await context.db.transaction().execute((trx) =>
    context.services.audit.record(trx, {
      organisationId: ashford,
      actor: { userId: practitioner.id, label: 'Pat Practitioner' },
      action: 'sharing.decision_recorded',
      entity: { type: 'sharing_decision', id: childDecision },
      change: { reasons: `${childName.given} ${childName.family} told their teacher` },
    }),
  );
  sharedDecision = await insertDecision([child, sibling], practitioner.id, 'both children');
  await sql`
    INSERT INTO sharing_addenda (organisation_id, decision_id, kind, body, written_by, written_at)
    VALUES (${ashford}, ${sharedDecision}, 'correction', 'Both children moved', ${practitioner.id}, '2015-04-01T10:00:00Z')`.execute(
    context.db,
  );
  await insertDecision([older], practitioner.id, 'the older one');
});

describe('what is due under the retention schedule', () => {
  it('counts a 29 February birthday as reached on 1 March in a common year, for every kind worked out from the date of birth', async () => {
    const lead = viewerOf(igLead, ['ig_lead']);
    const before = await context.services.retention.due(lead, '2029-02-28');
    const after = await context.services.retention.due(lead, '2029-03-01');
    const peopleOf = (list: typeof before, kind: string) =>
      list.entries.find((entry) => entry.kind === kind)?.people.map((person) => person.personId) ?? [];
    expect(peopleOf(before, 'sharing-decisions')).not.toContain(child);
    expect(peopleOf(before, 'sharing-decisions')).toContain(older);
    expect(peopleOf(after, 'sharing-decisions')).toContain(child);
    expect(peopleOf(after, 'people')).toContain(child);
    expect(peopleOf(after, 'people')).not.toContain(sibling);
    // The sibling (born 2010) is not due, though a decision about them both is.
    expect(peopleOf(after, 'disclosures')).toEqual(expect.arrayContaining([child, older]));
    expect(peopleOf(after, 'disclosures')).not.toContain(sibling);
    // Consent records: six years from the last action (March 2015), due from March 2021.
    const consents = await context.services.retention.due(lead, '2021-03-02');
    expect(peopleOf(consents, 'consent-records')).toEqual(expect.arrayContaining([child, sibling]));
    const early = await context.services.retention.due(lead, '2021-02-28');
    expect(peopleOf(early, 'consent-records')).toEqual([]);
    // The IG lead does not see names, only case references where people have them; a DPO sees names.
    const leadSees = after.entries.flatMap((entry) => entry.people).map((person) => person.name);
    expect(leadSees.length).toBeGreaterThan(0);
    expect(leadSees.every((name) => name === null || /^Case reference \S+$/.test(name))).toBe(true);
    const named = await context.services.retention.due(viewerOf(dpo, ['dpo']), '2029-03-01');
    expect(named.entries.flatMap((entry) => entry.people).map((person) => person.name)).toContain(
      `${childName.given} ${childName.family}`,
    );
  });

  it('works out every trigger a council may give each kind in its pack, and says which it cannot', async () => {
    const policy = loadPolicyPack(context.config.policyPack);
    const lead = viewerOf(igLead, ['ig_lead']);
    // For each trigger, what the child (every kind of record, all from March 2015) is under each kind:
    // listed, not listed (a disclosure closes when its receipt is confirmed: this one never was), or
    // a combination Safeshare cannot work out (shown, never counted).
    const expected: Record<string, Record<string, 'listed' | 'not listed' | 'unsupported'>> = {
      'date-of-birth': {
        people: 'listed',
        'consent-records': 'listed',
        'sharing-decisions': 'listed',
        disclosures: 'listed',
        'exchange-packages': 'listed',
        incidents: 'unsupported',
      },
      creation: {
        people: 'listed',
        'consent-records': 'listed',
        'sharing-decisions': 'listed',
        disclosures: 'listed',
        'exchange-packages': 'listed',
        incidents: 'not listed',
      },
      'last-action': {
        people: 'listed',
        'consent-records': 'listed',
        'sharing-decisions': 'listed',
        disclosures: 'listed',
        'exchange-packages': 'listed',
        incidents: 'not listed',
      },
      closure: {
        people: 'unsupported',
        'consent-records': 'unsupported',
        'sharing-decisions': 'listed',
        disclosures: 'not listed',
        'exchange-packages': 'unsupported',
        incidents: 'not listed',
      },
    };
    for (const [trigger, byKind] of Object.entries(expected)) {
      const retention = retentionService({
        db: context.db,
        clock: context.clock,
        audit: context.services.audit,
        notifications: context.services.notifications,
        staff: context.services.staff,
        orgs: context.services.orgs,
        namesFor: (viewer, ids) => context.services.oversight.personNames(viewer, ids),
        policy: {
          ...policy,
          retention: {
            ...policy.retention,
            schedule: policy.retention.schedule.map((entry) => ({
              ...entry,
              trigger: trigger as typeof entry.trigger,
              years: 1,
            })),
          },
        },
      });
      const late = await retention.due(lead, '2200-01-01');
      const found = Object.fromEntries(
        late.entries.map((entry) => [
          entry.kind,
          !entry.supported
            ? 'unsupported'
            : entry.people.some((person) => person.personId === child)
              ? 'listed'
              : 'not listed',
        ]),
      );
      expect(found, trigger).toEqual(byKind);
      // A year from a day before any of these records: nothing is due under any trigger.
      const early = await retention.due(lead, '1990-01-01');
      expect(
        early.entries.map((entry) => entry.total),
        trigger,
      ).toEqual(early.entries.map(() => 0));
    }
  });

  it('finds each kind through an index on its trigger, never by reading every row', async () => {
    // The shapes of the due queries for the default pack's triggers (retention.repository.ts), planned
    // with sequential scans priced out: on a table this small the planner would otherwise pick either.
    const shapes = [
      sql`SELECT p.id FROM people p WHERE p.organisation_id = ${ashford}::uuid AND p.date_of_birth <= '2005-01-01'::date`,
      sql`SELECT dp.person_id FROM sharing_decisions r JOIN sharing_decision_people dp ON dp.decision_id = r.id
          JOIN people p ON p.id = dp.person_id
          WHERE r.organisation_id = ${ashford}::uuid AND p.date_of_birth <= '2005-01-01'::date`,
      sql`SELECT r.person_id FROM consents r WHERE r.organisation_id = ${ashford}::uuid AND r.changed_at < now()`,
      sql`SELECT r.id FROM exchange_packages r
          WHERE r.organisation_id = ${ashford}::uuid AND coalesce(r.ended_at, r.sent_at) < now()`,
      sql`SELECT i.id FROM incidents i WHERE i.organisation_id = ${ashford}::uuid AND i.closed_at < now()`,
    ];
    const plans = await context.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const found: string[] = [];
      for (const shape of shapes) {
        const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${shape}`.execute(trx);
        found.push(plan.rows.map((row) => row['QUERY PLAN']).join('\n'));
      }
      return found;
    });
    for (const plan of plans) expect(plan).not.toMatch(/Seq Scan/);
    expect(plans[0]).toMatch(/people_organisation_birth_idx/);
    expect(plans[2]).toMatch(/consents_organisation_changed_idx/);
    expect(plans[3]).toMatch(/exchange_packages_last_action_idx/);
    expect(plans[4]).toMatch(/incidents_closed_idx/);
  });
});

describe('legal holds, proposals and approval by a second person', () => {
  it('refuses a proposal under a review-only entry, a blank reason, and a person not due', async () => {
    const lead = viewerOf(igLead, ['ig_lead']);
    await expect(
      context.services.retention.propose(lead, aPerson(child), {
        kind: 'consent-records',
        reason: 'Past its time',
      }),
    ).rejects.toThrow(/reviewed, not disposed of/);
    await expect(
      context.services.retention.propose(lead, aPerson(child), {
        kind: 'exchange-packages',
        reason: 'Past its time',
      }),
    ).rejects.toThrow(/withdrawn from its decision’s page/);
    await expect(
      context.services.retention.propose(lead, aPerson(child), { kind: 'sharing-decisions', reason: ' ' }),
    ).rejects.toThrow(/Enter why the records can be disposed of/);
    await expect(
      context.services.retention.propose(lead, aPerson(sibling), {
        kind: 'sharing-decisions',
        reason: 'Past its time',
      }),
    ).rejects.toThrow(/not due under that entry/);
  });

  it('never lists or proposes a held person, and a DPO cannot approve their own proposal', async () => {
    const lead = viewerOf(igLead, ['ig_lead']);
    const officer = viewerOf(dpo, ['dpo']);
    const hold = await context.services.retention.placeHold(officer, aPerson(older), {
      reason: 'A claim is expected',
      endsOn: '',
    });
    const listed = await context.services.retention.due(lead);
    expect(listed.entries.flatMap((entry) => entry.people).map((person) => person.personId)).not.toContain(
      older,
    );
    await expect(
      context.services.retention.propose(officer, aPerson(older), {
        kind: 'people',
        reason: 'Past its time',
      }),
    ).rejects.toThrow(/legal hold stands/);
    await context.services.retention.liftHold(officer, hold, 'The claim was settled');
    const proposal = await context.services.retention.propose(officer, aPerson(older), {
      kind: 'people',
      reason: 'Past the 25th birthday',
    });
    await expect(context.services.retention.approve(officer, proposal)).rejects.toThrow(
      /another Data Protection Officer/,
    );
    await expect(context.services.retention.approve(lead, proposal)).rejects.toThrow(/not permitted/);
    await context.services.retention.approve(viewerOf(secondDpo, ['dpo']), proposal);
    const actions = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('organisation_id', '=', ashford)
      .where('action', 'like', 'retention.%')
      .orderBy('seq')
      .execute();
    expect(actions.map((row) => row.action)).toEqual([
      'retention.hold_placed',
      'retention.hold_lifted',
      'retention.disposal_proposed',
      'retention.disposal_approved',
    ]);
  });
});

describe('disposal', () => {
  it('is stopped by a legal hold placed after approval, then erases the person’s data in place once it is lifted', async () => {
    const lead = viewerOf(igLead, ['ig_lead']);
    const officer = viewerOf(dpo, ['dpo']);
    const proposal = await context.services.retention.propose(lead, aPerson(child), {
      kind: 'sharing-decisions',
      reason: 'The 25th birthday has passed and no hold or review applies',
    });
    await context.services.retention.approve(officer, proposal);
    const hold = await context.services.retention.placeHold(officer, aPerson(child), {
      reason: 'Subject access complaint under investigation',
      endsOn: '2031-01-01',
    });
    const held = await context.services.retention.carryOutApproved(lead);
    // The older person (approved earlier, no hold) goes; the child is held.
    expect(held).toEqual({ disposed: 1, held: 1 });
    expect(await tablesHolding(childName.family)).toContain('people');
    expect(await tablesHolding(childNhs)).toContain('people');

    await context.services.retention.liftHold(officer, hold, 'The complaint was closed');
    expect(await context.services.retention.carryOutApproved(lead)).toEqual({ disposed: 1, held: 0 });

    // Gone from every table: names, NHS number, the consent's and the decision's free text.
    expect(await tablesHolding(childName.family)).toEqual([]);
    expect(await tablesHolding(childName.given)).toEqual([]);
    expect(await tablesHolding(childNhs)).toEqual([]);
    expect(await tablesHolding(`ABC-${suffix}`)).toEqual([]);

    // Ids, dates, kinds and hashes stay; the decision about both children is kept whole.
    const person = await context.db
      .selectFrom('people')
      .select(['given_names', 'date_of_birth', 'created_at'])
      .where('id', '=', child)
      .executeTakeFirstOrThrow();
    expect(person).toMatchObject({ given_names: 'Disposed', date_of_birth: null });
    const decisions = await context.db
      .selectFrom('sharing_decisions')
      .select(['id', 'answers', 'recorded_at'])
      .where('id', 'in', [childDecision, sharedDecision])
      .execute();
    expect(decisions.find((row) => row.id === childDecision)?.answers).toEqual({ erased: true });
    expect(decisions.find((row) => row.id === sharedDecision)?.answers).toMatchObject({
      outcome: { reasons: 'both children' },
    });
    const evidence = await context.db
      .selectFrom('consent_evidence')
      .innerJoin('consents', 'consents.id', 'consent_evidence.consent_id')
      .select(['consent_evidence.wrapped_key', 'consent_evidence.sha256'])
      .where('consents.person_id', '=', child)
      .executeTakeFirstOrThrow();
    expect(evidence).toEqual({ wrapped_key: 'erased', sha256: 'a'.repeat(64) });

    const disposal = await context.db
      .selectFrom('disposals')
      .selectAll()
      .where('person_id', '=', child)
      .executeTakeFirstOrThrow();
    expect(disposal).toMatchObject({
      proposed_by: igLead.id,
      approved_by: dpo.id,
      kind: 'sharing-decisions',
    });
    expect(disposal.counts).toMatchObject({
      people: 1,
      consentRecords: 1,
      consentEvidence: 1,
      sharingDecisions: 1,
      sharingDecisionsKeptWithOthers: 1,
      disclosures: 1,
      sharingAddenda: 1,
      adviceRequests: 1,
      approvalReasons: 1,
      emergencyRisks: 1,
      // The package's message and its file, and the reply's message and its file.
      exchangeObjectsShredded: 4,
      exchangeFileNames: 1,
      exchangeReplyFileNames: 1,
      exchangePackagesEnded: 1,
      consentDrafts: 1,
      breakGlassReasons: 1,
    });
    // The package's key is destroyed (crypto-shredding), the package ended; its size and digest stay.
    const sealed = await context.db
      .selectFrom('exchange_packages')
      .innerJoin('exchange_objects', 'exchange_objects.id', 'exchange_packages.message_object_id')
      .select(['exchange_packages.ended', 'exchange_objects.wrapped_key', 'exchange_objects.sha256'])
      .where('exchange_packages.decision_id', '=', childDecision)
      .executeTakeFirstOrThrow();
    expect(sealed).toEqual({ ended: 'revoked', wrapped_key: null, sha256: 'b'.repeat(64) });
    expect(disposal.counts['auditEventsErased']).toBeGreaterThan(0);

    // The audit chain still verifies, counting the erased events; the disposal is itself an event.
    const verified = await context.services.audit.verify();
    expect(verified.ok).toBe(true);
    expect(verified.erased).toBeGreaterThanOrEqual(disposal.counts['auditEventsErased'] ?? 0);
    const recorded = await context.db
      .selectFrom('audit_events')
      .select(['action', 'person_id'])
      .where('entity_id', '=', disposal.id)
      .execute();
    expect(recorded).toEqual([{ action: 'retention.disposed', person_id: null }]);
    // A disposed person is never listed again.
    const after = await context.services.retention.due(lead);
    expect(after.entries.flatMap((entry) => entry.people).map((item) => item.personId)).not.toContain(child);
  });

  it('leaves the application role no way to change the kept records but the recorded erasure', async () => {
    const refused = async (statement: ReturnType<typeof sql>) =>
      statement.execute(context.db).then(
        () => 'allowed',
        (error: unknown) => (error as Error).message,
      );
    expect(await refused(sql`UPDATE consents SET child_view = NULL WHERE person_id = ${sibling}`)).toMatch(
      /never edited/,
    );
    expect(await refused(sql`UPDATE consent_events SET note = NULL WHERE person_id = ${sibling}`)).toMatch(
      /consent history is kept/,
    );
    expect(
      await refused(
        sql`UPDATE sharing_decisions SET answers = '{"erased": true}'::jsonb WHERE id = ${sharedDecision}`,
      ),
    ).toMatch(/recorded sharing decision cannot change/);
    expect(
      await refused(
        sql`UPDATE disclosures SET description = 'Erased under the retention schedule' WHERE decision_id = ${sharedDecision}`,
      ),
    ).toMatch(/logged disclosure cannot change/);
    expect(
      await refused(sql`INSERT INTO retention_erasures (table_name, row_id, disposal_id, erased_at)
        SELECT 'consents', id, (SELECT id FROM disposals LIMIT 1), now() FROM consents WHERE person_id = ${sibling}`),
    ).toMatch(/permission denied/);
    expect(
      await refused(
        sql`SELECT retention_erase_person(${ashford}::uuid, ${sibling}::uuid, ${randomUUID()}::uuid, now())`,
      ),
    ).toMatch(/no disposal/);
    const incident = await sql<{ id: string }>`SELECT id FROM incidents LIMIT 1`.execute(context.db);
    expect(
      await refused(
        sql`SELECT retention_erase_incident(${ashford}::uuid, ${incident.rows[0]?.id ?? randomUUID()}::uuid, ${randomUUID()}::uuid, now())`,
      ),
    ).toMatch(/no disposal/);
    // An addendum not erased by a disposal cannot be turned into the tombstone; an erased one cannot be rewritten.
    expect(
      await refused(
        sql`UPDATE sharing_addenda SET body = 'Erased under the retention schedule' WHERE decision_id = ${sharedDecision}`,
      ),
    ).toMatch(/sharing records are kept/);
    expect(
      await refused(sql`UPDATE sharing_addenda SET body = 'Rewritten' WHERE decision_id = ${childDecision}`),
    ).toMatch(/sharing records are kept/);
    expect(
      await refused(
        sql`UPDATE sharing_emergencies SET risk = 'Rewritten' WHERE decision_id = ${childDecision}`,
      ),
    ).toMatch(/emergency share is kept/);
    expect(await refused(sql`UPDATE disposals SET kind = 'people'`)).toMatch(/disposals are kept/);
    expect(await refused(sql`DELETE FROM disposals`)).toMatch(/disposals are kept/);
  });
});

describe('the monthly review', () => {
  it('tells the IG leads how many records are due, with counts only, once a month', async () => {
    context.clock.set('2030-07-01T06:45:00Z');
    const first = await context.services.retention.runMonthlyReview();
    expect(first.organisations).toBeGreaterThanOrEqual(1);
    const told = await context.db
      .selectFrom('notifications')
      .select(['subject', 'body', 'user_id'])
      .where('kind', '=', 'retention.review_due')
      .where('organisation_id', '=', ashford)
      .execute();
    expect(told.map((row) => row.user_id)).toEqual([igLead.id]);
    expect(told[0]?.subject).toBe('Records are due for retention review or disposal');
    expect(told[0]?.body).toMatch(/\d+ due for review and \d+ due for disposal/);
    const mail = await context.db
      .selectFrom('mail_outbox')
      .select(['subject', 'body'])
      .where('organisation_id', '=', ashford)
      .where('subject', '=', 'Records are due for retention review or disposal')
      .execute();
    expect(mail).toHaveLength(1);
    for (const text of [...told.map((row) => row.body), ...mail.map((row) => row.body)]) {
      expect(text).not.toContain(childName.family);
      expect(text).not.toMatch(/\d{10}/);
    }
    const again = await context.services.retention.runMonthlyReview();
    expect(again.organisations).toBe(0);
    const reviewed = await context.db
      .selectFrom('retention_reviews')
      .selectAll()
      .where('organisation_id', '=', ashford)
      .execute();
    expect(reviewed.map((row) => row.month)).toEqual(['2030-07']);
  });
});

describe('the retention pages', () => {
  let lead: TestBrowser;
  let officer: TestBrowser;

  beforeAll(async () => {
    lead = await signIn(context, igLead);
    officer = await signIn(context, dpo);
  });

  it('lists what is due by kind for the IG lead, and refuses a practitioner', async () => {
    const page = await lead.get(retentionPaths.due());
    expect(page.statusCode).toBe(200);
    expectClean(page.body);
    expect(page.body).toContain('Retention review and disposal');
    expect(page.body).toMatch(/data-count="consent-records">\d+ (person|people) due for review/);
    expect(page.body).not.toContain(childName.family);
    const outsider = await signIn(context, practitioner);
    expect((await outsider.get(retentionPaths.due())).statusCode).toBe(403);
    expect(
      (await outsider.post(retentionPaths.placeHold(aPerson(sibling)), { reason: 'x' })).statusCode,
    ).toBe(403);
  });

  it('refuses bad input with an error summary and changes nothing', async () => {
    const blank = await lead.post(retentionPaths.propose(aPerson(sibling)), {
      proposeKind: 'people',
      proposeReason: '',
    });
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toContain('Enter why the records can be disposed of');
    const badDate = await lead.post(retentionPaths.placeHold(aPerson(sibling)), {
      reason: 'A claim',
      'endsOn-day': '31',
      'endsOn-month': '2',
      'endsOn-year': '2031',
    });
    expect(badDate.statusCode).toBe(400);
    expect(errorSummary(badDate.body)).toEqual(['The end date must be a real date, such as 31 3 2027']);
    const years = await lead.post(retentionPaths.keep(aPerson(sibling)), {
      keepKind: 'consent-records',
      years: 'lots',
      keepReason: 'Still in use',
    });
    expect(years.statusCode).toBe(400);
    expect(errorSummary(years.body)).toEqual(['Enter how many more years, a whole number from 1 to 25']);
    const unknown = await lead.post(retentionPaths.find(), { identifier: '9990000999' });
    expect(unknown.statusCode).toBe(400);
    expect(errorSummary(unknown.body)).toEqual([
      'No person or incident in your organisation has that NHS number, case reference or incident reference',
    ]);
    const holds = await context.db
      .selectFrom('legal_holds')
      .select('id')
      .where('person_id', '=', sibling)
      .execute();
    expect(holds).toEqual([]);
  });

  it('places a hold and keeps records longer through the forms, each audited', async () => {
    const held = await lead.post(retentionPaths.placeHold(aPerson(sibling)), {
      reason: 'A claim has been made',
    });
    expect(held.statusCode).toBe(303);
    const kept = await lead.post(retentionPaths.keep(aPerson(sibling)), {
      keepKind: 'consent-records',
      years: '2',
      keepReason: 'The consent is still relied on',
    });
    expect(kept.statusCode).toBe(303);
    const page = await officer.get(retentionPaths.person(sibling));
    expect(page.statusCode).toBe(200);
    expectClean(page.body);
    expect(page.body).toContain('A claim has been made');
    // The IG lead sees the hold, not whom it is on by name: a person with no case reference is not named.
    const reference = (value: string | null) =>
      context.ownerDb
        .updateTable('people')
        .set({ local_reference: value })
        .where('id', '=', sibling)
        .execute();
    await reference(null);
    const holds = await lead.get(retentionPaths.holds());
    expect(holds.statusCode).toBe(200);
    expectClean(holds.body);
    expect(holds.body).toContain('A claim has been made');
    const named = await context.db
      .selectFrom('people')
      .select(['given_names', 'family_name'])
      .where('id', '=', sibling)
      .executeTakeFirstOrThrow();
    expect(holds.body).not.toContain(`${named.given_names} ${named.family_name}`);
    expect(holds.body).toContain('Person (name not shown)');
    // A person with a case reference is named by it: what the IG lead checks the case by.
    await reference('CR-778812');
    const byReference = await lead.get(retentionPaths.holds());
    expect(byReference.body).toContain('Case reference CR-778812');
    expect(byReference.body).not.toContain('Person (name not shown)');
    expect((await officer.get(retentionPaths.holds())).body).toContain(
      `${named.given_names} ${named.family_name}`,
    );
    const extension = await context.db
      .selectFrom('retention_extensions')
      .select(['keep_until', 'kind'])
      .where('person_id', '=', sibling)
      .executeTakeFirstOrThrow();
    expect(extension).toEqual({ keep_until: '2032-07-01', kind: 'consent-records' });
  });

  it('still opens a disposed person’s decision and their retention page, without the erased text', async () => {
    const kept = await officer.get(`/decisions/${sharedDecision}`);
    expect(kept.statusCode).toBe(200);
    const decision = await officer.get(`/decisions/${childDecision}`);
    expect(decision.statusCode).toBe(200);
    expect(decision.body).not.toContain(childName.family);
    // The DPO may read the package's replies: the shredded reply is said to be erased, not opened.
    expect(decision.body).toContain('This reply and its files were erased under the retention schedule.');
    // Its file is no longer offered, nor served to anyone who kept the link.
    const replyFile = await context.db
      .selectFrom('exchange_reply_files')
      .innerJoin('exchange_replies', 'exchange_replies.id', 'exchange_reply_files.reply_id')
      .innerJoin('exchange_packages', 'exchange_packages.id', 'exchange_replies.package_id')
      .select(['exchange_packages.id as package_id', 'exchange_reply_files.id as file_id'])
      .where('exchange_packages.decision_id', '=', childDecision)
      .executeTakeFirstOrThrow();
    const link = `/exchange/packages/${replyFile.package_id}/replies/${replyFile.file_id}`;
    expect(decision.body).not.toContain(link);
    expect((await officer.get(link)).statusCode).toBe(404);
    const person = await officer.get(retentionPaths.person(child));
    expect(person.statusCode).toBe(200);
    expectClean(person.body);
    expect(person.body).toContain('This person’s records have been disposed of.');
  });

  it('shows records due for disposal and disposals waiting for approval on the DPO’s dashboard', async () => {
    const dashboard = await officer.get('/oversight');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toMatch(/records due for disposal/);
    expect(dashboard.body).toMatch(/disposals? waiting for approval/);
  });
});

describe('proposing and approving in batches', () => {
  it('proposes everyone due under an entry with one reason, and a DPO approves all they did not propose', async () => {
    const first = await createPerson(context, { organisationId: ashford, dateOfBirth: '1995-01-10' });
    const second = await createPerson(context, { organisationId: ashford, dateOfBirth: '1995-02-10' });
    const third = await createPerson(context, { organisationId: ashford, dateOfBirth: '1995-03-10' });
    for (const personId of [first, second, third])
      await insertDecision([personId], practitioner.id, 'a routine share');
    const lead = await signIn(context, igLead);
    const officer = await signIn(context, dpo);
    const outsider = await signIn(context, practitioner);
    const path = retentionPaths.proposeAll('sharing-decisions');

    expect((await outsider.post(path, { batchReason: 'Past its time' })).statusCode).toBe(403);
    expect((await lead.post(retentionPaths.approveAll(), {})).statusCode).toBe(403);
    const blank = await lead.post(path, { batchReason: ' ' });
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual(['Enter why the records can be disposed of']);
    const reviewOnly = await lead.post(retentionPaths.proposeAll('consent-records'), {
      batchReason: 'Past its time',
    });
    expect(reviewOnly.statusCode).toBe(400);
    expect(errorSummary(reviewOnly.body)[0]).toMatch(/reviewed, not disposed of/);
    expect(
      await context.db
        .selectFrom('disposal_proposals')
        .select('id')
        .where('person_id', 'in', [first, second, third])
        .execute(),
    ).toEqual([]);

    // One proposed already, by the DPO; a hold on another: the batch proposes the rest.
    await context.services.retention.propose(viewerOf(dpo, ['dpo']), aPerson(first), {
      kind: 'sharing-decisions',
      reason: 'Past the 25th birthday',
    });
    await context.services.retention.placeHold(viewerOf(dpo, ['dpo']), aPerson(third), {
      reason: 'An inquiry has asked for the records',
      endsOn: '',
    });
    const batch = await lead.post(path, { batchReason: 'Past the 25th birthday; no hold applies' });
    expect(batch.statusCode).toBe(200);
    expectClean(batch.body);
    expect(batch.body).toContain('1 proposed. 1 passed over');
    const proposals = await context.db
      .selectFrom('disposal_proposals')
      .select(['person_id', 'proposed_by', 'reason'])
      .where('person_id', 'in', [first, second, third])
      .orderBy('proposed_by', dpo.id < igLead.id ? 'asc' : 'desc')
      .execute();
    expect(proposals).toEqual([
      { person_id: first, proposed_by: dpo.id, reason: 'Past the 25th birthday' },
      { person_id: second, proposed_by: igLead.id, reason: 'Past the 25th birthday; no hold applies' },
    ]);

    // The DPO's dashboard counts them among what needs action.
    const dashboard = await officer.get('/oversight');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toMatch(/>2<\/span>\s*disposals waiting for approval/);
    expect(dashboard.body).toMatch(/>4<\/span>\s*records due for disposal/);

    // The DPO approves the one the IG lead proposed, not their own; a second DPO approves that.
    const approved = await officer.post(retentionPaths.approveAll(), {});
    expect(approved.statusCode).toBe(200);
    expect(approved.body).toContain('1 approved. 1 left waiting');
    // The manual clock gives every proposal the same time: put them in the order of the people.
    const states = async () => {
      const rows = await context.db
        .selectFrom('disposal_proposals')
        .select(['person_id', 'status', 'approved_by'])
        .where('person_id', 'in', [first, second])
        .execute();
      return [first, second].map((id) => {
        const row = rows.find((item) => item.person_id === id);
        return [row?.status, row?.approved_by];
      });
    };
    expect(await states()).toEqual([
      ['proposed', null],
      ['approved', dpo.id],
    ]);
    const other = await signIn(context, secondDpo);
    expect((await other.post(retentionPaths.approveAll(), {})).statusCode).toBe(303);
    expect(await states()).toEqual([
      ['approved', secondDpo.id],
      ['approved', dpo.id],
    ]);
    const none = await other.post(retentionPaths.approveAll(), {});
    expect(none.statusCode).toBe(400);
    expect(errorSummary(none.body)).toEqual(['No disposal is waiting for approval']);
    const audited = await context.db
      .selectFrom('audit_events')
      .select(['action', 'person_id'])
      .where('person_id', 'in', [first, second, third])
      .where('action', 'in', ['retention.disposal_proposed', 'retention.disposal_approved'])
      .orderBy('seq')
      .execute();
    expect(audited).toEqual([
      { action: 'retention.disposal_proposed', person_id: first },
      { action: 'retention.disposal_proposed', person_id: second },
      { action: 'retention.disposal_approved', person_id: second },
      { action: 'retention.disposal_approved', person_id: first },
    ]);
  });
  it('lets a hold with an end date lapse: held until that day, listed and proposable after it', async () => {
    const person = await createPerson(context, { organisationId: ashford, dateOfBirth: '1996-04-04' });
    await insertDecision([person], practitioner.id, 'a later share');
    const officer = viewerOf(dpo, ['dpo']);
    const listed = async (asOf: string) =>
      (await context.services.retention.due(officer, asOf)).entries
        .flatMap((entry) => entry.people)
        .some((item) => item.personId === person);
    expect(await listed('2030-07-01')).toBe(true);
    await context.services.retention.placeHold(officer, aPerson(person), {
      reason: 'A complaint is open until the end of the month',
      endsOn: '2030-07-31',
    });
    expect(await listed('2030-07-31')).toBe(false);
    expect(await listed('2030-08-01')).toBe(true);
    await expect(
      context.services.retention.propose(officer, aPerson(person), {
        kind: 'people',
        reason: 'Past its time',
      }),
    ).rejects.toThrow(/legal hold stands/);
    context.clock.set('2030-08-01T09:00:00Z');
    const proposal = await context.services.retention.propose(officer, aPerson(person), {
      kind: 'people',
      reason: 'The complaint was closed; past the 25th birthday',
    });
    expect(proposal).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('withdraws a disposal, proposed or approved, with why; kept for longer only once it is withdrawn', async () => {
    const person = await createPerson(context, { organisationId: ashford, dateOfBirth: '1994-09-09' });
    await insertDecision([person], practitioner.id, 'an old share');
    const lead = await signIn(context, igLead);
    const proposed = await lead.post(retentionPaths.propose(aPerson(person)), {
      proposeKind: 'sharing-decisions',
      proposeReason: 'Past the 25th birthday',
    });
    expect(proposed.statusCode).toBe(303);
    await context.services.retention.approve(
      viewerOf(dpo, ['dpo']),
      (
        await context.db
          .selectFrom('disposal_proposals')
          .select('id')
          .where('person_id', '=', person)
          .executeTakeFirstOrThrow()
      ).id,
    );

    const keep = await lead.post(retentionPaths.keep(aPerson(person)), {
      keepKind: 'sharing-decisions',
      years: '2',
      keepReason: 'A new request has come in',
    });
    expect(keep.statusCode).toBe(400);
    expect(errorSummary(keep.body)).toEqual([
      'A disposal of this person is proposed: withdraw it before keeping their records for longer',
    ]);
    const page = await lead.get(retentionPaths.person(person));
    expectClean(page.body);
    expect(page.body).toContain('Withdraw the disposal');
    const blank = await lead.post(retentionPaths.withdraw(aPerson(person)), { withdrawReason: '' });
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual(['Enter why the disposal is withdrawn']);
    const outsider = await signIn(context, practitioner);
    expect(
      (await outsider.post(retentionPaths.withdraw(aPerson(person)), { withdrawReason: 'Not needed' }))
        .statusCode,
    ).toBe(403);

    const withdrawn = await lead.post(retentionPaths.withdraw(aPerson(person)), {
      withdrawReason: 'A new request for these records has come in',
    });
    expect(withdrawn.statusCode).toBe(303);
    const row = await context.db
      .selectFrom('disposal_proposals')
      .select(['status', 'withdrawn_by', 'withdraw_reason'])
      .where('person_id', '=', person)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      status: 'withdrawn',
      withdrawn_by: igLead.id,
      withdraw_reason: 'A new request for these records has come in',
    });
    // The approved disposal, withdrawn, is not carried out.
    await context.services.retention.carryOutApproved(viewerOf(igLead, ['ig_lead']));
    expect(
      await context.db.selectFrom('disposals').select('id').where('person_id', '=', person).execute(),
    ).toEqual([]);
    const people = await context.db
      .selectFrom('people')
      .select('given_names')
      .where('id', '=', person)
      .executeTakeFirstOrThrow();
    expect(people.given_names).not.toBe('Disposed');
    const again = await lead.post(retentionPaths.withdraw(aPerson(person)), { withdrawReason: 'Again' });
    expect(again.statusCode).toBe(400);
    expect(errorSummary(again.body)).toEqual(['No disposal of this person is waiting to be carried out']);
    expect(
      (
        await lead.post(retentionPaths.keep(aPerson(person)), {
          keepKind: 'sharing-decisions',
          years: '2',
          keepReason: 'A new request has come in',
        })
      ).statusCode,
    ).toBe(303);
    const audited = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('person_id', '=', person)
      .where('action', 'like', 'retention.%')
      .orderBy('seq')
      .execute();
    expect(audited.map((item) => item.action)).toEqual([
      'retention.disposal_proposed',
      'retention.disposal_approved',
      'retention.disposal_withdrawn',
      'retention.kept_longer',
    ]);
  });
});

/** A closed incident of Ashford's: what it says names `text`, as does its containment action. */
async function insertClosedIncident(
  closedAt: string,
  text: string,
): Promise<{ id: string; reference: string }> {
  const result = await sql<{ id: string; reference: string }>`
    INSERT INTO incidents (organisation_id, kind, what_happened, happened_on, aware_at, information, people_affected,
      people_estimated, actions_taken, reported_by, reported_at, likelihood, severity, outcome, not_reportable_reasons,
      graded_by, graded_at, lessons, closed_by, closed_at)
    VALUES (${ashford}, 'wrong-recipient', ${`A letter about ${text} went to the wrong school`}, '2020-01-02',
      '2020-01-02T10:00:00Z', ${`${text}'s school report`}, 1, false, ${`Asked the school to return ${text}'s letter`},
      ${practitioner.id}, '2020-01-02T11:00:00Z', 1, 1, 'not-reportable', ${`Returned unread, says ${text}`},
      ${dpo.id}, '2020-01-03T10:00:00Z', ${`Check ${text}'s address first`}, ${dpo.id}, ${closedAt})
    RETURNING id, reference`.execute(context.db);
  const incident = result.rows[0] ?? { id: '', reference: '' };
  await sql`
    INSERT INTO incident_actions (incident_id, kind, description, due_on, recorded_by, recorded_at)
    VALUES (${incident.id}, 'retrieve', ${`Collected ${text}'s letter`}, '2020-01-03', ${practitioner.id}, '2020-01-02T12:00:00Z')`.execute(
    context.db,
  );
  await context.db.transaction().execute((trx) =>
    context.services.audit.record(trx, {
      organisationId: ashford,
      actor: { userId: practitioner.id, label: 'Pat Practitioner' },
      action: 'incident.reported',
      entity: { type: 'incident', id: incident.id },
      change: { whatHappened: `A letter about ${text} went astray` },
    }),
  );
  return incident;
}

describe('incidents under the retention schedule', () => {
  it('proposes, holds, approves and disposes of incidents as records of their own', async () => {
    const lead = viewerOf(igLead, ['ig_lead']);
    const officer = viewerOf(dpo, ['dpo']);
    const marker = `Ottoline${suffix}`;
    const old = await insertClosedIncident('2022-01-10T10:00:00Z', marker);
    const held = await insertClosedIncident('2022-02-10T10:00:00Z', `${marker}Held`);
    const recent = await insertClosedIncident('2029-01-10T10:00:00Z', `${marker}Recent`);
    const listed = async () =>
      (await context.services.retention.due(lead)).entries
        .filter((entry) => entry.kind === 'incidents')
        .flatMap((entry) => entry.incidents.map((item) => item.reference));
    expect(await listed()).toEqual(expect.arrayContaining([old.reference, held.reference]));
    expect(await listed()).not.toContain(recent.reference);

    // A hold is placed on an incident found by its reference, through the pages.
    const browser = await signIn(context, igLead);
    const found = await browser.post(retentionPaths.find(), { identifier: held.reference.toLowerCase() });
    expect(found.statusCode).toBe(303);
    expect(found.headers.location).toBe(retentionPaths.incident(held.id));
    const blank = await browser.post(retentionPaths.placeHold({ type: 'incident', id: held.id }), {
      reason: '',
    });
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual(['Enter why the records must be kept']);
    const placed = await browser.post(retentionPaths.placeHold({ type: 'incident', id: held.id }), {
      reason: 'The ICO is still looking into it',
    });
    expect(placed.statusCode).toBe(303);
    expect(await listed()).not.toContain(held.reference);
    const heldPage = await browser.get(retentionPaths.incident(held.id));
    expect(heldPage.statusCode).toBe(200);
    expectClean(heldPage.body);
    expect(heldPage.body).toContain('A legal hold stands: nothing about this incident can be proposed');
    await expect(
      context.services.retention.propose(
        lead,
        { type: 'incident', id: held.id },
        { kind: 'incidents', reason: 'Due' },
      ),
    ).rejects.toThrow(/legal hold stands on this incident/);
    // An incident is proposed under the incidents entry only; one not due is refused.
    await expect(
      context.services.retention.propose(
        lead,
        { type: 'incident', id: old.id },
        { kind: 'people', reason: 'Due' },
      ),
    ).rejects.toThrow(/not due/);
    await expect(
      context.services.retention.propose(
        lead,
        { type: 'incident', id: recent.id },
        { kind: 'incidents', reason: 'Due' },
      ),
    ).rejects.toThrow(/not due/);

    const batch = await browser.post(retentionPaths.proposeAll('incidents'), {
      batchReason: 'Six years since closure; nothing open',
    });
    expect(batch.statusCode).toBe(303);
    const proposals = await context.services.retention.proposals(officer);
    const proposal = proposals.find((item) => item.subject.id === old.id);
    expect(proposal).toMatchObject({
      name: old.reference,
      kind: 'incidents',
      status: 'proposed',
      mayApprove: true,
    });
    expect(proposals.some((item) => item.subject.id === held.id)).toBe(false);
    await context.services.retention.approve(officer, proposal?.id ?? '');
    expect(await context.services.retention.carryOutApproved(lead)).toMatchObject({ disposed: 1, held: 0 });

    // What the incident said is gone from every table, its own events' content included; it is still counted.
    expect(await tablesHolding(`${marker}'`)).toEqual([]);
    expect(await tablesHolding(`about ${marker} `)).toEqual([]);
    expect(await tablesHolding(`${marker}Held`)).toContain('incidents');
    const kept = await context.db
      .selectFrom('incidents')
      .select(['reference', 'kind', 'closed_at', 'what_happened', 'lessons'])
      .where('id', '=', old.id)
      .executeTakeFirstOrThrow();
    expect(kept).toMatchObject({
      reference: old.reference,
      kind: 'wrong-recipient',
      what_happened: 'Erased under the retention schedule',
      lessons: 'Erased under the retention schedule',
    });
    const disposal = await context.db
      .selectFrom('disposals')
      .select(['incident_id', 'person_id', 'kind', 'counts'])
      .where('incident_id', '=', old.id)
      .executeTakeFirstOrThrow();
    expect(disposal).toMatchObject({ person_id: null, kind: 'incidents' });
    expect(disposal.counts).toMatchObject({ incidents: 1, containmentActions: 1, auditEventsErased: 1 });
    expect((await context.services.audit.verify()).ok).toBe(true);
    const page = await browser.get(retentionPaths.incident(old.id));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('This incident has been disposed of.');
    expect(await listed()).not.toContain(old.reference);

    // Kept for longer instead: off the list until then.
    await context.services.retention.liftHold(
      officer,
      (await context.services.retention.holds(officer, { type: 'incident', id: held.id }))[0]?.id ?? '',
      'The ICO closed its inquiry',
    );
    expect(await listed()).toContain(held.reference);
    // Only the incidents entry can keep an incident: another kind is refused, not a database error.
    const wrongKind = await browser.post(retentionPaths.keep({ type: 'incident', id: held.id }), {
      keepKind: 'people',
      years: '2',
      keepReason: 'Lessons still being applied',
    });
    expect(wrongKind.statusCode).toBe(400);
    expect(errorSummary(wrongKind.body)).toEqual(['Select which records are kept']);
    expect(await listed()).toContain(held.reference);
    await context.services.retention.keepLonger(
      lead,
      { type: 'incident', id: held.id },
      {
        kind: 'incidents',
        years: '2',
        reason: 'Lessons still being applied',
      },
    );
    expect(await listed()).not.toContain(held.reference);
  });
});

describe('a decision about several people', () => {
  it('is kept whole until the last of them is disposed of, then erased with its events', async () => {
    // The child went first (above), so the decision about both children was kept; now the sibling is due.
    context.clock.set('2035-05-06T10:00:00Z');
    await context.db.transaction().execute((trx) =>
      context.services.audit.record(trx, {
        organisationId: ashford,
        actor: { userId: practitioner.id, label: 'Pat Practitioner' },
        action: 'sharing.decision_recorded',
        entity: { type: 'sharing_decision', id: sharedDecision },
        change: { reasons: 'Both children moved to Quarrybank' },
      }),
    );
    const holds = await context.db
      .selectFrom('legal_holds')
      .select('id')
      .where('person_id', '=', sibling)
      .where('lifted_at', 'is', null)
      .execute();
    for (const hold of holds)
      await context.services.retention.liftHold(viewerOf(dpo, ['dpo']), hold.id, 'The matter is closed');
    const proposal = await context.services.retention.propose(
      viewerOf(igLead, ['ig_lead']),
      aPerson(sibling),
      {
        kind: 'sharing-decisions',
        reason: 'The 25th birthday has passed',
      },
    );
    await context.services.retention.approve(viewerOf(dpo, ['dpo']), proposal);
    expect(await context.services.retention.carryOutApproved(viewerOf(igLead, ['ig_lead']))).toEqual({
      disposed: 1,
      held: 0,
    });
    const decision = await context.db
      .selectFrom('sharing_decisions')
      .select('answers')
      .where('id', '=', sharedDecision)
      .executeTakeFirstOrThrow();
    expect(decision.answers).toEqual({ erased: true });
    expect(await tablesHolding('Both children moved')).toEqual([]);
    expect(await tablesHolding('Quarrybank')).toEqual([]);
    const disposal = await context.db
      .selectFrom('disposals')
      .select('counts')
      .where('person_id', '=', sibling)
      .executeTakeFirstOrThrow();
    expect(disposal.counts).toMatchObject({
      sharingDecisions: 1,
      sharingDecisionsKeptWithOthers: 0,
      sharingAddenda: 1,
    });
    expect((await context.services.audit.verify()).ok).toBe(true);
  });
});
