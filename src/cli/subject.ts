import type { Command } from 'commander';
import { checkSubject, describeFindings, redactSubject, subjectCheckRequest } from '../channels/index.ts';
import { systemClock } from '../lib/clock.ts';
import { londonToday } from '../lib/time.ts';
import { loadPolicyPack } from '../policy/index.ts';
import { badInputExit, fail, packFrom } from './method.ts';

/** `safeshare subject check`: the subject-line checker (R4.5.5), without a database. */
export function subjectCommands(program: Command): void {
  const subject = program
    .command('subject')
    .description('The subject-line checker: personal details in an e-mail subject (R4.5.5)');
  subject
    .command('check')
    .description(
      'Find names, dates of birth, NHS numbers and other identifiers in a proposed subject line (exit 1 when found, 2 for bad input)',
    )
    .argument('<subject>', 'the subject line, in quotes')
    .option('--names <names>', 'the people concerned, separated by commas: "Jayden Smith, Kelly Smith"')
    .option('--pack <name or file.json>', "use another policy pack's local reference formats")
    .option('--json', 'print the findings as JSON')
    .exitOverride(badInputExit)
    .action((text: string, options: { names?: string; pack?: string; json?: boolean }) => {
      const pack = packFrom(options.pack) ?? loadPolicyPack(process.env['POLICY_PACK'] ?? 'default');
      const names = options.names
        ?.split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
      const parsed = subjectCheckRequest.safeParse({ subject: text, names });
      if (!parsed.success)
        fail(
          parsed.error.issues
            .map((issue) => `${issue.path.map(String).join('.') || 'subject'}: ${issue.message}`)
            .join('; '),
        );
      // The same check the API's service makes: the pack's reference formats and today's date in London, no database.
      const check = checkSubject(parsed.data.subject, {
        names: parsed.data.names,
        localReferences: pack.channels.localReferences,
        confidentialContent: pack.channels.confidentialContent,
        today: londonToday(systemClock.now()),
      });
      if (options.json === true) {
        console.log(JSON.stringify({ clean: check.clean, findings: check.findings }, null, 2));
      } else if (check.clean) {
        console.log('CLEAN: no personal details found in the subject line.');
      } else {
        console.log(
          `FOUND ${describeFindings(check.findings)}: remove personal details from the subject line (R4.5.5).`,
        );
        for (const finding of check.findings)
          console.log(
            `  ${finding.kind.padEnd(16)} characters ${String(finding.start + 1)} to ${String(finding.end)}`,
          );
        console.log(`Without them: ${redactSubject(parsed.data.subject, check.findings)}`);
      }
      process.exitCode = check.clean ? 0 : 1;
    });
}
