import { disclosureReaders, disclosureRecorders } from '../disclosures/index.ts';
import type { DecisionPanel } from '../sharing/index.ts';
import { formatDateTime } from '../lib/time.ts';
import { sizeOf } from '../lib/file-types.ts';
import { incidentPaths } from '../incidents/incidents.paths.ts';
import { exchangePaths } from './exchange.paths.ts';
import type { ExchangeService } from './index.ts';

/** What each event of a package's history says, for its sender. */
const historyWords: Record<string, string> = {
  'exchange.package_sent': 'sent',
  'exchange.code_sent': 'code sent',
  'exchange.code_refused': 'code refused',
  'exchange.code_failed': 'wrong code entered',
  'exchange.code_used': 'code accepted',
  'exchange.package_opened': 'opened',
  'exchange.file_downloaded': 'file downloaded',
  'exchange.package_revoked': 'withdrawn',
  'exchange.package_expired': 'expired',
  'exchange.file_viewed': 'file viewed',
  'exchange.reply_received': 'reply received',
  'exchange.reply_file_downloaded': 'reply file downloaded',
};

/**
 * On a decision's page: the secure exchange packages sent under it, each with what happened to it
 * ("opened by jo.evans@nhs.net at 10:42") and, for its sender, their line manager and the DPO, the
 * way to withdraw it at once.
 */
export function decisionPackagesPanel(exchange: Pick<ExchangeService, 'sentUnder'>): DecisionPanel {
  return async (viewer, view) => {
    if (view.status !== 'recorded' || view.answers.outcome?.outcome === 'not-share') return undefined;
    if (!viewer.roles.some((role) => disclosureReaders.includes(role))) return undefined;
    const packages = await exchange.sentUnder(viewer, view.id);
    return {
      template: 'exchange/views/_decision-packages.njk',
      data: {
        canSend: viewer.roles.some((role) => disclosureRecorders.includes(role)),
        sendPath: exchangePaths.send(view.id),
        packages: packages.map((sent) => ({
          ...sent,
          status:
            sent.ended === 'revoked'
              ? `Withdrawn ${formatDateTime(sent.endedAt ?? sent.sentAt)}`
              : sent.ended === 'expired'
                ? `Expired ${formatDateTime(sent.endedAt ?? sent.expiresAt)}`
                : sent.firstOpenedAt === null
                  ? `Not opened yet; open until ${formatDateTime(sent.expiresAt)}`
                  : `Opened ${formatDateTime(sent.firstOpenedAt)}; open until ${formatDateTime(sent.expiresAt)}`,
          history: sent.history.map(
            (event) =>
              `${historyWords[event.action] ?? event.action}: ${event.actorLabel}, ${formatDateTime(event.occurredAt)}`,
          ),
          withdrawPath: `/exchange/packages/${sent.id}/withdraw`,
          // R5.1: an incident about a package starts from it, linked to its disclosure.
          incidentPath: `${incidentPaths.report()}?disclosure=${sent.disclosureId}`,
          replies: sent.replies.map((received) => ({
            heading: `Reply from ${received.from}, ${formatDateTime(received.sentAt)}`,
            paragraphs: received.erased
              ? ['This reply and its files were erased under the retention schedule.']
              : (received.message?.split(/\n{2,}/) ?? []),
            files: received.files.map((file) => ({
              name: file.name,
              size: sizeOf(file.bytes),
              href: `/exchange/packages/${sent.id}/replies/${file.id}`,
            })),
          })),
        })),
      },
    };
  };
}
