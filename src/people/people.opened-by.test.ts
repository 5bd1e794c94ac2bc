import { beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../../test/support/browser.ts';
import {
  createOrganisation,
  createPerson,
  createStaff,
  signIn,
  type TestStaff,
} from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';

let context: TestContext;
let council: string;
let childId: string;
let worker: TestStaff;
let lineManager: TestStaff;

beforeAll(async () => {
  context = await testApp();
  council = await createOrganisation(context);
  lineManager = await createStaff(context, {
    roles: ['manager'],
    organisationId: council,
    displayName: 'Morgan Manager',
  });
  worker = await createStaff(context, {
    roles: ['practitioner'],
    organisationId: council,
    displayName: 'Priya Worker',
    lineManagerId: lineManager.id,
  });
  childId = await createPerson(context, { organisationId: council, allocatedTo: worker.id });
  const browser: TestBrowser = await signIn(context, worker);
  expect((await browser.get(`/people/${childId}`)).statusCode).toBe(200);
});

describe("who has opened a child's record", () => {
  it('lists each opening with name, role, time and basis to the DPO, linked from the record', async () => {
    const dpo = await signIn(
      context,
      await createStaff(context, { roles: ['dpo'], organisationId: council }),
    );
    const record = await dpo.get(`/people/${childId}`);
    expect(record.body).toContain(`href="/people/${childId}/opened-by"`);
    const page = await dpo.get(`/people/${childId}/opened-by`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /Priya Worker<\/td>\s*<td[^>]*>Practitioner<\/td>\s*<td[^>]*>Allocated to them</,
    );
    // The DPO's own opening of the record is listed too, newest first.
    expect(page.body.indexOf('Data Protection Officer')).toBeLessThan(page.body.indexOf('Priya Worker'));
  });

  it("shows it to the auditor and the allocated worker's line manager, and to no other manager or practitioner", async () => {
    const auditor = await signIn(
      context,
      await createStaff(context, { roles: ['auditor'], organisationId: council }),
    );
    expect((await auditor.get(`/people/${childId}/opened-by`)).statusCode).toBe(200);
    const manager = await signIn(context, lineManager);
    expect((await manager.get(`/people/${childId}/opened-by`)).body).toContain('Priya Worker');
    const otherManager = await signIn(
      context,
      await createStaff(context, { roles: ['manager'], organisationId: council }),
    );
    expect((await otherManager.get(`/people/${childId}/opened-by`)).statusCode).toBe(404);
    const practitioner = await signIn(context, worker);
    expect((await practitioner.get(`/people/${childId}/opened-by`)).statusCode).toBe(403);
    expect((await practitioner.get(`/people/${childId}`)).body).not.toContain('/opened-by');
  });

  it("never shows another organisation's record", async () => {
    const elsewhere = await signIn(
      context,
      await createStaff(context, { roles: ['dpo'], organisationId: await createOrganisation(context) }),
    );
    expect((await elsewhere.get(`/people/${childId}/opened-by`)).statusCode).toBe(404);
  });
});
