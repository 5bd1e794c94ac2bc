import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { notFoundProblem, problem } from '../api/problem.ts';
import { pageOf, pageQuery } from '../api/pages.ts';
import { bodyOf, paramsOf, queryOf } from '../api/validation.ts';
import { apiViewer } from '../api/viewer.ts';
import { channelMethodIds } from '../policy/index.ts';
import { decisionMakers, decisionStatuses, SharingNotFoundError } from '../sharing/index.ts';
import { NotFoundError, ReasonRequiredError } from '../lib/errors.ts';
import { DisclosureNotFoundError, DisclosureRuleError } from './disclosures.errors.ts';
import { disclosureReaders, disclosureRecorders } from './disclosures.access.ts';
import { disclosurePaths } from './disclosures.paths.ts';
import { newDisclosure, receipt } from './disclosures.schema.ts';
import type { Disclosure, DisclosuresService } from './disclosures.service.ts';

/** The same rule per action as the pages: recording needs a recorder's role; reading and receipts, a reader's. */
const recorders = { access: disclosureRecorders };
const readers = { access: disclosureReaders };
const idParams = z.strictObject({ id: z.uuid() });
const instant = z.iso.datetime();

/** A disclosure as the API answers with it (`toResource`). */
const disclosureResource = z.strictObject({
  id: z.uuid(),
  decisionId: z.uuid(),
  decisionReference: z.string(),
  method: z.enum(channelMethodIds),
  recipient: z.strictObject({
    name: z.string(),
    role: z.string(),
    organisationId: z.uuid(),
    organisation: z.string(),
    contact: z.string().nullable(),
  }),
  purposeId: z.string(),
  categoryIds: z.array(z.string()),
  description: z.string(),
  checklist: z.record(z.string(), z.unknown()).describe("The method's checklist, as answered"),
  methodAdvice: z
    .record(z.string(), z.unknown())
    .describe('The method policy’s answer when the disclosure was logged (POST /api/v1/method-advice)'),
  policyVersion: z.string(),
  disclosedAt: instant,
  disclosedBy: z.string(),
  receipt: z.strictObject({
    dueOn: z.iso.date().nullable(),
    confirmedAt: instant.nullable(),
    confirmedByName: z.string().nullable(),
    how: z.string().nullable(),
    overdue: z.boolean(),
  }),
});

const personParams = z.strictObject({ personId: z.uuid() });

/** A decision in a person's sharing history: what it is, and where to read it whole. */
const historyDecision = z.strictObject({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(decisionStatuses),
  outcome: z.string().nullable(),
  recordedAt: z.iso.datetime().nullable(),
  self: z.url(),
});

/**
 * The disclosure log over the JSON API (bearer tokens only): a case-management system records a
 * disclosure under a decision already recorded, with the method's checklist, under the same rules
 * as the pages. Bad input: problem+json naming each member; nothing is written.
 */
