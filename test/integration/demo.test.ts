import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccountsText, loadDemoData } from '../../src/demo/demo.ts';
import { roles } from '../../src/lib/roles.ts';
import { testApp, type TestContext } from '../support/harness.ts';

/** The demo data `npm start` loads into an empty database, so that every role can be tried at once. */

let context: TestContext;
let dataDir: string;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'safeshare-demo-'));
  context = await testApp({ DATA_DIR: dataDir });
});

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

const load = () => loadDemoData({ ...context, services: context.services }, () => undefined);

describe('the demo data', () => {
  it('loads a directory, an account for every role, and two families, once', async () => {
    expect(await load()).toBe(true);
    const organisations = await context.services.orgs.list();
    expect(organisations.length).toBeGreaterThanOrEqual(6);
    const accounts = await demoAccountsText(dataDir);
    for (const role of roles) expect(accounts, role).toContain(role);
    const people = await context.db.selectFrom('people').select('id').execute();
    // Two families: a child on Priya Sharma's caseload and a parent with parental responsibility, each.
    expect(people.length).toBe(4);
    // Amelia's routine share, made once and sent by post, so that the oversight pages and a subject
    // access report have something to show.
    const decisions = await context.db
      .selectFrom('sharing_decisions')
      .select(['id', 'outcome', 'status'])
      .execute();
    expect(decisions.map(({ outcome, status }) => ({ outcome, status }))).toEqual([
      { outcome: 'share', status: 'recorded' },
    ]);
    const disclosures = await context.db
      .selectFrom('disclosures')
      .select(['decision_id', 'method'])
      .execute();
    expect(disclosures).toEqual([{ decision_id: decisions[0]?.id, method: 'post' }]);
    // A second start finds data and loads nothing more.
    expect(await load()).toBe(false);
    expect((await context.services.orgs.list()).length).toBe(organisations.length);
  });

  it('gives no organisation a shared domain: council e-mail to any nhs.net address is not "secure" by the trusted link', async () => {
    const domains = await context.db.selectFrom('organisation_domains').select('domain').execute();
    const shared = new Set(context.services.policy.channels.sharedDomains.map((entry) => entry.domain));
    expect(domains.filter((row) => shared.has(row.domain))).toEqual([]);
    const advice = await context.services.channels.adviseMethod({
      method: 'email',
      from: 'priya.sharma@swindon.gov.uk',
      to: 'anyone.at.all@nhs.net',
      sensitivity: 'personal',
    });
    expect(advice.allowed).toBe(false);
    expect(advice.recipient.organisation).toBeNull();
    // The hospital's own mailbox there is still known as the hospital's, though not on its network.
    const mailbox = await context.services.channels.adviseMethod({
      method: 'email',
      from: 'priya.sharma@swindon.gov.uk',
      to: 'gwh.safeguardingchildren@nhs.net',
      sensitivity: 'personal',
    });
    expect(mailbox.recipient.organisation?.name).toBe('Great Western Hospitals NHS Foundation Trust');
    expect(mailbox.route).not.toBe('trusted-link');
  });

  it('gives a demo account its current one-time code, and no code for an account that is not a demo', async () => {
    const code = await context.services.auth.demoCode('Priya.Sharma@swindon.gov.uk ');
    expect(code).toMatch(/^\d{6}$/);
    expect(await context.services.auth.demoCode('nobody@swindon.gov.uk')).toBeUndefined();
    await context.db
      .updateTable('users')
      .set({ demo: false })
      .where('email', '=', 'priya.sharma@swindon.gov.uk')
      .execute();
    expect(await context.services.auth.demoCode('priya.sharma@swindon.gov.uk')).toBeUndefined();
  });
});
