import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Viewer } from '../../auth/index.ts';
import type { FormErrors } from '../../web/forms.ts';
import { evidenceTypeNames, type EvidenceItem } from '../consent.evidence.ts';
import { consentPaths } from '../consent.paths.ts';
import { consentPageQuery } from '../consent.schema.ts';
import type { ConsentDetails } from '../consent.service.ts';
import { consentPage, type ConsentPages } from './context.ts';
import { decisionNames, outcomeNotices, personName } from './names.ts';

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${String(bytes)} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The consent page: the record, its history and its evidence, with a banner after a change. */
export function detailsPage(pages: ConsentPages) {
  const { consents, detailsContext } = pages;

  return async function renderDetails(
    reply: FastifyReply,
    viewer: Viewer,
    status: number,
    details: ConsentDetails,
    notice?: string,
    errors?: FormErrors,
  ) {
    const evidence: readonly EvidenceItem[] =
      (await consents.evidence.list(viewer, details.consent.id)) ?? [];
    return reply.code(status).render('consent/views/show.njk', {
      pageTitle: `${decisionNames[details.consent.decision]} – ${personName(details.person)}`,
      backLink: consentPaths.list(details.person.id),
      notice,
      errors,
      evidence: evidence.map((item) => ({
        fileName: item.fileName,
        type: evidenceTypeNames[item.contentType],
        size: formatSize(item.sizeBytes),
        uploadedByName: item.uploadedByName ?? 'A former member of staff',
        uploadedAt: item.uploadedAt,
        path: consentPaths.evidenceFile(details.consent.id, item.id),
      })),
      evidenceAction: consentPaths.evidence(details.consent.id),
      aftermathPath:
        details.consent.status === 'withdrawn'
          ? pages.withdrawalAftermathPath(details.consent.id)
          : undefined,
      ...detailsContext(details),
    });
  };
}

export function showRoutes(app: FastifyInstance, pages: ConsentPages): void {
  const renderDetails = detailsPage(pages);

  app.get('/consents/:id', { config: consentPage(['consent.viewed']) }, async (request, reply) => {
    const { details, viewer } = await pages.openConsent(request, 'details');
    const done = consentPageQuery.parse(request.query).done;
    return renderDetails(reply, viewer, 200, details, done === undefined ? undefined : outcomeNotices[done]);
  });
}
