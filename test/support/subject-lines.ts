import { readFileSync } from 'node:fs';
import { checkSubject, type SubjectFindingKind } from '../../src/channels/index.ts';
import { loadPolicyPack } from '../../src/policy/index.ts';

/**
 * The labelled subject lines and how the subject-line checker scores on them:
 * - `tuned`: test/fixtures/subject-lines.json and subject-lines.more.json, the sets the rules were
 *   written and tuned against (each entry of the second says whether it was written before the rules);
 * - `held-back`: test/fixtures/subject-lines.held-back.json, written before the rules and never used to
 *   tune them: scored, never fitted.
 */
export interface LabelledSubject {
  readonly subject: string;
  readonly names: readonly string[];
  readonly expected: readonly SubjectFindingKind[];
}

interface LabelledSet {
  readonly today: string;
  readonly pack: string;
  readonly subjects: readonly LabelledSubject[];
}

const load = (file: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8')) as LabelledSet;

const first = load('subject-lines.json');
const more = load('subject-lines.more.json');
const heldBack = load('subject-lines.held-back.json');

export const subjectSets = {
  tuned: { today: first.today, pack: first.pack, subjects: [...first.subjects, ...more.subjects] },
  'held-back': heldBack,
} satisfies Record<string, LabelledSet>;
export type SubjectSetName = keyof typeof subjectSets;

/** The pack's settings the checker reads, as the service passes them. */
export function subjectContext(set: LabelledSet, names: readonly string[]) {
  const { localReferences, confidentialContent } = loadPolicyPack(set.pack).channels;
  return { names, localReferences, confidentialContent, today: set.today };
}

/**
 * Precision and recall by kind of identifier within each subject: a kind found and expected is a
 * true positive, found and not expected a false positive, expected and not found a false negative.
 * With `withNames` false the record's names are not passed: names must come from the gazetteer and cues.
 */
export function scoreSubjectLines(setName: SubjectSetName = 'tuned', withNames = true) {
  const set: LabelledSet = subjectSets[setName];
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  let cleanSubjectsFlagged = 0;
  let dirtySubjectsMissed = 0;
  const mistakes: string[] = [];
  for (const entry of set.subjects) {
    const found = new Set(
      checkSubject(entry.subject, subjectContext(set, withNames ? entry.names : [])).findings.map(
        (finding) => finding.kind,
      ),
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
    subjects: set.subjects.length,
    clean: set.subjects.filter((entry) => entry.expected.length === 0).length,
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
