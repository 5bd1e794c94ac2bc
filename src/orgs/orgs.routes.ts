import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AuditDeclaration } from '../web/access.ts';
import { administratorOf, holdsRole, type Administrator } from '../auth/index.ts';
import { RuleError } from '../lib/errors.ts';
import { parseForm, ruleErrors, typedAnswers, viewerOf, type FormErrors } from '../web/forms.ts';
import {
  addressForm,
  confirmRemovalForm,
  directoryItemParams,
  domainForm,
  faxNumberForm,
  mailboxForm,
  organisationForm,
  organisationKindNames,
  organisationParams,
  trustedLinkForm,
} from './orgs.schema.ts';
import { type DirectoryEntry, type OrganisationDetails, type OrgsService } from './orgs.service.ts';
import { organisationKinds } from './orgs.table.ts';

export interface OrgsRouteOptions {
  readonly orgs: OrgsService;
}

type ItemSegment = 'domains' | 'mailboxes' | 'fax-numbers' | 'addresses' | 'trusted-links';

/** Every URL of the partner directory, so handlers and templates never spell one out. */
export const organisationPaths = {
  list: '/admin/organisations',
  create: '/admin/organisations/new',
  show: (id: string) => `/admin/organisations/${id}`,
  edit: (id: string) => `/admin/organisations/${id}/edit`,
  addItem: (id: string, segment: ItemSegment) => `/admin/organisations/${id}/${segment}/new`,
  removeItem: (id: string, segment: ItemSegment, itemId: string) =>
    `/admin/organisations/${id}/${segment}/${itemId}/remove`,
} as const;

/**
 * Administrators and platform operators read the directory; only platform operators change it, since
 * every organisation on this Safeshare relies on it (ADR 0011).
 */
const readers = { access: ['admin', 'platform_operator'] as const, audit: 'none' as const };
const access = ['platform_operator'] as const;
/** A page only a platform operator reaches, and the audit events it writes when it succeeds. */
const operator = (audit: AuditDeclaration) => ({ access, audit });
const organisationFields = Object.keys(organisationForm.shape);
const kindItems = organisationKinds.map((kind) => ({ value: kind, text: organisationKindNames[kind] }));

