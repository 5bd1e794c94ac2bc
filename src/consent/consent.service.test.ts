import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConsentWorld } from '../../test/support/consent-fixtures.ts';
import {
  auditActionsOf,
  consentRegisterWorld,
  consentRow,
  givenBy,
  type ConsentRegisterWorld,
} from '../../test/support/consent-register.ts';
import type { TestStaff } from '../../test/support/factories.ts';
import type { TestContext } from '../../test/support/harness.ts';
import type { Viewer } from '../auth/index.ts';
import { NotFoundError, ReasonRequiredError, RuleError } from '../lib/errors.ts';
import { loadPolicyPack } from '../policy/index.ts';
import { ConsentRuleError } from './consent.errors.ts';
import type { ConsentAnswers } from './consent.schema.ts';
import { toRecord } from './consent.service.ts';

let register: ConsentRegisterWorld;
let context: TestContext;
let world: ConsentWorld;
let organisationId: string;
let schoolId: string;
let practitioner: TestStaff;
let asPractitioner: Viewer;
let asManager: Viewer;
let asColleague: Viewer;
let asDpo: Viewer;
let asElsewhere: Viewer;
let childId: string;
let motherId: string;
let uncleId: string;

beforeAll(async () => {
  register = await consentRegisterWorld();
  ({
    context,
    world,
    organisationId,
    schoolId,
    practitioner,
    asPractitioner,
    asManager,
    asColleague,
    asDpo,
    asElsewhere,
    childId,
    motherId,
    uncleId,
  } = register);
});

const given = (overrides: Partial<ConsentAnswers> = {}) => givenBy(register, overrides);
const row = (id: string) => consentRow(context, id);
const auditActions = (entityId: string) => auditActionsOf(context, entityId);

