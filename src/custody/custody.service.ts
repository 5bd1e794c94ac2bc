import type { Transaction } from 'kysely';
import { actorOf, type StaffService, type Viewer } from '../auth/index.ts';
import { systemActor, type AuditService } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { NotFoundError, RuleError, type Problem } from '../lib/errors.ts';
import { isUuid } from '../lib/ids.ts';
import { requiredTextFault, singleLine } from '../lib/text.ts';
import { formatDateTime } from '../lib/time.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import type { Role } from '../auth/index.ts';
import { custodyPaths } from './custody.paths.ts';
import * as store from './custody.repository.ts';
import type { CustodyForm } from './custody.table.ts';

/** Who sees every item of the organisation's off-site log: those who oversee information governance. */
export const custodyOverseers: readonly Role[] = ['dpo', 'ig_lead', 'caldicott_guardian'];

/** How long after its return an off-site log entry can still have a hand-over recorded under it. */
const handOverDays = 14;

/** What the practitioner logs before taking personal information off site (R4.3.3). */
export interface OffSiteEntry {
  readonly form: CustodyForm;
  readonly what: string;
  readonly reasonId: string;
  readonly reasonDetail?: string | undefined;
  readonly destination: string;
  readonly dueBackAt: Date;
  /** Paper in a sealed file or envelope; electronic information encrypted or password-protected. */
  readonly protected: boolean;
  /** Carried in a car: locked in the boot, never left on view (R4.3.6). */
  readonly carSafe: boolean;
}

/** An item of the off-site log as its pages show it. */
export type CustodyItem = ReturnType<typeof view>;

function view(row: store.CustodyRow, viewer: Viewer, now: Date) {
  return {
    id: row.id,
    reference: row.reference,
    takenBy: row.taken_by,
    takerName: row.taker_name,
    form: row.form,
    what: row.what,
    reasonId: row.reason_id,
    reasonDetail: row.reason_detail,
    destination: row.destination,
    dueBackAt: row.due_back_at,
    loggedAt: row.logged_at,
    status: row.status,
    agreement: row.agreement,
    deciderName: row.decider_name,
    decidedAt: row.decided_at,
    refusalReason: row.refusal_reason,
    returnedAt: row.returned_at,
    lostAt: row.lost_at,
    overdue: row.status === 'out' && row.due_back_at.getTime() < now.getTime(),
    /** The taker's line manager decides one that waits for agreement. */
    mayDecide: row.status === 'awaiting-agreement' && row.taker_manager_id === viewer.userId,
    /** The taker or their line manager records the return, or reports it lost. */
    mayClose:
      (row.status === 'out' || row.status === 'awaiting-agreement') &&
      (row.taken_by === viewer.userId || row.taker_manager_id === viewer.userId),
  };
}

/**
 * The off-site log (R4.3): personal information taken off site is logged first with what, why,
 * where and when it comes back, protected as the source policy asks; a reason local policy does not
 * cover waits for the line manager's agreement (R4.3.2); the return is recorded (R4.3.8); anything
 * not back in time is followed up every day, first with the practitioner, then with their line
 * manager too (R4.3.7); a loss becomes an incident (reported from the incident register).
 */
