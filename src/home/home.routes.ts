import type { FastifyInstance } from 'fastify';
import type { Role, StaffService } from '../auth/index.ts';
import type { DatabaseReadiness } from '../db/health.ts';
import { incidentPaths } from '../incidents/incidents.paths.ts';
import { viewerOf } from '../web/forms.ts';
import { morePath, pagesFor } from '../web/navigation.ts';
import { cookiePolicy } from '../web/web.plugin.ts';
import type { HomeWork } from './home.work.ts';

/** The home page, health checks and the pages every UK public-sector service must have. */
export async function homeRoutes(
  app: FastifyInstance,
  options: {
    /** Asks the database whether it answers now (the readiness probe). */
    readonly databaseReachable: () => Promise<DatabaseReadiness>;
    readonly staff: StaffService;
    /** Each role's own work, counted, at the top of its home page. */
    readonly work: HomeWork;
    readonly secureCookies: boolean;
    /** Whether secure exchange files are scanned for malware (CLAMD_URL): administrators are told when not. */
    readonly exchangeScanning: boolean;
  },
): Promise<void> {
  const cookieNames = cookiePolicy(options.secureCookies).names;
  // The home page counts; it names no one, so it records no read.
  app.get('/', { config: { access: 'staff', audit: 'none' } }, async (request, reply) => {
    const viewer = viewerOf(request);
    const roles = viewer.roles;
    // R1.1: someone who shares information is warned while their data protection training has lapsed or is not recorded.
    const [training, work] = await Promise.all([
      roles.some((role) => sharingRoles.includes(role)) ? options.staff.trainingOf(viewer.userId) : undefined,
      options.work.workFor(viewer),
    ]);
    const unscanned =
      !options.exchangeScanning && roles.some((role) => role === 'admin' || role === 'it_service_desk');
    return reply.render('home/views/home.njk', { pageTitle: 'Home', roles, training, unscanned, work });
  });

  // Everything the viewer may open, beyond what the navigation bar has room for: a page, so it works without JavaScript.
  app.get(morePath, { config: { access: 'staff', audit: 'none' } }, async (request, reply) =>
    reply.render('home/views/more.njk', {
      pageTitle: 'More',
      groups: pagesFor(viewerOf(request)),
      reportIncidentPath: incidentPaths.report(),
    }),
  );

  app.get('/healthz', { config: { access: 'public', audit: 'none' } }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );

  app.get('/readyz', { config: { access: 'public', audit: 'none' } }, async (request, reply) => {
    const readiness = await options.databaseReachable();
    if (readiness.reachable)
      return reply.header('cache-control', 'no-store').send({ status: 'ok', database: 'reachable' });
    request.log.warn({ err: readiness.error }, 'database not reachable');
    return reply
      .code(503)
      .header('cache-control', 'no-store')
      .send({ status: 'unavailable', database: 'unreachable' });
  });

  for (const page of ['accessibility', 'privacy', 'cookies'] as const) {
    app.get(`/${page}`, { config: { access: 'public', audit: 'none' } }, async (_request, reply) =>
      reply.render(`home/views/${page}.njk`, { pageTitle: pageTitles[page], cookieNames }),
    );
  }
}

/** The roles that record sharing decisions, and so must keep their data protection training current (R1.1). */
const sharingRoles: readonly Role[] = [
  'practitioner',
  'manager',
  'dpo',
  'caldicott_guardian',
  'ig_lead',
  'child_protection_adviser',
];

const pageTitles = {
  accessibility: 'Accessibility statement',
  privacy: 'Privacy notice',
  cookies: 'Cookies',
} as const;
