import type { Db } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import { recordFailedAttempt, recordSent, takeDueMessage } from './mail.repository.ts';
import type { Mailer } from './mailer.ts';

/** After this many failed attempts a message is left unsent, shown as failed to administrators. */
export const maxAttempts = 10;

/** Minutes to wait after the 1st, 2nd, ... failed attempt; the last figure repeats. */
export const retryDelayMinutes = [1, 5, 15, 60, 120, 240, 480, 720, 1440] as const;

export function retryDelayMs(failedAttempts: number): number {
  const index = Math.min(Math.max(failedAttempts, 1), retryDelayMinutes.length) - 1;
  return (retryDelayMinutes[index] ?? 1440) * 60_000;
}

export interface DeliveryFailure {
  /** The outbox row: the only thing about a message that may be logged. */
  readonly outboxId: string;
  readonly attempts: number;
  readonly error: string;
  readonly gaveUp: boolean;
}

export interface DeliveryReport {
  readonly sent: number;
  readonly failures: readonly DeliveryFailure[];
}

export interface DeliveryDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly mailer: Mailer;
}

/**
 * Sends the mail that is due, up to `batchSize` messages. Each message is taken with
 * `FOR UPDATE SKIP LOCKED` in a transaction of its own that stays open while it is sent: another
 * app server skips it rather than send it twice, and a crash re-sends at most the one message that
 * was in flight (at-least-once, never twice under concurrency).
 */
export async function deliverDueMail(deps: DeliveryDependencies, batchSize = 20): Promise<DeliveryReport> {
  let sent = 0;
  const failures: DeliveryFailure[] = [];
  for (let taken = 0; taken < batchSize; taken += 1) {
    const outcome = await deps.db.transaction().execute(async (trx) => {
      const now = deps.clock.now();
      const message = await takeDueMessage(trx, now, maxAttempts);
      if (message === undefined) return undefined;
      try {
        await deps.mailer.send({
          to: message.to_address,
          subject: message.subject,
          text: message.body,
          reference: message.id,
        });
      } catch (error) {
        const attempts = message.attempts + 1;
        const failure: DeliveryFailure = {
          outboxId: message.id,
          attempts,
          error: describeMailFailure(error),
          gaveUp: attempts >= maxAttempts,
        };
        await recordFailedAttempt(trx, message.id, {
          attempts,
          error: failure.error,
          nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)),
        });
        return failure;
      }
      await recordSent(trx, message.id, message.attempts + 1, deps.clock.now());
      return 'sent' as const;
    });
    if (outcome === undefined) break;
    if (outcome === 'sent') sent += 1;
    else failures.push(outcome);
  }
  return { sent, failures };
}

/**
 * A short, address-free account of why sending failed: the error code, the SMTP reply code and the
 * command, e.g. "EENVELOPE 550 RCPT TO". Never the server's reply text, which often quotes the address.
 */
export function describeMailFailure(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'failed';
  const { code, responseCode, command } = error as {
    code?: unknown;
    responseCode?: unknown;
    command?: unknown;
  };
  const parts = [
    typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,30}$/.test(code) ? code : undefined,
    typeof responseCode === 'number' && Number.isInteger(responseCode) ? String(responseCode) : undefined,
    typeof command === 'string' && /^[A-Z][A-Z ]{1,20}$/.test(command) ? command : undefined,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? 'failed' : parts.join(' ');
}
