import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { pageQuery } from '../api/pages.ts';
import { problem } from '../api/problem.ts';
import { queryOf } from '../api/validation.ts';
import { apiViewer } from '../api/viewer.ts';
import { actionName } from './audit.actions.ts';
import type { AuditTrailService } from './audit.trail.service.ts';

const londonDate = (name: string) =>
  z
    .string()
    .max(10, `${name} must be a date written yyyy-mm-dd`)
    .pipe(z.iso.date({ error: `${name} must be a real date written yyyy-mm-dd` }))
    .optional();

/** The filters of the audit trail's pages, as query parameters; dates are London dates, both inclusive. */
const eventsQuery = pageQuery.extend({
  action: z
    .string()
    .max(100, 'action must be an action code such as consent.recorded')
    .regex(/^[a-z_]+(?:\.[a-z_]+)+$/, 'action must be an action code such as consent.recorded')
    .optional(),
  personId: z
    .uuid({ error: 'personId must be a person’s id' })
    .describe(
      'The events about this person: their own, and those of the decisions about them (alone or with others) and what was sent under them',
    )
    .optional(),
  from: londonDate('from'),
  to: londonDate('to'),
});

const eventResource = z.strictObject({
  seq: z.number().int().describe('The event’s place in the organisation’s chain'),
  occurredAt: z.iso.datetime(),
  by: z.string().describe('Who acted, as recorded: a name, with the API token where one was used'),
  action: z.string(),
  actionName: z.string().describe('What happened, in words'),
  entity: z.strictObject({ type: z.string(), id: z.string().nullable() }),
  personId: z.uuid().nullable(),
  change: z.array(z.strictObject({ key: z.string(), value: z.string() })),
  hash: z
    .string()
    .describe('SHA-256 of the event and the hash before it (docs/adr/0003-audit-hash-chain.md)'),
  prevHash: z.string(),
});

/** The cursor names the last event sent, by its sequence number, opaquely. */
const cursorOf = (seq: number) => Buffer.from(String(seq), 'utf8').toString('base64url');
function seqOf(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return 0;
  const seq = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  return Number.isSafeInteger(seq) && seq >= 0 ? seq : undefined;
}

/**
 * The organisation's audit trail over the JSON API, for an auditor's system that keeps its own copy:
 * oldest first, a page at a time, with each event's hash so the copy can be checked against the
 * chain. The same roles as the trail's pages, and the token needs `audit.read`; each page is
 * recorded as an export.
 */
export async function auditApi(
  app: FastifyInstance,
  options: { readonly trail: AuditTrailService; readonly publicUrl: string },
): Promise<void> {
  app.get(
    '/api/v1/audit/events',
    {
      config: {
        access: ['auditor', 'dpo'],
        audit: ['audit.exported'],
        api: {
          scope: 'audit.read',
          summary: 'Read the organisation’s audit trail',
          description:
            'Oldest first, a page at a time: follow `next` until it is null, and keep the last `next` to fetch only newer events later. Filters as on the trail’s page. Each page read is itself recorded in the trail as an export.',
          query: eventsQuery,
          success: {
            status: 200,
            description: 'One page of events, and the address of the next',
            schema: z.strictObject({ events: z.array(eventResource), next: z.url().nullable() }),
          },
        },
      },
    },
    async (request, reply) => {
      const query = queryOf(request, eventsQuery);
      const afterSeq = seqOf(query.cursor);
      if (afterSeq === undefined)
        return problem(
          reply,
          400,
          'The request’s query is not valid',
          'Correct the members named in errors and send it again. Nothing was changed.',
          [{ pointer: '/cursor', detail: 'cursor must be one this API gave' }],
        );
      const viewer = apiViewer(request);
      const filter = {
        personId: query.personId ?? null,
        actorUserId: null,
        action: query.action ?? null,
        from: query.from ?? null,
        to: query.to ?? null,
      };
      const page = await options.trail.exportAfter(
        { userId: viewer.userId, label: viewer.displayName },
        viewer.organisationId,
        filter,
        afterSeq,
        query.limit,
      );
      const last = page.events.at(-1);
      const next = new URLSearchParams({ limit: String(query.limit) });
      for (const [name, value] of Object.entries({
        action: query.action,
        personId: query.personId,
        from: query.from,
        to: query.to,
      }))
        if (value !== undefined) next.set(name, value);
      return reply.header('cache-control', 'no-store').send({
        events: page.events.map((event) => ({
          seq: event.seq,
          occurredAt: event.occurredAt.toISOString(),
          by: event.actorLabel,
          action: event.action,
          actionName: actionName(event.action),
          entity: { type: event.entityType, id: event.entityId },
          personId: event.personId,
          change: event.change,
          hash: event.hash,
          prevHash: event.prevHash,
        })),
        next:
          page.more && last !== undefined
            ? `${options.publicUrl}/api/v1/audit/events?${next.toString()}&cursor=${cursorOf(last.seq)}`
            : null,
      });
    },
  );
}
