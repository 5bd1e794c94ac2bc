import type { Db, Executor } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import {
  checkpointOfSize,
  checkpointedOrganisations,
  checkpointsAfter,
  chainsAheadOfCheckpoints,
  eventHashes,
  insertCheckpoints,
  insertSubtrees,
  latestCheckpoint,
  subtreesOfLevel,
  tryLockCheckpoints,
  type CheckpointRow,
} from './audit.checkpoints.repository.ts';
import { genesisHash } from './audit.hash.ts';
import {
  CompactRange,
  consistencyRanges,
  eventLeafHash,
  inclusionRanges,
  subtreeHash,
  verifyConsistency,
  verifyInclusion,
  type CompletedSubtree,
  type SubtreeSource,
} from './audit.merkle.ts';
import { chainHead, chainPage, type AuditTransaction } from './audit.repository.ts';
import {
  checkpointText,
  loadCheckpointSigner,
  type CheckpointSigner,
  type SigningKeySetting,
} from './audit.signing.ts';
import { canonicalTextOf, checkRow } from './audit.chain-walk.ts';

export interface CheckpointSettings {
  /** Sign a checkpoint at every this many events of a chain. */
  readonly everyEvents: number;
  /** And for the events left over, once the chain's latest checkpoint is this old. */
  readonly everyMinutes: number;
  readonly signingKey: SigningKeySetting;
  /** E-mail each organisation's Data Protection Officers its latest checkpoint daily. */
  readonly mailDpo: boolean;
}

/** Who is told of a checkpoint and how: the composition passes the staff and notification services in. */
export interface CheckpointMail {
  /** The user ids of the organisation's active Data Protection Officers. */
  recipients(organisationId: string): Promise<readonly string[]>;
  send(
    trx: AuditTransaction,
    notice: { organisationId: string; userId: string; subject: string; body: string },
  ): Promise<void>;
}

/** A signed checkpoint as Safeshare exports it and proofs carry it: one JSON object, one line of an export. */
export interface CheckpointRecord {
  readonly organisationId: string;
  readonly treeSize: number;
  /** The Merkle root of the chain's first `treeSize` events, hexadecimal. */
  readonly rootHash: string;
  /** ISO 8601, UTC. */
  readonly signedAt: string;
  readonly keyId: string;
  /** The signed note: the only part a reader needs to trust; the fields above repeat what it says. */
  readonly note: string;
}

export interface InclusionProof {
  readonly type: 'safeshare-audit-inclusion-proof';
  readonly version: 1;
  readonly organisationId: string;
  /** The event, by its sequence number, and its chained hash (the leaf). */
  readonly event: {
    readonly seq: number;
    readonly hash: string;
    /** The canonical text whose SHA-256 is the hash, only when asked for: it can hold personal data. */
    readonly canonical?: string;
  };
  readonly leafIndex: number;
  readonly treeSize: number;
  /** RFC 9162 2.1.3: the inclusion path, lowest node first, hexadecimal. */
  readonly inclusionPath: readonly string[];
  readonly checkpoint: CheckpointRecord;
}

export interface ConsistencyProof {
  readonly type: 'safeshare-audit-consistency-proof';
  readonly version: 1;
  readonly organisationId: string;
  readonly from: CheckpointRecord;
  readonly to: CheckpointRecord;
  /** RFC 9162 2.1.4: the consistency path, hexadecimal. */
  readonly consistencyPath: readonly string[];
}

export interface SigningReport {
  /** Checkpoints signed. */
  readonly signed: number;
  /** Chains given at least one. */
  readonly chains: number;
  /** Chains still behind when the run's time was up (the next run carries on). */
  readonly behind: number;
  /** Chains not signed past a break: the first event that does not follow the one before it. */
  readonly broken: readonly {
    readonly organisationId: string;
    readonly seq: number;
    readonly detail: string;
  }[];
}

/** A proof asked of an event or checkpoint that does not exist, or a chain that no longer matches. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** The Merkle subtree levels kept (subtrees of 256, 65,536 ... events), highest first. */
const storedLevels = [40, 32, 24, 16, 8] as const;
const pageSize = 10_000;

export function toCheckpointRecord(row: CheckpointRow): CheckpointRecord {
  return {
    organisationId: row.organisation_id,
    treeSize: row.tree_size,
    rootHash: row.root_hash,
    signedAt: row.signed_at.toISOString(),
    keyId: row.key_id,
    note: row.note,
  };
}

/**
 * Signed checkpoints over each organisation's audit chain (ADR 0023): a job signs them after the
 * fact, reading events already committed, so recording an event does no more work than before.
 */
