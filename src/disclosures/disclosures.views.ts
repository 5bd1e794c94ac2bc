import type { Viewer } from '../auth/index.ts';
import { disclosureReaders, disclosureRecorders } from './disclosures.access.ts';
import { policyLabels, type PolicyPack } from '../policy/index.ts';
import { sharingPaths, type DecisionPanel, type DecisionView } from '../sharing/index.ts';
import { methodLabels } from './disclosures.forms.ts';
import { disclosurePaths } from './disclosures.paths.ts';
import type { Disclosure, DisclosuresService, HistoryEntry } from './disclosures.service.ts';

/**
 * What other capabilities' pages show of the disclosure log: the disclosures made under a decision
 * (on its overview) and about a person (in their sharing history), as rows for the table in
 * `disclosures/views/_table.njk`.
 */

export interface DisclosureRow {
  readonly path: string;
  readonly decisionReference: string;
  readonly decisionPath: string;
  readonly recipient: string;
  readonly organisation: string;
  readonly method: string;
  readonly information: string;
  readonly disclosedAt: Date;
  readonly disclosedByName: string;
  readonly receipt: { readonly text: string; readonly classes: string };
}

/** A receipt's state in a word, with the tag colour the GOV.UK pattern gives it. */
export function receiptTag(disclosure: Pick<Disclosure, 'receipt'>): { text: string; classes: string } {
  const { receipt } = disclosure;
  if (receipt.dueOn === null) return { text: 'Not asked for', classes: 'govuk-tag--grey' };
  if (receipt.confirmedAt !== null) return { text: 'Confirmed', classes: 'govuk-tag--green' };
  if (receipt.overdue) return { text: 'Overdue', classes: 'govuk-tag--red' };
  return { text: 'Awaited', classes: 'govuk-tag--yellow' };
}

export function disclosureRows(disclosures: readonly Disclosure[], policy: PolicyPack): DisclosureRow[] {
  const labels = policyLabels(policy);
  return disclosures.map((disclosure) => ({
    path: disclosurePaths.disclosure(disclosure.id),
    decisionReference: disclosure.decisionReference,
    decisionPath: sharingPaths.decision(disclosure.decisionId),
    recipient: `${disclosure.recipientName}, ${disclosure.recipientRole}`,
    organisation: disclosure.recipientOrganisationName,
    method: methodLabels[disclosure.method],
    information: disclosure.categoryIds.map((id) => labels.informationCategories[id] ?? id).join(', '),
    disclosedAt: disclosure.disclosedAt,
    disclosedByName: disclosure.disclosedByName,
    receipt: receiptTag(disclosure),
  }));
}

/** The decision overview's panel: what was disclosed under a recorded decision to share, and the way to record more. */
export interface DecisionDisclosures {
  readonly canRecord: boolean;
  readonly newPath: string;
  readonly rows: readonly DisclosureRow[];
}

/** The panel for a decision's overview, or undefined when nothing can be disclosed under it (not a recorded decision to share). */
async function decisionDisclosures(
  disclosures: Pick<DisclosuresService, 'context'>,
  policy: PolicyPack,
  viewer: Viewer,
  view: Pick<DecisionView, 'id' | 'status' | 'outcome'>,
): Promise<DecisionDisclosures | undefined> {
  if (view.status !== 'recorded' || (view.outcome !== 'share' && view.outcome !== 'share-in-part'))
    return undefined;
  if (!viewer.roles.some((role) => disclosureReaders.includes(role))) return undefined;
  const context = await disclosures.context(viewer, view.id);
  return {
    canRecord: viewer.roles.some((role) => disclosureRecorders.includes(role)),
    newPath: disclosurePaths.newForDecision(view.id),
    rows: disclosureRows(context.disclosures, policy),
  };
}

/** The disclosures among a person's sharing history, newest first. */
export function historyDisclosureRows(entries: readonly HistoryEntry[], policy: PolicyPack): DisclosureRow[] {
  return disclosureRows(
    entries.flatMap((entry) => (entry.kind === 'disclosure' ? [entry.disclosure] : [])),
    policy,
  );
}

/** The disclosure log's panel on a decision's overview, handed to the sharing pages by app.ts. */
export function decisionDisclosuresPanel(
  disclosures: Pick<DisclosuresService, 'context'>,
  policy: PolicyPack,
): DecisionPanel {
  return async (viewer, view) => {
    const data = await decisionDisclosures(disclosures, policy, viewer, view);
    return data === undefined ? undefined : { template: 'disclosures/views/_decision-disclosures.njk', data };
  };
}