export function custodyService(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly policy: PolicyPack;
  readonly staff: Pick<StaffService, 'colleague'>;
  readonly notifications: Pick<NotificationsService, 'notify'>;
}) {
  const { db, clock, audit, notifications } = deps;
  const rules = deps.policy.custody;

  function mayRead(viewer: Viewer, row: store.CustodyRow): boolean {
    return (
      row.taken_by === viewer.userId ||
      row.taker_manager_id === viewer.userId ||
      viewer.roles.some((role) => custodyOverseers.includes(role))
    );
  }

  async function open(viewer: Viewer, id: string, trx?: Transaction<Database>): Promise<store.CustodyRow> {
    const row = isUuid(id)
      ? await store.findItem(trx ?? db, viewer.organisationId, id, { forUpdate: trx !== undefined })
      : undefined;
    if (row === undefined || !mayRead(viewer, row)) throw new NotFoundError('no such item');
    return row;
  }

  function check(entry: OffSiteEntry): Problem[] {
    const problems: Problem[] = [];
    const problem = (field: string, message: string) =>
      problems.push({ field, code: 'CUSTODY.ENTRY', message });
    const fault = (field: string, value: string, rule: Parameters<typeof requiredTextFault>[1]) => {
      const message = requiredTextFault(value, rule);
      if (message !== undefined) problem(field, message);
    };
    fault('what', entry.what, {
      label: 'what you are taking',
      blank: 'Say what you are taking off site',
      max: 1000,
    });
    if (!rules.reasons.some((item) => item.id === entry.reasonId))
      problem('reasonId', 'Choose why you are taking it');
    const detail = entry.reasonDetail?.trim() ?? '';
    if (entry.reasonId === 'other' || detail !== '')
      fault('reasonDetail', detail, { label: 'the reason', blank: 'Say why you are taking it', max: 1000 });
    fault('destination', entry.destination, {
      label: 'where it is going',
      blank: 'Say where it is going',
      max: 300,
      shape: singleLine,
    });
    const now = clock.now().getTime();
    if (entry.dueBackAt.getTime() <= now) problem('dueBackAt', 'When it will be back must be in the future');
    else if (entry.dueBackAt.getTime() > now + rules.maxDaysOff * 86_400_000)
      problem(
        'dueBackAt',
        `It must be back within ${String(rules.maxDaysOff)} days: bring it back and take it out again if you need it longer`,
      );
    if (!entry.protected)
      problem(
        'protected',
        entry.form === 'paper'
          ? 'Paper must travel in a sealed file or envelope'
          : 'Electronic information must be encrypted or password-protected before it leaves the building',
      );
    if (!entry.carSafe)
      problem('carSafe', 'Confirm that in a car it will be locked in the boot, never left on view');
    return problems;
  }

  return {
    /** The reasons the pack lists, with whether local policy covers each. */
    reasons: rules.reasons,
    maxDaysOff: rules.maxDaysOff,

    /**
     * Logs an item before it leaves (R4.3.3). A standing reason (local policy) lets it go at once;
     * any other waits for the line manager, who is told. Refused: nothing is written.
     */
    async log(viewer: Viewer, entry: OffSiteEntry): Promise<string> {
      const problems = check(entry);
      const reason = rules.reasons.find((item) => item.id === entry.reasonId);
      const taker = await deps.staff.colleague(viewer.userId);
      const manager = taker?.lineManagerId ?? null;
      if (reason !== undefined && !reason.standing && manager === null)
        problems.push({
          field: 'reasonId',
          code: 'CUSTODY.NO_LINE_MANAGER',
          message:
            'Your line manager must agree to this, and Safeshare has no line manager for you: ask an administrator to add one',
        });
      if (problems.length > 0) throw new RuleError(problems);
      const standing = reason?.standing === true;
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const { id, reference } = await store.insertItem(trx, {
          organisation_id: viewer.organisationId,
          taken_by: viewer.userId,
          form: entry.form,
          what: entry.what.trim(),
          reason_id: entry.reasonId,
          reason_detail: entry.reasonDetail?.trim() || null,
          destination: entry.destination.trim(),
          due_back_at: entry.dueBackAt,
          protected: true,
          logged_at: now,
          status: standing ? 'out' : 'awaiting-agreement',
          agreement: standing ? 'local-policy' : 'line-manager',
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'custody.logged',
          entity: { type: 'custody_item', id },
          change: {
            reference,
            form: entry.form,
            what: entry.what.trim(),
            reasonId: entry.reasonId,
            destination: entry.destination.trim(),
            dueBackAt: entry.dueBackAt.toISOString(),
            agreement: standing ? 'local-policy' : 'line-manager',
          },
        });
        if (!standing && manager !== null)
          await notifications.notify(trx, {
            organisationId: viewer.organisationId,
            userId: manager,
            kind: 'custody.agreement_asked',
            subject: `${viewer.displayName} asks to take information off site (${reference})`,
            body: 'Agree or refuse on the log entry before it leaves the building.',
            link: custodyPaths.item(id),
          });
        return id;
      });
    },

    async find(viewer: Viewer, id: string): Promise<CustodyItem> {
      return view(await open(viewer, id), viewer, clock.now());
    },

    /** The viewer's own items and their reports' (everyone's for those who oversee), newest first. */
    async list(viewer: Viewer): Promise<CustodyItem[]> {
      const everyone = viewer.roles.some((role) => custodyOverseers.includes(role));
      const rows = await store.itemsFor(db, viewer.organisationId, viewer.userId, everyone);
      const now = clock.now();
      return rows.map((row) => view(row, viewer, now));
    },

    /** The line manager agrees or refuses (with reasons) an item waiting for agreement (R4.3.2). */
    async decide(viewer: Viewer, id: string, decision: { agree: boolean; reason?: string | undefined }) {
      const reason = decision.reason?.trim() ?? '';
      if (!decision.agree && (reason === '' || reason.length > 1000))
        throw RuleError.of('reason', 'CUSTODY.REASON', 'Say why you are refusing, in up to 1000 characters');
      await db.transaction().execute(async (trx) => {
        const row = await open(viewer, id, trx);
        if (!view(row, viewer, clock.now()).mayDecide)
          throw RuleError.of(
            'agree',
            'CUSTODY.NOT_YOURS_TO_DECIDE',
            'Only the line manager decides, and only once',
          );
        const now = clock.now();
        await store.updateItem(trx, row.id, {
          status: decision.agree ? 'out' : 'refused',
          decided_by: viewer.userId,
          decided_at: now,
          refusal_reason: decision.agree ? null : reason,
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: decision.agree ? 'custody.agreed' : 'custody.refused',
          entity: { type: 'custody_item', id: row.id },
          change: decision.agree ? {} : { reason },
        });
        await notifications.notify(trx, {
          organisationId: viewer.organisationId,
          userId: row.taken_by,
          kind: decision.agree ? 'custody.agreed' : 'custody.refused',
          subject: `${row.reference}: your line manager ${decision.agree ? 'agreed' : 'did not agree'}`,
          body: decision.agree
            ? 'You may take it off site as logged. Record its return when it is back.'
            : 'Do not take it off site. The reason is on the log entry.',
          link: custodyPaths.item(row.id),
        });
      });
    },

    /** Records the return (R4.3.8): by the taker or their line manager. */
    async recordReturn(viewer: Viewer, id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await open(viewer, id, trx);
        if (!view(row, viewer, clock.now()).mayClose)
          throw RuleError.of('returned', 'CUSTODY.CLOSED', 'This item is not off site');
        const now = clock.now();
        await store.updateItem(trx, row.id, {
          status: 'returned',
          returned_at: now,
          returned_recorded_by: viewer.userId,
        });
        await audit.record(trx, {
          organisationId: viewer.organisationId,
          actor: actorOf(viewer),
          action: 'custody.returned',
          entity: { type: 'custody_item', id: row.id },
          change: { late: row.due_back_at.getTime() < now.getTime() },
        });
      });
    },

    /**
     * The viewer's own entries a hand-over in person can be recorded under (R4.3.3): off site now, or
     * returned within the last fortnight (the disclosure may be logged after they are back).
     */
    async handOverEntries(viewer: Viewer): Promise<CustodyItem[]> {
      const now = clock.now();
      const since = now.getTime() - handOverDays * 24 * 3_600_000;
      const rows = await store.itemsFor(db, viewer.organisationId, viewer.userId, false);
      return rows
        .filter(
          (row) =>
            row.taken_by === viewer.userId &&
            (row.status === 'out' ||
              (row.status === 'returned' && (row.returned_at?.getTime() ?? 0) >= since)),
        )
        .map((row) => view(row, viewer, now));
    },

    /**
     * Whether the viewer may report the item lost: the taker or their line manager, while it is off
     * site. The incident register asks before its form is shown and when it is sent.
     */
    async mayReportLost(viewer: Viewer, id: string): Promise<CustodyItem | undefined> {
      try {
        const item = view(await open(viewer, id), viewer, clock.now());
        return item.mayClose ? item : undefined;
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    },

    /** Marks an item lost in the incident's own transaction (R4.7.3): the incident is the record of the loss. */
    async markLostIn(trx: Transaction<Database>, viewer: Viewer, id: string, incidentReference: string) {
      const row = await open(viewer, id, trx);
      if (!view(row, viewer, clock.now()).mayClose)
        throw RuleError.of('custodyItemId', 'CUSTODY.CLOSED', 'This item is not off site');
      await store.updateItem(trx, row.id, { status: 'lost', lost_at: clock.now() });
      await audit.record(trx, {
        organisationId: viewer.organisationId,
        actor: actorOf(viewer),
        action: 'custody.lost',
        entity: { type: 'custody_item', id: row.id },
        change: { incident: incidentReference },
      });
    },

    /**
     * The daily follow-up (R4.3.7): each item off site past its time tells the practitioner, and
     * from the second day their line manager too. Returns how many were followed up.
     */
    async followUpOverdue(): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const now = clock.now();
        const due = await store.overdue(trx, now);
        for (const row of due) {
          const told = [
            row.taken_by,
            ...(row.follow_ups >= 1 && row.taker_manager_id !== null ? [row.taker_manager_id] : []),
          ];
          for (const userId of told)
            await notifications.notify(trx, {
              organisationId: row.organisation_id,
              userId,
              kind: 'custody.overdue',
              subject: `${row.reference} is not back: it was due ${formatDateTime(row.due_back_at)}`,
              body:
                userId === row.taken_by
                  ? 'Bring it back and record its return, or report it lost at once.'
                  : `${row.taker_name} has not recorded its return. Check it is safe; if it is lost, it must be reported at once.`,
              link: custodyPaths.item(row.id),
            });
          await store.updateItem(trx, row.id, { follow_ups: row.follow_ups + 1 });
          await audit.record(trx, {
            organisationId: row.organisation_id,
            actor: systemActor,
            action: 'custody.followed_up',
            entity: { type: 'custody_item', id: row.id },
            change: { followUp: row.follow_ups + 1, lineManagerTold: told.length > 1 },
          });
        }
        return due.length;
      });
    },
  };
}

export type CustodyService = ReturnType<typeof custodyService>;
