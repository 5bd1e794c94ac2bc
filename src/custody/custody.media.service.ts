import type { Transaction } from 'kysely';
import { actorOf, type Viewer } from '../auth/index.ts';
import { systemActor, type AuditService } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { NotFoundError, RuleError, type Problem } from '../lib/errors.ts';
import { isUuid } from '../lib/ids.ts';
import { multiline, requiredTextFault, singleLine } from '../lib/text.ts';
import { londonToday } from '../lib/time.ts';
import type { NotificationsService } from '../notifications/index.ts';
import { custodyPaths } from './custody.paths.ts';
import * as store from './custody.media.repository.ts';
import type { MediaKind } from './custody.table.ts';
import type { Role } from '../auth/index.ts';

/** Who sees and closes every item of the register: the IT service desk issues and collects devices; the DPO and IG lead oversee. */
const mediaOverseers: readonly Role[] = ['it_service_desk', 'dpo', 'ig_lead'];

export const mediaKinds: readonly MediaKind[] = [
  'usb-stick',
  'external-drive',
  'laptop',
  'phone',
  'tablet',
  'disc',
  'other',
];

/** A medium or device as it is registered (R4.7.1). */
export interface NewMedia {
  readonly kind: MediaKind;
  readonly assetTag: string;
  /** Unencrypted media cannot be registered for personal information (R1.2). */
  readonly encrypted: boolean;
  readonly encryption: string;
  readonly contents: string;
  readonly purpose: string;
  readonly backedUp: string;
  readonly neededUntil: string;
}

export type MediaItem = ReturnType<typeof view>;

/** Its holder, their line manager and the overseers see a medium's entry and close it. */
function mayManage(viewer: Viewer, row: store.MediaRow): boolean {
  return (
    row.holder === viewer.userId ||
    row.holder_manager_id === viewer.userId ||
    viewer.roles.some((role) => mediaOverseers.includes(role))
  );
}

function view(row: store.MediaRow, viewer: Viewer, today: string) {
  return {
    id: row.id,
    reference: row.reference,
    kind: row.kind,
    assetTag: row.asset_tag,
    encryption: row.encryption,
    holderName: row.holder_name,
    contents: row.contents,
    purpose: row.purpose,
    backedUp: row.backed_up,
    neededUntil: row.needed_until,
    registeredAt: row.registered_at,
    status: row.status,
    disposalHow: row.disposal_how,
    disposerName: row.disposer_name,
    disposedAt: row.disposed_at,
    /** Held past its purpose (R4.7.4): delete the information or destroy the medium. */
    pastNeed: row.status === 'in-use' && row.needed_until < today,
    mayClose: row.status === 'in-use' && mayManage(viewer, row),
  };
}

function text(
  problems: Problem[],
  field: string,
  label: string,
  value: string,
  max: number,
  shape = singleLine,
) {
  const fault = requiredTextFault(value, { label, blank: `Enter ${label}`, max, shape });
  if (fault !== undefined) problems.push({ field, code: 'MEDIA.ENTRY', message: fault });
  return value.trim();
}

/**
 * The register of removable media and devices holding personal information (R4.7, R1.2): only
 * encrypted ones are registered; what was put on each and why, where it is backed up, and until
 * when it is needed; secure deletion or destruction recorded (who, how, when); anything held past
 * its purpose flagged, and its holder told once; a loss reported as an incident from the entry.
 */
