import type { Transaction } from 'kysely';
import { actorOf, type StaffService, type Viewer } from '../auth/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import type { Database } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import type { Problem } from '../lib/errors.ts';
import { isUuid } from '../lib/ids.ts';
import { requiredTextFault, singleLine } from '../lib/text.ts';
import type { NotificationsService } from '../notifications/index.ts';
import { IncidentRuleError } from './incidents.errors.ts';
import { incidentPaths } from './incidents.paths.ts';
import * as store from './incidents.repository.ts';

/** Someone the DPO told of an incident: a member of staff through Safeshare, or someone outside it. */
export type OfficerToTell =
  | { readonly userId: string; readonly why: string }
  | { readonly outsideName: string; readonly how: string; readonly why: string };

/** An officer told, as the incident page lists them. */
export interface OfficerTold {
  readonly name: string;
  readonly how: string;
  readonly why: string;
  readonly toldByName: string | null;
  readonly toldAt: Date;
}

/**
 * Telling the officers who need to know (R5.4): the Data Protection Officer tells a member of staff
 * (the Caldicott Guardian, the head of service, a child protection adviser, HR), who is told in
 * Safeshare and by an e-mail without personal information and may then read the incident; or records
 * telling someone outside Safeshare (the council's SIRO, legal services, the police), with how.
 * Every telling is recorded with its reasons and audited.
 */
export function officers(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly staff: Pick<StaffService, 'colleague'>;
  readonly notifications: Pick<NotificationsService, 'notify'>;
  readonly openForChange: (
    viewer: Viewer,
    id: string,
    trx: Transaction<Database>,
  ) => Promise<{ id: string; organisation_id: string; reference: string }>;
}) {
  const { db, clock, audit } = deps;

  function check(officer: OfficerToTell): Problem[] {
    const problems: Problem[] = [];
    const fault = (field: string, value: string, rule: Parameters<typeof requiredTextFault>[1]) => {
      const message = requiredTextFault(value, rule);
      if (message !== undefined) problems.push({ field, code: 'INCIDENT.OFFICER', message });
    };
    if ('outsideName' in officer) {
      fault('outsideName', officer.outsideName, {
        label: 'who you told',
        blank: 'Enter the name and role of the person you told',
        max: 200,
        shape: singleLine,
      });
      fault('how', officer.how, {
        label: 'how you told them',
        blank: 'Say how you told them, for example by telephone',
        max: 200,
        shape: singleLine,
      });
    }
    fault('why', officer.why, {
      label: 'why they need to know',
      blank: 'Say why they need to know',
      max: 2000,
    });
    return problems;
  }

  return {
    async officersTold(incidentId: string): Promise<OfficerTold[]> {
      const rows = await store.officersTold(db, incidentId);
      return rows.map((row) => ({
        name: row.outside_name ?? row.officer_name ?? 'A former member of staff',
        how: row.how ?? 'Told in Safeshare',
        why: row.why,
        toldByName: row.told_by_name,
        toldAt: row.told_at,
      }));
    },

    /** The DPO tells an officer who needs to know (R5.4), recorded with why. */
    async tellOfficer(viewer: Viewer, id: string, officer: OfficerToTell): Promise<void> {
      const problems = check(officer);
      const colleague =
        'userId' in officer && isUuid(officer.userId)
          ? await deps.staff.colleague(officer.userId)
          : undefined;
      if (
        'userId' in officer &&
        (colleague?.organisationId !== viewer.organisationId ||
          !colleague.active ||
          colleague.id === viewer.userId)
      )
        problems.unshift({
          field: 'userId',
          code: 'INCIDENT.OFFICER',
          message: 'Select a colleague in your organisation, or name someone outside Safeshare',
        });
      if (problems.length > 0) throw new IncidentRuleError(problems);
      await db.transaction().execute(async (trx) => {
        const incident = await deps.openForChange(viewer, id, trx);
        const now = clock.now();
        const row = await store.insertOfficerTold(trx, {
          incident_id: incident.id,
          user_id: colleague?.id ?? null,
          outside_name: 'outsideName' in officer ? officer.outsideName.trim() : null,
          how: 'how' in officer ? officer.how.trim() : null,
          why: officer.why.trim(),
          told_by: viewer.userId,
          told_at: now,
        });
        await audit.record(trx, {
          organisationId: incident.organisation_id,
          actor: actorOf(viewer),
          action: 'incident.officer_told',
          entity: { type: 'incident', id: incident.id },
          change: {
            toldId: row.id,
            ...(colleague === undefined
              ? { outsideName: 'outsideName' in officer ? officer.outsideName.trim() : null }
              : { userId: colleague.id }),
            why: officer.why.trim(),
          },
        });
        if (colleague !== undefined)
          await deps.notifications.notify(trx, {
            organisationId: incident.organisation_id,
            userId: colleague.id,
            kind: 'incident.officer_told',
            subject: `Incident ${incident.reference}: for your information`,
            body: `The Data Protection Officer has told you of incident ${incident.reference} because you need to know about it. You can now read it in Safeshare.`,
            link: incidentPaths.incident(incident.id),
          });
      });
    },
  };
}
