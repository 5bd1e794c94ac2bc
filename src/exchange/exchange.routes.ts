import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { emailAddress } from '../lib/fields.ts';
import { sizeOf } from '../lib/file-types.ts';
import { formatDateTime } from '../lib/time.ts';
import { NotFoundError, RuleError } from '../lib/errors.ts';
import { parseForm, ruleErrors, typedAnswers, type FormErrors } from '../web/forms.ts';
import { cookiePolicy } from '../web/web.plugin.ts';
import { drainFiles, filesOf, streamedForms } from './exchange.multipart.ts';
import { exchangePaths } from './exchange.paths.ts';
import { PackageUnavailableError, type Reader, type Unavailable } from './exchange.receiving.service.ts';
import type { ExchangeService } from './index.ts';
import type { PolicyPack } from '../policy/index.ts';

export interface ExchangeRouteOptions {
  readonly exchange: ExchangeService;
  readonly policy: PolicyPack;
  readonly secureCookies: boolean;
}

const packageParams = z.strictObject({ id: z.uuid() });
const withdrawForm = z.object({ reason: z.string() });
const fileParams = z.strictObject({ id: z.uuid(), fileId: z.uuid() });
const pageParams = z.strictObject({
  id: z.uuid(),
  fileId: z.uuid(),
  page: z
    .string()
    .regex(/^[1-9]\d{0,3}$/)
    .transform(Number),
});
const replyForm = z.strictObject({ message: z.string({ error: 'Enter your reply' }) });
const addressForm = z.strictObject({ address: emailAddress });
const codeForm = z.strictObject({
  address: emailAddress,
  code: z
    .string({ error: 'Enter the 6-digit code' })
    .trim()
    .regex(/^\d{6}$/, 'Enter the 6-digit code from the email, like 123456'),
});

const unavailablePages: Record<Unavailable, { title: string; body: string }> = {
  'not-found': {
    title: 'This link does not open anything',
    body: 'Check that you copied the whole link from the email. If it still does not work, contact the person who sent it to you.',
  },
  expired: {
    title: 'This package has expired',
    body: 'Packages can be opened only for a limited time, and this one has ended. Ask the person who sent it to send it again if you still need it.',
  },
  withdrawn: {
    title: 'This package was withdrawn by the sender',
    body: 'The person who sent it has withdrawn it, so it can no longer be opened. Contact them if you need to know more.',
  },
  'used-up': {
    title: 'This file has been downloaded as many times as the sender allowed',
    body: 'Ask the person who sent it to send it again if you need another copy.',
  },
};

/**
 * The secure exchange for a recipient without a Safeshare account (R4.6.4): the link from the
 * e-mail asks for their address, sends a one-time code to it, and opens the package for a session of
 * its own. Public pages: no staff session is needed, and none is used.
 */