describe('recording consent', () => {
  it('refuses a broken rule as one of the domain rule errors, with its field, stable code and message', async () => {
    const refusal = world.consents.record(asPractitioner, childId, given({ givenOn: '2027-01-01' }));
    await expect(refusal).rejects.toBeInstanceOf(RuleError);
    await expect(refusal).rejects.toMatchObject({
      problems: [
        {
          field: 'givenOn',
          code: 'CONSENT.INVALID_DATE',
          message: 'Date of the decision must be today or in the past',
        },
      ],
    });
  });

  it('records consent given by a child and her mother, with the child’s capacity and view, and audits it', async () => {
    const id = await world.consents.record(asPractitioner, childId, given());
    const stored = toRecord(await row(id));
    expect(stored).toMatchObject({
      decision: 'given',
      status: 'given',
      givenByChild: true,
      parentCarer: { personId: motherId, relationship: 'mother' },
      childCapacity: 'competent',
      prevailingView: 'child',
      purposeIds: ['early-help', 'education-support'],
      recipientOrganisationIds: [schoolId],
      recipientRoles: ['School nurse'],
      toldSharedWithoutConsent: true,
      toldMayWithdraw: true,
      givenOn: '2026-11-20',
      reviewOn: '2027-11-20',
      policyVersion: loadPolicyPack().version,
      recordedBy: practitioner.id,
    });
    expect(await world.consents.find(asPractitioner, id)).toEqual(stored);
    const events = await auditActions(id);
    expect(events.map((event) => event.action)).toEqual(['consent.recorded']);
    expect(events[0]?.person_id).toBe(childId);
    expect(JSON.stringify(events[0]?.change)).not.toContain('reading');
    const history = await context.db
      .selectFrom('consent_events')
      .select(['kind', 'status_after'])
      .where('consent_id', '=', id)
      .execute();
    expect(history).toEqual([{ kind: 'recorded', status_after: 'given' }]);
  });

  it('records a refusal, which the check then reports', async () => {
    const id = await world.consents.record(
      asPractitioner,
      childId,
      given({
        decision: 'refused',
        purposeIds: ['health-care'],
        givenOn: '2026-11-21',
        toldSharedWithoutConsent: true,
        toldMayWithdraw: null,
        retentionPeriod: null,
        retentionFormIds: [],
      }),
    );
    expect((await row(id)).status).toBe('refused');
    const result = await world.consents.check(asPractitioner, {
      personId: childId,
      purposeId: 'health-care',
      recipientOrganisationId: schoolId,
      categoryIds: ['health'],
    });
    expect(result).toEqual({ outcome: 'refused', consentId: id });
  });

  it('records that consent was not sought, and why (R3.1)', async () => {
    const id = await world.consents.record(
      asPractitioner,
      childId,
      given({
        decision: 'not_sought',
        purposeIds: ['multi-agency-safeguarding'],
        givenByChild: false,
        parentCarerId: null,
        childCapacity: null,
        prevailingView: null,
        childView: null,
        toldSharedWithoutConsent: null,
        toldMayWithdraw: null,
        howGiven: null,
        notSoughtReasonId: 'prejudice-enquiry',
        notSoughtDetail: null,
      }),
    );
    const stored = await row(id);
    expect(stored).toMatchObject({
      decision: 'not_sought',
      status: 'not_sought',
      not_sought_reason: 'prejudice-enquiry',
      review_on: '2027-05-20',
    });
  });

  it('refuses a parent or carer without parental responsibility, and someone who is not family', async () => {
    const before = await context.db
      .selectFrom('consents')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    await expect(
      world.consents.record(asPractitioner, childId, given({ parentCarerId: uncleId })),
    ).rejects.toMatchObject({ code: 'CONSENT.NO_PARENTAL_RESPONSIBILITY', field: 'parentCarerId' });
    await expect(
      world.consents.record(asPractitioner, childId, given({ parentCarerId: randomUUID() })),
    ).rejects.toMatchObject({ code: 'CONSENT.PARENT_CARER_UNKNOWN' });
    await expect(
      world.consents.record(asPractitioner, childId, given({ recipientOrganisationIds: [randomUUID()] })),
    ).rejects.toMatchObject({ code: 'CONSENT.RECIPIENT_UNKNOWN' });
    await expect(
      world.consents.record(asPractitioner, childId, given({ givenOn: '2027-01-01' })),
    ).rejects.toBeInstanceOf(ConsentRuleError);
    await expect(
      world.consents.record(asPractitioner, childId, given({ reviewOn: '2026-11-01' })),
    ).rejects.toMatchObject({ field: 'reviewOn' });
    const after = await context.db
      .selectFrom('consents')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    expect(after.count).toBe(before.count);
  });

  it('lets the database refuse an uninformed "given" consent even if the service were bypassed (R3.2, R3.3)', async () => {
    await expect(
      context.db
        .insertInto('consents')
        .values({
          organisation_id: organisationId,
          person_id: childId,
          decision: 'given',
          status: 'given',
          policy_version: 'x',
          given_by_child: true,
          purpose_ids: ['early-help'],
          told_shared_without_consent: false,
          told_may_withdraw: true,
          how_given: 'verbal',
          given_on: '2026-11-01',
          review_on: '2027-11-01',
          recorded_by: practitioner.id,
          created_at: new Date(),
          changed_at: new Date(),
        })
        .execute(),
    ).rejects.toThrow(/check constraint/);
  });
});

describe('need-to-know (invariant 4)', () => {
  it('sends an unallocated practitioner to the person’s page for a reason, and answers not-found to another organisation', async () => {
    const id = await world.consents.record(asPractitioner, childId, given({ givenOn: '2026-11-12' }));
    await expect(world.consents.forPerson(asColleague, childId)).rejects.toEqual(
      new ReasonRequiredError(childId),
    );
    await expect(world.consents.find(asColleague, id)).rejects.toBeInstanceOf(ReasonRequiredError);
    await expect(world.consents.find(asColleague, id)).rejects.toMatchObject({ personId: childId });
    await expect(world.consents.forPerson(asElsewhere, childId)).rejects.toBeInstanceOf(NotFoundError);
    expect(await world.consents.find(asElsewhere, id)).toBeUndefined();
    await expect(world.consents.record(asColleague, childId, given())).rejects.toBeInstanceOf(
      ReasonRequiredError,
    );
    // The line manager of the allocated practitioner, and the DPO, may see it.
    expect((await world.consents.forPerson(asManager, childId)).consents.length).toBeGreaterThan(0);
    expect((await world.consents.forPerson(asDpo, childId)).person.id).toBe(childId);
  });

  it('audits every view with the person it concerns', async () => {
    const id = await world.consents.record(asPractitioner, childId, given({ givenOn: '2026-11-13' }));
    const before = await context.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('action', '=', 'consent.viewed')
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    await world.consents.forPerson(asPractitioner, childId);
    await world.consents.details(asPractitioner, id, 'details');
    const after = await context.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('action', '=', 'consent.viewed')
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    expect(Number(after.count) - Number(before.count)).toBe(2);
  });
});
