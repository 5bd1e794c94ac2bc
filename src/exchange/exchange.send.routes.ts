import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Viewer } from '../auth/index.ts';
import { disclosureRecorders, type DisclosuresService } from '../disclosures/index.ts';
import { NotFoundError, RuleError } from '../lib/errors.ts';
import { formatDateTime } from '../lib/time.ts';
import type { OrgsService } from '../orgs/index.ts';
import { policyLabels, type PolicyPack } from '../policy/index.ts';
import { sharingPaths } from '../sharing/index.ts';
import { parseForm, ruleErrors, typedAnswers, viewerOf, type FormErrors } from '../web/forms.ts';
import { drainFiles, filesOf, streamedForms } from './exchange.multipart.ts';
import { exchangePaths } from './exchange.paths.ts';
import { maxViewableMegabytes } from './exchange.view-only.ts';
import type { ExchangeService } from './index.ts';

export interface ExchangeSendRouteOptions {
  readonly exchange: ExchangeService;
  readonly disclosures: Pick<DisclosuresService, 'context'>;
  readonly orgs: Pick<OrgsService, 'namesOf'>;
  readonly policy: PolicyPack;
}

type DecisionContext = Awaited<ReturnType<DisclosuresService['context']>>;

const decisionParams = z.strictObject({ id: z.uuid() });
const replyFileParams = z.strictObject({ id: z.uuid(), fileId: z.uuid() });
const fields = [
  'recipientIndex',
  'recipientAddress',
  'categoryIds',
  'message',
  'mode',
  'expiresInDays',
  'downloadLimit',
  'files',
] as const;
const whole = (message: string) =>
  z
    .string({ error: message })
    .trim()
    .regex(/^\d{1,3}$/, message)
    .transform(Number);

/**
 * Sending through the secure exchange (R4.6.4): from a recorded decision to share, a message and
 * files to one of its recipients, streamed into the vault as they arrive. Every check of a
 * disclosure runs when the form is sent; the package is the disclosure's evidence. Also a hosted
 * partner's "Received" list, and the sender's copies of what recipients reply.
 */
