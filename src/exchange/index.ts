import path from 'node:path';
import type { AuditService } from '../audit/index.ts';
import type { StaffService } from '../auth/index.ts';
import type { Db } from '../db/client.ts';
import type { DisclosuresService } from '../disclosures/index.ts';
import type { Clock } from '../lib/clock.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { OrgsService } from '../orgs/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import { Keyring } from './exchange.keyring.ts';
import { packagesService } from './exchange.packages.service.ts';
import { clamdScanner } from './exchange.scanner.ts';
import { receivingService } from './exchange.receiving.service.ts';
import { fileSealer } from './exchange.sealing.ts';
import { fileObjectStore } from './exchange.store.ts';
import { exchangeVault } from './exchange.vault.ts';

export type { ExchangeVault } from './exchange.vault.ts';

/**
 * The secure exchange as the app and the jobs use it: the vault over the configured key folder (read
 * on first use) and the data folder's `exchange` store, and the packages sent through it.
 */
export function exchangeService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly policy: PolicyPack;
  readonly disclosures: Pick<DisclosuresService, 'prepare' | 'commit' | 'confirmReceiptOnOpening'>;
  readonly notifications: Pick<NotificationsService, 'mailTo' | 'notify'>;
  readonly staff: Pick<StaffService, 'colleague'>;
  readonly orgs: Pick<OrgsService, 'namesOf'>;
  readonly config: {
    readonly keyDir: string;
    readonly dataDir: string;
    readonly publicUrl: string;
    readonly serviceName: string;
    readonly clamdUrl: string | undefined;
  };
}) {
  let opened: Promise<Keyring> | undefined;
  const keyring = () => (opened ??= Keyring.open(deps.config.keyDir));
  const vault = exchangeVault({
    ...deps,
    keyring,
    objects: fileObjectStore(path.join(deps.config.dataDir, 'exchange')),
  });
  const sealer = fileSealer({
    ...deps,
    vault,
    scanner: deps.config.clamdUrl === undefined ? undefined : clamdScanner(deps.config.clamdUrl),
  });
  return {
    vault,
    /** The key-encryption keys, read from KEY_DIR on first use (`safeshare keys`). */
    keyring,
    /** Whether files are scanned for malware (CLAMD_URL); the exchange pages say so to administrators when not. */
    scanning: deps.config.clamdUrl !== undefined,
    ...packagesService({
      ...deps,
      vault,
      sealer,
      publicUrl: deps.config.publicUrl,
      serviceName: deps.config.serviceName,
    }),
    ...receivingService({ ...deps, vault, sealer, serviceName: deps.config.serviceName }),
  };
}

export type ExchangeService = ReturnType<typeof exchangeService>;
