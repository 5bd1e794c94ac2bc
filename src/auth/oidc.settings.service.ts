import { RuleError } from '../lib/errors.ts';
import type { SsoSettingsInput } from './oidc.schema.ts';
import {
  findSsoSettings,
  lockSsoSettings,
  saveSsoSettings,
  ssoDomainOwner,
  ssoDomainsOf,
} from './oidc.repository.ts';
import type { AuthDependencies } from './sign-in.steps.ts';
import { holdsRole, NotPermittedError, type Administrator } from './staff.authority.ts';

/** A domain many organisations use (the policy pack's list, ADR 0018). */
export interface SharedDomain {
  readonly domain: string;
  readonly note: string;
}

/** What the settings page shows: never the client secret, only whether one is set. */
export interface SsoSettingsView {
  readonly configured: boolean;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecretSet: boolean;
  readonly domains: readonly string[];
  readonly createAccounts: boolean;
}

/** `a` is `b` or lies above it, by whole labels (police.uk above pnn.police.uk). */
const covers = (above: string, domain: string) => domain === above || domain.endsWith(`.${above}`);

/**
 * An organisation's single sign-on settings (ADR 0028): set by its own administrators only, each
 * confined to their own organisation (ADR 0011). A domain is claimed by one organisation only, and
 * never a domain many organisations share; the client secret is sealed before it is stored.
 */
export function ssoSettingsService(
  deps: AuthDependencies & {
    readonly sharedDomains: readonly SharedDomain[];
    /** The organisation the partner directory gives a domain to (by it or an ending of it), if any. */
    readonly directoryOwnerOf: (domain: string) => Promise<string | undefined>;
  },
) {
  const { db, clock, audit, secretBox, sharedDomains } = deps;

  function checkAdministrator(administrator: Administrator): void {
    if (!holdsRole(administrator, 'admin'))
      throw new NotPermittedError("Only an administrator can change their organisation's single sign-on");
  }

  return {
    async settingsOf(administrator: Administrator): Promise<SsoSettingsView> {
      checkAdministrator(administrator);
      const row = await findSsoSettings(db, administrator.organisationId);
      if (row === undefined)
        return {
          configured: false,
          issuer: '',
          clientId: '',
          clientSecretSet: false,
          domains: [],
          createAccounts: false,
        };
      return {
        configured: true,
        issuer: row.issuer,
        clientId: row.client_id,
        clientSecretSet: true,
        domains: await ssoDomainsOf(db, administrator.organisationId),
        createAccounts: row.create_accounts,
      };
    },

    async save(administrator: Administrator, input: SsoSettingsInput): Promise<void> {
      checkAdministrator(administrator);
      const organisationId = administrator.organisationId;
      // Checked before anything is locked: these rules need no database.
      for (const domain of input.domains) {
        const shared = sharedDomains.find((entry) => covers(domain, entry.domain));
        if (shared !== undefined)
          throw RuleError.of(
            'domains',
            'SSO.SHARED_DOMAIN',
            `${domain} cannot be used for single sign-on: ${shared.domain} is used by many organisations (${shared.note}). Enter your organisation's own domain instead`,
          );
      }
      for (const domain of input.domains) {
        const owner = await deps.directoryOwnerOf(domain);
        if (owner !== undefined && owner !== organisationId)
          throw RuleError.of(
            'domains',
            'SSO.DIRECTORY_DOMAIN',
            `${domain} belongs to another organisation in the partner directory, so it cannot be used for your single sign-on`,
          );
      }
      await db.transaction().execute(async (trx) => {
        const current = await lockSsoSettings(trx, organisationId);
        if (current === undefined && input.clientSecret === undefined)
          throw RuleError.of('clientSecret', 'SSO.SECRET_NEEDED', 'Enter the client secret');
        for (const domain of input.domains) {
          const owner = await ssoDomainOwner(trx, domain);
          if (owner !== undefined && owner !== organisationId)
            throw RuleError.of(
              'domains',
              'SSO.DOMAIN_TAKEN',
              `${domain} is already used for single sign-on by another organisation. Each domain can belong to one organisation only`,
            );
        }
        const sealed =
          input.clientSecret === undefined
            ? (current?.client_secret_sealed ?? '')
            : secretBox.seal(input.clientSecret);
        await saveSsoSettings(
          trx,
          {
            organisation_id: organisationId,
            issuer: input.issuer,
            client_id: input.clientId,
            client_secret_sealed: sealed,
            create_accounts: input.createAccounts,
            updated_by: administrator.userId,
            updated_at: clock.now(),
          },
          input.domains,
        );
        await audit.record(trx, {
          organisationId,
          actor: administrator,
          action: 'organisation.sso_configured',
          entity: { type: 'organisation', id: organisationId },
          // The secret itself is never recorded: only whether this save replaced it.
          change: {
            issuer: input.issuer,
            clientId: input.clientId,
            domains: [...input.domains],
            createAccounts: input.createAccounts,
            clientSecretReplaced: input.clientSecret !== undefined,
          },
        });
      });
    },
  };
}

export type SsoSettingsService = ReturnType<typeof ssoSettingsService>;
