import type { Command } from 'commander';
import type { ChainFinding } from '../audit/index.ts';
import { withSafeshare } from './context.ts';

export function auditCommands(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit trail');
  audit
    .command('verify')
    .description(
      "Recompute every organisation's hash chain; list every altered, missing, re-ordered or truncated event (exit 1 if any)",
    )
    .action(async () => {
      await withSafeshare(async ({ services }) => {
        const started = performance.now();
        const result = await services.audit.verify();
        const seconds = (performance.now() - started) / 1000;
        const rate =
          seconds > 0 ? `, ${Math.round(result.events / seconds).toLocaleString('en-GB')} events/s` : '';
        if (result.ok) {
          console.log(
            `verified ${String(result.events)} events in ${String(result.chains)} chains (${seconds.toFixed(2)} s${rate})`,
          );
          return;
        }
        const breaks = result.findings.length + result.moreFindings;
        const chains = new Set(result.findings.map((found) => found.organisationId)).size;
        console.log(
          `FAILED: ${plural(breaks, 'break')} found${result.moreFindings > 0 ? '' : ` in ${plural(chains, 'chain')}`}; ${String(result.events)} events in ${String(result.chains)} chains checked (${seconds.toFixed(2)} s${rate})`,
        );
        for (const found of result.findings) console.log(findingLine(found));
        if (result.moreFindings > 0)
          console.log(`and ${plural(result.moreFindings, 'more break')} not listed`);
        process.exitCode = 1;
      });
    });
}

/** One line per break, its chain first: `organisation "Barnet Council" (<id>), event 7: altered (event 7 has been altered)`. */
function findingLine(found: ChainFinding): string {
  const events =
    found.lastSeq === found.seq
      ? `event ${String(found.seq)}`
      : `events ${String(found.seq)} to ${String(found.lastSeq)}`;
  return `  organisation "${found.organisationName}" (${found.organisationId}), ${events}: ${found.problem} (${found.detail})`;
}

function plural(count: number, noun: string): string {
  return `${String(count)} ${noun}${count === 1 ? '' : 's'}`;
}
