import { hkdfSync } from 'node:crypto';
import fastifyRateLimit from '@fastify/rate-limit';
import { apiDocsRoutes } from './api/docs.routes.ts';
import { apiIdempotency } from './api/idempotency.ts';
import { apiRateLimit } from './api/rate-limit.ts';
import Fastify, { type FastifyInstance } from 'fastify';
import { auditApi } from './audit/audit.api.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { oidcRoutes } from './auth/oidc.routes.ts';
import { channelsApi } from './channels/index.ts';
import { agreementsRoutes } from './agreements/index.ts';
import { consentRoutes } from './consent/index.ts';
import { consentApi } from './consent/consent.api.ts';
import { consentOutputsRoutes } from './consent/consent.outputs.routes.ts';
import { apiTokenRoutes } from './auth/api-tokens.routes.ts';
import { staffRoutes } from './auth/staff.routes.ts';
import { teamRoutes } from './auth/team.routes.ts';
import { homeRoutes } from './home/home.routes.ts';
import { homeWork } from './home/home.work.ts';
import { mailRoutes } from './mail/index.ts';
import { notificationsRoutes } from './notifications/index.ts';
import { orgsApi } from './orgs/orgs.api.ts';
import { sharingApi } from './sharing/sharing.api.ts';
import { decisionDisclosuresPanel, disclosurePaths } from './disclosures/index.ts';
import { custodyRoutes, mediaRoutes } from './custody/index.ts';
import { incidentsRoutes } from './incidents/index.ts';
import { subjectAccessRoutes } from './subject-access/index.ts';
import { retentionRoutes } from './retention/index.ts';
import { disclosuresApi } from './disclosures/disclosures.api.ts';
import { disclosuresRoutes } from './disclosures/disclosures.routes.ts';
import { decisionPackagesPanel } from './exchange/exchange.panel.ts';
import { exchangeApi } from './exchange/exchange.api.ts';
import { exchangeRoutes } from './exchange/exchange.routes.ts';
import { exchangeSendRoutes } from './exchange/exchange.send.routes.ts';
import { orgsRoutes } from './orgs/orgs.routes.ts';
import { oversightRoutes } from './oversight/index.ts';
import { peopleApi } from './people/people.api.ts';
import { peopleRoutes } from './people/people.routes.ts';
import { sharingReviewRoutes } from './sharing/sharing.review.routes.ts';
import { sharingRoutes } from './sharing/sharing.routes.ts';
import { createMetrics, metricsRoutes, type Metrics } from './metrics/metrics.ts';
import { services as buildServices, type Dependencies, type Services } from './services.ts';
import { createTemplates } from './web/render.ts';
import { webPlugin } from './web/web.plugin.ts';

