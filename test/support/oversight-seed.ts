import { sql } from 'kysely';
import type { Db } from '../../src/db/client.ts';

/**
 * Recorded sharing decisions and their disclosures written straight into the tables, as the
 * oversight pages read them: a few chosen ones for the tests' exact counts, or many at once with
 * generate_series for the dashboard benchmark.
 */
export interface SeededDecision {
  readonly organisationId: string;
  readonly recordedBy: string;
  readonly recordedAt: string;
  readonly outcome?: 'share' | 'share-in-part' | 'not-share';
  readonly article6?: string;
  readonly withoutConsent?: boolean;
  readonly recipientOrganisationIds?: readonly string[];
  readonly notShareReasonIds?: readonly string[];
  readonly personIds?: readonly string[];
}

export async function seedDecision(db: Db, decision: SeededDecision): Promise<string> {
  const outcome = decision.outcome ?? 'share';
  const answers = {
    recipients: {
      recipients: (decision.recipientOrganisationIds ?? []).map((organisationId) => ({
        name: 'Sam Recipient',
        role: 'Safeguarding lead',
        organisationId,
        reason: 'To safeguard the child',
      })),
    },
    lawfulBasis: {
      unsure: false,
      ...(decision.article6 === undefined ? {} : { article6: decision.article6 }),
    },
    outcome: {
      outcome,
      notShareReasonIds: decision.notShareReasonIds ?? [],
      reasons: 'Recorded for the test',
    },
  };
  const assessment = {
    bulk: false,
    withoutConsent: decision.withoutConsent ?? false,
    override: false,
    internal: false,
    specialCategory: false,
    criminalOffence: false,
    consent: [],
    approvals: [],
  };
  const result = await sql<{ id: string }>`
    INSERT INTO sharing_decisions (organisation_id, status, started_by, purpose_id, answers, outcome, policy_name,
      policy_version, assessment, recorded_by, recorded_at, created_at, updated_at)
    VALUES (${decision.organisationId}, 'recorded', ${decision.recordedBy}, 'safeguarding', ${JSON.stringify(answers)}::jsonb,
      ${outcome}, 'test', '1', ${JSON.stringify(assessment)}::jsonb, ${decision.recordedBy}, ${decision.recordedAt}::timestamptz,
      ${decision.recordedAt}::timestamptz, ${decision.recordedAt}::timestamptz)
    RETURNING id`.execute(db);
  const id = result.rows[0]?.id ?? '';
  for (const personId of decision.personIds ?? [])
    await sql`INSERT INTO sharing_decision_people (decision_id, person_id, organisation_id) VALUES (${id}, ${personId}, ${decision.organisationId})`.execute(
      db,
    );
  return id;
}

export interface SeededDisclosure {
  readonly organisationId: string;
  readonly decisionId: string;
  readonly disclosedBy: string;
  readonly disclosedAt: string;
  readonly method: string;
  readonly recipientOrganisationId: string;
  readonly receiptDueOn?: string;
  readonly recipientName?: string;
}

export async function seedDisclosure(db: Db, disclosure: SeededDisclosure): Promise<void> {
  await sql`
    INSERT INTO disclosures (organisation_id, decision_id, method, recipient_name, recipient_role, recipient_organisation_id,
      purpose_id, category_ids, description, checklist, method_advice, policy_version, disclosed_at, disclosed_by,
      receipt_due_on, created_at)
    VALUES (${disclosure.organisationId}, ${disclosure.decisionId}, ${disclosure.method}, ${disclosure.recipientName ?? 'Sam Recipient'}, 'Safeguarding lead',
      ${disclosure.recipientOrganisationId}, 'safeguarding', ARRAY['health'], 'Seeded for the test', '{}'::jsonb, '{}'::jsonb,
      '1', ${disclosure.disclosedAt}::timestamptz, ${disclosure.disclosedBy}, ${disclosure.receiptDueOn ?? null}::date,
      ${disclosure.disclosedAt}::timestamptz)`.execute(db);
}

