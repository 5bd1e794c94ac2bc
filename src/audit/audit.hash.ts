import { hash } from 'node:crypto';
import { canonicalJson } from '../lib/canonical-json.ts';

export const genesisHash = '0'.repeat(64);

/** The fields of an event that its hash covers, in the form they are stored. */
export interface ChainedEvent {
  readonly organisationId: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly occurredAt: Date;
  readonly actorUserId: string | null;
  readonly actorLabel: string;
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string | null;
  readonly personId: string | null;
  readonly change: unknown;
}

/** SHA-256 over the canonical JSON (sorted keys) of everything the event says, chained to the previous hash. */
export function eventHash(event: ChainedEvent): string {
  return hash(
    'sha256',
    canonicalJson({
      organisationId: event.organisationId,
      seq: event.seq,
      prevHash: event.prevHash,
      occurredAt: event.occurredAt.toISOString(),
      actor: { userId: event.actorUserId, label: event.actorLabel },
      action: event.action,
      entity: { type: event.entityType, id: event.entityId },
      personId: event.personId,
      change: event.change,
    }),
    'hex',
  );
}