export interface AppOptions extends Dependencies {
  /** Replace parts of the service container (tests). */
  readonly services?: Services;
  readonly logger?: boolean;
  /** Where the log goes instead of standard output (the test that reads a journey's log). */
  readonly logStream?: { write(line: string): void };
  /** The metrics the job runner also reports to (main.ts); the app makes its own when not given. */
  readonly metrics?: Metrics;
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
            redact: {
              paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
              remove: true,
            },
            serializers: {
              req: (request: { method: string; url: string; id: string }) => ({
                method: request.method,
                url: request.url.split('?')[0] ?? '',
                id: request.id,
              }),
            },
            ...(options.logStream === undefined ? {} : { stream: options.logStream }),
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
    apiTokens: services.apiTokens,
    serviceName: config.serviceName,
    cookieSecret: Buffer.from(
      hkdfSync('sha256', secretKeyOf(options), Buffer.alloc(0), 'safeshare cookies', 32),
    ).toString('base64'),
    secureCookies: config.secureCookies,
    environment: config.environment,
    policyInForce: `${services.policy.name} ${services.policy.version}`,
  });
  await app.register(apiRateLimit, { perMinute: config.apiRequestsPerMinute });
  await app.register(apiIdempotency, { keys: services.apiIdempotency });
  // Before every other route, so that each is counted.
  metricsRoutes(app, { metrics: options.metrics ?? createMetrics(options.db), token: config.metricsToken });
  await app.register(apiDocsRoutes);

  await app.register(homeRoutes, {
    databaseReachable: services.health.databaseReachable,
    staff: services.staff,
    work: homeWork(services),
    secureCookies: config.secureCookies,
    exchangeScanning: services.exchange.scanning,
  });
  // The trail names people through the capabilities above it, handed in here (audit imports none).
  await app.register(auditRoutes, {
    audit: services.audit,
    trail: services.auditTrail,
    people: {
      namesOf: (viewer, ids) => services.oversight.personNames(viewer, ids),
      find: async (viewer, name) =>
        (await services.people.search(viewer, { query: name, dateOfBirth: null })).matches.map((person) => ({
          id: person.id,
          name: `${person.givenNames} ${person.familyName}`,
          dateOfBirth: person.dateOfBirth,
        })),
    },
  });
  await app.register(oversightRoutes, { oversight: services.oversight, people: services.people });
  await app.register(notificationsRoutes, { notifications: services.notifications });
  await app.register(mailRoutes, { mail: services.mail });
  await app.register(orgsRoutes, { orgs: services.orgs });
  await app.register(peopleRoutes, {
    people: services.people,
    clock: options.clock,
    consentStanding: (viewer, personId) => services.consent.standing(viewer, personId),
    auditTrail: services.auditTrail,
  });
  await app.register(consentRoutes, {
    consent: services.consent,
    policy: services.policy,
    withdrawalAftermathPath: disclosurePaths.consentWithdrawn,
  });
  await app.register(consentOutputsRoutes, { outputs: services.consentOutputs, clock: options.clock });
  await app.register(peopleApi, {
    people: services.people,
    clock: options.clock,
    publicUrl: config.publicUrl,
  });
  await app.register(auditApi, { trail: services.auditTrail, publicUrl: config.publicUrl });
  await app.register(consentApi, {
    outputs: services.consentOutputs,
    consent: services.consent,
    policy: services.policy,
    withdrawalAftermathPath: disclosurePaths.consentWithdrawn,
    publicUrl: config.publicUrl,
  });
  await app.register(sharingRoutes, {
    sharing: services.sharing,
    people: services.people,
    orgs: services.orgs,
    policy: services.policy,
    clock: options.clock,
    overviewPanels: [
      decisionDisclosuresPanel(services.disclosures, services.policy),
      decisionPackagesPanel(services.exchange),
    ],
    consentWithdrawnPath: disclosurePaths.consentWithdrawn,
    staff: services.staff,
  });
  await app.register(sharingReviewRoutes, {
    sharing: services.sharing,
    policy: services.policy,
    staff: services.staff,
  });
  await app.register(orgsApi, { orgs: services.orgs });
  await app.register(channelsApi, { channels: services.channels });
  await app.register(sharingApi, { sharing: services.sharing, publicUrl: config.publicUrl });
  await app.register(disclosuresApi, { disclosures: services.disclosures, publicUrl: config.publicUrl });
  await app.register(exchangeApi, {
    exchange: services.exchange,
    policy: services.policy,
    publicUrl: config.publicUrl,
  });
  await app.register(disclosuresRoutes, {
    disclosures: services.disclosures,
    orgs: services.orgs,
    policy: services.policy,
    clock: options.clock,
    secureCookies: config.secureCookies,
  });
  await app.register(incidentsRoutes, {
    incidents: services.incidents,
    disclosures: services.disclosures,
    custody: services.custody,
    media: services.media,
  });
  await app.register(custodyRoutes, { custody: services.custody });
  await app.register(subjectAccessRoutes, { subjectAccess: services.subjectAccess, people: services.people });
  await app.register(retentionRoutes, { retention: services.retention });
  await app.register(agreementsRoutes, {
    agreements: services.agreements,
    orgs: services.orgs,
    policy: services.policy,
  });
  await app.register(mediaRoutes, { media: services.media });
  await app.register(exchangeRoutes, {
    exchange: services.exchange,
    policy: services.policy,
    secureCookies: config.secureCookies,
  });
  await app.register(exchangeSendRoutes, {
    exchange: services.exchange,
    disclosures: services.disclosures,
    orgs: services.orgs,
    policy: services.policy,
  });
  await app.register(authRoutes, {
    auth: services.auth,
    secureCookies: config.secureCookies,
    addressLimit: config.signInAddressLimit,
    singleSignOn: services.oidc,
  });
  await app.register(oidcRoutes, {
    auth: services.auth,
    oidc: services.oidc,
    ssoSettings: services.ssoSettings,
    secureCookies: config.secureCookies,
    addressLimit: config.signInAddressLimit,
    allowLoopbackHttp: config.environment !== 'production',
  });
  await app.register(staffRoutes, { staff: services.staff, apiTokens: services.apiTokens });
  await app.register(teamRoutes, { staff: services.staff });
  await app.register(apiTokenRoutes, { staff: services.staff, apiTokens: services.apiTokens });

  return app;
}

function secretKeyOf(options: AppOptions): Buffer {
  if (options.config.secretKey === undefined)
    throw new Error('a secret key is required (SECRET_KEY, or the data folder key)');
  return options.config.secretKey;
}