/**
 * Many decisions, each with `perDecision` disclosures, spread evenly over `days` days before `until`:
 * methods, recipients and staff taken in turn; one decision in `withoutConsentEvery` shared without
 * consent, one in `notShareEvery` a decision not to share (with no disclosures).
 */
export async function seedMany(
  db: Db,
  options: {
    readonly organisationId: string;
    readonly staffIds: readonly string[];
    readonly recipientOrganisationIds: readonly string[];
    readonly decisions: number;
    readonly perDecision: number;
    readonly days: number;
    readonly until: string;
    readonly withoutConsentEvery: number;
    readonly notShareEvery: number;
  },
): Promise<void> {
  const staff = [...options.staffIds];
  const recipients = [...options.recipientOrganisationIds];
  const methods = ['secure-exchange', 'secure-email', 'telephone', 'post', 'in-person'];
  const bases = ['public-task', 'legal-obligation', 'vital-interests'];
  await sql`
    INSERT INTO sharing_decisions (organisation_id, status, started_by, purpose_id, answers, outcome, policy_name,
      policy_version, assessment, recorded_by, recorded_at, created_at, updated_at)
    SELECT ${options.organisationId}, 'recorded', s.staff, 'safeguarding',
      jsonb_build_object(
        'recipients', jsonb_build_object('recipients', jsonb_build_array(jsonb_build_object('name', 'Sam Recipient', 'role', 'Lead', 'organisationId', s.recipient, 'reason', 'Safeguarding'))),
        'lawfulBasis', jsonb_build_object('unsure', false, 'article6', (${bases}::text[])[1 + i % 3]),
        'outcome', jsonb_build_object('outcome', s.outcome, 'notShareReasonIds', CASE WHEN s.outcome = 'not-share' THEN '["not-necessary"]'::jsonb ELSE '[]'::jsonb END, 'reasons', 'Seeded')),
      s.outcome, 'bench', '1',
      jsonb_build_object('bulk', false, 'withoutConsent', i % ${options.withoutConsentEvery} = 0, 'override', false, 'internal', false,
        'specialCategory', false, 'criminalOffence', false, 'consent', '[]'::jsonb, 'approvals', '[]'::jsonb),
      s.staff, s.at, s.at, s.at
    FROM generate_series(1, ${options.decisions}) AS i
    CROSS JOIN LATERAL (SELECT
      (${staff}::uuid[])[1 + i % ${staff.length}] AS staff,
      (${recipients}::uuid[])[1 + i % ${recipients.length}] AS recipient,
      CASE WHEN i % ${options.notShareEvery} = 0 THEN 'not-share' ELSE 'share' END AS outcome,
      ${options.until}::timestamptz - make_interval(secs => (i::double precision / ${options.decisions}) * ${options.days} * 86400) AS at
    ) AS s`.execute(db);
  await sql`
    INSERT INTO disclosures (organisation_id, decision_id, method, recipient_name, recipient_role, recipient_organisation_id,
      purpose_id, category_ids, description, checklist, method_advice, policy_version, disclosed_at, disclosed_by, created_at)
    SELECT d.organisation_id, d.id, (${methods}::text[])[1 + (n + k) % 5], 'Sam Recipient', 'Lead',
      (d.answers -> 'recipients' -> 'recipients' -> 0 ->> 'organisationId')::uuid, 'safeguarding', ARRAY['health'],
      'Seeded', '{}'::jsonb, '{}'::jsonb, '1', d.recorded_at + make_interval(mins => k), d.recorded_by, d.recorded_at
    FROM (SELECT d.*, row_number() OVER (ORDER BY d.id) AS n FROM sharing_decisions d
          WHERE d.organisation_id = ${options.organisationId} AND d.status = 'recorded' AND d.outcome = 'share') AS d
    CROSS JOIN generate_series(1, ${options.perDecision}) AS k`.execute(db);
}