/** The partner directory pages: organisations and everything the directory holds about each. */
export async function orgsRoutes(app: FastifyInstance, options: OrgsRouteOptions): Promise<void> {
  const { orgs } = options;

  app.get('/admin/organisations', { config: readers }, async (request, reply) => {
    const organisations = await orgs.list();
    return reply.render('orgs/views/list.njk', {
      pageTitle: 'Partner directory',
      organisations: organisations.map((organisation) => ({
        ...organisation,
        kindName: organisationKindNames[organisation.kind],
        href: organisationPaths.show(organisation.id),
      })),
      createHref: mayChange(request) ? organisationPaths.create : undefined,
    });
  });

  const renderOrganisationForm = (
    reply: FastifyReply,
    status: number,
    page: { id?: string; values: Record<string, unknown>; errors?: FormErrors },
  ) => {
    const editing = page.id !== undefined;
    return reply.code(status).render('orgs/views/organisation-form.njk', {
      pageTitle: editing ? 'Change organisation details' : 'Add an organisation',
      action: page.id === undefined ? organisationPaths.create : organisationPaths.edit(page.id),
      backLink: page.id === undefined ? organisationPaths.list : organisationPaths.show(page.id),
      buttonText: editing ? 'Save changes' : 'Add organisation',
      kindItems,
      values: page.values,
      errors: page.errors,
    });
  };

  app.get('/admin/organisations/new', { config: operator('none') }, async (_request, reply) =>
    renderOrganisationForm(reply, 200, { values: {} }),
  );

  app.post(
    '/admin/organisations/new',
    { config: operator(['organisation.created']) },
    async (request, reply) => {
      const form = parseForm(organisationForm, request.body);
      if (!form.ok)
        return renderOrganisationForm(reply, 400, {
          values: typedAnswers(request.body, organisationFields),
          errors: form.errors,
        });
      try {
        const id = await orgs.create(actor(request), form.value satisfies OrganisationDetails);
        return await reply.redirect(organisationPaths.show(id), 303);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderOrganisationForm(reply, 400, {
          values: typedAnswers(request.body, organisationFields),
          errors: ruleErrors(error, organisationFields),
        });
      }
    },
  );

  app.get('/admin/organisations/:id', { config: readers }, async (request, reply) => {
    const entry = await entryOf(request);
    if (entry === undefined) return reply.callNotFound();
    const removeHref = (segment: ItemSegment, itemId: string) =>
      organisationPaths.removeItem(entry.id, segment, itemId);
    return reply.render('orgs/views/show.njk', {
      pageTitle: entry.name,
      backLink: organisationPaths.list,
      mayChange: mayChange(request),
      organisation: { ...entry, kindName: organisationKindNames[entry.kind] },
      editHref: organisationPaths.edit(entry.id),
      domains: entry.domains.map((item) => ({ ...item, removeHref: removeHref('domains', item.id) })),
      mailboxes: entry.mailboxes.map((item) => ({ ...item, removeHref: removeHref('mailboxes', item.id) })),
      faxNumbers: entry.faxNumbers.map((item) => ({
        ...item,
        removeHref: removeHref('fax-numbers', item.id),
      })),
      addresses: entry.addresses.map((item) => ({ ...item, removeHref: removeHref('addresses', item.id) })),
      trustedLinks: entry.trustedLinks.map((item) => ({
        ...item,
        partnerHref: organisationPaths.show(item.partnerId),
        removeHref: removeHref('trusted-links', item.id),
      })),
      addHrefs: {
        domain: organisationPaths.addItem(entry.id, 'domains'),
        mailbox: organisationPaths.addItem(entry.id, 'mailboxes'),
        faxNumber: organisationPaths.addItem(entry.id, 'fax-numbers'),
        address: organisationPaths.addItem(entry.id, 'addresses'),
        trustedLink: organisationPaths.addItem(entry.id, 'trusted-links'),
      },
    });
  });

  app.get('/admin/organisations/:id/edit', { config: operator('none') }, async (request, reply) => {
    const entry = await entryOf(request);
    if (entry === undefined) return reply.callNotFound();
    return renderOrganisationForm(reply, 200, {
      id: entry.id,
      values: {
        name: entry.name,
        kind: entry.kind,
        switchboardPhone: entry.switchboardPhone ?? '',
        hosted: entry.hosted ? 'yes' : 'no',
      },
    });
  });

  app.post(
    '/admin/organisations/:id/edit',
    { config: operator(['organisation.updated']) },
    async (request, reply) => {
      const entry = await entryOf(request);
      if (entry === undefined) return reply.callNotFound();
      const form = parseForm(organisationForm, request.body);
      if (!form.ok)
        return renderOrganisationForm(reply, 400, {
          id: entry.id,
          values: typedAnswers(request.body, organisationFields),
          errors: form.errors,
        });
      try {
        await orgs.update(actor(request), entry.id, form.value);
        return await reply.redirect(organisationPaths.show(entry.id), 303);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderOrganisationForm(reply, 400, {
          id: entry.id,
          values: typedAnswers(request.body, organisationFields),
          errors: ruleErrors(error, organisationFields),
        });
      }
    },
  );

  /** A question page that adds one thing to an organisation's entry, then returns to the entry. */
  function addPage<S extends z.ZodObject>(page: {
    readonly segment: ItemSegment;
    /** The audit event a successful addition writes. */
    readonly action: string;
    readonly template: string;
    readonly pageTitle: string;
    readonly schema: S;
    readonly save: (actor: Administrator, organisationId: string, answers: z.output<S>) => Promise<void>;
    readonly context?: (entry: DirectoryEntry) => Promise<Record<string, unknown>>;
  }): void {
    const render = async (
      reply: FastifyReply,
      status: number,
      entry: DirectoryEntry,
      values: Record<string, unknown>,
      errors?: FormErrors,
    ) =>
      reply.code(status).render(page.template, {
        pageTitle: page.pageTitle,
        organisation: entry,
        action: organisationPaths.addItem(entry.id, page.segment),
        backLink: organisationPaths.show(entry.id),
        values,
        errors,
        ...(page.context === undefined ? {} : await page.context(entry)),
      });

    const fields = Object.keys(page.schema.shape);
    app.get(
      `/admin/organisations/:id/${page.segment}/new`,
      { config: operator('none') },
      async (request, reply) => {
        const entry = await entryOf(request);
        if (entry === undefined) return reply.callNotFound();
        return render(reply, 200, entry, {});
      },
    );

    app.post(
      `/admin/organisations/:id/${page.segment}/new`,
      { config: operator([page.action]) },
      async (request, reply) => {
        const entry = await entryOf(request);
        if (entry === undefined) return reply.callNotFound();
        const form = parseForm(page.schema, request.body);
        if (!form.ok) return render(reply, 400, entry, typedAnswers(request.body, fields), form.errors);
        try {
          await page.save(actor(request), entry.id, form.value);
          return await reply.redirect(organisationPaths.show(entry.id), 303);
        } catch (error) {
          if (!(error instanceof RuleError)) throw error;
          return render(reply, 400, entry, typedAnswers(request.body, fields), ruleErrors(error, fields));
        }
      },
    );
  }

  addPage({
    segment: 'domains',
    action: 'organisation.domain_added',
    template: 'orgs/views/domain-form.njk',
    pageTitle: 'Add an email domain',
    schema: domainForm,
    save: (who, id, answers) => orgs.addDomain(who, id, answers.domain),
  });
  addPage({
    segment: 'mailboxes',
    action: 'organisation.mailbox_added',
    template: 'orgs/views/mailbox-form.njk',
    pageTitle: 'Add an email address at a shared domain',
    schema: mailboxForm,
    save: (who, id, answers) => orgs.addMailbox(who, id, answers),
  });
  addPage({
    segment: 'fax-numbers',
    action: 'organisation.fax_added',
    template: 'orgs/views/fax-number-form.njk',
    pageTitle: 'Add a fax number',
    schema: faxNumberForm,
    save: (who, id, answers) => orgs.addFaxNumber(who, id, answers),
  });
  addPage({
    segment: 'addresses',
    action: 'organisation.address_added',
    template: 'orgs/views/address-form.njk',
    pageTitle: 'Add a postal address',
    schema: addressForm,
    save: (who, id, answers) => orgs.addAddress(who, id, answers),
  });
  addPage({
    segment: 'trusted-links',
    action: 'organisation.trusted_link_added',
    template: 'orgs/views/trusted-link-form.njk',
    pageTitle: 'Add a trusted link',
    schema: trustedLinkForm,
    save: (who, id, answers) => orgs.addTrustedLink(who, id, answers.partnerId, answers.description),
    context: async (entry) => {
      const linked = new Set(entry.trustedLinks.map((link) => link.partnerId));
      const partners = (await orgs.list()).filter(
        (organisation) => organisation.id !== entry.id && !linked.has(organisation.id),
      );
      return {
        partners: partners.map((organisation) => ({ value: organisation.id, text: organisation.name })),
      };
    },
  });

  /** Each removal is confirmed on a page of its own first, saying exactly what will go. */
  const removals: Record<
    ItemSegment,
    {
      readonly noun: string;
      /** The audit event a successful removal writes. */
      readonly action: string;
      readonly describe: (entry: DirectoryEntry, itemId: string) => string | undefined;
      readonly remove: (actor: Administrator, organisationId: string, itemId: string) => Promise<void>;
    }
  > = {
    domains: {
      noun: 'email domain',
      action: 'organisation.domain_removed',
      describe: (entry, itemId) => entry.domains.find((item) => item.id === itemId)?.domain,
      remove: (who, id, itemId) => orgs.removeDomain(who, id, itemId),
    },
    mailboxes: {
      noun: 'email address at a shared domain',
      action: 'organisation.mailbox_removed',
      describe: (entry, itemId) => {
        const mailbox = entry.mailboxes.find((item) => item.id === itemId);
        return mailbox === undefined ? undefined : `${mailbox.label} (${mailbox.address})`;
      },
      remove: (who, id, itemId) => orgs.removeMailbox(who, id, itemId),
    },
    'fax-numbers': {
      noun: 'fax number',
      action: 'organisation.fax_removed',
      describe: (entry, itemId) => {
        const fax = entry.faxNumbers.find((item) => item.id === itemId);
        return fax === undefined ? undefined : `${fax.label} (${fax.number})`;
      },
      remove: (who, id, itemId) => orgs.removeFaxNumber(who, id, itemId),
    },
    addresses: {
      noun: 'postal address',
      action: 'organisation.address_removed',
      describe: (entry, itemId) => {
        const address = entry.addresses.find((item) => item.id === itemId);
        return address === undefined
          ? undefined
          : `${address.label}: ${[address.line1, address.line2, address.town, address.postcode].filter((line) => line !== null).join(', ')}`;
      },
      remove: (who, id, itemId) => orgs.removeAddress(who, id, itemId),
    },
    'trusted-links': {
      noun: 'trusted link',
      action: 'organisation.trusted_link_removed',
      describe: (entry, itemId) => {
        const link = entry.trustedLinks.find((item) => item.id === itemId);
        return link === undefined ? undefined : `the link with ${link.partnerName}`;
      },
      remove: (who, id, itemId) => orgs.removeTrustedLink(who, id, itemId),
    },
  };

  for (const [segment, removal] of Object.entries(removals) as [
    ItemSegment,
    (typeof removals)[ItemSegment],
  ][]) {
    const url = `/admin/organisations/:id/${segment}/:itemId/remove`;

    const confirmation = async (request: FastifyRequest) => {
      const params = directoryItemParams.safeParse(request.params);
      if (!params.success) return undefined;
      const entry = await orgs.find(params.data.id);
      const description = entry === undefined ? undefined : removal.describe(entry, params.data.itemId);
      if (entry === undefined || description === undefined) return undefined;
      return { entry, itemId: params.data.itemId, description };
    };

    const render = (
      reply: FastifyReply,
      status: number,
      found: { entry: DirectoryEntry; itemId: string; description: string },
      errors?: FormErrors,
    ) =>
      reply.code(status).render('orgs/views/confirm-removal.njk', {
        pageTitle: `Remove ${removal.noun}`,
        noun: removal.noun,
        organisation: found.entry,
        description: found.description,
        action: organisationPaths.removeItem(found.entry.id, segment, found.itemId),
        backLink: organisationPaths.show(found.entry.id),
        errors,
      });

    app.get(url, { config: operator('none') }, async (request, reply) => {
      const found = await confirmation(request);
      if (found === undefined) return reply.callNotFound();
      return render(reply, 200, found);
    });

    app.post(url, { config: operator([removal.action]) }, async (request, reply) => {
      const found = await confirmation(request);
      if (found === undefined) return reply.callNotFound();
      const form = parseForm(confirmRemovalForm, request.body);
      if (!form.ok) return render(reply, 400, found, form.errors);
      // Removed meanwhile (another administrator, or a second press of the button): not found (404).
      await removal.remove(actor(request), found.entry.id, found.itemId);
      return reply.redirect(organisationPaths.show(found.entry.id), 303);
    });
  }

  async function entryOf(request: FastifyRequest): Promise<DirectoryEntry | undefined> {
    const params = organisationParams.safeParse(request.params);
    return params.success ? orgs.find(params.data.id) : undefined;
  }
}

function actor(request: FastifyRequest): Administrator {
  return administratorOf(viewerOf(request));
}

/** Whether the pages offer the changes: the service refuses them to anyone but a platform operator anyway. */
function mayChange(request: FastifyRequest): boolean {
  return request.viewer !== undefined && holdsRole(administratorOf(request.viewer), 'platform_operator');
}
