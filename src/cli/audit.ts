import fs from 'node:fs/promises';
import type { Command } from 'commander';
import {
  CheckpointError,
  checkpointLine,
  exportedSizes,
  loadCheckpointSigner,
  readCheckpointFile,
  SigningKeyError,
  trustedKey,
  trustedKeyOf,
  type ChainFinding,
  type TrustedCheckpoint,
  type TrustedKey,
} from '../audit/index.ts';
import { loadConfig } from '../config.ts';
import { withSafeshare } from './context.ts';

/** Stops a command with a message on standard error and exit code 1 (2 for a command given wrongly). */
function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

const collect = (value: string, previous: string[]) => [...previous, value];

function wholeNumber(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(text)) fail(`${option} must be a whole number from 1`, 2);
  return Number(text);
}

/** The keys a checkpoint may be signed by: Safeshare's own (when it can be read here) and each --key. */
async function trustedKeys(extra: readonly string[]): Promise<TrustedKey[]> {
  const keys: TrustedKey[] = [];
  for (const given of extra) {
    const text = await fs.readFile(given, 'utf8').catch(() => given);
    try {
      keys.push(trustedKey(text));
    } catch (error) {
      fail(`--key ${given}: ${error instanceof Error ? error.message : String(error)}`, 2);
    }
  }
  try {
    const setting = loadConfig().auditSigningKey;
    // Checking never makes a key: a key made now signed nothing.
    keys.push(
      trustedKeyOf(await loadCheckpointSigner('seed' in setting ? setting : { ...setting, generate: false })),
    );
  } catch (error) {
    if (!(error instanceof SigningKeyError)) throw error;
    if (keys.length === 0) fail(`${error.message}; or give the public key with --key`);
  }
  return keys;
}

