/**
 * The subject-line checker (R4.5.5) on the labelled sets: the tuned set (test/fixtures/subject-lines.json
 * and subject-lines.more.json) and the held-back set (subject-lines.held-back.json, never tuned on),
 * each with the record's names passed and without them. Precision and recall by kind of identifier,
 * subjects wrongly flagged or missed, and checks per second against a reference (a plain regular
 * expression over the same subjects, measured in the same run).
 * Usage: npm run bench:subject [-- --mistakes]
 */
import { checkSubject } from '../src/channels/index.ts';
import { gazetteer } from '../src/channels/channels.subject.gazetteer.ts';
import {
  scoreSubjectLines,
  subjectContext,
  subjectSets,
  type SubjectSetName,
} from '../test/support/subject-lines.ts';

const showMistakes = process.argv.includes('--mistakes');
// The gazetteer is read once, on the first check that needs it: its cost, and the memory it holds.
const heapBefore = process.memoryUsage().heapUsed;
const loadStarted = performance.now();
const names = gazetteer();
console.log(
  `name gazetteer: ${String(names.forenames.size + names.surnames.size)} names read in ${(performance.now() - loadStarted).toFixed(0)} ms, about ${((process.memoryUsage().heapUsed - heapBefore) / 1_048_576).toFixed(0)} MB of heap`,
);
for (const setName of Object.keys(subjectSets) as SubjectSetName[]) {
  for (const withNames of [true, false]) {
    const score = scoreSubjectLines(setName, withNames);
    console.log(
      `${setName}, ${withNames ? 'names passed' : 'no names passed'}: ${String(score.subjects)} subjects (${String(score.clean)} clean): precision ${score.precision.toFixed(3)}, recall ${score.recall.toFixed(3)} (${String(score.truePositives)} found, ${String(score.falsePositives)} wrongly flagged, ${String(score.falseNegatives)} missed); clean subjects flagged ${String(score.cleanSubjectsFlagged)}, subjects with identifiers passed as clean ${String(score.dirtySubjectsMissed)}`,
    );
    if (showMistakes) for (const mistake of score.mistakes) console.log(`  mistake: ${mistake}`);
  }
}

const set = subjectSets.tuned;
const contexts = set.subjects.map((entry) => subjectContext(set, entry.names));
const rounds = 20;
const time = (work: () => void) => {
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1) work();
  return (rounds * set.subjects.length) / ((performance.now() - started) / 1000);
};
const reference = /\d{3}[ -]?\d{3}[ -]?\d{4}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}/g;
const referenceRate = time(() => {
  let found = 0;
  for (const entry of set.subjects) found += [...entry.subject.matchAll(reference)].length;
  if (found < 0) console.log(found);
});
const checkerRate = time(() => {
  set.subjects.forEach((entry, index) =>
    checkSubject(entry.subject, contexts[index] ?? subjectContext(set, [])),
  );
});
console.log(
  `checks per second: ${Math.round(checkerRate).toLocaleString('en-GB')} (reference regular expression ${Math.round(referenceRate).toLocaleString('en-GB')}; ratio ${(referenceRate / checkerRate).toFixed(1)}x slower)`,
);
