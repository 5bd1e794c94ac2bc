import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, RuleError } from '../../lib/errors.ts';
import { fieldError, viewerOf } from '../../web/forms.ts';
import { maxEvidenceBytes, type EvidenceFile } from '../consent.evidence.ts';
import { consentPaths } from '../consent.paths.ts';
import { addressed, consentPage, type ConsentPages } from './context.ts';
import { detailsPage } from './show.ts';

const evidenceParams = z.strictObject({ id: z.uuid(), evidenceId: z.uuid() });

/** An upload as the multipart reader leaves it in `request.body`: the CSRF token and at most one file. */
interface EvidenceUploadBody {
  _csrf?: string;
  file?: EvidenceFile;
  malformed?: boolean;
}

/** Evidence of how consent was given (R3.2): uploaded from the consent page, downloaded one file at a time. */
export async function evidenceRoutes(app: FastifyInstance, pages: ConsentPages): Promise<void> {
  const { consents } = pages;
  const renderDetails = detailsPage(pages);

  // Multipart is read only in this scope: the file and the CSRF token land in request.body before
  // the web plugin's CSRF check, which stays as it is.
  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      limits: { fileSize: maxEvidenceBytes, files: 1, fields: 4, fieldSize: 1024, parts: 6, headerPairs: 50 },
      throwFileSizeLimit: false,
    });
    scope.addHook('preValidation', async (request) => {
      if (!request.isMultipart()) return;
      const body: EvidenceUploadBody = {};
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === '_csrf' && typeof part.value === 'string') body._csrf = part.value;
          } else if (part.fieldname === 'evidence' && body.file === undefined) {
            const bytes = await part.toBuffer();
            // A file input left empty may arrive with no file name at all, whatever the types say.
            const fileName: unknown = part.filename;
            const declaredType: unknown = part.mimetype;
            body.file = {
              fileName: typeof fileName === 'string' ? fileName : '',
              declaredType: typeof declaredType === 'string' ? declaredType : '',
              bytes,
              truncated: part.file.truncated,
            };
          } else {
            part.file.resume();
          }
        }
      } catch (error) {
        request.log.info({ err: error }, 'evidence upload could not be read');
        body.malformed = true;
      }
      request.body = body;
    });

    scope.post(
      '/consents/:id/evidence',
      { config: consentPage(['consent.evidence_uploaded']) },
      async (request, reply) => {
        const { details, viewer } = await pages.openConsent(request, 'details');
        const body = (request.body ?? {}) as EvidenceUploadBody;
        const refuse = (text: string) =>
          renderDetails(reply, viewer, 400, details, undefined, fieldError('evidence', text));
        if (body.malformed === true) return refuse('The selected file could not be read: choose it again');
        const file = body.file !== undefined && body.file.fileName !== '' ? body.file : undefined;
        try {
          const id = await consents.evidence.upload(viewer, details.consent.id, file);
          if (id === undefined) throw new NotFoundError();
          return await reply.redirect(`${consentPaths.show(details.consent.id)}?done=evidence`, 303);
        } catch (error) {
          // A refused file: the consent page again, with the reason beside the file input.
          if (error instanceof RuleError) return refuse(error.message);
          throw error;
        }
      },
    );
  });

  app.get(
    '/consents/:id/evidence/:evidenceId',
    { config: consentPage(['consent.evidence_viewed']) },
    async (request, reply) => {
      const { id, evidenceId } = addressed(evidenceParams, request.params);
      const file = await consents.evidence.download(viewerOf(request), id, evidenceId);
      if (file === undefined) throw new NotFoundError();
      // A fixed name: never the uploaded name or the child's, which would leak into downloads folders and logs.
      return reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename="consent-evidence-${file.id}.${file.extension}"`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(file.bytes);
    },
  );
}
