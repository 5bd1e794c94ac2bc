import { auditService, auditTrailService, checkpointsService } from './audit/index.ts';
import {
  apiIdempotencyService,
  apiTokensService,
  authService,
  oidcService,
  ssoSettingsService,
  staffService,
  type AuthService,
} from './auth/index.ts';
import { channelsService } from './channels/index.ts';
import type { Config } from './config.ts';
import { consentOutputsService, consentService } from './consent/index.ts';
import { disclosuresService } from './disclosures/index.ts';
import { exchangeService } from './exchange/index.ts';
import { custodyService, mediaService } from './custody/index.ts';
import { agreementsService } from './agreements/index.ts';
import { incidentsService } from './incidents/index.ts';
import { subjectAccessService } from './subject-access/index.ts';
import type { Db } from './db/client.ts';
import { databaseReachable } from './db/health.ts';
import type { Clock } from './lib/clock.ts';
import { createMailer, mailService } from './mail/index.ts';
import type { SecretBox } from './lib/secret-box.ts';
import { notificationsService } from './notifications/index.ts';
import { orgsService } from './orgs/index.ts';
import { oversightService, recordsAbout } from './oversight/index.ts';
import { peopleService } from './people/index.ts';
import { retentionService } from './retention/index.ts';
import { loadPolicyPack } from './policy/index.ts';
import { sharingService } from './sharing/index.ts';

export interface Dependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly secretBox: SecretBox;
  readonly config: Config;
}

