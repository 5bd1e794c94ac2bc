import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, errorSummary } from '../../test/support/browser.ts';
import { createOrganisation, createStaff, signIn } from '../../test/support/factories.ts';
import { testApp, type TestContext } from '../../test/support/harness.ts';
import { systemActor } from '../audit/index.ts';
import { administratorOf, NotPermittedError, type Viewer } from '../auth/index.ts';
import { DirectoryRuleError } from './orgs.service.ts';

let context: TestContext;
/** Platform operators keep the directory (ADR 0011). */
let operator: TestBrowser;

beforeAll(async () => {
  context = await testApp();
  operator = await signIn(context, await createStaff(context, { roles: ['platform_operator'] }));
});

const tables = [
  'organisations',
  'organisation_domains',
  'organisation_fax_numbers',
  'organisation_addresses',
  'organisation_mailboxes',
  'trusted_links',
  'audit_events',
] as const;

/** Row counts of every directory table and the audit trail: "nothing changed" means these stay put. */
async function counts(): Promise<Record<(typeof tables)[number], number>> {
  const entries = await Promise.all(
    tables.map(async (table) => {
      const result = await sql<{ rows: string }>`SELECT count(*) AS rows FROM ${sql.table(table)}`.execute(
        context.db,
      );
      return [table, Number(result.rows[0]?.rows)] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<(typeof tables)[number], number>;
}

function idFrom(location: unknown): string {
  const id = /^\/admin\/organisations\/([0-9a-f-]{36})$/.exec(String(location))?.[1];
  if (id === undefined) throw new Error(`not an organisation page: ${String(location)}`);
  return id;
}

async function auditActions(organisationId: string): Promise<string[]> {
  const rows = await context.db
    .selectFrom('audit_events')
    .select('action')
    .where('organisation_id', '=', organisationId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.action);
}

/** The remove links on an organisation's page, by kind. */
function removeLinks(html: string, segment: string): string[] {
  return [
    ...html.matchAll(
      new RegExp(`href="(/admin/organisations/[0-9a-f-]{36}/${segment}/[0-9a-f-]{36}/remove)"`, 'g'),
    ),
  ].map((match) => match[1] ?? '');
}

describe('partner directory: adding and changing organisations', () => {
  it('adds an organisation with a domain, fax number and address, and lists it in words', async () => {
    expect((await operator.get('/admin/organisations')).body).toContain('Add an organisation');
    expect((await operator.get('/admin/organisations/new')).statusCode).toBe(200);
    const created = await operator.post('/admin/organisations/new', {
      name: 'Great Western Hospitals NHS Foundation Trust',
      kind: 'nhs_body',
      switchboardPhone: '01793 604020',
      hosted: 'no',
    });
    expect(created.statusCode).toBe(303);
    const id = idFrom(created.headers['location']);

    expect((await operator.get(`/admin/organisations/${id}/domains/new`)).statusCode).toBe(200);
    expect(
      (await operator.post(`/admin/organisations/${id}/domains/new`, { domain: '@GWH.nhs.uk' })).statusCode,
    ).toBe(303);
    expect((await operator.get(`/admin/organisations/${id}/fax-numbers/new`)).statusCode).toBe(200);
    expect(
      (
        await operator.post(`/admin/organisations/${id}/fax-numbers/new`, {
          label: 'Safeguarding team',
          number: '01793 604021',
        })
      ).statusCode,
    ).toBe(303);
    expect((await operator.get(`/admin/organisations/${id}/addresses/new`)).statusCode).toBe(200);
    const address = {
      label: 'Medical records',
      line1: 'Great Western Hospital',
      line2: 'Marlborough Road',
      town: 'Swindon',
      postcode: 'sn36bb',
    };
    expect((await operator.post(`/admin/organisations/${id}/addresses/new`, address)).statusCode).toBe(303);

    const page = await operator.get(`/admin/organisations/${id}`);
    expect(page.statusCode).toBe(200);
    for (const text of [
      'Great Western Hospitals NHS Foundation Trust',
      'NHS body',
      '01793604020',
      'gwh.nhs.uk',
      'Safeguarding team',
      '01793604021',
      'Marlborough Road',
      'SN3 6BB',
    ]) {
      expect(page.body).toContain(text);
    }

    const list = await operator.get('/admin/organisations');
    expect(list.body).toContain(`href="/admin/organisations/${id}"`);
    expect(list.body).toContain('NHS body');
    expect(list.body).toContain('Uses Safeshare');
    expect(list.body).toContain('Local authority');
    expect(await auditActions(id)).toEqual([
      'organisation.created',
      'organisation.domain_added',
      'organisation.fax_added',
      'organisation.address_added',
    ]);
  });

  it('changes an organisation, showing its current answers first', async () => {
    const id = await createOrganisation(context, { name: 'Wiltshire Police', hosted: false });
    const form = await operator.get(`/admin/organisations/${id}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="Wiltshire Police"');
    const changed = await operator.post(`/admin/organisations/${id}/edit`, {
      name: 'Wiltshire Police',
      kind: 'police',
      switchboardPhone: '',
      hosted: 'no',
    });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers['location']).toBe(`/admin/organisations/${id}`);
    const entry = await context.services.orgs.find(id);
    expect(entry).toMatchObject({ kind: 'police', switchboardPhone: null, hosted: false });
    expect((await auditActions(id)).at(-1)).toBe('organisation.updated');
  });

  it('stores text that looks like SQL as text, and shows markup-like characters escaped', async () => {
    const name = `St John's "Academy" & Robert'); DROP TABLE organisations; --`;
    const created = await operator.post('/admin/organisations/new', {
      name,
      kind: 'school',
      switchboardPhone: '',
      hosted: 'no',
    });
    expect(created.statusCode).toBe(303);
    const entry = await context.services.orgs.find(idFrom(created.headers['location']));
    expect(entry?.name).toBe(name);
    const page = await operator.get(`/admin/organisations/${entry?.id ?? ''}`);
    expect(page.body).toContain(
      'St John&#39;s &quot;Academy&quot; &amp; Robert&#39;); DROP TABLE organisations; --',
    );
    expect((await counts()).organisations).toBeGreaterThan(1);
  });
});

describe('partner directory: trusted links and removals', () => {
  it('links two organisations, shows the link on both, and records it in both audit chains', async () => {
    const council = await createOrganisation(context, { name: 'Swindon Borough Council' });
    const hospital = await createOrganisation(context, { name: 'Swindon Community Health', hosted: false });
    const form = await operator.get(`/admin/organisations/${council}/trusted-links/new`);
    expect(form.body).toContain(`value="${hospital}"`);
    expect(form.body).not.toContain(`value="${council}"`);
    const description = 'Private network (HSCN) between the council and community health';
    expect(
      (
        await operator.post(`/admin/organisations/${council}/trusted-links/new`, {
          partnerId: hospital,
          description,
        })
      ).statusCode,
    ).toBe(303);

    const councilPage = await operator.get(`/admin/organisations/${council}`);
    const hospitalPage = await operator.get(`/admin/organisations/${hospital}`);
    expect(councilPage.body).toContain('Swindon Community Health');
    expect(councilPage.body).toContain(description);
    expect(hospitalPage.body).toContain('Swindon Borough Council');
    expect(hospitalPage.body).toContain(description);
    expect(await auditActions(council)).toContain('organisation.trusted_link_added');
    expect(await auditActions(hospital)).toContain('organisation.trusted_link_added');

    // Removed from the partner's side: the link goes from both pages, and both chains record it.
    const [remove] = removeLinks(hospitalPage.body, 'trusted-links');
    expect(remove).toBeDefined();
    const confirm = await operator.get(remove ?? '');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('the link with Swindon Borough Council');
    expect((await operator.post(remove ?? '')).statusCode).toBe(303);
    expect((await operator.get(`/admin/organisations/${council}`)).body).not.toContain(description);
    expect((await auditActions(council)).at(-1)).toBe('organisation.trusted_link_removed');
    expect((await auditActions(hospital)).at(-1)).toBe('organisation.trusted_link_removed');
    expect(await context.services.audit.verify()).toMatchObject({ ok: true });
  });

  it('removes a domain, a fax number and an address, each after a confirmation page', async () => {
    const id = await createOrganisation(context);
    await context.services.orgs.addDomain(systemActor, id, 'removals.gov.uk');
    await context.services.orgs.addFaxNumber(systemActor, id, { label: 'Front door', number: '01632960123' });
    await context.services.orgs.addAddress(systemActor, id, {
      label: 'Civic offices',
      line1: 'Euclid Street',
      line2: null,
      town: 'Swindon',
      postcode: 'SN1 2JH',
    });
    const page = await operator.get(`/admin/organisations/${id}`);

    for (const [segment, shown, action] of [
      ['domains', 'removals.gov.uk', 'organisation.domain_removed'],
      ['fax-numbers', '01632960123', 'organisation.fax_removed'],
      ['addresses', 'Euclid Street', 'organisation.address_removed'],
    ] as const) {
      const [remove] = removeLinks(page.body, segment);
      const confirm = await operator.get(remove ?? '');
      expect(confirm.statusCode).toBe(200);
      expect(confirm.body).toContain(shown);
      expect(confirm.body).toContain('Are you sure');
      const done = await operator.post(remove ?? '');
      expect(done.statusCode).toBe(303);
      expect(done.headers['location']).toBe(`/admin/organisations/${id}`);
      expect((await operator.get(`/admin/organisations/${id}`)).body).not.toContain(shown);
      expect((await auditActions(id)).at(-1)).toBe(action);
      // A second press finds nothing to remove.
      const before = await counts();
      expect((await operator.post(remove ?? '')).statusCode).toBe(404);
      expect((await operator.get(remove ?? '')).statusCode).toBe(404);
      expect(await counts()).toEqual(before);
    }
  });

  it('adds and removes an email address at a shared domain, which then says which organisation it is', async () => {
    const id = await createOrganisation(context, { name: 'Mailbox Test Trust' });
    const form = await operator.get(`/admin/organisations/${id}/mailboxes/new`);
    expect(form.body).toContain('Add an email address at a shared domain');
    const added = await operator.post(`/admin/organisations/${id}/mailboxes/new`, {
      label: 'Safeguarding children team',
      address: 'MailboxTest.Safeguarding@nhs.net',
    });
    expect(added.statusCode).toBe(303);
    const page = await operator.get(`/admin/organisations/${id}`);
    expect(page.body).toContain('mailboxtest.safeguarding@nhs.net');
    expect((await auditActions(id)).at(-1)).toBe('organisation.mailbox_added');
    const orgs = context.services.orgs;
    expect(
      (await orgs.organisationForAddress({ local: 'mailboxtest.safeguarding', domain: 'nhs.net' }))?.id,
    ).toBe(id);
    // Only that address: anyone else at nhs.net is no one organisation's.
    expect(await orgs.organisationForAddress({ local: 'someone.else', domain: 'nhs.net' })).toBeUndefined();

    const [remove] = removeLinks(page.body, 'mailboxes');
    expect((await operator.get(remove ?? '')).body).toContain('mailboxtest.safeguarding@nhs.net');
    expect((await operator.post(remove ?? '')).statusCode).toBe(303);
    expect((await auditActions(id)).at(-1)).toBe('organisation.mailbox_removed');
    expect(
      await orgs.organisationForAddress({ local: 'mailboxtest.safeguarding', domain: 'nhs.net' }),
    ).toBeUndefined();
  });

  it('never reads a shared domain recorded before the pack listed it as one organisation’s', async () => {
    const id = await createOrganisation(context);
    // As the directory held it before shared domains were refused (the old demo data did exactly this).
    await context.db
      .insertInto('organisation_domains')
      .values({ organisation_id: id, domain: 'cjsm.net', created_at: new Date() })
      .execute();
    expect(
      await context.services.orgs.organisationForAddress({ local: 'anyone', domain: 'cjsm.net' }),
    ).toBeUndefined();
  });

  it('removes an item only through its own organisation', async () => {
    const owner = await createOrganisation(context);
    const other = await createOrganisation(context);
    await context.services.orgs.addDomain(systemActor, owner, 'owner-only.gov.uk');
    const [remove] = removeLinks((await operator.get(`/admin/organisations/${owner}`)).body, 'domains');
    const elsewhere = (remove ?? '').replace(owner, other);
    const before = await counts();
    expect((await operator.get(elsewhere)).statusCode).toBe(404);
    expect((await operator.post(elsewhere)).statusCode).toBe(404);
    expect(await counts()).toEqual(before);
  });
});

describe('partner directory: who may use it', () => {
  it('refuses staff who are neither administrators nor platform operators, and changes nothing', async () => {
    const id = await createOrganisation(context);
    const practitioner = await signIn(
      context,
      await createStaff(context, { roles: ['practitioner', 'dpo', 'auditor'] }),
    );
    await practitioner.get('/');
    const before = await counts();
    for (const url of [
      '/admin/organisations',
      '/admin/organisations/new',
      `/admin/organisations/${id}`,
      `/admin/organisations/${id}/edit`,
      `/admin/organisations/${id}/domains/new`,
    ]) {
      expect((await practitioner.get(url)).statusCode).toBe(403);
    }
    expect(
      (
        await practitioner.post('/admin/organisations/new', {
          name: 'Sneaky Trust',
          kind: 'other',
          switchboardPhone: '',
          hosted: 'yes',
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await practitioner.post(`/admin/organisations/${id}/domains/new`, { domain: 'sneaky.example.com' }))
        .statusCode,
    ).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('sends someone not signed in to sign in', async () => {
    const response = await new TestBrowser(context.app).get('/admin/organisations');
    expect(response.statusCode).toBe(303);
    expect(response.headers['location']).toBe('/sign-in?next=%2Fadmin%2Forganisations');
  });
});

describe('partner directory: bad input gets a clear error and changes nothing', () => {
  const long = 'x'.repeat(10_000);
  const organisation = {
    name: 'Bath and North East Somerset Council',
    kind: 'local_authority',
    switchboardPhone: '01225 394041',
    hosted: 'no',
  };

  /** Posts a form, expects 400 with the message in the error summary, and no row anywhere changed. */
  async function refused(
    url: string,
    form: Record<string, string | readonly string[]>,
    message: string,
  ): Promise<void> {
    const before = await counts();
    const response = await operator.post(url, form);
    expect(response.statusCode, `${url} ${JSON.stringify(form).slice(0, 120)}`).toBe(400);
    expect(errorSummary(response.body)).toContain(message);
    expect(response.body).toContain('There is a problem');
    expect(await counts()).toEqual(before);
  }

  it('on the organisation form (new and change)', async () => {
    const existing = await createOrganisation(context, { name: 'Swindon Academy Trust' });
    for (const url of ['/admin/organisations/new', `/admin/organisations/${existing}/edit`]) {
      await refused(url, {}, 'Enter the name of the organisation');
      await refused(url, { ...organisation, name: '   ' }, 'Enter the name of the organisation');
      await refused(
        url,
        { ...organisation, name: long },
        'The name of the organisation must be 200 characters or fewer',
      );
      await refused(url, { ...organisation, name: ['One', 'Two'] }, 'Enter the name of the organisation');
      await refused(
        url,
        { ...organisation, name: '<script>alert(1)</script>' },
        'The name of the organisation must not contain < or >',
      );
      await refused(url, { ...organisation, kind: 'hospital' }, 'Select the kind of organisation');
      await refused(url, { ...organisation, kind: ['police', 'school'] }, 'Select the kind of organisation');
      await refused(
        url,
        { ...organisation, hosted: 'maybe' },
        "Select yes if this organisation's staff sign in to Safeshare",
      );
      await refused(
        url,
        { ...organisation, switchboardPhone: "0'; DELETE FROM organisations; --" },
        'Enter the switchboard number in the correct format, like 01793 463000',
      );
      await refused(
        url,
        { ...organisation, switchboardPhone: long },
        'Enter the switchboard number in the correct format, like 01793 463000',
      );
      await refused(
        url,
        { ...organisation, isAdmin: 'yes' },
        'The form has a field it does not expect (isAdmin)',
      );
    }
    await refused(
      '/admin/organisations/new',
      { ...organisation, name: 'SWINDON ACADEMY TRUST' },
      'An organisation with that name is already in the directory',
    );
    const other = await createOrganisation(context, { name: 'Swindon College' });
    await refused(
      `/admin/organisations/${other}/edit`,
      { ...organisation, name: 'swindon academy trust' },
      'An organisation with that name is already in the directory',
    );
    expect((await context.services.orgs.find(other))?.name).toBe('Swindon College');
  });

  it('shows what was typed again beside the errors, escaped', async () => {
    const response = await operator.post('/admin/organisations/new', {
      ...organisation,
      name: '<b>bold</b>',
      kind: 'police',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('value="&lt;b&gt;bold&lt;/b&gt;"');
    expect(response.body).not.toContain('<b>bold</b>');
    expect(response.body).toMatch(/value="police" checked/);
  });

  it('on the email domain form', async () => {
    const id = await createOrganisation(context);
    const owner = await createOrganisation(context, { name: 'Great Western Test Trust' });
    await context.services.orgs.addDomain(systemActor, owner, 'gwh-test.nhs.uk');
    const url = `/admin/organisations/${id}/domains/new`;
    await refused(url, {}, 'Enter a domain, like swindon.gov.uk');
    await refused(url, { domain: '' }, 'Enter a domain, like swindon.gov.uk');
    await refused(url, { domain: `${long}.uk` }, 'Domain must be 253 characters or fewer');
    await refused(url, { domain: ['nhs.uk', 'gov.uk'] }, 'Enter a domain, like swindon.gov.uk');
    await refused(
      url,
      { domain: 'nhs.n\u0435t' },
      'Enter a domain using only the letters a to z, numbers, hyphens and dots',
    );
    await refused(
      url,
      { domain: '<script>.uk' },
      'Enter a domain using only the letters a to z, numbers, hyphens and dots',
    );
    await refused(
      url,
      { domain: "x.uk'; DROP TABLE organisation_domains; --" },
      'Enter a domain using only the letters a to z, numbers, hyphens and dots',
    );
    await refused(url, { domain: '192.168.1.1' }, 'Enter a domain name, not an IP address');
    await refused(
      url,
      { domain: 'GWH-test.nhs.uk' },
      'That domain already belongs to Great Western Test Trust',
    );
    // A domain many organisations share belongs to none of them, nor does one above it (ADR 0018).
    const shared = (domain: string, note: string) =>
      `${domain} is used by many organisations (${note}), so it cannot belong to one: add this organisation’s own addresses there as email addresses at a shared domain`;
    await refused(
      url,
      { domain: 'NHS.net' },
      shared('nhs.net', 'NHSmail: every NHS organisation in England, and many in social care'),
    );
    await refused(url, { domain: 'gmail.com' }, shared('gmail.com', 'Personal webmail'));
    await refused(
      url,
      { domain: 'police.uk' },
      shared('police.uk', 'Every police force: each has its own subdomain'),
    );
    await refused(
      url,
      { domain: 'pnn.police.uk' },
      shared('pnn.police.uk', 'Police National Network: every force'),
    );
    // A force's own subdomain of a shared domain is its own.
    expect((await operator.post(url, { domain: 'avon.pnn.police.uk' })).statusCode).toBe(303);
    await refused(
      url,
      { domain: 'ok.gov.uk', verified: 'yes' },
      'The form has a field it does not expect (verified)',
    );
    // A domain that merely contains a trusted one is a different domain, and may be recorded.
    expect((await operator.post(url, { domain: 'nhs.net.evil.com' })).statusCode).toBe(303);
  });

  it('on the form for an email address at a shared domain', async () => {
    const id = await createOrganisation(context);
    const owner = await createOrganisation(context, { name: 'Bath Test Trust' });
    await context.services.orgs.addMailbox(systemActor, owner, {
      label: 'Safeguarding',
      address: 'bath.safeguarding@nhs.net',
    });
    const url = `/admin/organisations/${id}/mailboxes/new`;
    await refused(url, { label: '', address: 'team@nhs.net' }, 'Enter who uses the address');
    await refused(
      url,
      { label: 'Team', address: 'not an address' },
      'Enter an email address in the correct format, like name@example.gov.uk',
    );
    await refused(
      url,
      { label: 'Team', address: 'team@wiltshire.gov.uk' },
      'wiltshire.gov.uk is not a domain many organisations share: add the domain to the organisation that owns it instead',
    );
    await refused(
      url,
      { label: 'Team', address: 'Bath.Safeguarding@NHS.net' },
      'That address already belongs to Bath Test Trust',
    );
  });

  it('on the fax number form', async () => {
    const id = await createOrganisation(context);
    const url = `/admin/organisations/${id}/fax-numbers/new`;
    const fax = { label: 'Safeguarding hub', number: '01793 466903' };
    await refused(url, {}, 'Enter a label for the fax number');
    await refused(url, { ...fax, number: '' }, 'Enter the fax number');
    await refused(url, { ...fax, label: long }, 'A label for the fax number must be 100 characters or fewer');
    await refused(url, { ...fax, number: ['01793466903', '01793466904'] }, 'Enter the fax number');
    await refused(url, { ...fax, label: '<script>' }, 'A label for the fax number must not contain < or >');
    await refused(
      url,
      { ...fax, number: '1 OR 1=1' },
      'Enter the fax number in the correct format, like 01793 463000',
    );
    await refused(
      url,
      { ...fax, number: '+1 212 555 0100' },
      'Enter the fax number in the correct format, like 01793 463000',
    );
    await refused(url, { ...fax, confirmed: 'yes' }, 'The form has a field it does not expect (confirmed)');
  });

  it('on the postal address form', async () => {
    const id = await createOrganisation(context);
    const url = `/admin/organisations/${id}/addresses/new`;
    const address = {
      label: 'Post room',
      line1: 'Civic Offices',
      line2: 'Euclid Street',
      town: 'Swindon',
      postcode: 'SN1 2JH',
    };
    await refused(url, {}, 'Enter a label for the address');
    await refused(url, { ...address, line1: '' }, 'Enter address line 1');
    await refused(url, { ...address, postcode: '' }, 'Enter a postcode');
    await refused(url, { ...address, line1: long }, 'Address line 1 must be 200 characters or fewer');
    await refused(url, { ...address, line2: long }, 'Address line 2 must be 200 characters or fewer');
    await refused(url, { ...address, town: ['Swindon', 'Bath'] }, 'Enter the town or city');
    await refused(
      url,
      { ...address, line2: '<script>alert(1)</script>' },
      'Address line 2 must not contain < or >',
    );
    await refused(
      url,
      { ...address, postcode: "SN1'; DROP TABLE x; --" },
      'Enter a full UK postcode, like SN1 2JH',
    );
    await refused(url, { ...address, postcode: long }, 'Enter a full UK postcode, like SN1 2JH');
    await refused(url, { ...address, country: 'UK' }, 'The form has a field it does not expect (country)');
  });

  it('on the trusted link form', async () => {
    const id = await createOrganisation(context);
    const partner = await createOrganisation(context);
    const url = `/admin/organisations/${id}/trusted-links/new`;
    const link = { partnerId: partner, description: 'Private network between the two' };
    await refused(url, {}, 'Select the partner organisation');
    await refused(url, { ...link, partnerId: '' }, 'Select the partner organisation');
    await refused(
      url,
      { ...link, partnerId: "1'; DROP TABLE trusted_links; --" },
      'Select the partner organisation',
    );
    await refused(url, { ...link, partnerId: [partner, id] }, 'Select the partner organisation');
    await refused(url, { ...link, description: '' }, 'Enter a description of the trusted link');
    await refused(
      url,
      { ...link, description: long },
      'A description of the trusted link must be 500 characters or fewer',
    );
    await refused(
      url,
      { ...link, description: '<script>alert(1)</script>' },
      'A description of the trusted link must not contain < or >',
    );
    await refused(url, { ...link, partnerId: id }, 'Select a different organisation to link to');
    await refused(
      url,
      { ...link, partnerId: '6f1c1d2e-8a4b-4c3d-9e2f-1a2b3c4d5e6f' },
      'Select an organisation from the directory',
    );
    await refused(url, { ...link, secure: 'yes' }, 'The form has a field it does not expect (secure)');
    expect((await operator.post(url, link)).statusCode).toBe(303);
    // Either way round, the pair is linked already.
    await refused(
      `/admin/organisations/${partner}/trusted-links/new`,
      { ...link, partnerId: id },
      'These organisations are already linked',
    );
  });

  it('on a removal confirmation', async () => {
    const id = await createOrganisation(context);
    await context.services.orgs.addDomain(systemActor, id, 'keep-me.gov.uk');
    const [remove] = removeLinks((await operator.get(`/admin/organisations/${id}`)).body, 'domains');
    await refused(remove ?? '', { also: 'everything' }, 'The form has a field it does not expect (also)');
    expect((await context.services.orgs.find(id))?.domains.map((item) => item.domain)).toEqual([
      'keep-me.gov.uk',
    ]);
  });

  it('gives 404 for a malformed or unknown id in the address, and changes nothing', async () => {
    const id = await createOrganisation(context);
    await context.services.orgs.addDomain(systemActor, id, 'four-oh-four.gov.uk');
    const unknown = '6f1c1d2e-8a4b-4c3d-9e2f-1a2b3c4d5e6f';
    const before = await counts();
    for (const bad of ['not-a-uuid', "1' OR '1'='1", unknown]) {
      const encoded = encodeURIComponent(bad);
      for (const url of [
        `/admin/organisations/${encoded}`,
        `/admin/organisations/${encoded}/edit`,
        `/admin/organisations/${encoded}/domains/new`,
      ]) {
        expect((await operator.get(url)).statusCode, url).toBe(404);
      }
      expect((await operator.post(`/admin/organisations/${encoded}/edit`, organisation)).statusCode).toBe(
        404,
      );
      expect(
        (
          await operator.post(`/admin/organisations/${encoded}/fax-numbers/new`, {
            label: 'Fax',
            number: '01793466903',
          })
        ).statusCode,
      ).toBe(404);
      for (const segment of ['domains', 'fax-numbers', 'addresses', 'trusted-links']) {
        expect(
          (await operator.get(`/admin/organisations/${id}/${segment}/${encoded}/remove`)).statusCode,
        ).toBe(404);
        expect(
          (await operator.post(`/admin/organisations/${id}/${segment}/${encoded}/remove`)).statusCode,
        ).toBe(404);
      }
    }
    expect(await counts()).toEqual(before);
  });
});

describe('directory service under concurrency', () => {
  /**
   * Holds a competing insert uncommitted until the service's own insert waits on it, then commits:
   * the service has passed its read-before-write check, so only the unique index can refuse it.
   */
  async function raceAgainst(
    competingInsert: ReturnType<typeof sql>,
    attempt: () => Promise<unknown>,
  ): Promise<unknown> {
    return context.db.connection().execute(async (connection) => {
      await sql`BEGIN`.execute(connection);
      await competingInsert.execute(connection);
      const outcome = attempt().then(
        () => undefined,
        (error: unknown) => error,
      );
      for (let tries = 0; tries < 200; tries += 1) {
        const waiting = await sql<{
          n: string;
        }>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(
          connection,
        );
        if (Number(waiting.rows[0]?.n) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await sql`COMMIT`.execute(connection);
      return outcome;
    });
  }

  it('turns a race for the same domain into the rule, not a server error', async () => {
    const first = await createOrganisation(context);
    const second = await createOrganisation(context);
    const at = new Date();
    const error = await raceAgainst(
      sql`INSERT INTO organisation_domains (organisation_id, domain, created_at) VALUES (${first}, 'contested.gov.uk', ${at})`,
      () => context.services.orgs.addDomain(systemActor, second, 'contested.gov.uk'),
    );
    expect(error).toBeInstanceOf(DirectoryRuleError);
    expect(error).toMatchObject({
      field: 'domain',
      message: 'That domain already belongs to another organisation',
    });
    expect(await auditActions(second)).not.toContain('organisation.domain_added');
  });

  it('turns a race for the same name into the rule, not a server error', async () => {
    const at = new Date();
    const before = await counts();
    const error = await raceAgainst(
      sql`INSERT INTO organisations (name, kind, hosted, created_at, updated_at) VALUES ('Race Hill Primary School', 'school', false, ${at}, ${at})`,
      () =>
        context.services.orgs.create(systemActor, {
          name: 'race hill primary school',
          kind: 'school',
          switchboardPhone: null,
          hosted: false,
        }),
    );
    expect(error).toMatchObject({
      field: 'name',
      message: 'An organisation with that name is already in the directory',
    });
    expect((await counts()).organisations).toBe(before.organisations + 1);
  });
});

describe('partner directory: administrators read it but do not change it (ADR 0011)', () => {
  /** The hosted case: a council and a hospital on one Safeshare, and a neighbouring council that is not hosted. */
  async function hostedPair() {
    const council = await createOrganisation(context, {
      name: `Swindon Borough Council ${Math.random().toString(36).slice(2, 8)}`,
    });
    const hospital = await createOrganisation(context, {
      name: `Great Western Hospitals NHS Foundation Trust ${Math.random().toString(36).slice(2, 8)}`,
    });
    const neighbour = await createOrganisation(context, {
      name: `Wiltshire Council ${Math.random().toString(36).slice(2, 8)}`,
      hosted: false,
    });
    const hospitalAdmin = await createStaff(context, { roles: ['admin'], organisationId: hospital });
    return { council, hospital, neighbour, hospitalAdmin };
  }

  it('shows an administrator the directory without the means to change it', async () => {
    const { council } = await hostedPair();
    await context.services.orgs.addDomain(
      systemActor,
      council,
      `read-only-${Math.random().toString(36).slice(2, 8)}.gov.uk`,
    );
    const admin = await signIn(context, await createStaff(context, { roles: ['admin'] }));
    const list = await admin.get('/admin/organisations');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('Add an organisation');
    const page = await admin.get(`/admin/organisations/${council}`);
    expect(page.statusCode).toBe(200);
    for (const offered of [
      'Add an email domain',
      'Add a trusted link',
      `/admin/organisations/${council}/edit`,
      '/remove',
    ])
      expect(page.body).not.toContain(offered);
    expect((await operator.get(`/admin/organisations/${council}`)).body).toContain('Add a trusted link');
  });

  it('refuses a hospital administrator adding a trusted link between two councils, so e-mail between them stays refused', async () => {
    const { council, neighbour, hospitalAdmin } = await hostedPair();
    const browser = await signIn(context, hospitalAdmin);
    const before = await counts();
    expect((await browser.get(`/admin/organisations/${council}/trusted-links/new`)).statusCode).toBe(403);
    const response = await browser.post(`/admin/organisations/${council}/trusted-links/new`, {
      partnerId: neighbour,
      description: 'Said to be a private network',
    });
    expect(response.statusCode).toBe(403);
    expect(await counts()).toEqual(before);
    expect(await context.services.orgs.trustedLinkBetween(council, neighbour)).toBe(false);
  });

  it('refuses an administrator every change to the directory, page by page, and changes nothing', async () => {
    const { council, neighbour, hospitalAdmin } = await hostedPair();
    await context.services.orgs.addDomain(
      systemActor,
      council,
      `kept-${Math.random().toString(36).slice(2, 8)}.gov.uk`,
    );
    const [domainRemoval] = removeLinks(
      (await operator.get(`/admin/organisations/${council}`)).body,
      'domains',
    );
    const browser = await signIn(context, hospitalAdmin);
    const before = await counts();
    const attempts: [string, Record<string, string>][] = [
      [
        '/admin/organisations/new',
        { name: 'Sneaky Trust', kind: 'other', switchboardPhone: '', hosted: 'yes' },
      ],
      [
        `/admin/organisations/${council}/edit`,
        { name: 'Renamed Council', kind: 'local_authority', switchboardPhone: '', hosted: 'no' },
      ],
      [`/admin/organisations/${council}/domains/new`, { domain: 'hospital-mail.example.org' }],
      [`/admin/organisations/${neighbour}/domains/new`, { domain: 'nhs.uk' }],
      [`/admin/organisations/${council}/fax-numbers/new`, { label: 'Front door', number: '01632960999' }],
      [
        `/admin/organisations/${council}/addresses/new`,
        { label: 'Elsewhere', line1: '1 High Street', line2: '', town: 'Swindon', postcode: 'SN1 1AA' },
      ],
      [
        `/admin/organisations/${council}/trusted-links/new`,
        { partnerId: neighbour, description: 'Private network' },
      ],
      [domainRemoval ?? '', {}],
    ];
    for (const [url, form] of attempts) {
      expect((await browser.get(url)).statusCode, url).toBe(403);
      expect((await browser.post(url, form)).statusCode, url).toBe(403);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses a directory change in the service itself to anyone but a platform operator', async () => {
    const { council, neighbour, hospitalAdmin } = await hostedPair();
    const viewer: Viewer = {
      userId: hospitalAdmin.id,
      displayName: 'Hospital administrator',
      email: hospitalAdmin.email,
      organisationId: hospitalAdmin.organisationId,
      organisationName: 'Great Western Hospitals',
      roles: ['admin'],
    };
    const administrator = administratorOf(viewer);
    const before = await counts();
    const { orgs } = context.services;
    const changes = [
      () =>
        orgs.create(administrator, {
          name: 'Sneaky Trust',
          kind: 'other',
          switchboardPhone: null,
          hosted: true,
        }),
      () =>
        orgs.update(administrator, council, {
          name: 'Renamed Council',
          kind: 'local_authority',
          switchboardPhone: null,
          hosted: false,
        }),
      () => orgs.addDomain(administrator, council, 'hospital-mail.example.org'),
      () => orgs.addFaxNumber(administrator, council, { label: 'Front door', number: '01632960999' }),
      () =>
        orgs.addAddress(administrator, council, {
          label: 'Elsewhere',
          line1: '1 High Street',
          line2: null,
          town: 'Swindon',
          postcode: 'SN1 1AA',
        }),
      () => orgs.addTrustedLink(administrator, council, neighbour, 'Private network'),
    ];
    for (const change of changes) await expect(change()).rejects.toBeInstanceOf(NotPermittedError);
    expect(await counts()).toEqual(before);
    await orgs.addTrustedLink(
      administratorOf({ ...viewer, roles: ['platform_operator'] }),
      council,
      neighbour,
      'Private network between the two councils',
    );
    expect(await orgs.trustedLinkBetween(council, neighbour)).toBe(true);
  });
});
