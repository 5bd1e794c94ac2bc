import type { FastifyInstance } from 'fastify';
import { issuePointers, problem } from '../api/problem.ts';
import { MethodQuestionError } from './channels.errors.ts';
import { methodAdviceRequest, subjectCheckRequest } from './channels.schema.ts';
import type { ChannelsService } from './channels.service.ts';

/** Everyone who sends information, and those who advise on it. */
const channelsAccess = {
  access: ['practitioner', 'manager', 'caldicott_guardian', 'dpo', 'ig_lead'] as const,
};

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
        api: {
          summary: 'Judge a sending method under the policy pack in force',
          description:
            'The same answer as `safeshare method check`: allowed or not, the recommended method, the reasons with requirement IDs, and the checklist the method demands.',
          body: methodAdviceRequest,
          success: { status: 200, description: "The method policy's answer" },
        },
      },
    },
    async (request, reply) => {
      const parsed = methodAdviceRequest.safeParse(request.body);
      if (!parsed.success) {
        return problem(
          reply,
          400,
          'The question is not valid',
          'Correct the members named in errors and ask again.',
          issuePointers(parsed.error.issues),
        );
      }
      try {
        const advice = await channels.adviseMethod(parsed.data);
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
        api: {
          summary: 'Check a proposed e-mail subject for personal identifiers',
          description: 'Clean, or the kinds and positions of what was found; never the text itself.',
          body: subjectCheckRequest,
          success: { status: 200, description: 'The findings' },
        },
      },
    },
    async (request, reply) => {
      const parsed = subjectCheckRequest.safeParse(request.body);
      if (!parsed.success) {
        return problem(
          reply,
          400,
          'The subject check is not valid',
          'Correct the members named in errors and ask again.',
          issuePointers(parsed.error.issues),
        );
      }
      const check = channels.checkSubject(parsed.data);
      return reply.header('cache-control', 'no-store').send({
        clean: check.clean,
        findings: check.findings.map(({ kind, start, end }) => ({ kind, start, end })),
      });
    },
  );
}
