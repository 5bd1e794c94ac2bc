import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { notFoundProblem, problem } from '../api/problem.ts';
import { bodyOf, paramsOf } from '../api/validation.ts';
import { apiViewer } from '../api/viewer.ts';
import type { Clock } from '../lib/clock.ts';
import { NotFoundError, ReasonRequiredError } from '../lib/errors.ts';
import { londonToday } from '../lib/time.ts';
import { PeopleRuleError } from './people.errors.ts';
import type { PersonSummary } from './people.model.ts';
import { peoplePaths } from './people.paths.ts';
import { personApiBody, searchApiBody } from './people.schema.ts';
import type { PeopleService } from './people.service.ts';

/** The same roles as the people pages; within them, need-to-know decides which records (invariant 4). */
const caseworkers = { access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian'] as const };
const idParams = z.strictObject({ id: z.uuid() });

/** A person as the API answers with them. */
const personResource = z.strictObject({
  id: z.uuid(),
  givenNames: z.string(),
  familyName: z.string(),
  knownAs: z.string().nullable(),
  dateOfBirth: z.iso.date().nullable(),
  nhsNumber: z.string().nullable(),
  localReference: z.string().nullable(),
  links: z.strictObject({ self: z.url(), page: z.url() }),
});

/**
 * People over the JSON API, for case-management systems: find someone before sharing about them,
 * register someone new, read a record. The pages' rules hold: a search names only people the
 * token's account may open (the rest are counted), and searches are posted, so that no name or date
 * of birth is ever in an address.
 */
export async function peopleApi(
  app: FastifyInstance,
  options: { readonly people: PeopleService; readonly clock: Clock; readonly publicUrl: string },
): Promise<void> {
  const { people, publicUrl } = options;
  const today = () => londonToday(options.clock.now());
  const searchBody = searchApiBody(today);
  const personBody = personApiBody(today);
  const toResource = (person: PersonSummary) => ({
    id: person.id,
    givenNames: person.givenNames,
    familyName: person.familyName,
    knownAs: person.knownAs,
    dateOfBirth: person.dateOfBirth,
    nhsNumber: person.nhsNumber,
    localReference: person.localReference,
    links: {
      self: `${publicUrl}/api/v1/people/${person.id}`,
      page: `${publicUrl}${peoplePaths.show(person.id)}`,
    },
  });

  app.post(
    '/api/v1/people/search',
    {
      config: {
        ...caseworkers,
        // As the search page: the results are the viewer's to see; opening one writes person.viewed.
        audit: 'none',
        api: {
          scope: 'people.read',
          summary: 'Find people by name, NHS number, case reference, UPN or date of birth',
          description:
            'Names only the people the token’s account may open, closest first; the others that matched are counted, never named. Posted, so that no name or date of birth is in an address.',
          body: searchBody,
          success: {
            status: 200,
            description:
              'The matches the account may open, how many others matched, and whether more matched than are shown',
            schema: z.strictObject({
              matches: z.array(personResource),
              restricted: z.number().int().describe('Matches the account may not open: counted, not named'),
              more: z.boolean(),
            }),
          },
        },
      },
    },
    async (request, reply) => {
      const results = await people.search(apiViewer(request), bodyOf(request, searchBody));
      return reply.header('cache-control', 'no-store').send({
        matches: results.matches.map(toResource),
        restricted: results.restricted.length,
        more: results.more,
      });
    },
  );

  app.post(
    '/api/v1/people',
    {
      config: {
        ...caseworkers,
        audit: ['person.created'],
        api: {
          scope: 'people.register',
          summary: 'Register a person',
          description:
            'Adds a person to the account’s organisation, allocated to the account, under the same rules as the page: an NHS number, UPN or case reference already recorded for someone else is refused with 422.',
          body: personBody,
          success: { status: 201, description: 'The person registered', schema: personResource },
        },
      },
    },
    async (request, reply) => {
      try {
        const id = await people.create(apiViewer(request), bodyOf(request, personBody));
        const person = await people.requireAccess(apiViewer(request), id);
        return await reply
          .code(201)
          .header('location', `${publicUrl}/api/v1/people/${id}`)
          .header('cache-control', 'no-store')
          .send(toResource(person));
      } catch (error) {
        if (error instanceof PeopleRuleError)
          return problem(
            reply,
            422,
            'The person could not be registered',
            'Nothing was recorded: each problem is named in errors.',
            error.problems.map((found) => ({
              pointer: `/${found.field}`,
              code: found.code,
              detail: found.message,
            })),
          );
        throw error;
      }
    },
  );

  app.get(
    '/api/v1/people/:id',
    {
      config: {
        ...caseworkers,
        audit: ['person.viewed'],
        api: {
          scope: 'people.read',
          summary: 'Read a person',
          description:
            'Opens the record as the record page does, writing person.viewed. A record the account may not open reads as not found.',
          params: idParams,
          success: { status: 200, description: 'The person', schema: personResource },
        },
      },
    },
    async (request, reply) => {
      const { id } = paramsOf(request, idParams);
      try {
        const view = await people.open(apiViewer(request), id, 'api');
        return await reply.header('cache-control', 'no-store').send(toResource(view.person));
      } catch (error) {
        return refusal(reply, error);
      }
    },
  );
}

/** Need-to-know refusals read as "not found": the same answer as a record that does not exist. */
function refusal(reply: FastifyReply, error: unknown) {
  if (error instanceof NotFoundError || error instanceof ReasonRequiredError) return notFoundProblem(reply);
  throw error;
}
