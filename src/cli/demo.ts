import type { Command } from 'commander';
import { withSafeshare } from './context.ts';

export function demoCommands(program: Command): void {
  const demo = program.command('demo').description('Help with the demo data');
  demo
    .command('code')
    .description('Print the current one-time code of a demo account (demo accounts only)')
    .argument('<email>', "the demo account's email address")
    .action(async (email: string) => {
      await withSafeshare(async ({ services }) => {
        const code = await services.auth.demoCode(email);
        if (code === undefined) {
          throw new Error('there is no demo account with that email address and an enrolled authenticator');
        }
        console.log(code);
      });
    });
}
