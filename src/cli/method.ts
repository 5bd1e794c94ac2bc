import { CommanderError, InvalidArgumentError, Option, type Command } from 'commander';
import {
  channelsService,
  methodAdviceRequest,
  MethodQuestionError,
  methodName,
  sensitivities,
  type MethodAdviceAnswer,
} from '../channels/index.ts';
import { channelMethodIds, loadPolicyPack, PolicyPackError, type PolicyPack } from '../policy/index.ts';
import { withSafeshare } from './context.ts';

/** Exit codes of the channel checks: 0 allowed or clean, 1 refused or findings, 2 bad input. */
export const badInput = 2;

/** Commander's own refusals (a missing or malformed option) are bad input too. */
export function badInputExit(error: CommanderError): never {
  if (error.exitCode === 0) throw error;
  throw new CommanderError(badInput, error.code, error.message);
}

export function packFrom(option: string | undefined): PolicyPack | undefined {
  if (option === undefined) return undefined;
  try {
    return loadPolicyPack(option);
  } catch (error) {
    if (error instanceof PolicyPackError) return fail(error.message);
    throw error;
  }
}

export function fail(message: string): never {
  console.error(`safeshare: ${message}`);
  process.exit(badInput);
}

function wholeNumber(value: string): number {
  if (!/^\d{1,9}$/.test(value.trim()))
    throw new InvalidArgumentError('enter the number of people as a whole number, like 1');
  return Number(value.trim());
}

interface MethodCheckOptions {
  readonly from: string;
  readonly to: string;
  readonly sensitivity?: string;
  readonly people?: number;
  readonly method?: string;
  readonly passwordProtected?: boolean;
  readonly pack?: string;
  readonly json?: boolean;
}

/** `safeshare method check`: the method policy's answer, the same as POST /api/v1/method-advice gives. */
export function methodCommands(program: Command): void {
  const method = program
    .command('method')
    .description('The method policy: how information may be sent (source policy section 4)');
  method
    .command('check')
    .description(
      'Say whether a method is allowed from one address to another, which method is recommended and why (exit 1 when refused, 2 for bad input)',
    )
    .requiredOption('--from <address>', 'the email address you send from')
    .requiredOption('--to <address>', "the recipient's email address")
    .addOption(
      new Option(
        '--sensitivity <sensitivity>',
        'how sensitive the information is (leave out when it identifies no one)',
      ).choices(['none', ...sensitivities]),
    )
    .option('--people <n>', 'how many people the information identifies', wholeNumber)
    .addOption(
      new Option('--method <method>', 'the method to judge (default: the recommended one)').choices(
        channelMethodIds,
      ),
    )
    .option('--password-protected', 'an attachment is protected only by a password')
    .option(
      '--pack <name or file.json>',
      'judge under another policy pack ("default", "current", or a council\'s own file)',
    )
    .option('--json', 'print the answer as JSON')
    .exitOverride(badInputExit)
    .action(async (options: MethodCheckOptions) => {
      const pack = packFrom(options.pack);
      const parsed = methodAdviceRequest.safeParse({
        from: options.from,
        to: options.to,
        method: options.method,
        sensitivity: options.sensitivity,
        people: options.people,
        passwordProtected: options.passwordProtected,
      });
      if (!parsed.success)
        fail(
          parsed.error.issues
            .map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`)
            .join('; '),
        );
      await withSafeshare(async ({ services, clock }) => {
        const channels =
          pack === undefined
            ? services.channels
            : channelsService({ orgs: services.orgs, policy: pack, clock });
        let advice: MethodAdviceAnswer;
        try {
          advice = await channels.adviseMethod(parsed.data);
        } catch (error) {
          if (!(error instanceof MethodQuestionError)) throw error;
          for (const problem of error.problems)
            console.error(
              `safeshare: ${problem.field === 'sender.address' ? '--from' : problem.field === 'recipient.address' ? '--to' : problem.field}: ${problem.message} (${problem.code})`,
            );
          process.exitCode = badInput;
          return;
        }
        console.log(options.json === true ? JSON.stringify(advice, null, 2) : describeAdvice(advice));
        process.exitCode = advice.allowed ? 0 : 1;
      });
    });
}

/** The answer for a person: the verdict first, then the recommendation, the reasons with their IDs, and the checklist. */
export function describeAdvice(advice: MethodAdviceAnswer): string {
  const organisation = (party: MethodAdviceAnswer['sender']) =>
    party.organisation?.name ?? 'not in the partner directory';
  const lines = [
    `${advice.allowed ? 'ALLOWED' : 'NOT ALLOWED'}: ${methodName(advice.method)}`,
    `Recommended method: ${methodName(advice.recommended)} (${advice.recommended})`,
    `Sender's organisation: ${organisation(advice.sender)}`,
    `Recipient's organisation: ${organisation(advice.recipient)}`,
    `Policy: ${advice.policy.name} ${advice.policy.version}. ${advice.policy.standard}`,
    '',
    'Reasons:',
    ...advice.reasons.map(
      (reason) => `  ${reason.requirement.padEnd(8)} ${reason.effect.padEnd(9)}${reason.explanation}`,
    ),
    '',
  ];
  if (advice.allowed) {
    lines.push(
      `Checklist for ${methodName(advice.method)}:`,
      ...advice.checklist.map(
        (item) =>
          `  ${item.requirement.padEnd(8)} ${item.question}${item.when === undefined ? '' : ` (${item.when.charAt(0).toLowerCase()}${item.when.slice(1)})`}`,
      ),
    );
  } else {
    lines.push(
      `For the checklist of ${methodName(advice.recommended)}, ask again with --method ${advice.recommended}.`,
    );
  }
  if (advice.receiptWithinWorkingDays !== null)
    lines.push(
      '',
      `The recipient confirms receipt within ${String(advice.receiptWithinWorkingDays)} working day${advice.receiptWithinWorkingDays === 1 ? '' : 's'}.`,
    );
  return lines.join('\n');
}
