import { beforeAll, describe, expect, it } from 'vitest';
import { viewerOf } from '../../test/support/consent-fixtures.ts';
import { createOrganisation, createStaff } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import type { Viewer } from '../auth/index.ts';

/**
 * Art 34 and the source policy's caution about harm: where the safety check finds that telling the
 * people affected could put a child at risk, they are not told, and the incident closes on the
 * DPO's recorded reasons.
 */

let context: TestContext;
let asPractitioner: Viewer;
let asDpo: Viewer;

beforeAll(async () => {
  context = await testApp();
  context.clock.set('2026-12-01T09:00:00Z');
  const organisationId = await createOrganisation(context);
  asPractitioner = viewerOf(await createStaff(context, { organisationId, roles: ['practitioner'] }), [
    'practitioner',
  ]);
  asDpo = viewerOf(await createStaff(context, { organisationId, roles: ['dpo'] }), ['dpo'], 'Dana Okafor');
}, 60_000);

describe('telling the people affected', () => {
  it('does not tell them where it could put a child at risk, and closes on the reasons', async () => {
    const { incidents } = context.services;
    const id = await incidents.report(asPractitioner, {
      kind: 'wrong-recipient',
      whatHappened: 'The strategy meeting minutes went to the father’s address.',
      happenedOn: '2026-11-30',
      awareAt: new Date('2026-12-01T08:00:00Z'),
      information: 'Minutes of a section 47 strategy meeting.',
      peopleAffected: 3,
      peopleEstimated: false,
      actionsTaken: 'Asked the police to retrieve them.',
    });
    expect(await incidents.grade(asDpo, id, { likelihood: 5, severity: 4 })).toBe('report-and-tell');
    await incidents.recordIcoReport(asDpo, id, {
      reportedAt: new Date('2026-12-01T09:00:00Z'),
      reference: 'ICO/2026/777',
    });
    await incidents.recordSafetyCheck(asDpo, id, {
      risk: true,
      reasons: 'The child protection adviser judges that telling the mother now would alert the father.',
    });
    await expect(incidents.recordTold(asDpo, id, 'Rang the mother.')).rejects.toMatchObject({
      code: 'INCIDENT.SAFETY_FIRST',
    });
    await expect(
      incidents.recordSafetyCheck(asDpo, id, { risk: false, reasons: 'Changed my mind.' }),
    ).resolves.toBeUndefined();
    // The check can be revisited while nobody has been told; put back the risk and close.
    await incidents.recordSafetyCheck(asDpo, id, {
      risk: true,
      reasons: 'Confirmed with the child protection adviser: telling the mother would alert the father.',
    });
    await incidents.close(asDpo, id, {
      lessons: 'Addresses checked against the case record.',
      hrReferral: false,
    });
    const incident = await incidents.find(asDpo, id);
    expect(incident.telling).toMatchObject({ risk: true, toldAt: null });
    expect(incident.closure).not.toBeNull();
  });
});
