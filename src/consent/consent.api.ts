import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { notFoundProblem, problem } from '../api/problem.ts';
import { bodyOf, paramsOf } from '../api/validation.ts';
import { apiViewer } from '../api/viewer.ts';
import { NotFoundError, ReasonRequiredError } from '../lib/errors.ts';
import type { PolicyPack } from '../policy/index.ts';
import type { Viewer } from '../lib/viewer.ts';
import {
  asConsentForm,
  asWithdrawalForm,
  consentApiBody,
  formIssuePointers,
  withdrawalApiBody,
} from './consent.api.schema.ts';
import { ConsentRuleError, consentErrorCodes } from './consent.errors.ts';
import type { FhirBundle, FhirConsent } from './consent.fhir.ts';
import { consentOutputPaths } from './consent.outputs.paths.ts';
import type { ConsentOutputsService } from './consent.outputs.service.ts';
import { consentPaths } from './consent.paths.ts';
import { consentForm, consentParams, personParams, withdrawalForm } from './consent.schema.ts';
import type { ConsentService } from './consent.service.ts';
import { consentStatuses } from './consent.status.ts';

export interface ConsentApiOptions {
  /** Built once in the service container. */
  readonly outputs: ConsentOutputsService;
  readonly consent: ConsentService;
  readonly policy: PolicyPack;
  /** The page listing what relied on a consent once it is withdrawn (the disclosure log's). */
  readonly withdrawalAftermathPath: (consentId: string) => string;
  /** The service's public address, for the absolute `fullUrl` of each Bundle entry. */
  readonly publicUrl: string;
}

const consentAccess = { access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian'] as const };

/** A consent record as the API answers after recording or withdrawing it. */
const consentResource = z.strictObject({
  id: z.uuid(),
  personId: z.uuid(),
  decision: z.enum(['given', 'refused', 'not_sought']),
  status: z.enum(consentStatuses),
  givenOn: z.iso.date(),
  reviewOn: z.iso.date(),
  links: z.strictObject({
    self: z.url().describe('The record as FHIR R4 Consent'),
    page: z.url(),
    afterWithdrawal: z
      .url()
      .optional()
      .describe('Once withdrawn: the page listing the decisions and disclosures that relied on it'),
  }),
});

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
  const { outputs, consent: consents, policy, publicUrl } = options;

  /** The record just changed, re-read for the viewer, as the API answers with it. */
  async function resource(viewer: Viewer, id: string) {
    const record = await consents.find(viewer, id);
    if (record === undefined) throw new NotFoundError();
    return {
      id: record.id,
      personId: record.personId,
      decision: record.decision,
      status: record.status,
      givenOn: record.givenOn,
      reviewOn: record.reviewOn,
      links: {
        self: `${publicUrl}/api/v1/consents/${record.id}`,
        page: `${publicUrl}${consentPaths.show(record.id)}`,
        ...(record.status === 'withdrawn'
          ? { afterWithdrawal: `${publicUrl}${options.withdrawalAftermathPath(record.id)}` }
          : {}),
      },
    };
  }

  app.post(
    '/api/v1/people/:personId/consents',
    {
      config: {
        ...consentAccess,
        audit: ['consent.recorded'],
        api: {
          scope: 'consent.record',
          summary: 'Record consent given, refused or not sought',
          description:
            'The consent form’s rules (R3.1-R3.4): who decided, the child’s capacity and view, what the consent covers, that they were told it may be withdrawn and when information may be shared without consent. A record that breaks one is refused with 422 naming each problem; nothing is recorded. With supersedesId, the new record replaces a consent in force.',
          params: personParams,
          body: consentApiBody,
          success: { status: 201, description: 'The consent record', schema: consentResource },
        },
      },
    },
    async (request, reply) => {
      const { personId } = paramsOf(request, personParams);
      const body = bodyOf(request, consentApiBody);
      const viewer = apiViewer(request);
      try {
        const context = await consents.recordingContext(viewer, personId, body.supersedesId);
        const form = consentForm({
          pack: policy,
          today: consents.today(),
          dateOfBirth: context.person.dateOfBirth,
        }).safeParse(asConsentForm(body));
        if (!form.success) return await refused(reply, 'recorded', formIssuePointers(form.error.issues));
        if (form.data.supersedesId !== null && context.supersedes === undefined)
          return await refused(reply, 'recorded', [
            {
              pointer: '/supersedesId',
              code: consentErrorCodes.supersedesInvalid,
              detail: 'The consent this record replaces is not this person’s, or is no longer in force',
            },
          ]);
        const id = await consents.record(viewer, context.person.id, form.data);
        const answer = await resource(viewer, id);
        return await reply
          .code(201)
          .header('location', answer.links.self)
          .header('cache-control', 'no-store')
          .send(answer);
      } catch (error) {
        return ruleRefusal(reply, 'recorded', error);
      }
    },
  );

  app.post(
    '/api/v1/consents/:id/withdrawal',
    {
      config: {
        ...consentAccess,
        audit: ['consent.withdrawn'],
        api: {
          scope: 'consent.record',
          summary: 'Record that consent has been withdrawn',
          description:
            'Takes effect at once: decisions that relied on the consent can no longer be acted on, and the answer links to the page listing them and the disclosures already made (R3.3). The date cannot be before the consent or in the future; consent already withdrawn, or no longer in force, is refused with 422.',
          params: consentParams,
          body: withdrawalApiBody,
          success: { status: 200, description: 'The consent record, now withdrawn', schema: consentResource },
        },
      },
    },
    async (request, reply) => {
      const { id } = paramsOf(request, consentParams);
      const body = bodyOf(request, withdrawalApiBody);
      const viewer = apiViewer(request);
      try {
        const record = await consents.find(viewer, id);
        if (record === undefined) return await notFoundProblem(reply);
        const form = withdrawalForm({ today: consents.today(), givenOn: record.givenOn }).safeParse(
          asWithdrawalForm(body),
        );
        if (!form.success) return await refused(reply, 'withdrawn', formIssuePointers(form.error.issues));
        await consents.withdraw(viewer, id, form.data);
        return await reply.header('cache-control', 'no-store').send(await resource(viewer, id));
      } catch (error) {
        return ruleRefusal(reply, 'withdrawn', error);
      }
    },
  );

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

function refused(reply: FastifyReply, done: 'recorded' | 'withdrawn', errors: Parameters<typeof problem>[4]) {
  return problem(
    reply,
    422,
    done === 'recorded' ? 'The consent cannot be recorded' : 'The withdrawal cannot be recorded',
    'The request breaks the rules named in errors. Nothing was recorded.',
    errors,
  );
}

/** A rule the service found broken is a 422; a record the account may not see, a 404. */
function ruleRefusal(reply: FastifyReply, done: 'recorded' | 'withdrawn', error: unknown) {
  if (error instanceof NotFoundError || error instanceof ReasonRequiredError) return notFoundProblem(reply);
  if (error instanceof ConsentRuleError && error.code === consentErrorCodes.notFound)
    return notFoundProblem(reply);
  if (error instanceof ConsentRuleError)
    return refused(
      reply,
      done,
      error.problems.map((rule) => ({
        pointer: rule.field === 'form' ? '' : `/${rule.field}`,
        code: rule.code,
        detail: rule.message,
      })),
    );
  throw error;
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
