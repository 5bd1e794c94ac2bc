import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addPerson,
  consentWorld,
  everyMethodId,
  givenConsentAnswers,
  viewerOf,
} from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { signedForLetter } from '../../test/support/disclosure-fixtures.ts';
import { routineShareAnswers } from '../../test/support/sharing-fixtures.ts';
import { systemActor } from '../audit/index.ts';
import type { Viewer } from '../auth/index.ts';
import type { ManualClock } from '../lib/clock.ts';
import { DisclosureRuleError } from './disclosures.errors.ts';
import { addWorkingDays } from '../lib/time.ts';

let context: TestContext;
let clock: ManualClock;
let councilId: string;
let neighbourId: string;
let policeId: string;
let childId: string;
let asPractitioner: Viewer;
let asColleague: Viewer;
let shareToPolice: string;
let shareToNeighbour: string;

const police = {
  name: 'DC Sarah Price',
  role: 'Detective constable, child abuse investigation team',
  reason: 'Investigating a referral about the child.',
};

/** A telephone call from a caller the practitioner does not know, from another organisation. */
function unknownCaller(overrides: Record<string, unknown> = {}) {
  return {
    callDirection: 'incoming',
    callerName: 'Sarah Price',
    callerOrganisation: 'Wiltshire Police',
    callerDetails: 'Detective constable, child abuse investigation team, collar number 4471',
    callerVerified: true,
    callerKnown: false,
    callerFromAnotherOrganisation: true,
    callBackMade: true,
    callBackNumber: '01632 960 999',
    returnNumber: '01632 960 123',
    onlyToPersonWhoAsked: true,
    contactConfidential: false,
    messageLeft: 'none',
    notOverheard: true,
    disclosed: 'School attendance and the dates of the last two home visits.',
    ...overrides,
  };
}

function signedForPost(overrides: Record<string, unknown> = {}) {
  return signedForLetter({
    address: { line1: 'Wiltshire Council, County Hall', town: 'Trowbridge', postcode: 'BA14 8JN' },
    ...overrides,
  });
}

beforeAll(async () => {
  context = await testApp();
  clock = context.clock;
  const world = consentWorld(context);
  councilId = await createOrganisation(context, {
    name: `Swindon Borough Council ${randomUUID().slice(0, 6)}`,
  });
  neighbourId = await createOrganisation(context, { name: `Wiltshire Council ${randomUUID().slice(0, 6)}` });
  policeId = await context.services.orgs.create(systemActor, {
    name: `Wiltshire Police ${randomUUID().slice(0, 6)}`,
    kind: 'police',
    switchboardPhone: '01632960999',
    hosted: false,
  });
  await context.services.orgs.addDomain(systemActor, councilId, 'swindon.gov.uk');
  await context.services.orgs.addDomain(systemActor, neighbourId, 'wiltshire.gov.uk');
  const practitioner = await createStaff(context, {
    organisationId: councilId,
    roles: ['practitioner'],
    displayName: 'Priya Sharma',
  });
  const colleague = await createStaff(context, {
    organisationId: councilId,
    roles: ['practitioner'],
    displayName: 'Tom Walsh',
  });
  asPractitioner = viewerOf(practitioner, ['practitioner'], 'Priya Sharma');
  asColleague = viewerOf(colleague, ['practitioner'], 'Tom Walsh');
  childId = await addPerson(world, councilId, {
    givenNames: 'Amelia',
    familyName: 'Hughes',
    dateOfBirth: '2014-05-12',
    allocateTo: practitioner.id,
  });
  await world.consents.record(
    asPractitioner,
    childId,
    givenConsentAnswers({
      givenOn: '2026-11-20',
      recipientOrganisationIds: [policeId, neighbourId],
      categoryIds: ['education', 'health', 'social-care'],
      methodIds: everyMethodId,
    }),
  );
  const base = routineShareAnswers({ personIds: [childId], schoolId: policeId });
  shareToPolice = (
    await context.services.sharing.recordComplete(asPractitioner, {
      ...base,
      request: {
        ...base.request,
        requesterKind: 'agency',
        requesterName: police.name,
        requesterRole: police.role,
        requesterOrganisationId: policeId,
        purposeId: 'education-support',
      },
      recipients: { recipients: [{ ...police, organisationId: policeId }] },
    })
  ).id;
  const toNeighbour = routineShareAnswers({ personIds: [childId], schoolId: neighbourId });
  shareToNeighbour = (
    await context.services.sharing.recordComplete(asPractitioner, {
      ...toNeighbour,
      recipients: {
        recipients: [
          {
            name: 'Rebecca Sutton',
            role: 'SEN caseworker',
            organisationId: neighbourId,
            email: 'rebecca.sutton@wiltshire.gov.uk',
            reason: 'She leads the EHC needs assessment.',
          },
        ],
      },
    })
  ).id;
}, 60_000);

