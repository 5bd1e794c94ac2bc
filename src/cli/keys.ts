import type { Command } from 'commander';
import type { ExchangeVault } from '../exchange/index.ts';
import { withSafeshare } from './context.ts';

export function keysCommands(program: Command): void {
  const keys = program.command('keys').description("The secure exchange's key-encryption keys (KEY_DIR)");
  keys
    .command('rotate')
    .description(
      'Make a new key-encryption key and re-wrap every data key under it, without re-encrypting any file; --resume finishes an interrupted rotation',
    )
    .option('--resume', 'do not make a new key: re-wrap what is still under an older one')
    .option('--batch <size>', 'data keys re-wrapped per transaction', '500')
    .action(async (options: { resume?: boolean; batch: string }) => {
      const batch = Number.parseInt(options.batch, 10);
      if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) {
        console.error('--batch must be a whole number from 1 to 10000');
        process.exitCode = 2;
        return;
      }
      await withSafeshare(async ({ services }) => {
        const { vault } = services.exchange;
        const keyring = await services.exchange.keyring();
        const previous = keyring.activeId;
        const active = options.resume === true ? previous : await keyring.addKey();
        const rewrapped = await vault.rewrapAll({ batch });
        console.log(
          `${String(rewrapped)} data keys re-wrapped under key ${active}${active === previous ? '' : ` (was ${previous})`}`,
        );
        await printKeyUse(vault, active);
      });
    });
  keys
    .command('status')
    .description('Which key is active, and how many stored objects each key still wraps')
    .action(async () => {
      await withSafeshare(async ({ services }) => {
        await printKeyUse(services.exchange.vault, (await services.exchange.keyring()).activeId);
      });
    });
}

async function printKeyUse(vault: ExchangeVault, active: string): Promise<void> {
  const byKey = await vault.objectsByKey();
  console.log(`active key: ${active} (${String(byKey.get(active) ?? 0)} objects)`);
  for (const [id, count] of byKey)
    if (id !== active)
      console.log(`older key ${id}: still wraps ${String(count)} objects (run keys rotate --resume)`);
}
