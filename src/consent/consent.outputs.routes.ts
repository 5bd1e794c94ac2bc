import type { FastifyInstance } from 'fastify';
import type { Clock } from '../lib/clock.ts';
import { NotFoundError } from '../lib/errors.ts';
import { viewerOf } from '../web/forms.ts';
import { consentDownloadNames, consentOutputPaths } from './consent.outputs.paths.ts';
import type { ConsentOutputsService } from './consent.outputs.service.ts';
import { consentPaths } from './consent.paths.ts';
import { renderNoticePdf } from './consent.pdf.ts';
import { consentParams } from './consent.schema.ts';
import { addressed, consentPage } from './routes/context.ts';

export interface ConsentOutputsRouteOptions {
  /** Built once in the service container. */
  readonly outputs: ConsentOutputsService;
  readonly clock: Clock;
}

/**
 * The family's consent notice as a printable page and a PDF (R3.2, R3.3), and the FHIR R4 download
 * of one consent. Need-to-know and the audit trail are the outputs service's; its refusals reach the
 * app's error handler (another organisation's consent is a page that does not exist).
 */
export async function consentOutputsRoutes(
  app: FastifyInstance,
  options: ConsentOutputsRouteOptions,
): Promise<void> {
  const { outputs } = options;

  app.get(
    '/consents/:id/notice',
    { config: consentPage(['consent.notice_viewed']) },
    async (request, reply) => {
      const { id } = addressed(consentParams, request.params);
      const notice = await outputs.notice(viewerOf(request), id, 'page');
      if (notice === undefined) throw new NotFoundError();
      return reply.render('consent/views/notice.njk', {
        pageTitle: notice.title,
        backLink: consentPaths.show(notice.consentId),
        bodyClasses: 'safeshare-notice-page',
        notice,
        pdfPath: consentOutputPaths.noticePdf(notice.consentId),
      });
    },
  );

  app.get(
    '/consents/:id/notice.pdf',
    { config: consentPage(['consent.notice_viewed']) },
    async (request, reply) => {
      const { id } = addressed(consentParams, request.params);
      const notice = await outputs.notice(viewerOf(request), id, 'pdf');
      if (notice === undefined) throw new NotFoundError();
      const pdf = await renderNoticePdf(notice, { createdAt: options.clock.now() });
      return reply
        .header('content-type', 'application/pdf')
        .header(
          'content-disposition',
          `attachment; filename="${consentDownloadNames.noticePdf(notice.consentId)}"`,
        )
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );

  app.get(
    '/consents/:id/fhir.json',
    { config: consentPage(['consent.exported']) },
    async (request, reply) => {
      const { id } = addressed(consentParams, request.params);
      const resource = await outputs.fhirConsent(viewerOf(request), id, 'download');
      if (resource === undefined) throw new NotFoundError();
      return reply
        .header('content-type', 'application/fhir+json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${consentDownloadNames.fhir(resource.id)}"`)
        .header('cache-control', 'no-store')
        .send(`${JSON.stringify(resource, null, 2)}\n`);
    },
  );
}