export function auditCommands(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit trail');
  audit
    .command('verify')
    .description(
      "Recompute every organisation's hash chain; list every altered, missing, re-ordered or truncated event (exit 1 if any). " +
        'With --checkpoints, also hold every chain to the signed checkpoints of an export kept outside the database',
    )
    .option('--checkpoints <file>', 'an export of signed checkpoints (safeshare audit checkpoints --export)')
    .option(
      '--key <verifier key or file>',
      "a public key the checkpoints may be signed by (safeshare audit key), besides this deployment's own; repeat for several",
      collect,
      [],
    )
    .action(async (options: { checkpoints?: string; key: string[] }) => {
      let checkpoints: TrustedCheckpoint[] | undefined;
      let fileProblems = 0;
      if (options.checkpoints !== undefined) {
        const text = await fs.readFile(options.checkpoints, 'utf8').catch((error: unknown) => {
          fail(
            `cannot read ${options.checkpoints ?? ''}: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
        const read = readCheckpointFile(text, await trustedKeys(options.key));
        checkpoints = read.checkpoints;
        fileProblems = read.problems.length;
        for (const problem of read.problems)
          console.log(`checkpoint file, line ${String(problem.line)}: ${problem.reason}`);
      }
      await withSafeshare(async ({ services }) => {
        const started = performance.now();
        const result = await services.audit.verify(checkpoints === undefined ? {} : { checkpoints });
        const seconds = (performance.now() - started) / 1000;
        const rate =
          seconds > 0 ? `, ${Math.round(result.events / seconds).toLocaleString('en-GB')} events/s` : '';
        const against =
          checkpoints === undefined
            ? ''
            : `; held to ${plural(checkpoints.length, 'signed checkpoint')} of ${plural(new Set(checkpoints.map((c) => c.organisationId)).size, 'organisation')}`;
        if (fileProblems > 0) process.exitCode = 1;
        // Events whose content a disposal erased: their envelopes and hashes were still checked (ADR 0025).
        const erased =
          result.erased > 0 ? `; ${plural(result.erased, 'event')} with content erased by disposal` : '';
        if (result.ok) {
          console.log(
            `verified ${String(result.events)} events in ${String(result.chains)} chains (${seconds.toFixed(2)} s${rate})${against}${erased}`,
          );
          return;
        }
        const breaks = result.findings.length + result.moreFindings;
        const chains = new Set(result.findings.map((found) => found.organisationId)).size;
        console.log(
          `FAILED: ${plural(breaks, 'break')} found${result.moreFindings > 0 ? '' : ` in ${plural(chains, 'chain')}`}; ${String(result.events)} events in ${String(result.chains)} chains checked (${seconds.toFixed(2)} s${rate})${against}${erased}`,
        );
        for (const found of result.findings) console.log(findingLine(found));
        if (result.moreFindings > 0)
          console.log(`and ${plural(result.moreFindings, 'more break')} not listed`);
        process.exitCode = 1;
      });
    });

  audit
    .command('prove')
    .description(
      'Print, as JSON, the proof that an event is in the latest signed checkpoint (--event), or that one checkpoint ' +
        'is the beginning of a later one (--from, --to), with the signed checkpoints: RFC 9162 2.1.3 and 2.1.4',
    )
    .option('--organisation <id>', 'the organisation whose chain (needed when several have checkpoints)')
    .option('--event <seq>', "the event's sequence number in its organisation's chain")
    .option(
      '--with-event',
      "include the event's canonical text (its hash is its SHA-256); it can hold personal data",
    )
    .option('--from <size>', 'the smaller checkpoint, by its number of events')
    .option('--to <size>', 'the larger checkpoint, by its number of events')
    .action(
      async (options: {
        organisation?: string;
        event?: string;
        withEvent?: boolean;
        from?: string;
        to?: string;
      }) => {
        const event = wholeNumber(options.event, '--event');
        const from = wholeNumber(options.from, '--from');
        const to = wholeNumber(options.to, '--to');
        const inclusion = event !== undefined && from === undefined && to === undefined;
        const consistency = event === undefined && from !== undefined && to !== undefined;
        if (!inclusion && !consistency) fail('give --event <seq>, or --from <size> and --to <size>', 2);
        if (
          options.organisation !== undefined &&
          !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.test(options.organisation)
        )
          fail('--organisation must be an organisation id (safeshare organisation list)', 2);
        await withSafeshare(async ({ services }) => {
          const checkpoints = services.auditCheckpoints;
          let organisationId = options.organisation;
          // Errors are thrown, not exited on, so the database (and an embedded server) is closed first.
          if (organisationId === undefined) {
            const signed = await checkpoints.organisations();
            if (signed.length !== 1)
              throw new CheckpointError(
                signed.length === 0
                  ? 'no organisation has a signed checkpoint yet (safeshare jobs run audit-checkpoints)'
                  : `name the organisation with --organisation; these have checkpoints: ${signed.join(', ')}`,
              );
            organisationId = signed[0] ?? '';
          }
          const proof =
            event !== undefined
              ? await checkpoints.inclusionProof(organisationId, event, {
                  withEvent: options.withEvent === true,
                })
              : await checkpoints.consistencyProof(organisationId, from ?? 0, to ?? 0);
          console.log(JSON.stringify(proof, null, 2));
        });
      },
    );

  audit
    .command('checkpoints')
    .description(
      "List each organisation's latest signed checkpoint; with --export, append every checkpoint not yet in the file to it (JSON lines)",
    )
    .option(
      '--export <file>',
      'the file to append to, made if absent: keep it where the council chooses, away from the database',
    )
    .action(async (options: { export?: string }) => {
      const file = options.export;
      let exported = new Map<string, number>();
      if (file !== undefined) {
        const existing = await fs.readFile(file, 'utf8').catch((error: unknown) => {
          if ((error as { code?: unknown }).code === 'ENOENT') return '';
          fail(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
        });
        if (existing !== '' && !existing.endsWith('\n'))
          fail(
            `${file} does not end with a whole line: it was cut short; mend or move it before exporting to it`,
          );
        exported = exportedSizes(existing);
      }
      await withSafeshare(async ({ services }) => {
        const checkpoints = services.auditCheckpoints;
        if (file === undefined) {
          const organisations = await checkpoints.organisations();
          if (organisations.length === 0) console.log('no signed checkpoints yet');
          for (const organisationId of organisations) {
            const latest = await checkpoints.latest(organisationId);
            if (latest !== undefined)
              console.log(
                `organisation ${organisationId}: ${plural(latest.treeSize, 'event')}, root ${latest.rootHash}, signed ${latest.signedAt}`,
              );
          }
          return;
        }
        const handle = await fs.open(file, 'a', 0o644);
        let appended = 0;
        const organisations = new Set<string>();
        try {
          let lines = '';
          for await (const record of checkpoints.since(exported)) {
            lines += checkpointLine(record);
            appended += 1;
            organisations.add(record.organisationId);
            if (lines.length > 1_000_000) {
              await handle.appendFile(lines);
              lines = '';
            }
          }
          await handle.appendFile(lines);
          await handle.datasync();
        } finally {
          await handle.close();
        }
        console.log(
          `appended ${plural(appended, 'checkpoint')} of ${plural(organisations.size, 'organisation')} to ${file}`,
        );
      });
    });

  audit
    .command('key')
    .description(
      "Print the public key that checks Safeshare's signed checkpoints, as a verifier key (or PEM with --pem): give it to whoever keeps the exports",
    )
    .option('--pem', 'print it as a PEM public key instead')
    .action(async (options: { pem?: boolean }) => {
      try {
        const signer = await loadCheckpointSigner(loadConfig().auditSigningKey);
        console.log(options.pem === true ? signer.publicKeyPem.trimEnd() : signer.verifierKey);
      } catch (error) {
        if (error instanceof SigningKeyError) fail(error.message);
        throw error;
      }
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