export async function exchangeRoutes(app: FastifyInstance, options: ExchangeRouteOptions): Promise<void> {
  const { exchange } = options;
  const cookies = cookiePolicy(options.secureCookies);

  function unavailable(reply: FastifyReply, error: PackageUnavailableError) {
    const page = unavailablePages[error.reason];
    return reply.code(error.reason === 'not-found' ? 404 : 410).render('exchange/views/unavailable.njk', {
      pageTitle: page.title,
      title: page.title,
      body: page.body,
      senderName: error.senderName,
    });
  }

  function params(request: FastifyRequest): string | undefined {
    const parsed = packageParams.safeParse(request.params);
    return parsed.success ? parsed.data.id : undefined;
  }

  function renderAddress(
    reply: FastifyReply,
    status: number,
    id: string,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('exchange/views/address.njk', {
      pageTitle: 'Open information sent to you securely',
      action: exchangePaths.requestCode(id),
      values,
      errors,
    });
  }

  function renderCode(
    reply: FastifyReply,
    status: number,
    id: string,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('exchange/views/code.njk', {
      pageTitle: 'Enter the code we sent you',
      action: exchangePaths.code(id),
      again: exchangePaths.package(id),
      values,
      errors,
    });
  }

  const token = (request: FastifyRequest) => request.cookies[cookies.names.exchange];
  /** The reader of the package: a code's session, or the hosted partner's member of staff it was sent to. */
  const readerOf = (request: FastifyRequest, id: string) =>
    exchange.reader(id, { token: token(request), viewer: request.viewer });

  async function renderPackage(
    reply: FastifyReply,
    reader: Reader,
    status = 200,
    extra: { values?: Record<string, unknown>; errors?: FormErrors; replied?: boolean } = {},
  ) {
    const opened = await exchange.open(reader);
    const id = opened.id;
    return reply.code(status).render('exchange/views/package.njk', {
      pageTitle: `Information from ${opened.senderName}`,
      opened,
      reader,
      expires: formatDateTime(opened.expiresAt),
      paragraphs: opened.message.split(/\n{2,}/),
      files: opened.files.map((file) => ({
        ...file,
        size: sizeOf(file.bytes),
        href: opened.mode === 'download' ? exchangePaths.file(id, file.id) : exchangePaths.view(id, file.id),
      })),
      replies: opened.replies.map((sent) => ({
        at: formatDateTime(sent.sentAt),
        files: sent.files.join(', '),
      })),
      replyAction: exchangePaths.reply(id),
      limits: options.policy.exchange,
      values: extra.values ?? {},
      errors: extra.errors,
      replied: extra.replied === true,
    });
  }

  app.get(
    '/exchange/packages/:id',
    {
      config: {
        access: 'public',
        audit: { sometimes: ['exchange.package_opened', 'disclosure.receipt_confirmed'] },
      },
    },
    async (request, reply) => {
      const id = params(request);
      if (id === undefined) return unavailable(reply, new PackageUnavailableError('not-found'));
      try {
        const reader = await readerOf(request, id);
        if (reader === undefined) {
          await exchange.checkLive(id);
          return await renderAddress(reply, 200, id, {});
        }
        return await renderPackage(reply, reader, 200, {
          replied: (request.query as Record<string, unknown>)['replied'] === '1',
        });
      } catch (error) {
        if (error instanceof PackageUnavailableError) return unavailable(reply, error);
        throw error;
      }
    },
  );

  app.post(
    '/exchange/packages/:id/code-request',
    { config: { access: 'public', audit: { sometimes: ['exchange.code_sent', 'exchange.code_refused'] } } },
    async (request, reply) => {
      const id = params(request);
      if (id === undefined) return unavailable(reply, new PackageUnavailableError('not-found'));
      const form = parseForm(addressForm, request.body);
      if (!form.ok)
        return renderAddress(reply, 400, id, typedAnswers(request.body, ['address']), form.errors);
      await exchange.requestCode(id, form.value.address);
      // The same answer whether or not a package exists for this address.
      return renderCode(reply, 200, id, { address: form.value.address });
    },
  );

  app.post(
    '/exchange/packages/:id/code',
    { config: { access: 'public', audit: { sometimes: ['exchange.code_used', 'exchange.code_failed'] } } },
    async (request, reply) => {
      const id = params(request);
      if (id === undefined) return unavailable(reply, new PackageUnavailableError('not-found'));
      const form = parseForm(codeForm, request.body);
      if (!form.ok)
        return renderCode(reply, 400, id, typedAnswers(request.body, ['address', 'code']), form.errors);
      try {
        const session = await exchange.verifyCode(id, form.value.address, form.value.code);
        if (session === undefined) {
          const text =
            'The code is not right, or it has expired or been used. Check the latest email, or ask for a new code';
          return await renderCode(
            reply,
            400,
            id,
            { address: form.value.address },
            {
              summary: [{ text, href: '#code' }],
              fields: { code: { text } },
            },
          );
        }
        reply.setCookie(cookies.names.exchange, session, { ...cookies.attributes, maxAge: 12 * 60 * 60 });
        return await reply.redirect(exchangePaths.package(id), 303);
      } catch (error) {
        if (error instanceof PackageUnavailableError) return unavailable(reply, error);
        throw error;
      }
    },
  );

  // The sender, their line manager or the DPO withdraws a package from the decision's page.
  app.post(
    '/exchange/packages/:id/withdraw',
    { config: { access: 'staff', audit: ['exchange.package_revoked'] } },
    async (request, reply) => {
      const id = params(request);
      const viewer = request.viewer;
      if (id === undefined || viewer === undefined) return reply.callNotFound();
      const reason = withdrawForm.safeParse(request.body);
      const row = await exchange.packageOf(id);
      if (row === undefined) return reply.callNotFound();
      try {
        await exchange.revoke(viewer, id, reason.success ? reason.data.reason : '');
      } catch (error) {
        if (error instanceof NotFoundError) return reply.callNotFound();
        if (!(error instanceof RuleError)) throw error;
        return reply.code(400).render('exchange/views/withdraw-refused.njk', {
          pageTitle: 'The package was not withdrawn',
          errors: ruleErrors(error, []),
          backLink: `/decisions/${row.decision_id}#packages`,
        });
      }
      return reply.redirect(`/decisions/${row.decision_id}#packages`, 303);
    },
  );

  app.get(
    '/exchange/packages/:id/files/:fileId',
    { config: { access: 'public', audit: { sometimes: ['exchange.file_downloaded'] } } },
    async (request, reply) => {
      const parsed = fileParams.safeParse(request.params);
      if (!parsed.success) return unavailable(reply, new PackageUnavailableError('not-found'));
      const reader = await readerOf(request, parsed.data.id);
      if (reader === undefined) return reply.redirect(exchangePaths.package(parsed.data.id), 303);
      try {
        const file = await exchange.download(reader, parsed.data.fileId);
        return await reply
          .header('content-type', file.mediaType)
          .header('content-length', String(file.bytes))
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
          .header('cache-control', 'no-store')
          .send(file.stream);
      } catch (error) {
        if (error instanceof PackageUnavailableError) return unavailable(reply, error);
        throw error;
      }
    },
  );

  // View only: the file's pages as watermarked pictures, never the file (see exchange.view-only.ts).
  app.get(
    '/exchange/packages/:id/files/:fileId/view',
    { config: { access: 'public', audit: { sometimes: ['exchange.file_viewed'] } } },
    async (request, reply) => {
      const parsed = fileParams.safeParse(request.params);
      if (!parsed.success) return unavailable(reply, new PackageUnavailableError('not-found'));
      const { id, fileId } = parsed.data;
      const reader = await readerOf(request, id);
      if (reader === undefined) return reply.redirect(exchangePaths.package(id), 303);
      try {
        const file = await exchange.view(reader, fileId);
        return await reply.render('exchange/views/view.njk', {
          pageTitle: `${file.name} (view only)`,
          file,
          backLink: exchangePaths.package(id),
          columnWidth: 'full',
          pages: Array.from({ length: file.pages }, (_, index) => ({
            number: index + 1,
            src: exchangePaths.page(id, fileId, index + 1),
          })),
        });
      } catch (error) {
        if (error instanceof PackageUnavailableError) return unavailable(reply, error);
        throw error;
      }
    },
  );

  app.get(
    '/exchange/packages/:id/files/:fileId/pages/:page',
    { config: { access: 'public', audit: 'none' } },
    async (request, reply) => {
      const parsed = pageParams.safeParse(request.params);
      if (!parsed.success) return unavailable(reply, new PackageUnavailableError('not-found'));
      const { id, fileId, page } = parsed.data;
      const reader = await readerOf(request, id);
      if (reader === undefined) return reply.code(403).type('text/plain').send('Open the package first.');
      try {
        const png = await exchange.page(reader, fileId, page);
        return await reply
          .type('image/png')
          .header('content-disposition', 'inline')
          .header('cache-control', 'no-store')
          .send(png);
      } catch (error) {
        if (error instanceof PackageUnavailableError) return unavailable(reply, error);
        throw error;
      }
    },
  );

  // The recipient's secure reply: a message and files, streamed in like a package's.
  await app.register(async (scope) => {
    await streamedForms(scope, options.policy);
    scope.post(
      '/exchange/packages/:id/reply',
      {
        config: {
          access: 'public',
          // A refused reply shows the package again, which records the opening.
          audit: {
            sometimes: [
              'exchange.reply_received',
              'exchange.malware_refused',
              'exchange.package_opened',
              'disclosure.receipt_confirmed',
            ],
          },
        },
      },
      async (request, reply) => {
        const id = params(request);
        if (id === undefined) {
          await drainFiles(request);
          return unavailable(reply, new PackageUnavailableError('not-found'));
        }
        const reader = await readerOf(request, id);
        try {
          if (reader === undefined) {
            await drainFiles(request);
            return await reply.redirect(exchangePaths.package(id), 303);
          }
          const form = parseForm(replyForm, request.body);
          if (!form.ok) {
            await drainFiles(request);
            return await renderPackage(reply, reader, 400, { errors: form.errors });
          }
          await exchange.reply(reader, { message: form.value.message, files: filesOf(request) });
          return await reply.redirect(`${exchangePaths.package(id)}?replied=1#reply`, 303);
        } catch (error) {
          await drainFiles(request);
          if (error instanceof PackageUnavailableError) return unavailable(reply, error);
          if (!(error instanceof RuleError) || reader === undefined) throw error;
          return renderPackage(reply, reader, 400, {
            values: typedAnswers(request.body, ['message']),
            errors: ruleErrors(error, ['message', 'files']),
          });
        }
      },
    );
  });
}
