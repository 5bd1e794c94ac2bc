import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { notFoundProblem, problem } from '../api/problem.ts';
import { bodyOf, paramsOf } from '../api/validation.ts';
import { apiViewer } from '../api/viewer.ts';
import { decisionMakers, decisionReaders } from './sharing.access.ts';
import { decisionAnswers, outcomes } from './sharing.answers.ts';
import { SharingNotFoundError, SharingRuleError } from './sharing.errors.ts';
import { sharingPaths } from './sharing.paths.ts';
import type { DecisionView, SharingService } from './sharing.service.ts';
import { decisionStatuses } from './sharing.status.ts';

/** The same rule per action as the pages: recording needs a decision maker's role; reading, a reader's. */
const makers = { access: decisionMakers };
const readers = { access: decisionReaders };
const idParams = z.strictObject({ id: z.uuid() });
const instant = z.iso.datetime();

/** A decision as the API answers with it (`toResource`). */
const decisionResource = z.strictObject({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(decisionStatuses),
  outcome: z.enum(outcomes).nullable(),
  policy: z.strictObject({ name: z.string(), version: z.string() }),
  answers: z
    .record(z.string(), z.unknown())
    .describe('The answers so far, in the shape of the body of POST /api/v1/decisions'),
  consent: z.array(
    z.strictObject({ personId: z.uuid(), outcome: z.string(), consentId: z.uuid().nullable() }),
  ),
  approvals: z.array(
    z.strictObject({
      kind: z.string(),
      status: z.string(),
      decidedBy: z.string().nullable(),
      decidedAt: instant.nullable(),
      reason: z.string().nullable(),
    }),
  ),
  advice: z.array(
    z.strictObject({
      adviser: z.string(),
      status: z.string(),
      anonymised: z.boolean(),
      askedAt: instant,
      answeredAt: instant.nullable(),
    }),
  ),
  addenda: z.array(
    z.strictObject({ kind: z.string(), body: z.string(), writtenBy: z.string(), writtenAt: instant }),
  ),
  startedBy: z.string(),
  recordedBy: z.string().nullable(),
  recordedAt: instant.nullable(),
  links: z.strictObject({ self: z.url(), page: z.url() }),
});

/**
 * Sharing decisions over the JSON API, for case-management systems (bearer tokens only). A complete
 * decision is recorded under the same rules as the pages; one that is incomplete, contradictory, or
 * needs advice or approval is refused with every problem named, and nothing is changed.
 */
export async function sharingApi(
  app: FastifyInstance,
  options: { readonly sharing: SharingService; readonly publicUrl: string },
): Promise<void> {
  const { sharing } = options;

  app.post(
    '/api/v1/decisions',
    {
      config: {
        ...makers,
        audit: ['decision.recorded'],
        api: {
          scope: 'decisions.record',
          summary: 'Record a complete sharing decision',
          description:
            'The same rules as the pages (the seven golden rules). A decision that is incomplete or contradictory, or needs advice or approval, is refused with 422 naming every problem; nothing is recorded.',
          body: decisionAnswers,
          success: {
            status: 201,
            description: 'The recorded decision, with the consent it relied on and the policy version',
            schema: decisionResource,
          },
        },
      },
    },
    async (request, reply) => {
      try {
        const created = await sharing.recordComplete(apiViewer(request), bodyOf(request, decisionAnswers));
        const view = await sharing.open(apiViewer(request), created.id);
        return await reply
          .code(201)
          .header('location', `${options.publicUrl}/api/v1/decisions/${created.id}`)
          .header('cache-control', 'no-store')
          .send(toResource(view, options.publicUrl));
      } catch (error) {
        return refusal(reply, error);
      }
    },
  );

  app.get(
    '/api/v1/decisions/:id',
    {
      config: {
        ...readers,
        audit: ['decision.viewed'],
        api: {
          scope: 'people.read',
          summary: 'Read a sharing decision',
          params: idParams,
          success: {
            status: 200,
            description: 'The decision, its status, advice, approvals and addenda',
            schema: decisionResource,
          },
        },
      },
    },
    async (request, reply) => {
      try {
        const { id } = paramsOf(request, idParams);
        const view = await sharing.open(apiViewer(request), id, { audited: true });
        return await reply.header('cache-control', 'no-store').send(toResource(view, options.publicUrl));
      } catch (error) {
        return refusal(reply, error);
      }
    },
  );
}

function refusal(reply: FastifyReply, error: unknown) {
  if (error instanceof SharingNotFoundError) return notFoundProblem(reply);
  if (error instanceof SharingRuleError) {
    return problem(
      reply,
      422,
      'The decision cannot be recorded',
      'The decision breaks the rules named in errors. Decisions that need advice or approval are made in Safeshare. Nothing was recorded.',
      error.problems.map((rule) => ({
        pointer: `/${rule.field.replaceAll('.', '/')}`,
        detail: `${rule.code}: ${rule.message}`,
      })),
    );
  }
  throw error;
}

/** The decision as JSON: its answers, status, the consent it relied on and the policy version. */
function toResource(view: DecisionView, publicUrl: string) {
  return {
    id: view.id,
    reference: view.reference,
    status: view.status,
    outcome: view.outcome,
    policy: view.policy,
    answers: view.answers,
    consent: view.consent.map(({ personId, outcome, consentId }) => ({
      personId,
      outcome,
      consentId: consentId ?? null,
    })),
    approvals: view.approvals.map(({ kind, status, decidedByName, decidedAt, reason }) => ({
      kind,
      status,
      decidedBy: decidedByName,
      decidedAt,
      reason,
    })),
    advice: view.advice.map(({ adviser, status, anonymised, askedAt, answeredAt }) => ({
      adviser,
      status,
      anonymised,
      askedAt,
      answeredAt,
    })),
    addenda: view.addenda.map(({ kind, body, writtenByName, writtenAt }) => ({
      kind,
      body,
      writtenBy: writtenByName,
      writtenAt,
    })),
    startedBy: view.startedBy.name,
    recordedBy: view.recordedByName,
    recordedAt: view.recordedAt,
    links: {
      self: `${publicUrl}/api/v1/decisions/${view.id}`,
      page: `${publicUrl}${sharingPaths.decision(view.id)}`,
    },
  };
}
