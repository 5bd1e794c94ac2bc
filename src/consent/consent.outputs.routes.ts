import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Viewer } from '../auth/index.ts';
import { guardedPage } from './consent.access.ts';
import { consentDownloadNames, consentOutputPaths } from './consent.outputs.paths.ts';
import { consentOutputsService, type ConsentOutputsDependencies } from './consent.outputs.service.ts';
import { consentPaths } from './consent.paths.ts';
import { renderNoticePdf } from './consent.pdf.ts';
import { consentParams } from './consent.schema.ts';

/** The same people as the consent pages: practitioners, their managers, the DPO and the Caldicott Guardian. */
const consentAccess = { access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian'] as const };

/**
 * The family's consent notice as a printable page and a PDF (R3.2, R3.3), and the FHIR R4 download
 * of one consent. Need-to-know and the audit trail are the outputs service's.
 */
export async function consentOutputsRoutes(
  app: FastifyInstance,
  options: ConsentOutputsDependencies,
): Promise<void> {
  const outputs = consentOutputsService(options);

  app.get('/consents/:id/notice', { config: consentAccess }, async (request, reply) =>
    guardedPage(reply, async () => {
      const params = consentParams.safeParse(request.params);
      if (!params.success) return reply.callNotFound();
      const notice = await outputs.notice(viewerOf(request), params.data.id, 'page');
      if (notice === undefined) return reply.callNotFound();
      return reply.render('consent/views/notice.njk', {
        pageTitle: notice.title,
        backLink: consentPaths.show(notice.consentId),
        bodyClasses: 'safeshare-notice-page',
        notice,
        pdfPath: consentOutputPaths.noticePdf(notice.consentId),
      });
    }),
  );

  app.get('/consents/:id/notice.pdf', { config: consentAccess }, async (request, reply) =>
    guardedPage(reply, async () => {
      const params = consentParams.safeParse(request.params);
      if (!params.success) return reply.callNotFound();
      const notice = await outputs.notice(viewerOf(request), params.data.id, 'pdf');
      if (notice === undefined) return reply.callNotFound();
      const pdf = await renderNoticePdf(notice, { createdAt: options.clock.now() });
      return reply
        .header('content-type', 'application/pdf')
        .header(
          'content-disposition',
          `attachment; filename="${consentDownloadNames.noticePdf(notice.consentId)}"`,
        )
        .header('cache-control', 'no-store')
        .send(pdf);
    }),
  );

  app.get('/consents/:id/fhir.json', { config: consentAccess }, async (request, reply) =>
    guardedPage(reply, async () => {
      const params = consentParams.safeParse(request.params);
      if (!params.success) return reply.callNotFound();
      const resource = await outputs.fhirConsent(viewerOf(request), params.data.id, 'download');
      if (resource === undefined) return reply.callNotFound();
      return reply
        .header('content-type', 'application/fhir+json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${consentDownloadNames.fhir(resource.id)}"`)
        .header('cache-control', 'no-store')
        .send(`${JSON.stringify(resource, null, 2)}\n`);
    }),
  );
}

function viewerOf(request: FastifyRequest): Viewer {
  // These routes run only for a signed-in viewer (the access rule refuses everyone else first).
  if (request.viewer === undefined) throw new Error('a consent page was reached without a signed-in viewer');
  return request.viewer;
}
