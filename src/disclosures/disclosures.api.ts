import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { issuePointers, problem, type Problem } from '../api/problem.ts';
import { apiViewer } from '../api/viewer.ts';
import { SharingNotFoundError } from '../sharing/index.ts';
import { DisclosureNotFoundError, DisclosureRuleError } from './disclosures.errors.ts';
import { disclosureReaders, disclosureRecorders } from './disclosures.access.ts';
import { disclosurePaths } from './disclosures.paths.ts';
import { newDisclosure, receipt } from './disclosures.schema.ts';
import type { Disclosure, DisclosuresService } from './disclosures.service.ts';

/** The same rule per action as the pages: recording needs a recorder's role; reading and receipts, a reader's. */
const recorders = { access: disclosureRecorders };
const readers = { access: disclosureReaders };
const decisionParams = z.strictObject({ id: z.uuid() });

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
        api: {
          summary: 'Log a disclosure under a recorded decision to share',
          description:
            "To one of the decision's recipients, of categories it decided to share, by a method the policy allows, with that method's checklist complete. 422 names every problem; nothing is written.",
          body: newDisclosure,
          success: { status: 201, description: 'The disclosure as logged, with its receipt due date' },
        },
      },
    },
    async (request, reply) => {
      const params = decisionParams.safeParse(request.params);
      if (!params.success) return notFound(reply);
      const parsed = newDisclosure.safeParse(request.body);
      if (!parsed.success) return invalid(reply, issuePointers(parsed.error.issues));
      try {
        const id = await disclosures.record(apiViewer(request), params.data.id, parsed.data);
        const created = await disclosures.find(apiViewer(request), id);
        return await reply
          .code(201)
          .header('location', `${options.publicUrl}${disclosurePaths.apiDisclosure(id)}`)
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
        api: { summary: 'Read a disclosure', success: { status: 200, description: 'The disclosure' } },
      },
    },
    async (request, reply) => {
      const params = decisionParams.safeParse(request.params);
      if (!params.success) return notFound(reply);
      try {
        return await reply
          .header('cache-control', 'no-store')
          .send(toResource(await disclosures.find(apiViewer(request), params.data.id)));
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
        api: {
          summary: 'Record that the recipient confirmed receipt',
          body: receipt,
          success: { status: 200, description: 'The disclosure with its receipt' },
        },
      },
    },
    async (request, reply) => {
      const params = decisionParams.safeParse(request.params);
      if (!params.success) return notFound(reply);
      const parsed = receipt.safeParse(request.body);
      if (!parsed.success) return invalid(reply, issuePointers(parsed.error.issues));
      try {
        await disclosures.confirmReceipt(apiViewer(request), params.data.id, parsed.data);
        return await reply
          .header('cache-control', 'no-store')
          .send(toResource(await disclosures.find(apiViewer(request), params.data.id)));
      } catch (error) {
        return refusal(reply, error);
      }
    },
  );
}

function invalid(reply: FastifyReply, errors: NonNullable<Problem['errors']>) {
  return problem(
    reply,
    400,
    'The disclosure is not valid',
    'Correct the members named in errors and send it again. Nothing was recorded.',
    errors,
  );
}

function refusal(reply: FastifyReply, error: unknown) {
  if (error instanceof DisclosureNotFoundError || error instanceof SharingNotFoundError)
    return notFound(reply);
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

function notFound(reply: FastifyReply) {
  return problem(
    reply,
    404,
    'Not found',
    'There is no decision or disclosure at this address that this token may see.',
  );
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
