import type { IncidentOutcome } from './incidents.table.ts';

/**
 * Grading a personal data breach as the NHS Data Security and Protection Toolkit's breach
 * assessment grid does, which the ICO's guidance on Article 33 and 34 follows: the likelihood that
 * people are harmed, and how severe the harm would be, each on five points. Where harm is at least
 * likely and at least minor, the breach is a risk to people's rights and freedoms and is reported to
 * the ICO (Art 33); where it is at least likely and serious, it is a high risk and the people
 * affected are told as well (Art 34), unless telling them would put a child at risk.
 */

export const likelihoods = [
  { value: 1, label: 'Not occurred', hint: 'Harm has not occurred and there is no risk that it will' },
  {
    value: 2,
    label: 'Not likely',
    hint: 'Harm is not likely, for example the information was recovered unread',
  },
  { value: 3, label: 'Likely', hint: 'It is likely that harm will occur' },
  { value: 4, label: 'Highly likely', hint: 'It is highly likely that harm will occur' },
  { value: 5, label: 'Occurred', hint: 'Harm has occurred' },
] as const;

export const severities = [
  { value: 1, label: 'No adverse effect', hint: 'There is no adverse effect on anyone' },
  {
    value: 2,
    label: 'Minor',
    hint: 'Potentially some minor adverse effect, or anyone vulnerable is involved',
  },
  { value: 3, label: 'Adverse', hint: 'Potentially some adverse effect, such as distress or embarrassment' },
  {
    value: 4,
    label: 'Serious',
    hint: 'Potentially pain and suffering, financial loss, or a child placed at risk',
  },
  { value: 5, label: 'Catastrophic', hint: 'Death or a catastrophic event' },
] as const;

const reportFrom = { likelihood: 3, severity: 2 };
const tellFrom = { likelihood: 3, severity: 4 };

/** The outcome the grid gives for a likelihood and a severity, each 1 to 5. */
export function outcomeOf(likelihood: number, severity: number): IncidentOutcome {
  if (likelihood >= tellFrom.likelihood && severity >= tellFrom.severity) return 'report-and-tell';
  if (likelihood >= reportFrom.likelihood && severity >= reportFrom.severity) return 'report';
  return 'not-reportable';
}

export const outcomeNames: Record<IncidentOutcome, string> = {
  'not-reportable': 'Not reportable',
  report: 'Report to the ICO',
  'report-and-tell': 'Report to the ICO and tell the people affected',
};
