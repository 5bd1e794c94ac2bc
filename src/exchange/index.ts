import path from 'node:path';
import type { AuditService } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { Keyring } from './exchange.keyring.ts';
import { fileObjectStore } from './exchange.store.ts';
import { exchangeVault, type ExchangeVault } from './exchange.vault.ts';

export { Keyring } from './exchange.keyring.ts';
export type { ExchangeVault } from './exchange.vault.ts';

/** The vault over the configured key folder and the file store in the data folder. */
export async function openExchangeVault(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  /** The key folder (KEY_DIR) and the data folder, whose `exchange` folder holds the sealed bytes. */
  readonly config: { readonly keyDir: string; readonly dataDir: string };
}): Promise<{ vault: ExchangeVault; keyring: Keyring }> {
  const keyring = await Keyring.open(deps.config.keyDir);
  const objects = fileObjectStore(path.join(deps.config.dataDir, 'exchange'));
  return { vault: exchangeVault({ ...deps, keyring, objects }), keyring };
}
