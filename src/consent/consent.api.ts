import type { FastifyInstance, FastifyReply } from 'fastify';
import { problem } from '../api/problem.ts';
import { apiViewer } from '../api/viewer.ts';
import { ConsentAccessError } from './consent.errors.ts';
import type { FhirBundle, FhirConsent } from './consent.fhir.ts';
import { consentOutputPaths } from './consent.outputs.paths.ts';
import { consentOutputsService, type ConsentOutputsDependencies } from './consent.outputs.service.ts';
import { consentParams, personParams } from './consent.schema.ts';

export interface ConsentApiOptions extends ConsentOutputsDependencies {
  /** The service's public address, for the absolute `fullUrl` of each Bundle entry. */
  readonly publicUrl: string;
}

const consentAccess = { access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian'] as const };

/**
 * The consent register over the JSON API as FHIR R4 (bearer tokens only; see the web shell).
 * Unknown, malformed, another organisation's and not-allowed are one answer, 404, so that the API
 * never tells a caller that a record exists where they may not see it.
 */
export async function consentApi(app: FastifyInstance, options: ConsentApiOptions): Promise<void> {
  const outputs = consentOutputsService(options);

  function notFound(reply: FastifyReply) {
    return problem(
      reply,
      404,
      'Not found',
      'There is no consent record or person at this address that this token may see.',
    );
  }

  function fhir(reply: FastifyReply, resource: FhirConsent | FhirBundle) {
    return reply
      .header('content-type', 'application/fhir+json; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(JSON.stringify(resource));
  }

  app.get(
    '/api/v1/consents/:id',
    {
      config: {
        ...consentAccess,
        api: {
          summary: 'Read a consent record as FHIR R4 Consent',
          success: {
            status: 200,
            description: 'A FHIR R4 Consent resource',
            contentType: 'application/fhir+json',
          },
        },
      },
    },
    async (request, reply) => {
      const params = consentParams.safeParse(request.params);
      if (!params.success) return notFound(reply);
      const resource = await seen(outputs.fhirConsent(apiViewer(request), params.data.id, 'api'));
      return resource === undefined ? notFound(reply) : fhir(reply, resource);
    },
  );

  app.get(
    '/api/v1/people/:personId/consents',
    {
      config: {
        ...consentAccess,
        api: {
          summary: "Read a person's consent records as a FHIR R4 Bundle",
          success: {
            status: 200,
            description: 'A FHIR R4 searchset Bundle of Consent resources',
            contentType: 'application/fhir+json',
          },
        },
      },
    },
    async (request, reply) => {
      const params = personParams.safeParse(request.params);
      if (!params.success) return notFound(reply);
      const bundle = await seen(
        outputs.fhirForPerson(apiViewer(request), params.data.personId, {
          self: `${options.publicUrl}${consentOutputPaths.apiPersonConsents(params.data.personId)}`,
          resourceBase: `${options.publicUrl}${consentOutputPaths.apiConsents}`,
        }),
      );
      return bundle === undefined ? notFound(reply) : fhir(reply, bundle);
    },
  );
}

/** Need-to-know refusals read as "not found": the same answer as a record that does not exist. */
async function seen<T>(read: Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof ConsentAccessError) return undefined;
    throw error;
  }
}
