import type { Transaction } from 'kysely';
import { actorOf, administratorOf, type StaffService, type Viewer } from '../auth/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { MediaService } from '../custody/index.ts';
import type { ExchangeService } from '../exchange/index.ts';
import type { Clock } from '../lib/clock.ts';
import { NotFoundError, RuleError } from '../lib/errors.ts';
import type { Role } from '../lib/roles.ts';
import type { NotificationsService } from '../notifications/index.ts';
import { isUuid } from '../lib/ids.ts';
import { requiredTextFault } from '../lib/text.ts';
import { londonToday } from '../lib/time.ts';
import { IncidentRuleError } from './incidents.errors.ts';
import { incidentPaths } from './incidents.paths.ts';
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
  /** A request to disable an account, waiting for the IT service desk. */
  readonly disableRequested: boolean;
}

/** Who disables an account to contain an incident: its organisation's administrators and IT service desk. */
export const accountDisablers: readonly Role[] = ['admin', 'it_service_desk'];

function disabledText(name: string): string {
  return `Disabled the account of ${name}: they were signed out and cannot sign in`;
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
 * they come back, and overdue in the register until then; disabling an account (a password seen or
 * a laptop lost while signed in) is done at once by an administrator or the IT service desk, or
 * asked of the IT service desk as a task due today that they finish with one button; a registered
 * device is marked lost in the media register and linked, when the incident did not start from it.
 */
export function containment(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly exchange: Pick<ExchangeService, 'packageForDisclosure' | 'revoke'>;
  readonly staff: Pick<StaffService, 'colleague' | 'activeHolders' | 'setActive'>;
  readonly notifications: Pick<NotificationsService, 'notify'>;
  /** The media register, whose device an incident reported elsewhere marks lost. */
  readonly media: Pick<MediaService, 'list' | 'mayReportLost' | 'markLostIn'>;
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
    media_item_id: string | null;
    closed_at: Date | null;
  }>;
}) {
  const { db, clock, audit } = deps;

  async function insert(
    trx: Transaction<Database>,
    viewer: Viewer,
    incident: { id: string; organisation_id: string },
    action: {
      kind: ContainmentKind;
      description: string;
      dueOn: string | null;
      done: boolean;
      accountId?: string;
    },
  ): Promise<void> {
    const now = clock.now();
    const row = await store.insertAction(trx, {
      incident_id: incident.id,
      kind: action.kind,
      description: action.description,
      due_on: action.dueOn,
      account_id: action.accountId ?? null,
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
      change: {
        actionId: row.id,
        kind: action.kind,
        description: action.description,
        dueOn: action.dueOn,
        ...(action.accountId === undefined ? {} : { accountId: action.accountId }),
      },
    });
  }

  /** Deactivates the account in the viewer's own organisation (ending its sessions), or says why not. */
  async function disable(viewer: Viewer, accountId: string): Promise<void> {
    try {
      await deps.staff.setActive(administratorOf(viewer), accountId, false);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      throw IncidentRuleError.of('accountId', 'INCIDENT.ACCOUNT', error.message);
    }
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
        disableRequested: row.kind === 'disable-account' && row.done_at === null,
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
        // A request to disable an account is done by disabling it (disableRequested), not by a tick.
        const done = isUuid(actionId)
          ? await store.completeAction(trx, incident.id, actionId, viewer.userId, clock.now(), {
              disableRequests: false,
            })
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

    /**
     * Disables an account to contain the incident: at once, its sessions ended, when the viewer is
     * one of the organisation's administrators or IT service desk; otherwise asked of the IT service
     * desk, who are told and finish it from the incident with one button.
     */
    async disableAccount(viewer: Viewer, id: string, accountId: string): Promise<void> {
      const incident = await db.transaction().execute((trx) => openIncident(viewer, id, trx));
      const account = isUuid(accountId) ? await deps.staff.colleague(accountId) : undefined;
      if (account?.organisationId !== incident.organisation_id || !account.active)
        throw IncidentRuleError.of(
          'accountId',
          'INCIDENT.ACCOUNT',
          'Select the active account in your organisation to disable',
        );
      if (viewer.roles.some((role) => accountDisablers.includes(role))) {
        await disable(viewer, account.id);
        await db.transaction().execute(async (trx) => {
          const locked = await openIncident(viewer, id, trx);
          await insert(trx, viewer, locked, {
            kind: 'disable-account',
            description: disabledText(account.displayName),
            dueOn: null,
            done: true,
            accountId: account.id,
          });
        });
        return;
      }
      const desk = await deps.staff.activeHolders(incident.organisation_id, 'it_service_desk');
      if (desk.length === 0)
        throw IncidentRuleError.of(
          'accountId',
          'INCIDENT.NO_SERVICE_DESK',
          'No one in your organisation holds the IT service desk role: ask an administrator to deactivate the account under Staff accounts, then record it here as something else that was done',
        );
      await db.transaction().execute(async (trx) => {
        const locked = await openIncident(viewer, id, trx);
        await insert(trx, viewer, locked, {
          kind: 'disable-account',
          description: `Asked the IT service desk to disable the account of ${account.displayName}`,
          dueOn: londonToday(clock.now()),
          done: false,
          accountId: account.id,
        });
        for (const userId of desk)
          await deps.notifications.notify(trx, {
            organisationId: locked.organisation_id,
            userId,
            kind: 'incident.disable_account',
            subject: `Incident ${locked.reference}: disable an account now`,
            body: `To contain incident ${locked.reference}, an account must be disabled today. The incident's containment section says which, with a button that disables it.`,
            link: `${incidentPaths.incident(locked.id)}#containment`,
          });
      });
    },

    /** The IT service desk disables the account a containment task asked for, and the task is done. */
    async disableRequested(viewer: Viewer, id: string, actionId: string): Promise<void> {
      if (!viewer.roles.some((role) => accountDisablers.includes(role)))
        throw IncidentRuleError.of(
          'actions',
          'INCIDENT.NOT_A_DISABLER',
          'Only an administrator or the IT service desk can disable an account',
        );
      const request = await db.transaction().execute(async (trx) => {
        const incident = await openIncident(viewer, id, trx);
        return isUuid(actionId) ? store.openDisableRequest(trx, incident.id, actionId) : undefined;
      });
      if (request?.account_id == null)
        throw IncidentRuleError.of('actions', 'INCIDENT.ACTION_DONE', 'That action is already done');
      const account = await deps.staff.colleague(request.account_id);
      if (account?.active === true) await disable(viewer, account.id);
      await db.transaction().execute(async (trx) => {
        const incident = await openIncident(viewer, id, trx);
        const done = await store.completeAction(trx, incident.id, request.id, viewer.userId, clock.now(), {
          disableRequests: true,
        });
        if (done === undefined)
          throw IncidentRuleError.of('actions', 'INCIDENT.ACTION_DONE', 'That action is already done');
        await audit.record(trx, {
          organisationId: incident.organisation_id,
          actor: actorOf(viewer),
          action: 'incident.action_done',
          entity: { type: 'incident', id: incident.id },
          change: { actionId: request.id, accountId: request.account_id },
        });
      });
    },

    /** The devices in use the viewer may mark lost from an incident: those they hold or manage. */
    async devicesToMarkLost(viewer: Viewer) {
      return (await deps.media.list(viewer)).filter((item) => item.status === 'in-use' && item.mayClose);
    },

    /** Marks a registered device lost (R4.7.3) and links it to the incident, in one transaction. */
    async markDeviceLost(viewer: Viewer, id: string, mediaItemId: string): Promise<void> {
      const item = isUuid(mediaItemId) ? await deps.media.mayReportLost(viewer, mediaItemId) : undefined;
      if (item === undefined)
        throw IncidentRuleError.of(
          'mediaItemId',
          'INCIDENT.DEVICE',
          'Select a device in use that you hold, or that someone you manage holds',
        );
      await db.transaction().execute(async (trx) => {
        const incident = await openIncident(viewer, id, trx);
        if (incident.media_item_id !== null)
          throw IncidentRuleError.of(
            'mediaItemId',
            'INCIDENT.DEVICE',
            'This incident is already about a device in the media register',
          );
        await deps.media.markLostIn(trx, viewer, item.id, incident.reference);
        await store.updateIncident(trx, incident.id, { media_item_id: item.id });
        await insert(trx, viewer, incident, {
          kind: 'other',
          description: `Marked ${item.reference} (asset tag ${item.assetTag}) lost in the media register`,
          dueOn: null,
          done: true,
        });
      });
    },
  };
}
