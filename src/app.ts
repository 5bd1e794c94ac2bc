import { hkdfSync } from 'node:crypto';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { authRoutes } from './auth/auth.routes.ts';
import { staffRoutes } from './auth/staff.routes.ts';
import { homeRoutes } from './home/home.routes.ts';
import { orgsRoutes } from './orgs/orgs.routes.ts';
import { services as buildServices, type Dependencies, type Services } from './services.ts';
import { createTemplates } from './web/render.ts';
import { webPlugin } from './web/web.plugin.ts';

export interface AppOptions extends Dependencies {
  /** Replace parts of the service container (tests). */
  readonly services?: Services;
  readonly logger?: boolean;
}

/** Builds the Safeshare web application. It never listens: main.ts does, and tests inject requests. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const services = options.services ?? buildServices(options);
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            // Personal data never reaches the logs: no bodies, no query strings, no cookies.
            redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], remove: true },
            serializers: {
              req: (request: { method: string; url: string; id: string }) => ({ method: request.method, url: request.url.split('?')[0] ?? '', id: request.id }),
            },
          },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    connectionTimeout: 30_000,
    requestTimeout: 60_000,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
  });

  await app.register(fastifyRateLimit, { global: false });
  await app.register(webPlugin, {
    templates: createTemplates({ watch: config.environment === 'development' }),
    auth: services.auth,
    serviceName: config.serviceName,
    cookieSecret: Buffer.from(hkdfSync('sha256', secretKeyOf(options), Buffer.alloc(0), 'safeshare cookies', 32)).toString('base64'),
    secureCookies: config.secureCookies,
  });

  await app.register(homeRoutes, { db: options.db });
  await app.register(orgsRoutes, { orgs: services.orgs });
  await app.register(authRoutes, { auth: services.auth, secureCookies: config.secureCookies, addressLimit: config.signInAddressLimit });
  await app.register(staffRoutes, { staff: services.staff, orgs: services.orgs });

  return app;
}

function secretKeyOf(options: AppOptions): Buffer {
  if (options.config.secretKey === undefined) throw new Error('a secret key is required (SECRET_KEY, or the data folder key)');
  return options.config.secretKey;
}
