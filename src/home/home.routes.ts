import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/client.ts';

/** The home page, health checks and the pages every UK public-sector service must have. */
export async function homeRoutes(app: FastifyInstance, options: { readonly db: Db }): Promise<void> {
  app.get('/', { config: { access: 'staff' } }, async (request, reply) =>
    reply.render('home/views/home.njk', { pageTitle: 'Home', roles: request.viewer?.roles ?? [] }),
  );

  app.get('/healthz', { config: { access: 'public' } }, async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', { config: { access: 'public' } }, async (request, reply) => {
    try {
      await sql`SELECT 1`.execute(options.db);
      return await reply.header('cache-control', 'no-store').send({ status: 'ok', database: 'reachable' });
    } catch (error) {
      request.log.warn({ err: error }, 'database not reachable');
      return reply.code(503).header('cache-control', 'no-store').send({ status: 'unavailable', database: 'unreachable' });
    }
  });

  for (const page of ['accessibility', 'privacy', 'cookies'] as const) {
    app.get(`/${page}`, { config: { access: 'public' } }, async (_request, reply) =>
      reply.render(`home/views/${page}.njk`, { pageTitle: pageTitles[page] }),
    );
  }
}

const pageTitles = {
  accessibility: 'Accessibility statement',
  privacy: 'Privacy notice',
  cookies: 'Cookies',
} as const;
