import type { Transaction } from 'kysely';
import { actorOf, type Viewer } from '../auth/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { ExchangeService } from '../exchange/index.ts';
import type { Clock } from '../lib/clock.ts';
import { NotFoundError } from '../lib/errors.ts';
import { isUuid } from '../lib/ids.ts';
import { requiredTextFault } from '../lib/text.ts';
import { londonToday } from '../lib/time.ts';
import { IncidentRuleError } from './incidents.errors.ts';
import * as store from './incidents.repository.ts';
import type { ContainmentKind } from './incidents.table.ts';

/** A containment action as the incident page shows it. */
export interface ContainmentAction {
  readonly id: string;
  readonly kind: ContainmentKind;
  readonly description: string;
  readonly dueOn: string | null;
  readonly recordedByName: string | null;
  readonly recordedAt: Date;
  readonly doneAt: Date | null;
  readonly overdue: boolean;
}

/** A task or an action taken, as the form sends it. */
export interface NewContainmentAction {
  readonly kind: 'retrieve' | 'other';
  readonly description: string;
  /** A task's date (yyyy-mm-dd): asking for a letter back needs one. */
  readonly dueOn?: string | undefined;
}

/**
 * Containment (R5.2): every action taken to contain an incident is recorded, by whom and when. Some
 * are buttons: withdrawing the secure exchange package the incident is about (its keys destroyed at
 * once) records itself; asking for a letter or papers back is a task with a date, marked done when
 * they come back, and overdue in the register until then.
 */
export function containment(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly exchange: Pick<ExchangeService, 'packageForDisclosure' | 'revoke'>;
  /** Opens the incident for a change by this viewer, locked, or refuses as not found. */
  readonly openForChange: (
    viewer: Viewer,
    id: string,
    trx: Transaction<Database>,
  ) => Promise<{
    id: string;
    organisation_id: string;
    reference: string;
    disclosure_id: string | null;
    closed_at: Date | null;
  }>;
}) {
  const { db, clock, audit } = deps;

  async function insert(
    trx: Transaction<Database>,
    viewer: Viewer,
    incident: { id: string; organisation_id: string },
    action: { kind: ContainmentKind; description: string; dueOn: string | null; done: boolean },
  ): Promise<void> {
    const now = clock.now();
    const row = await store.insertAction(trx, {
      incident_id: incident.id,
      kind: action.kind,
      description: action.description,
      due_on: action.dueOn,
      recorded_by: viewer.userId,
      recorded_at: now,
      done_by: action.done ? viewer.userId : null,
      done_at: action.done ? now : null,
    });
    await audit.record(trx, {
      organisationId: incident.organisation_id,
      actor: actorOf(viewer),
      action: 'incident.action_recorded',
      entity: { type: 'incident', id: incident.id },
      change: { actionId: row.id, kind: action.kind, description: action.description, dueOn: action.dueOn },
    });
  }

  function openIncident(viewer: Viewer, id: string, trx: Transaction<Database>) {
    return deps.openForChange(viewer, id, trx).then((row) => {
      if (row.closed_at !== null)
        throw IncidentRuleError.of('description', 'INCIDENT.CLOSED', 'This incident is closed');
      return row;
    });
  }

  /** The live secure exchange package the incident's disclosure sent, which containment can withdraw. */
  async function packageToRecall(disclosureId: string | null) {
    if (disclosureId === null) return undefined;
    const found = await deps.exchange.packageForDisclosure(disclosureId);
    return found?.ended === null ? found : undefined;
  }

  return {
    packageToRecall,

    async actionsOf(incidentId: string): Promise<ContainmentAction[]> {
      const today = londonToday(clock.now());
      const rows = await store.actionsOf(db, incidentId);
      return rows.map((row) => ({
        id: row.id,
        kind: row.kind,
        description: row.description,
        dueOn: row.due_on,
        recordedByName: row.display_name,
        recordedAt: row.recorded_at,
        doneAt: row.done_at,
        overdue: row.done_at === null && row.due_on !== null && row.due_on < today,
      }));
    },

    /** Containment tasks not done by their date, of the given incidents (the register's readers' view). */
    async overdueActions(incidentIds: readonly string[]) {
      return store.overdueActions(db, incidentIds, londonToday(clock.now()));
    },

    /** Records an action taken, or a task with its date (asking for something back needs one). */
    async recordAction(viewer: Viewer, id: string, action: NewContainmentAction): Promise<void> {
      const description = action.description.trim();
      const problems: { field: string; code: string; message: string }[] = [];
      const fault = requiredTextFault(description, {
        label: 'the action',
        blank: 'Say what was done, or what was asked for',
        max: 2000,
      });
      if (fault !== undefined)
        problems.push({ field: 'description', code: 'INCIDENT.ACTION', message: fault });
      if (action.kind === 'retrieve' && action.dueOn === undefined)
        problems.push({
          field: 'dueOn',
          code: 'INCIDENT.ACTION_DUE',
          message: 'Enter the date it should be back by',
        });
      if (action.dueOn !== undefined && action.dueOn < londonToday(clock.now()))
        problems.push({
          field: 'dueOn',
          code: 'INCIDENT.ACTION_DUE',
          message: 'The date it should be back by must be today or later',
        });
      if (problems.length > 0) throw new IncidentRuleError(problems);
      await db.transaction().execute(async (trx) => {
        const incident = await openIncident(viewer, id, trx);
        await insert(trx, viewer, incident, {
          kind: action.kind,
          description,
          dueOn: action.dueOn ?? null,
          done: action.kind === 'other',
        });
      });
    },

    /** Marks a task done (the letter came back). */
    async completeAction(viewer: Viewer, id: string, actionId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const incident = await openIncident(viewer, id, trx);
        const done = isUuid(actionId)
          ? await store.completeAction(trx, incident.id, actionId, viewer.userId, clock.now())
          : undefined;
        if (done === undefined)
          throw IncidentRuleError.of('actions', 'INCIDENT.ACTION_DONE', 'That action is already done');
        await audit.record(trx, {
          organisationId: incident.organisation_id,
          actor: actorOf(viewer),
          action: 'incident.action_done',
          entity: { type: 'incident', id: incident.id },
          change: { actionId },
        });
      });
    },

    /**
     * Withdraws the secure exchange package the incident is about (R5.2 "recalling an exchange"): at
     * once, its keys destroyed, for those who may withdraw it (its sender, their line manager, the
     * DPO); then records the action.
     */
    async recallPackage(viewer: Viewer, id: string): Promise<void> {
      const incident = await db.transaction().execute((trx) => openIncident(viewer, id, trx));
      const live = await packageToRecall(incident.disclosure_id);
      if (live === undefined)
        throw IncidentRuleError.of(
          'actions',
          'INCIDENT.NO_PACKAGE',
          'There is no package to withdraw: it has ended already',
        );
      try {
        await deps.exchange.revoke(viewer, live.id, `Containment of incident ${incident.reference}`);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        throw IncidentRuleError.of(
          'actions',
          'INCIDENT.NOT_YOURS_TO_WITHDRAW',
          `Only the sender of ${live.reference}, their line manager or the Data Protection Officer can withdraw it`,
        );
      }
      await db.transaction().execute(async (trx) => {
        const locked = await openIncident(viewer, id, trx);
        await insert(trx, viewer, locked, {
          kind: 'recall-package',
          description: `Withdrew secure exchange package ${live.reference}: its keys were destroyed and it can no longer be opened`,
          dueOn: null,
          done: true,
        });
      });
    },
  };
}
