import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { notFoundProblem } from '../api/problem.ts';
import { paramsOf } from '../api/validation.ts';
import { apiViewer } from '../api/viewer.ts';
import { NotFoundError, ReasonRequiredError } from '../lib/errors.ts';
import type { FhirBundle, FhirConsent } from './consent.fhir.ts';
import { consentOutputPaths } from './consent.outputs.paths.ts';
import type { ConsentOutputsService } from './consent.outputs.service.ts';
import { consentParams, personParams } from './consent.schema.ts';

export interface ConsentApiOptions {
  /** Built once in the service container. */
  readonly outputs: ConsentOutputsService;
  /** The service's public address, for the absolute `fullUrl` of each Bundle entry. */
  readonly publicUrl: string;
}

const consentAccess = { access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian'] as const };

/** The members every Safeshare Consent carries; the rest is FHIR R4 Consent as published. */
const fhirConsentResource = z
  .looseObject({
    resourceType: z.literal('Consent'),
    id: z.uuid(),
    status: z.enum(['active', 'inactive']),
    patient: z.looseObject({}),
    dateTime: z.string(),
  })
  .describe('A FHIR R4 Consent resource (http://hl7.org/fhir/R4/consent.html)');

const fhirBundleResource = z
  .strictObject({
    resourceType: z.literal('Bundle'),
    type: z.literal('searchset'),
    timestamp: z.string(),
    total: z.number().int().min(0),
    link: z.array(z.strictObject({ relation: z.string(), url: z.url() })),
    entry: z.array(
      z.strictObject({
        fullUrl: z.url(),
        resource: fhirConsentResource,
        search: z.strictObject({ mode: z.literal('match') }),
      }),
    ),
  })
  .describe('A FHIR R4 searchset Bundle (http://hl7.org/fhir/R4/bundle.html)');

/**
 * The consent register over the JSON API as FHIR R4 (bearer tokens only; see the web shell).
 * Unknown, malformed, another organisation's and not-allowed are one answer, 404, so that the API
 * never tells a caller that a record exists where they may not see it.
 */
export async function consentApi(app: FastifyInstance, options: ConsentApiOptions): Promise<void> {
  const { outputs } = options;

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
        audit: ['consent.exported'],
        api: {
          scope: 'people.read',
          summary: 'Read a consent record as FHIR R4 Consent',
          params: consentParams,
          success: {
            status: 200,
            description: 'A FHIR R4 Consent resource',
            contentType: 'application/fhir+json',
            schema: fhirConsentResource,
          },
        },
      },
    },
    async (request, reply) => {
      const { id } = paramsOf(request, consentParams);
      const resource = await seen(outputs.fhirConsent(apiViewer(request), id, 'api'));
      return resource === undefined ? notFoundProblem(reply) : fhir(reply, resource);
    },
  );

  app.get(
    '/api/v1/people/:personId/consents',
    {
      config: {
        ...consentAccess,
        audit: ['consent.exported'],
        api: {
          scope: 'people.read',
          summary: "Read a person's consent records as a FHIR R4 Bundle",
          params: personParams,
          success: {
            status: 200,
            description: 'A FHIR R4 searchset Bundle of Consent resources',
            contentType: 'application/fhir+json',
            schema: fhirBundleResource,
          },
        },
      },
    },
    async (request, reply) => {
      const { personId } = paramsOf(request, personParams);
      const bundle = await seen(
        outputs.fhirForPerson(apiViewer(request), personId, {
          self: `${options.publicUrl}${consentOutputPaths.apiPersonConsents(personId)}`,
          resourceBase: `${options.publicUrl}${consentOutputPaths.apiConsents}`,
        }),
      );
      return bundle === undefined ? notFoundProblem(reply) : fhir(reply, bundle);
    },
  );
}

/** Need-to-know refusals read as "not found": the same answer as a record that does not exist. */
async function seen<T>(read: Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof ReasonRequiredError) return undefined;
    throw error;
  }
}