export async function disclosuresApi(
  app: FastifyInstance,
  options: { readonly disclosures: DisclosuresService; readonly publicUrl: string },
): Promise<void> {
  const { disclosures } = options;

  app.post(
    '/api/v1/decisions/:id/disclosures',
    {
      config: {
        ...recorders,
        audit: ['disclosure.recorded'],
        api: {
          scope: 'disclosures.log',
          summary: 'Log a disclosure under a recorded decision to share',
          description:
            "To one of the decision's recipients, of categories it decided to share, by a method the policy allows, with that method's checklist complete. 422 names every problem; nothing is written.",
          params: idParams,
          body: newDisclosure,
          success: {
            status: 201,
            description: 'The disclosure as logged, with its receipt due date',
            schema: disclosureResource,
          },
        },
      },
    },
    async (request, reply) => {
      try {
        const decision = paramsOf(request, idParams);
        const created = await disclosures.recordAndShow(
          apiViewer(request),
          decision.id,
          bodyOf(request, newDisclosure),
        );
        return await reply
          .code(201)
          .header('location', `${options.publicUrl}${disclosurePaths.apiDisclosure(created.id)}`)
          .header('cache-control', 'no-store')
          .send(toResource(created));
      } catch (error) {
        return refusal(reply, error);
      }
    },
  );

  app.get(
    '/api/v1/disclosures/:id',
    {
      config: {
        ...readers,
        // What was disclosed under a decision: the decision's own read is where a person's record is read.
        audit: 'none',
        api: {
          scope: 'people.read',
          summary: 'Read a disclosure',
          params: idParams,
          success: { status: 200, description: 'The disclosure', schema: disclosureResource },
        },
      },
    },
    async (request, reply) => {
      try {
        const { id } = paramsOf(request, idParams);
        return await reply
          .header('cache-control', 'no-store')
          .send(toResource(await disclosures.find(apiViewer(request), id)));
      } catch (error) {
        return refusal(reply, error);
      }
    },
  );

  app.get(
    '/api/v1/people/:personId/sharing-history',
    {
      config: {
        // As the page (/people/:personId/sharing): those who make decisions, within need-to-know.
        access: decisionMakers,
        audit: ['person.sharing_history_viewed'],
        api: {
          scope: 'people.read',
          summary: "Read a person's sharing history",
          description:
            'Every decision about the person and every disclosure under those, newest first, a page at a time: follow `next` until it is null. A person the account may not open reads as not found.',
          params: personParams,
          query: pageQuery,
          success: {
            status: 200,
            description: 'One page of the history, and the address of the next',
            schema: z.strictObject({
              entries: z.array(
                z.discriminatedUnion('kind', [
                  z.strictObject({
                    kind: z.literal('decision'),
                    at: z.iso.datetime(),
                    decision: historyDecision,
                  }),
                  z.strictObject({
                    kind: z.literal('disclosure'),
                    at: z.iso.datetime(),
                    disclosure: disclosureResource,
                  }),
                ]),
              ),
              next: z.url().nullable(),
            }),
          },
        },
      },
    },
    async (request, reply) => {
      try {
        const { personId } = paramsOf(request, personParams);
        const query = queryOf(request, pageQuery);
        const history = await disclosures.history(apiViewer(request), personId);
        const keyed = history.entries
          .map((entry) => ({
            entry,
            key: `${entry.at.toISOString()}|${entry.kind}|${entry.kind === 'decision' ? entry.decision.id : entry.disclosure.id}`,
          }))
          .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
        const page = pageOf(keyed, (item) => item.key, query);
        const base = `${options.publicUrl}/api/v1/people/${personId}/sharing-history?limit=${String(query.limit)}`;
        return await reply.header('cache-control', 'no-store').send({
          entries: page.items.map(({ entry }) =>
            entry.kind === 'decision'
              ? {
                  kind: 'decision' as const,
                  at: entry.at.toISOString(),
                  decision: {
                    id: entry.decision.id,
                    reference: entry.decision.reference,
                    status: entry.decision.status,
                    outcome: entry.decision.outcome,
                    recordedAt: entry.decision.recordedAt?.toISOString() ?? null,
                    self: `${options.publicUrl}/api/v1/decisions/${entry.decision.id}`,
                  },
                }
              : {
                  kind: 'disclosure' as const,
                  at: entry.at.toISOString(),
                  disclosure: toResource(entry.disclosure),
                },
          ),
          next: page.next === null ? null : `${base}&cursor=${page.next}`,
        });
      } catch (error) {
        return refusal(reply, error);
      }
    },
  );

  app.post(
    '/api/v1/disclosures/:id/receipt',
    {
      config: {
        ...readers,
        audit: ['disclosure.receipt_confirmed'],
        api: {
          scope: 'disclosures.log',
          summary: 'Record that the recipient confirmed receipt',
          params: idParams,
          body: receipt,
          success: {
            status: 200,
            description: 'The disclosure with its receipt',
            schema: disclosureResource,
          },
        },
      },
    },
    async (request, reply) => {
      try {
        const { id } = paramsOf(request, idParams);
        await disclosures.confirmReceipt(apiViewer(request), id, bodyOf(request, receipt));
        return await reply
          .header('cache-control', 'no-store')
          .send(toResource(await disclosures.find(apiViewer(request), id)));
      } catch (error) {
        return refusal(reply, error);
      }
    },
  );
}

function refusal(reply: FastifyReply, error: unknown) {
  if (
    error instanceof DisclosureNotFoundError ||
    error instanceof SharingNotFoundError ||
    error instanceof NotFoundError ||
    error instanceof ReasonRequiredError
  )
    return notFoundProblem(reply);
  if (error instanceof DisclosureRuleError) {
    return problem(
      reply,
      422,
      'The disclosure cannot be recorded',
      'The disclosure breaks the rules named in errors. Nothing was recorded.',
      error.problems.map((rule) => ({
        pointer: `/${rule.field.replaceAll('.', '/')}`,
        detail: `${rule.code}: ${rule.message}`,
      })),
    );
  }
  throw error;
}

function toResource(disclosure: Disclosure) {
  return {
    id: disclosure.id,
    decisionId: disclosure.decisionId,
    decisionReference: disclosure.decisionReference,
    method: disclosure.method,
    recipient: {
      name: disclosure.recipientName,
      role: disclosure.recipientRole,
      organisationId: disclosure.recipientOrganisationId,
      organisation: disclosure.recipientOrganisationName,
      contact: disclosure.recipientContact,
    },
    purposeId: disclosure.purposeId,
    categoryIds: disclosure.categoryIds,
    description: disclosure.description,
    checklist: disclosure.checklist,
    methodAdvice: disclosure.methodAdvice,
    policyVersion: disclosure.policyVersion,
    disclosedAt: disclosure.disclosedAt,
    disclosedBy: disclosure.disclosedByName,
    receipt: disclosure.receipt,
  };
}
