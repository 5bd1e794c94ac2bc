import { readFileSync } from 'node:fs';
import { checkSubject, type SubjectFindingKind } from '../../src/channels/index.ts';
import { loadPolicyPack } from '../../src/policy/index.ts';

/** The labelled subject lines (test/fixtures/subject-lines.json) and how the subject-line checker scores on them. */
export interface LabelledSubject {
  readonly subject: string;
  readonly names: readonly string[];
  readonly expected: readonly SubjectFindingKind[];
}

export const subjectLines = JSON.parse(
  readFileSync(new URL('../fixtures/subject-lines.json', import.meta.url), 'utf8'),
) as {
  readonly today: string;
  readonly pack: string;
  readonly subjects: readonly LabelledSubject[];
};

/**
 * Precision and recall by kind of identifier within each subject: a kind found and expected is a
 * true positive, found and not expected a false positive, expected and not found a false negative.
 */
export function scoreSubjectLines() {
  const { localReferences } = loadPolicyPack(subjectLines.pack).channels;
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  let cleanSubjectsFlagged = 0;
  let dirtySubjectsMissed = 0;
  const mistakes: string[] = [];
  for (const entry of subjectLines.subjects) {
    const found = new Set(
      checkSubject(entry.subject, {
        names: entry.names,
        localReferences,
        today: subjectLines.today,
      }).findings.map((finding) => finding.kind),
    );
    const expected = new Set(entry.expected);
    const extra = [...found].filter((kind) => !expected.has(kind));
    const missing = [...expected].filter((kind) => !found.has(kind));
    truePositives += found.size - extra.length;
    falsePositives += extra.length;
    falseNegatives += missing.length;
    if (expected.size === 0 && found.size > 0) cleanSubjectsFlagged += 1;
    if (expected.size > 0 && found.size === 0) dirtySubjectsMissed += 1;
    if (extra.length > 0 || missing.length > 0)
      mistakes.push(
        `${entry.subject} (found ${[...found].join(', ') || 'nothing'}; expected ${entry.expected.join(', ') || 'nothing'})`,
      );
  }
  return {
    subjects: subjectLines.subjects.length,
    clean: subjectLines.subjects.filter((entry) => entry.expected.length === 0).length,
    precision: truePositives / (truePositives + falsePositives),
    recall: truePositives / (truePositives + falseNegatives),
    truePositives,
    falsePositives,
    falseNegatives,
    cleanSubjectsFlagged,
    dirtySubjectsMissed,
    mistakes,
  };
}
