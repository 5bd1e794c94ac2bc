import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { OrgsService } from './orgs.service.ts';

const directory = z.strictObject({
  organisations: z.array(
    z.strictObject({
      id: z.uuid(),
      name: z.string(),
      kind: z.string(),
      switchboardPhone: z.string().nullable(),
      hosted: z.boolean().describe('Whether the organisation itself uses Safeshare'),
    }),
  ),
});

/** The partner directory over the JSON API, for integrating systems choosing recipients. */
export async function orgsApi(app: FastifyInstance, options: { readonly orgs: OrgsService }): Promise<void> {
  app.get(
    '/api/v1/organisations',
    {
      config: {
        access: 'staff',
        // The partner directory holds organisations, never a person's record.
        audit: 'none',
        api: {
          scope: 'any',
          summary: 'List the partner directory',
          success: {
            status: 200,
            description: 'Every organisation, with its kind and switchboard number',
            schema: directory,
          },
        },
      },
    },
    async (_request, reply) => {
      const organisations = await options.orgs.list();
      return reply.header('cache-control', 'no-store').send({
        organisations: organisations.map((organisation) => ({
          id: organisation.id,
          name: organisation.name,
          kind: organisation.kind,
          switchboardPhone: organisation.switchboardPhone,
          hosted: organisation.hosted,
        })),
      });
    },
  );
}