export function checkpointsService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly settings: CheckpointSettings;
}) {
  const { db, clock, settings } = deps;
  let loading: Promise<CheckpointSigner> | undefined;

  /** The signer, loaded once; a failure is not kept, so a key put right is used at the next run. */
  function signer(): Promise<CheckpointSigner> {
    loading ??= loadCheckpointSigner(settings.signingKey).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  }

  /**
   * Signs what is due in one chain, in the caller's transaction, at most `batch` events on from its
   * latest checkpoint: a checkpoint at every multiple of `everyEvents`, and one at the last event
   * read once the latest checkpoint is `everyMinutes` old. Each new event is checked first (its hash
   * against its content, its link to the one before), so no checkpoint vouches for a broken chain.
   */
  async function signChain(
    trx: Executor,
    organisationId: string,
    key: CheckpointSigner,
    batch: number,
    dueByTime: boolean | undefined,
  ): Promise<{ signed: number; more: boolean; timeDue: boolean; broken?: { seq: number; detail: string } }> {
    const nothing = { signed: 0, more: false, timeDue: false };
    if (!(await tryLockCheckpoints(trx, organisationId))) return nothing;
    const last = await latestCheckpoint(trx, organisationId);
    const headSeq = (await chainHead(trx, organisationId))?.seq ?? 0;
    const from = last?.tree_size ?? 0;
    if (headSeq <= from) return nothing;
    const now = clock.now();
    const every = settings.everyEvents;
    // Decided by the chain's latest checkpoint when the run began, so a long catch-up still ends at the head.
    const timeDue =
      dueByTime ??
      (last === undefined || now.getTime() - last.signed_at.getTime() >= settings.everyMinutes * 60_000);
    const batchEnd = Math.min(headSeq, from + batch);
    // Not yet due by time: read only as far as the last whole multiple of everyEvents.
    const end = timeDue ? batchEnd : Math.floor(batchEnd / every) * every;
    if (end <= from) return { ...nothing, timeDue };

    const range =
      last === undefined
        ? new CompactRange()
        : new CompactRange(
            last.tree_size,
            last.edge.map((node) => Buffer.from(node, 'hex')),
          );
    if (last !== undefined && range.root().toString('hex') !== last.root_hash)
      throw new CheckpointError(
        `the stored edge of the checkpoint of ${String(last.tree_size)} events does not give its root`,
      );
    let anchor = genesisHash;
    if (from > 0) {
      const [previous] = await chainPage(trx, organisationId, from - 1, 1);
      if (previous?.seq !== from)
        return { ...nothing, broken: { seq: from, detail: `event ${String(from)} is missing` } };
      anchor = previous.hash;
    }

    const made: CheckpointRow[] = [];
    const completed: CompletedSubtree[] = [];
    const sign = (): void => {
      const rootHash = range.root().toString('hex');
      made.push({
        organisation_id: organisationId,
        tree_size: range.size,
        root_hash: rootHash,
        signed_at: now,
        key_id: key.keyId,
        note: key.signNote(checkpointText({ organisationId, treeSize: range.size, rootHash, signedAt: now })),
        edge: range.nodes.map((node) => node.toString('hex')),
      });
    };
    let broken: { seq: number; detail: string } | undefined;
    let expected = from + 1;
    reading: while (expected <= end) {
      const page = await chainPage(trx, organisationId, expected - 1, Math.min(pageSize, end - expected + 1));
      if (page.length === 0) {
        broken = { seq: expected, detail: `event ${String(expected)} is missing` };
        break;
      }
      for (const row of page) {
        if (row.seq !== expected) {
          broken = { seq: expected, detail: `event ${String(expected)} is missing` };
          break reading;
        }
        const problem = checkRow(row, anchor, organisationId);
        if (problem !== undefined) {
          broken = { seq: row.seq, detail: problem.detail };
          break reading;
        }
        range.append(eventLeafHash(row.hash), (subtree) => {
          if (subtree.level % 8 === 0) completed.push(subtree);
        });
        anchor = row.hash;
        expected += 1;
        if (range.size % every === 0) sign();
      }
    }
    const lastSigned = made[made.length - 1]?.tree_size ?? from;
    // What is left over is signed once due by time: at the head, or where the chain breaks.
    if (timeDue && range.size > lastSigned && (range.size === headSeq || broken !== undefined)) sign();
    const signedTo = made[made.length - 1]?.tree_size ?? from;
    await insertCheckpoints(trx, made);
    // Only subtrees a checkpoint covers: the next run starts from that checkpoint's edge.
    await insertSubtrees(
      trx,
      completed
        .filter((subtree) => (subtree.index + 1) * 2 ** subtree.level <= signedTo)
        .map((subtree) => ({
          organisation_id: organisationId,
          level: subtree.level,
          index: subtree.index,
          hash: subtree.hash.toString('hex'),
        })),
    );
    return {
      signed: made.length,
      more: broken === undefined && batchEnd < headSeq,
      timeDue,
      ...(broken === undefined ? {} : { broken }),
    };
  }

  /** Where a proof's subtree hashes come from: the stored subtrees, and the events' hashes below them. */
  function subtreeSource(executor: Executor, organisationId: string): SubtreeSource {
    return {
      storedLevels,
      async stored(level, first, count) {
        const rows = await subtreesOfLevel(executor, organisationId, level, first, count);
        const byIndex = new Map(rows.map((row) => [row.index, row.hash]));
        return Array.from({ length: count }, (_, offset) => {
          const hash = byIndex.get(first + offset);
          return hash === undefined ? undefined : Buffer.from(hash, 'hex');
        });
      },
      async leaves(start, end) {
        const rows = await eventHashes(executor, organisationId, start, end);
        if (rows.length !== end - start || rows.some((row, offset) => row.seq !== start + offset + 1))
          throw new CheckpointError(
            `events ${String(start + 1)} to ${String(end)} of the chain are not all there: run safeshare audit verify`,
          );
        return rows.map((row) => leafOf(row.hash));
      },
    };
  }

  function leafOf(hash: string): Buffer {
    try {
      return eventLeafHash(hash);
    } catch {
      throw new CheckpointError('an event hash has been altered: run safeshare audit verify');
    }
  }

  async function snapshot<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
    return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
  }

  return {
    /** The signing key's public half, for `safeshare audit key`; throws when there is no key. */
    signer,

    /**
     * Signs every chain's due checkpoints, chain by chain, each batch its own transaction, until
     * every chain is signed up to date or `budgetMs` has passed (the next run carries on).
     */
    async signDue(
      options: { readonly batch?: number; readonly budgetMs?: number } = {},
    ): Promise<SigningReport> {
      const batch = options.batch ?? 100_000;
      const budgetMs = options.budgetMs ?? 60_000;
      const started = performance.now();
      const candidates = await chainsAheadOfCheckpoints(db);
      if (candidates.length === 0) return { signed: 0, chains: 0, behind: 0, broken: [] };
      const key = await signer();
      let signed = 0;
      let chains = 0;
      let behind = 0;
      const broken: { organisationId: string; seq: number; detail: string }[] = [];
      for (const candidate of candidates) {
        let signedHere = 0;
        let dueByTime: boolean | undefined;
        for (;;) {
          const outcome = await db
            .transaction()
            .execute((trx) => signChain(trx, candidate.organisation_id, key, batch, dueByTime));
          dueByTime = outcome.timeDue;
          signedHere += outcome.signed;
          if (outcome.broken !== undefined) {
            broken.push({ organisationId: candidate.organisation_id, ...outcome.broken });
            break;
          }
          if (!outcome.more) break;
          if (performance.now() - started > budgetMs) {
            behind += 1;
            break;
          }
        }
        signed += signedHere;
        if (signedHere > 0) chains += 1;
      }
      return { signed, chains, behind, broken };
    },

    async latest(organisationId: string): Promise<CheckpointRecord | undefined> {
      const row = await latestCheckpoint(db, organisationId);
      return row === undefined ? undefined : toCheckpointRecord(row);
    },

    /**
     * Every checkpoint not yet exported, organisation by organisation, smallest first: those larger
     * than `exported.get(organisation)` (all of an organisation not in the map).
     */
    async *since(exported: ReadonlyMap<string, number>): AsyncGenerator<CheckpointRecord> {
      for (const organisationId of await checkpointedOrganisations(db)) {
        let after = exported.get(organisationId) ?? 0;
        for (;;) {
          const page = await checkpointsAfter(db, organisationId, after, 1000);
          for (const row of page) yield toCheckpointRecord(row);
          const last = page[page.length - 1];
          if (last === undefined || page.length < 1000) break;
          after = last.tree_size;
        }
      }
    },

    /** The organisations that have signed checkpoints. */
    organisations(): Promise<string[]> {
      return checkpointedOrganisations(db);
    },

    /**
     * E-mails each organisation's Data Protection Officers its latest checkpoint, if one was signed
     * in the last day, through the mail outbox: a copy outside the database and outside Safeshare's
     * hands, with no personal data (an organisation's id, a count, a hash, a time, a signature).
     * `officers` names the people and sends the notice, so the audit trail imports no other capability.
     */
    async mailLatest(officers: CheckpointMail): Promise<number> {
      if (!settings.mailDpo) return 0;
      const since = new Date(clock.now().getTime() - 24 * 3_600_000);
      let mailed = 0;
      for (const organisationId of await checkpointedOrganisations(db)) {
        const row = await latestCheckpoint(db, organisationId);
        if (row === undefined || row.signed_at < since) continue;
        const recipients = await officers.recipients(organisationId);
        if (recipients.length === 0) continue;
        const record = toCheckpointRecord(row);
        await db.transaction().execute(async (trx) => {
          for (const userId of recipients)
            await officers.send(trx, {
              organisationId,
              userId,
              subject: `Audit checkpoint: ${record.treeSize.toLocaleString('en-GB')} events signed`,
              body:
                "Safeshare has signed this checkpoint of your organisation's audit trail. Keep this e-mail: with " +
                "Safeshare's public key (safeshare audit key) it proves what the trail held when it was signed, " +
                'whatever later happens to the database (docs/operations.md, "Signed audit checkpoints").\n\n' +
                `${record.note}\nAs a line of a checkpoint export:\n${JSON.stringify(record)}`,
            });
        });
        mailed += 1;
      }
      return mailed;
    },

    /**
     * RFC 9162 2.1.3: the proof that event `seq` is in the organisation's latest checkpoint (or the
     * checkpoint of `treeSize` events), checked before it is given.
     */
    async inclusionProof(
      organisationId: string,
      seq: number,
      options: { readonly treeSize?: number; readonly withEvent?: boolean } = {},
    ): Promise<InclusionProof> {
      return snapshot(async (trx) => {
        const checkpoint =
          options.treeSize === undefined
            ? await latestCheckpoint(trx, organisationId)
            : await checkpointOfSize(trx, organisationId, options.treeSize);
        if (checkpoint === undefined)
          throw new CheckpointError(
            options.treeSize === undefined
              ? 'the organisation has no signed checkpoint yet (the audit-checkpoints job signs one within minutes of its first event)'
              : `the organisation has no checkpoint of ${String(options.treeSize)} events`,
          );
        if (!Number.isSafeInteger(seq) || seq < 1 || seq > checkpoint.tree_size)
          throw new CheckpointError(
            `event ${String(seq)} is not in the checkpoint of ${String(checkpoint.tree_size)} events` +
              (seq > checkpoint.tree_size ? ': the next checkpoint will cover it' : ''),
          );
        const [event] = await chainPage(trx, organisationId, seq - 1, 1);
        if (event?.seq !== seq)
          throw new CheckpointError(`event ${String(seq)} is missing: run safeshare audit verify`);
        const source = subtreeSource(trx, organisationId);
        const path = [];
        for (const range of inclusionRanges(seq - 1, checkpoint.tree_size))
          path.push(await subtreeHash(source, range));
        const root = Buffer.from(checkpoint.root_hash, 'hex');
        if (!verifyInclusion(seq - 1, checkpoint.tree_size, leafOf(event.hash), path, root))
          throw new CheckpointError(
            `the chain no longer matches the checkpoint of ${String(checkpoint.tree_size)} events: run safeshare audit verify --checkpoints`,
          );
        return {
          type: 'safeshare-audit-inclusion-proof',
          version: 1,
          organisationId,
          event: {
            seq,
            hash: event.hash,
            ...(options.withEvent === true ? { canonical: canonicalTextOf(event, organisationId) } : {}),
          },
          leafIndex: seq - 1,
          treeSize: checkpoint.tree_size,
          inclusionPath: path.map((node) => node.toString('hex')),
          checkpoint: toCheckpointRecord(checkpoint),
        };
      });
    },

    /** RFC 9162 2.1.4: the proof that the checkpoint of `from` events is the beginning of the one of `to`. */
    async consistencyProof(organisationId: string, from: number, to: number): Promise<ConsistencyProof> {
      if (!(from >= 1 && from <= to))
        throw new CheckpointError('--from must be at least 1 and no larger than --to');
      return snapshot(async (trx) => {
        const [older, newer] = await Promise.all([
          checkpointOfSize(trx, organisationId, from),
          checkpointOfSize(trx, organisationId, to),
        ]);
        for (const [size, found] of [
          [from, older],
          [to, newer],
        ] as const)
          if (found === undefined)
            throw new CheckpointError(`the organisation has no checkpoint of ${String(size)} events`);
        if (older === undefined || newer === undefined) throw new CheckpointError('checkpoint not found');
        const source = subtreeSource(trx, organisationId);
        const path = [];
        for (const range of from === to ? [] : consistencyRanges(from, to))
          path.push(await subtreeHash(source, range));
        const consistent = verifyConsistency(
          from,
          to,
          Buffer.from(older.root_hash, 'hex'),
          Buffer.from(newer.root_hash, 'hex'),
          path,
        );
        if (!consistent)
          throw new CheckpointError(
            `the chain no longer matches the checkpoints of ${String(from)} and ${String(to)} events: run safeshare audit verify --checkpoints`,
          );
        return {
          type: 'safeshare-audit-consistency-proof',
          version: 1,
          organisationId,
          from: toCheckpointRecord(older),
          to: toCheckpointRecord(newer),
          consistencyPath: path.map((node) => node.toString('hex')),
        };
      });
    },
  };
}

export type CheckpointsService = ReturnType<typeof checkpointsService>;