/** Every capability's service, wired once. Tests build the same container over a fresh database. */
export function services(deps: Dependencies) {
  // The audit trail's person filter finds the events of the records about them too (decisions name people only in their change).
  const personRecords = (organisationId: string, personId: string) =>
    recordsAbout(deps.db, organisationId, personId);
  const audit = auditService({ db: deps.db, clock: deps.clock, recordsAbout: personRecords });
  const authDependencies = {
    db: deps.db,
    clock: deps.clock,
    audit,
    secretBox: deps.secretBox,
    settings: {
      sessionIdleMs: deps.config.sessionIdleMs,
      sessionAbsoluteMs: deps.config.sessionAbsoluteMs,
      mfaRequired: deps.config.mfaRequired,
      serviceName: deps.config.serviceName,
    },
  };
  const auth: AuthService = authService(authDependencies);
  // Each is built once and passed to every service that needs it.
  const policy = loadPolicyPack(deps.config.policyPack);
  const notifications = notificationsService({
    db: deps.db,
    clock: deps.clock,
    baseUrl: deps.config.publicUrl,
  });
  const staff = staffService({
    db: deps.db,
    clock: deps.clock,
    audit,
    trainingValidMonths: policy.sharing.trainingValidMonths,
  });
  const orgs = orgsService({
    db: deps.db,
    clock: deps.clock,
    audit,
    sharedDomains: policy.channels.sharedDomains,
  });
  const container = {
    /** The readiness probe's question to the database (GET /readyz). */
    health: { databaseReachable: () => databaseReachable(deps.db) },
    audit,
    /** The audit trail's export, recorded in the trail (src/audit/audit.trail.service.ts). */
    auditTrail: auditTrailService({ db: deps.db, audit, recordsAbout: personRecords }),
    /** Signed checkpoints over the audit chains, the proofs drawn from them and their export (ADR 0023). */
    auditCheckpoints: checkpointsService({
      db: deps.db,
      clock: deps.clock,
      settings: {
        everyEvents: deps.config.auditCheckpoints.everyEvents,
        everyMinutes: deps.config.auditCheckpoints.everyMinutes,
        signingKey: deps.config.auditSigningKey,
        mailDpo: deps.config.auditCheckpoints.mailDpo,
      },
    }),
    auth,
    /** Signing in with an organisation's own OpenID provider, and its settings (ADR 0028). */
    oidc: oidcService({
      ...authDependencies,
      publicUrl: deps.config.publicUrl,
      allowLoopbackHttp: deps.config.environment !== 'production',
    }),
    ssoSettings: ssoSettingsService({
      ...authDependencies,
      sharedDomains: policy.channels.sharedDomains,
      // The partner directory (above staff accounts) says which organisation owns a domain.
      directoryOwnerOf: async (domain) => (await orgs.organisationForAddress({ local: 'x', domain }))?.id,
    }),
    staff,
    apiTokens: apiTokensService({ db: deps.db, clock: deps.clock, audit }),
    apiIdempotency: apiIdempotencyService({ db: deps.db, clock: deps.clock }),
    orgs,
    people: peopleService({
      db: deps.db,
      clock: deps.clock,
      audit,
      notifications,
      staff,
    }),
    notifications,
    mail: mailService({
      db: deps.db,
      clock: deps.clock,
      mailer: createMailer({
        smtpUrl: deps.config.smtpUrl,
        from: deps.config.mailFrom,
        dataDir: deps.config.dataDir,
      }),
    }),
  };
  // The consent register reads people's records through the people service's need-to-know rules.
  const consent = consentService({
    db: deps.db,
    clock: deps.clock,
    audit,
    people: container.people,
    staff,
    orgs: container.orgs,
    notifications: container.notifications,
    policy,
    secretBox: deps.secretBox,
    // Sharing marks the decisions that relied on a withdrawn consent, in the withdrawal's transaction (R3.3).
    // Then the secure exchange revokes the packages not yet opened under those decisions, in the same transaction.
    onWithdrawn: [
      (trx, withdrawn) => sharing.markConsentWithdrawn(trx, withdrawn),
      async (trx, withdrawn) => {
        const decisionIds = await sharing.decisionsMarkedInWithdrawal(trx, withdrawn);
        await exchange.revokeUnopenedAfterWithdrawal(trx, decisionIds, withdrawn);
      },
    ],
  });
  // The family's notice and the FHIR export: read by the consent pages and the API alike.
  const consentOutputs = consentOutputsService({
    db: deps.db,
    clock: deps.clock,
    audit,
    people: container.people,
    orgs: container.orgs,
    policy,
    fhirCanonicalBase: deps.config.fhirCanonicalBase,
  });
  const agreements = agreementsService({
    db: deps.db,
    clock: deps.clock,
    audit,
    secretBox: deps.secretBox,
    orgs: container.orgs,
    policy,
  });
  const sharing = sharingService({
    db: deps.db,
    clock: deps.clock,
    audit,
    people: container.people,
    consent,
    orgs: container.orgs,
    staff: container.staff,
    notifications: container.notifications,
    agreements,
    policy,
  });
  const channels = channelsService({ orgs: container.orgs, policy, clock: deps.clock });
  const custody = custodyService({
    db: deps.db,
    clock: deps.clock,
    audit,
    policy,
    staff,
    notifications: container.notifications,
  });
  const disclosures = disclosuresService({
    db: deps.db,
    clock: deps.clock,
    audit,
    sharing,
    consent,
    channels,
    people: container.people,
    custody,
    notifications: container.notifications,
    policy,
  });
  const exchange = exchangeService({
    db: deps.db,
    clock: deps.clock,
    audit,
    policy,
    disclosures,
    notifications: container.notifications,
    staff,
    orgs: container.orgs,
    config: deps.config,
  });
  const media = mediaService({
    db: deps.db,
    clock: deps.clock,
    audit,
    notifications: container.notifications,
  });
  const built = {
    ...container,
    policy,
    agreements,
    custody,
    media,
    consent,
    consentOutputs,
    sharing,
    channels,
    disclosures,
    exchange,
    /** The register of subject access requests and the report that answers one (UK GDPR Art 15). */
    subjectAccess: subjectAccessService({
      db: deps.db,
      clock: deps.clock,
      audit,
      people: container.people,
      policy,
    }),
    incidents: incidentsService({
      db: deps.db,
      clock: deps.clock,
      audit,
      notifications: container.notifications,
      staff,
      disclosures,
      custody,
      media,
      exchange,
    }),
    /** Retention review and disposal under the policy pack's schedule (storage limitation, ADR 0033). */
    retention: retentionService({
      db: deps.db,
      clock: deps.clock,
      audit,
      policy,
      notifications: container.notifications,
      staff,
      orgs: container.orgs,
      // Asked only while a page is drawn, by when the oversight service below exists.
      namesFor: (viewer, ids) => oversight.personNames(viewer, ids),
    }),
  };
  // The DPO's dashboard and the organisation-wide lists read what the capabilities below recorded (R6.1).
  const oversight = oversightService(
    {
      db: deps.db,
      clock: deps.clock,
      policy,
      staff,
      audit,
      orgs: built.orgs,
      incidents: built.incidents,
    },
    // The subject access requests open, and whether one is past its deadline; the records due for
    // disposal and the disposals waiting for approval.
    [(viewer) => built.subjectAccess.actionItems(viewer), (viewer) => built.retention.actionItems(viewer)],
  );
  return { ...built, oversight };
}

export type Services = ReturnType<typeof services>;