export function mediaService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly notifications: Pick<NotificationsService, 'notify'>;
}) {
  const { db, clock, audit, notifications } = deps;

  async function open(viewer: Viewer, id: string, trx?: Transaction<Database>) {
    const row = isUuid(id)
      ? await store.findMedia(trx ?? db, viewer.organisationId, id, { forUpdate: trx !== undefined })
      : undefined;
    if (row === undefined || (!view(row, viewer, '').mayClose && !readable(viewer, row)))
      throw new NotFoundError('no such medium');
    return row;
  }

  function readable(viewer: Viewer, row: store.MediaRow): boolean {
    return (
      row.holder === viewer.userId ||
      row.holder_manager_id === viewer.userId ||
      viewer.roles.some((role) => mediaOverseers.includes(role))
    );
  }

  return {
    /** Registers a medium the viewer holds; refuses an unencrypted one (R1.2). */
    async register(viewer: Viewer, entry: NewMedia): Promise<string> {
      const problems: Problem[] = [];
      if (!mediaKinds.includes(entry.kind))
        problems.push({
          field: 'kind',
          code: 'MEDIA.ENTRY',
          message: 'Choose what kind of medium or device it is',
        });
      const assetTag = text(problems, 'assetTag', 'the asset tag', entry.assetTag, 100);
      if (!entry.encrypted)
        problems.push({
          field: 'encrypted',
          code: 'MEDIA.UNENCRYPTED',
          message:
            'Unencrypted media cannot hold personal information: ask the IT service desk for an encrypted one',
        });
      const encryption = text(problems, 'encryption', 'how it is encrypted', entry.encryption, 200);
      const contents = text(
        problems,
        'contents',
        'what personal information is on it',
        entry.contents,
        2000,
        multiline,
      );
      const purpose = text(problems, 'purpose', 'why it is on it', entry.purpose, 1000, multiline);
      const backedUp = text(problems, 'backedUp', 'where the information is backed up', entry.backedUp, 300);
      const today = londonToday(clock.now());
      if (entry.neededUntil < today)
        problems.push({
          field: 'neededUntil',
          code: 'MEDIA.ENTRY',
          message: 'The date it is needed until must be today or later',
        });
      if (problems.length > 0) throw new RuleError(problems);
      return db.transaction().execute(async (trx) => {
        const { id, reference } = await store.insertMedia(trx, {
          organisation_id: viewer.organisationId,
          kind: entry.kind,
          asset_tag: assetTag,
          encrypted: true,
          encryption,
          holder: viewer.userId,
          contents,
          purpose,
          backed_up: backedUp,
          needed_until: entry.neededUntil,
          registered_by: viewer.userId,
          registered_at: clock.now(),
          past_need_flagged_at: null,
          disposal_how: null,
          disposed_by: null,
          disposed_at: null,
          lost_at: null,
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'media.registered',
          entity: { type: 'media_item', id },
          change: {
            reference,
            kind: entry.kind,
            assetTag,
            encryption,
            contents,
            purpose,
            backedUp,
            neededUntil: entry.neededUntil,
          },
        });
        return id;
      });
    },

    async find(viewer: Viewer, id: string): Promise<MediaItem> {
      return view(await open(viewer, id), viewer, londonToday(clock.now()));
    },

    async list(viewer: Viewer): Promise<MediaItem[]> {
      const everyone = viewer.roles.some((role) => mediaOverseers.includes(role));
      const today = londonToday(clock.now());
      return (await store.mediaFor(db, viewer.organisationId, viewer.userId, everyone)).map((row) =>
        view(row, viewer, today),
      );
    },

    /** Secure deletion or destruction after use (R4.7.4): who, how and when. */
    async dispose(viewer: Viewer, id: string, disposal: { how: 'wiped' | 'destroyed'; method: string }) {
      const problems: Problem[] = [];
      const method = text(problems, 'method', 'how it was done', disposal.method, 1000, multiline);
      if (problems.length > 0) throw new RuleError(problems);
      await db.transaction().execute(async (trx) => {
        const row = await open(viewer, id, trx);
        if (!view(row, viewer, '').mayClose)
          throw RuleError.of(
            'how',
            'MEDIA.CLOSED',
            'This medium has already been wiped, destroyed or reported lost',
          );
        await store.updateMedia(trx, row.id, {
          status: disposal.how,
          disposal_how: method,
          disposed_by: viewer.userId,
          disposed_at: clock.now(),
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'media.disposed',
          entity: { type: 'media_item', id: row.id },
          change: { how: disposal.how, method },
        });
      });
    },

    /** The medium, if the viewer may report it lost: while in use, by its holder, their line manager or an overseer. */
    async mayReportLost(viewer: Viewer, id: string): Promise<MediaItem | undefined> {
      try {
        const item = view(await open(viewer, id), viewer, londonToday(clock.now()));
        return item.mayClose ? item : undefined;
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    },

    /** Marks a medium lost in the incident's own transaction (R4.7.3). */
    async markLostIn(trx: Transaction<Database>, viewer: Viewer, id: string, incidentReference: string) {
      const row = await open(viewer, id, trx);
      if (row.status !== 'in-use')
        throw RuleError.of('mediaItemId', 'MEDIA.CLOSED', 'This medium is not in use');
      await store.updateMedia(trx, row.id, { status: 'lost', lost_at: clock.now() });
      await audit.record(trx, {
        organisationId: viewer.organisationId,
        actor: actorOf(viewer),
        action: 'media.lost',
        entity: { type: 'media_item', id: row.id },
        change: { incident: incidentReference },
      });
    },

    /** Tells each holder, once, of media held past their purpose (R4.7.4). Returns how many. */
    async flagPastNeed(): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const due = await store.pastNeedUnflagged(trx, londonToday(clock.now()));
        for (const row of due) {
          await notifications.notify(trx, {
            organisationId: row.organisation_id,
            userId: row.holder,
            kind: 'media.past_need',
            subject: `${row.reference} is past the date it was needed until`,
            body: 'Delete the personal information securely, or return it to the IT service desk to be destroyed, and record it on the register.',
            link: custodyPaths.media(row.id),
          });
          await store.updateMedia(trx, row.id, { past_need_flagged_at: clock.now() });
          await audit.record(trx, {
            organisationId: row.organisation_id,
            actor: systemActor,
            action: 'media.past_need_flagged',
            entity: { type: 'media_item', id: row.id },
            change: { neededUntil: row.needed_until },
          });
        }
        return due.length;
      });
    },
  };
}

export type MediaService = ReturnType<typeof mediaService>;
