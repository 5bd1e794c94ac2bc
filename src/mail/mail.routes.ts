import type { FastifyInstance, FastifyRequest } from 'fastify';
import { outboxPaths } from './mail.paths.ts';
import { outboxListQuery, outboxParams } from './mail.schema.ts';
import type { MailService, OutboxStatus } from './mail.service.ts';

export interface MailRouteOptions {
  readonly mail: MailService;
}

/** Administrators and the IT service desk see whether their organisation's e-mail is getting through. */
const access = ['admin', 'it_service_desk'] as const;

const statusTags: Record<OutboxStatus, { readonly text: string; readonly classes: string }> = {
  sent: { text: 'Sent', classes: 'govuk-tag--green' },
  pending: { text: 'Waiting to send', classes: 'govuk-tag--blue' },
  retrying: { text: 'Retrying', classes: 'govuk-tag--yellow' },
  failed: { text: 'Failed', classes: 'govuk-tag--red' },
};

function organisationOf(request: FastifyRequest): string {
  // The access rule guarantees a signed-in viewer before any handler here runs.
  if (request.viewer === undefined) throw new Error('outbox page reached without a signed-in viewer');
  return request.viewer.organisationId;
}

export async function mailRoutes(app: FastifyInstance, options: MailRouteOptions): Promise<void> {
  const { mail } = options;

  app.get(outboxPaths.list, { config: { access, audit: 'none' } }, async (request, reply) => {
    const query = outboxListQuery.safeParse(request.query);
    if (!query.success) return reply.callNotFound();
    const page = query.data.page;
    const outbox = await mail.outbox(organisationOf(request), page);
    if (page > 1 && outbox.entries.length === 0) return reply.callNotFound();
    return reply.render('mail/views/outbox.njk', {
      pageTitle: page > 1 ? `Email outbox (page ${page})` : 'Email outbox',
      entries: outbox.entries.map((entry) => ({
        ...entry,
        tag: statusTags[entry.status],
        href: outboxPaths.message(entry.id),
      })),
      folderMode: mail.mode === 'folder',
      previousHref: page > 1 ? outboxPaths.page(page - 1) : undefined,
      nextHref: outbox.hasNext ? outboxPaths.page(page + 1) : undefined,
      page,
    });
  });

  app.get(`${outboxPaths.list}/:id`, { config: { access, audit: 'none' } }, async (request, reply) => {
    const params = outboxParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    const entry = await mail.outboxEntry(organisationOf(request), params.data.id);
    if (entry === undefined) return reply.callNotFound();
    return reply.render('mail/views/outbox-message.njk', {
      pageTitle: 'Email message',
      backLink: outboxPaths.list,
      entry: { ...entry, tag: statusTags[entry.status] },
      message: await mail.writtenMessage(entry),
      folderMode: mail.mode === 'folder',
    });
  });
}
