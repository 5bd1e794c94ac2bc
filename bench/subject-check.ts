/**
 * The subject-line checker (R4.5.5) on the labelled set in test/fixtures/subject-lines.json:
 * precision and recall by kind of identifier, subjects wrongly flagged or missed, and checks per
 * second. The same figures the test asserts (recall >= 0.99, precision >= 0.95).
 * Usage: npm run bench:subject
 */
import { checkSubject } from '../src/channels/index.ts';
import { loadPolicyPack } from '../src/policy/index.ts';
import { scoreSubjectLines, subjectLines } from '../test/support/subject-lines.ts';

const score = scoreSubjectLines();
console.log(
  `subject-line checker on ${String(score.subjects)} labelled subjects (${String(score.clean)} clean):`,
);
console.log(
  `  precision ${score.precision.toFixed(4)}, recall ${score.recall.toFixed(4)} (${String(score.truePositives)} found, ${String(score.falsePositives)} wrongly flagged, ${String(score.falseNegatives)} missed)`,
);
console.log(
  `  clean subjects flagged: ${String(score.cleanSubjectsFlagged)}; subjects with identifiers passed as clean: ${String(score.dirtySubjectsMissed)}`,
);
for (const mistake of score.mistakes) console.log(`  mistake: ${mistake}`);

const { localReferences } = loadPolicyPack(subjectLines.pack).channels;
const rounds = 50;
const started = performance.now();
for (let round = 0; round < rounds; round += 1) {
  for (const entry of subjectLines.subjects)
    checkSubject(entry.subject, { names: entry.names, localReferences, today: subjectLines.today });
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `  ${Math.round((rounds * subjectLines.subjects.length) / seconds).toLocaleString('en-GB')} subject checks/s`,
);
