import type { Command } from 'commander';
import { currentCode } from '../auth/index.ts';
import { withSafeshare } from './context.ts';

export function demoCommands(program: Command): void {
  const demo = program.command('demo').description('Help with the demo data');
  demo
    .command('code')
    .description('Print the current one-time code of a demo account (demo accounts only)')
    .argument('<email>', "the demo account's email address")
    .action(async (email: string) => {
      await withSafeshare(async ({ db, secretBox, clock }) => {
        const user = await db
          .selectFrom('users')
          .select(['demo', 'mfa_secret_sealed'])
          .where('email', '=', email.trim().toLowerCase())
          .executeTakeFirst();
        if (user === undefined || !user.demo || user.mfa_secret_sealed === null) {
          throw new Error('there is no demo account with that email address and an enrolled authenticator');
        }
        console.log(currentCode(secretBox.open(user.mfa_secret_sealed), clock.now()));
      });
    });
}
