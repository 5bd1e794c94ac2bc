import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { problem } from '../api/problem.ts';
import { bodyOf } from '../api/validation.ts';
import { channelMethodIds } from '../policy/index.ts';
import { MethodQuestionError } from './channels.errors.ts';
import { methodAdviceRequest, subjectCheckRequest } from './channels.schema.ts';
import type { ChannelsService } from './channels.service.ts';
import { subjectFindingKinds } from './channels.subject.ts';

/** Everyone who sends information, and those who advise on it. */
const channelsAccess = {
  access: ['practitioner', 'manager', 'caldicott_guardian', 'dpo', 'ig_lead'] as const,
};

const method = z.enum(channelMethodIds);
const party = z.strictObject({
  organisation: z.strictObject({ id: z.uuid(), name: z.string() }).nullable(),
});

/** The method policy's answer (`MethodAdviceAnswer`). */
const methodAdvice = z.strictObject({
  method,
  allowed: z.boolean(),
  recommended: method,
  route: z.enum(['same-organisation', 'trusted-link', 'secure-domains', 'not-secure', 'unknown']),
  bulk: z.boolean().describe('The share is large enough to need approval first (R2.16)'),
  reasons: z.array(
    z.strictObject({
      requirement: z.string(),
      effect: z.enum(['refuses', 'requires', 'allows', 'notes']),
      code: z.string(),
      explanation: z.string(),
    }),
  ),
  checklist: z.array(
    z.strictObject({
      id: z.string(),
      requirement: z.string(),
      question: z.string(),
      answer: z.enum(['confirm', 'yes-no', 'text', 'number', 'choice', 'address']),
      when: z.string().optional(),
    }),
  ),
  receiptWithinWorkingDays: z.number().int().nullable(),
  policy: z.strictObject({ name: z.string(), version: z.string(), standard: z.string() }),
  sender: party,
  recipient: party,
});

/** What the subject-line checker found: kinds and UTF-16 positions (end exclusive), never the text. */
const subjectCheck = z.strictObject({
  clean: z.boolean(),
  findings: z.array(
    z.strictObject({
      kind: z.enum(subjectFindingKinds),
      start: z.number().int().min(0),
      end: z.number().int().min(0),
    }),
  ),
});

/** The pointer of each field the method policy names, in the request's own words. */
const requestPointers: Record<string, string> = {
  'sender.address': '/from',
  'recipient.address': '/to',
  method: '/method',
  people: '/people',
};

/**
 * The method policy and the subject-line checker over the JSON API (bearer tokens only). Both
 * answer from the same service as `safeshare method check` and `safeshare subject check`. Neither
 * request body is logged (the app logs method and path only), and the subject check answers with
 * kinds and positions, never the text it found.
 */
export async function channelsApi(
  app: FastifyInstance,
  options: { readonly channels: ChannelsService },
): Promise<void> {
  const { channels } = options;

  app.post(
    '/api/v1/method-advice',
    {
      config: {
        ...channelsAccess,
        // A question about the policy, about no one's record; it changes nothing.
        audit: 'none',
        api: {
          scope: 'any',
          summary: 'Judge a sending method under the policy pack in force',
          description:
            'The same answer as `safeshare method check`: allowed or not, the recommended method, the reasons with requirement IDs, and the checklist the method demands.',
          body: methodAdviceRequest,
          success: { status: 200, description: "The method policy's answer", schema: methodAdvice },
        },
      },
    },
    async (request, reply) => {
      try {
        const advice = await channels.adviseMethod(bodyOf(request, methodAdviceRequest));
        return await reply.header('cache-control', 'no-store').send(advice);
      } catch (error) {
        if (!(error instanceof MethodQuestionError)) throw error;
        return problem(
          reply,
          400,
          'The question is not valid',
          'Correct the members named in errors and ask again. An address that is malformed, or only looks like a trusted one, is never matched.',
          error.problems.map((item) => ({
            pointer: requestPointers[item.field] ?? `/${item.field.replaceAll('.', '/')}`,
            detail: `${item.code}: ${item.message}`,
          })),
        );
      }
    },
  );

  app.post(
    '/api/v1/subject-check',
    {
      config: {
        ...channelsAccess,
        // The subject is checked and forgotten: neither stored nor logged.
        audit: 'none',
        api: {
          scope: 'any',
          summary: 'Check a proposed e-mail subject for personal identifiers',
          description: 'Clean, or the kinds and positions of what was found; never the text itself.',
          body: subjectCheckRequest,
          success: { status: 200, description: 'The findings', schema: subjectCheck },
        },
      },
    },
    async (request, reply) => {
      const check = channels.checkSubject(bodyOf(request, subjectCheckRequest));
      return reply.header('cache-control', 'no-store').send({
        clean: check.clean,
        findings: check.findings.map(({ kind, start, end }) => ({ kind, start, end })),
      });
    },
  );
}