async function disclosureCount(): Promise<number> {
  const row = await context.db
    .selectFrom('disclosures')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function refusal(work: Promise<unknown>): Promise<{ field: string; code: string; message: string }[]> {
  const error: unknown = await work.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(DisclosureRuleError);
  return error instanceof DisclosureRuleError ? [...error.problems] : [];
}

describe('the telephone (R4.1.x)', () => {
  it('refuses to log a disclosure to an unknown caller until the call-back through the published switchboard is recorded', async () => {
    const before = await disclosureCount();
    const telephone = (checklist: Record<string, unknown>) =>
      context.services.disclosures.record(asPractitioner, shareToPolice, {
        recipientIndex: 0,
        method: 'telephone',
        categoryIds: ['education'],
        description: 'Attendance and visit dates, by phone.',
        checklist,
      });
    expect(
      (await refusal(telephone(unknownCaller({ callBackMade: false })))).map((problem) => problem.field),
    ).toContain('checklist.callBackMade');
    const wrongNumber = await refusal(telephone(unknownCaller({ callBackNumber: '07700 900123' })));
    expect(wrongNumber.map((problem) => problem.message).join(' ')).toContain('published switchboard number');
    expect(
      (await refusal(telephone(unknownCaller({ returnNumber: '' })))).map((problem) => problem.field),
    ).toContain('checklist.returnNumber');
    expect(await disclosureCount()).toBe(before);
    const id = await telephone(unknownCaller());
    const logged = await context.services.disclosures.find(asPractitioner, id);
    expect(logged).toMatchObject({
      method: 'telephone',
      recipientName: police.name,
      categoryIds: ['education'],
      receipt: { dueOn: null },
    });
    expect(logged.checklist).toMatchObject({
      callBackMade: true,
      disclosed: 'School attendance and the dates of the last two home visits.',
    });
    const audit = await context.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', id)
      .execute();
    expect(audit.map((event) => event.action)).toEqual(['disclosure.recorded']);
  });
});

describe('post and receipts (R4.2.x)', () => {
  it('logs a signed-for letter with a receipt due, follows up the overdue receipt once a day, and records its confirmation', async () => {
    const id = await context.services.disclosures.record(asPractitioner, shareToNeighbour, {
      recipientIndex: 0,
      method: 'post',
      categoryIds: ['education', 'health'],
      description: 'Education and health reports for the EHC needs assessment.',
      checklist: signedForPost(),
    });
    const logged = await context.services.disclosures.find(asPractitioner, id);
    expect(logged.receipt.dueOn).toBe(addWorkingDays('2026-11-30', 5));
    expect(await context.services.disclosures.remindOverdueReceipts()).toBe(0);
    clock.set('2026-12-09T08:00:00Z');
    expect(await context.services.disclosures.remindOverdueReceipts()).toBeGreaterThanOrEqual(1);
    expect(await context.services.disclosures.remindOverdueReceipts()).toBe(0);
    const notice = await context.db
      .selectFrom('notifications')
      .select(['subject', 'body'])
      .where('kind', '=', 'disclosure.receipt_overdue')
      .executeTakeFirstOrThrow();
    expect(`${notice.subject} ${notice.body}`).not.toMatch(/Amelia|Hughes|Sutton/);
    await context.services.disclosures.confirmReceipt(asPractitioner, id, {
      how: 'Rebecca Sutton e-mailed to confirm the letter arrived.',
    });
    expect((await context.services.disclosures.find(asPractitioner, id)).receipt).toMatchObject({
      confirmedByName: 'Priya Sharma',
      overdue: false,
    });
    await expect(
      context.services.disclosures.confirmReceipt(asPractitioner, id, { how: 'Again.' }),
    ).rejects.toBeInstanceOf(DisclosureRuleError);
    await expect(
      context.db
        .updateTable('disclosures')
        .set({ description: 'Something else' })
        .where('id', '=', id)
        .execute(),
    ).rejects.toThrow(/cannot change/);
    clock.set('2026-11-30T09:00:00Z');
  });

  it('refuses post with unencrypted media or to an organisation alone, changing nothing', async () => {
    const before = await disclosureCount();
    const post = (checklist: Record<string, unknown>) =>
      context.services.disclosures.record(asPractitioner, shareToNeighbour, {
        recipientIndex: 0,
        method: 'post',
        categoryIds: ['education'],
        description: 'Reports on a memory stick.',
        checklist,
      });
    expect(
      (await refusal(post(signedForPost({ mediaEnclosed: true, mediaEncrypted: false })))).map(
        (problem) => problem.field,
      ),
    ).toContain('checklist.mediaEncrypted');
    expect(
      (await refusal(post(signedForPost({ recipientName: '' })))).map((problem) => problem.field),
    ).toContain('checklist.recipientName');
    // R4.2.5: the recipient organisation's name in the directory is not a named person.
    expect(await refusal(post(signedForPost({ recipientName: 'Wiltshire Council' })))).toEqual([
      expect.objectContaining({
        field: 'checklist.recipientName',
        message: expect.stringMatching(
          /^Address it to a named person, not only to an organisation/,
        ) as unknown,
      }),
    ]);
    expect(await disclosureCount()).toBe(before);
  });
});

describe('e-mail (R4.5.1, R4.6.x)', () => {
  it('refuses ordinary e-mail from the council to the neighbouring council and recommends the secure exchange', async () => {
    const before = await disclosureCount();
    const problems = await refusal(
      context.services.disclosures.record(asPractitioner, shareToNeighbour, {
        recipientIndex: 0,
        method: 'email',
        categoryIds: ['education'],
        description: 'Education report by e-mail.',
        checklist: {
          recipientsNeedIt: true,
          copiesChecked: true,
          markedConfidential: true,
          subject: 'EHC needs assessment: reports',
        },
      }),
    );
    const method = problems.find((problem) => problem.field === 'method');
    expect(method?.code).toBe('DISCLOSURE.METHOD_NOT_ALLOWED');
    expect(method?.message).toContain('secure exchange');
    expect(method?.message).toContain('R4.5.1');
    expect(await disclosureCount()).toBe(before);
    const advice = await context.services.disclosures.advise(asPractitioner, shareToNeighbour, {
      recipientIndex: 0,
      method: 'email',
    });
    expect(advice.ok && advice.advice.recommended).toBe('secure-exchange');
  });
});

describe('nothing leaves without a decision to share (invariant 1)', () => {
  it('refuses a disclosure under a decision not to share, another organisation’s decision, or categories the decision did not share', async () => {
    const notShare = routineShareAnswers({
      personIds: [childId],
      schoolId: neighbourId,
      overrides: {
        outcome: {
          outcome: 'not-share',
          notShareReasonIds: ['not-necessary'],
          reasons: 'Not needed for the assessment.',
        },
      },
    });
    const declined = await context.services.sharing.recordComplete(asPractitioner, notShare);
    const record = (decisionId: string, categoryIds: string[]) =>
      context.services.disclosures.record(asPractitioner, decisionId, {
        recipientIndex: 0,
        method: 'post',
        categoryIds,
        description: 'Reports.',
        checklist: signedForPost(),
      });
    expect((await refusal(record(declined.id, ['education'])))[0]?.code).toBe(
      'DISCLOSURE.NO_DECISION_TO_SHARE',
    );
    expect((await refusal(record(shareToNeighbour, ['parent-criminal-record'])))[0]?.code).toBe(
      'DISCLOSURE.CATEGORY_NOT_DECIDED',
    );
    await expect(
      context.services.disclosures.record(asColleague, shareToNeighbour, {
        recipientIndex: 0,
        method: 'post',
        categoryIds: ['education'],
        description: 'Reports.',
        checklist: signedForPost(),
      }),
    ).rejects.toThrow();
    const draft = await context.services.sharing.start(asPractitioner, { personId: childId });
    await expect(
      context.db
        .insertInto('disclosures')
        .values({
          organisation_id: councilId,
          decision_id: draft,
          method: 'post',
          recipient_name: 'Anyone',
          recipient_role: 'Anyone',
          recipient_organisation_id: neighbourId,
          recipient_contact: null,
          purpose_id: 'early-help',
          category_ids: ['education'],
          description: 'Straight into the table.',
          checklist: '{}',
          method_advice: '{}',
          policy_version: 'default',
          disclosed_at: new Date(),
          disclosed_by: asPractitioner.userId,
          receipt_due_on: null,
          created_at: new Date(),
        })
        .execute(),
    ).rejects.toThrow(/recorded decision to share/);
  });
});

describe('misdirected information and a person’s history', () => {
  it('logs misdirected information only with what was done about it (R4.4.3)', async () => {
    const answers = {
      receivedOn: '2026-11-27',
      method: 'fax' as const,
      sender: 'Great Western Hospital, paediatrics',
      intendedFor: 'Wiltshire Council children’s services',
      whatArrived: 'A discharge summary about a child not known to us.',
      passedOn: true,
      senderTold: true,
      actionDetails: 'Rang the ward to tell them; forwarded by secure exchange to Wiltshire.',
    };
    await context.services.disclosures.recordMisdirected(asPractitioner, answers);
    expect(
      (
        await refusal(
          context.services.disclosures.recordMisdirected(asPractitioner, {
            ...answers,
            passedOn: false,
            senderTold: false,
          }),
        )
      )[0]?.code,
    ).toBe('DISCLOSURE.NO_ACTION');
    expect(
      (
        await refusal(
          context.services.disclosures.recordMisdirected(asPractitioner, {
            ...answers,
            receivedOn: '2027-01-01',
          }),
        )
      )[0]?.code,
    ).toBe('DISCLOSURE.FUTURE_DATE');
    expect(
      (await context.services.disclosures.misdirected(asPractitioner)).map((entry) => entry.whatArrived),
    ).toEqual([answers.whatArrived]);
  });

  it('lists every decision and disclosure about a person, newest first, and audits the read', async () => {
    const viewsBefore = await context.db
      .selectFrom('audit_events')
      .select('seq')
      .where('action', '=', 'person.sharing_history_viewed')
      .where('person_id', '=', childId)
      .execute();
    const { entries } = await context.services.disclosures.history(asPractitioner, childId);
    const viewsAfter = await context.db
      .selectFrom('audit_events')
      .select('seq')
      .where('action', '=', 'person.sharing_history_viewed')
      .where('person_id', '=', childId)
      .execute();
    expect(viewsAfter.length).toBe(viewsBefore.length + 1);
    expect(entries.filter((entry) => entry.kind === 'disclosure').length).toBeGreaterThanOrEqual(2);
    expect(entries.filter((entry) => entry.kind === 'decision').length).toBeGreaterThanOrEqual(2);
    const times = entries.map((entry) => entry.at.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});

describe('working days', () => {
  it('skips weekends', () => {
    expect(addWorkingDays('2026-11-27', 1)).toBe('2026-11-30');
    expect(addWorkingDays('2026-11-30', 5)).toBe('2026-12-07');
  });
});