export async function exchangeSendRoutes(
  app: FastifyInstance,
  options: ExchangeSendRouteOptions,
): Promise<void> {
  const { exchange, disclosures, policy } = options;
  const labels = policyLabels(policy);
  const limits = policy.exchange;

  function sendForm(context: DecisionContext) {
    const recipients = context.decision.answers.recipients?.recipients.length ?? 0;
    return z.strictObject({
      recipientIndex: z
        .string({ error: 'Select who you are sending it to' })
        .regex(/^\d{1,2}$/, 'Select who you are sending it to')
        .transform(Number)
        .refine((index) => index < recipients, 'Select who you are sending it to'),
      recipientAddress: z
        .string()
        .trim()
        .max(254, 'The email address must be 254 characters or fewer')
        .optional()
        .transform((value) => (value === '' ? undefined : value)),
      categoryIds: z
        .union([z.string(), z.array(z.string())], { error: 'Select the information you are sending' })
        .transform((value) => [value].flat()),
      message: z.string().default(''),
      mode: z.enum(['download', 'view-only'], {
        error: 'Choose whether the recipient may download the files or only view them',
      }),
      expiresInDays: whole(
        `Enter how many days the package can be opened, from 1 to ${String(limits.maxExpiryDays)}`,
      ),
      downloadLimit: whole(`Enter how many downloads to allow, from 1 to ${String(limits.maxDownloadLimit)}`),
    });
  }

  async function openDecision(
    request: FastifyRequest,
  ): Promise<{ context: DecisionContext; viewer: Viewer }> {
    const params = decisionParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const viewer = viewerOf(request);
    try {
      return { context: await disclosures.context(viewer, params.data.id), viewer };
    } catch (error) {
      // A draft, or a decision not to share: nothing can be sent under it.
      if (error instanceof RuleError) throw new NotFoundError();
      throw error;
    }
  }

  function renderSend(
    reply: FastifyReply,
    status: number,
    context: DecisionContext,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const decision = context.decision;
    const recipients = decision.answers.recipients?.recipients ?? [];
    return reply.code(status).render('exchange/views/send.njk', {
      pageTitle: 'Send through the secure exchange',
      backLink: sharingPaths.decision(decision.id),
      action: exchangePaths.send(decision.id),
      reference: decision.reference,
      recipientItems: recipients.map((recipient, index) => ({
        value: String(index),
        text: `${recipient.name}, ${recipient.role}`,
        hint: {
          text: [
            decision.organisationNames[recipient.organisationId] ?? 'an organisation not in the directory',
            recipient.email,
          ]
            .filter((part) => part !== undefined && part !== '')
            .join(' · '),
        },
      })),
      categoryItems: (decision.answers.information?.shared ?? []).map((item) => ({
        value: item.categoryId,
        text: labels.informationCategories[item.categoryId] ?? item.categoryId,
      })),
      limits,
      maxViewableMegabytes,
      scanning: exchange.scanning,
      values,
      errors,
      // Files cannot be put back in a file input: say so beside the errors.
      filesLost: errors !== undefined,
    });
  }

  app.get(
    '/decisions/:id/packages/new',
    { config: { access: disclosureRecorders, audit: 'none' } },
    async (request, reply) => {
      const { context } = await openDecision(request);
      const recipients = context.decision.answers.recipients?.recipients ?? [];
      return renderSend(reply, 200, context, {
        ...(recipients.length === 1 ? { recipientIndex: '0' } : {}),
        mode: 'download',
        expiresInDays: String(limits.defaultExpiryDays),
        downloadLimit: String(limits.defaultDownloadLimit),
      });
    },
  );

  await app.register(async (scope) => {
    await streamedForms(scope, policy);
    scope.post(
      '/decisions/:id/packages/new',
      {
        config: {
          access: disclosureRecorders,
          audit: {
            sometimes: ['exchange.package_sent', 'disclosure.recorded', 'exchange.malware_refused'],
          },
        },
      },
      async (request, reply) => {
        let context: DecisionContext;
        let viewer: Viewer;
        try {
          ({ context, viewer } = await openDecision(request));
        } catch (error) {
          await drainFiles(request);
          throw error;
        }
        const values = typedAnswers(request.body, fields, ['categoryIds']);
        const form = parseForm(sendForm(context), request.body);
        if (!form.ok) {
          await drainFiles(request);
          return renderSend(reply, 400, context, values, form.errors);
        }
        try {
          await exchange.send(viewer, context.decision.id, { ...form.value, files: filesOf(request) });
        } catch (error) {
          await drainFiles(request);
          if (!(error instanceof RuleError)) throw error;
          return renderSend(reply, 400, context, values, ruleErrors(error, fields));
        }
        return reply.redirect(`${sharingPaths.decision(context.decision.id)}#packages`, 303);
      },
    );
  });

  // A hosted partner's member of staff: the packages sent to their address, opened without a code.
  app.get('/exchange/received', { config: { access: 'staff', audit: 'none' } }, async (request, reply) => {
    const viewer = viewerOf(request);
    const received = await exchange.receivedBy(viewer);
    const names = await options.orgs.namesOf([...new Set(received.map((entry) => entry.organisationId))]);
    return reply.render('exchange/views/received.njk', {
      pageTitle: 'Received through the secure exchange',
      received: received.map((entry) => ({
        reference: entry.reference,
        href: exchangePaths.package(entry.id),
        from: names.get(entry.organisationId) ?? 'Another organisation',
        sentAt: formatDateTime(entry.sentAt),
        status:
          entry.ended === 'revoked'
            ? 'Withdrawn by the sender'
            : entry.ended === 'expired' || entry.expired
              ? 'Expired'
              : entry.firstOpenedAt === null
                ? `New: open until ${formatDateTime(entry.expiresAt)}`
                : `Opened: open until ${formatDateTime(entry.expiresAt)}`,
      })),
    });
  });

  app.get(
    '/exchange/packages/:id/replies/:fileId',
    { config: { access: disclosureRecorders, audit: ['exchange.reply_file_downloaded'] } },
    async (request, reply) => {
      const parsed = replyFileParams.safeParse(request.params);
      if (!parsed.success) throw new NotFoundError();
      const file = await exchange.replyFile(viewerOf(request), parsed.data.id, parsed.data.fileId);
      if (file === undefined) throw new NotFoundError();
      return reply
        .header('content-type', file.mediaType)
        .header('content-length', String(file.bytes))
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(file.stream);
    },
  );
}
