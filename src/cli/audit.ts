import type { Command } from 'commander';
import { withSafeshare } from './context.ts';

export function auditCommands(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit trail');
  audit
    .command('verify')
    .description('Recompute every organisation\'s hash chain; name the first altered, missing or re-ordered event (exit 1)')
    .action(async () => {
      await withSafeshare(async ({ services }) => {
        const started = performance.now();
        const result = await services.audit.verify();
        const seconds = (performance.now() - started) / 1000;
        if (result.ok) {
          const rate = seconds > 0 ? `, ${Math.round(result.events / seconds).toLocaleString('en-GB')} events/s` : '';
          console.log(`verified ${String(result.events)} events in ${String(result.chains)} chains (${seconds.toFixed(2)} s${rate})`);
          return;
        }
        console.log(
          `FAILED: organisation "${result.organisationName}" (${result.organisationId}), event ${String(result.seq)}: ${result.problem} (${result.detail}); ${String(result.events)} events verified before it`,
        );
        process.exitCode = 1;
      });
    });
}
