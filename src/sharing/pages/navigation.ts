import type { DecisionAnswers, SectionName } from '../sharing.answers.ts';
import { sharingPaths } from '../sharing.paths.ts';
import { sectionTitles, type DecisionProblem } from '../sharing.rules.ts';
import type { DecisionView } from '../sharing.service.ts';

/**
 * The six question pages of a decision and the way through them: where each goes next and back,
 * what each needs first, and their status in the task list.
 */

/** The six question pages of a decision; the last holds openness, safety and the outcome. */
export const pageKeys = [
  'request',
  'people',
  'recipients',
  'information',
  'lawfulBasis',
  'decision',
] as const;
export type PageKey = (typeof pageKeys)[number];

export const pageSections: Record<PageKey, readonly SectionName[]> = {
  request: ['request'],
  people: ['people'],
  recipients: ['recipients'],
  information: ['information'],
  lawfulBasis: ['lawfulBasis'],
  decision: ['openness', 'safety', 'outcome'],
};

export const pageTitles: Record<PageKey, string> = {
  request: sectionTitles.request,
  people: sectionTitles.people,
  recipients: sectionTitles.recipients,
  information: sectionTitles.information,
  lawfulBasis: sectionTitles.lawfulBasis,
  decision: sectionTitles.outcome,
};

/** Pages a decision not to share can do without (sharing.rules.ts needs them only for a share). */
const optionalForNotShare: readonly PageKey[] = ['recipients', 'information', 'lawfulBasis'];

/** What a page needs answered before it can be: the purpose for sensitive categories, everything consent is checked against. */
const prerequisites: Record<PageKey, readonly SectionName[]> = {
  request: [],
  people: [],
  recipients: [],
  information: ['request'],
  lawfulBasis: ['request', 'people', 'recipients', 'information'],
  decision: [],
};

export function pageOf(section: SectionName): PageKey {
  return pageKeys.find((page) => pageSections[page].includes(section)) ?? 'decision';
}

export function pagePath(id: string, page: PageKey, options: { readonly fromCheck?: boolean } = {}): string {
  return sharingPaths.section(id, pageSections[page][0] ?? 'outcome', options);
}

/**
 * Where a page goes next: the following page, or check your answers after the last (or when they came
 * from there). Once the practitioner has decided not to share, the pages only a share needs are passed by.
 */
export function nextPath(
  id: string,
  page: PageKey,
  fromCheck: boolean,
  answers: DecisionAnswers = {},
): string {
  if (fromCheck) return sharingPaths.check(id);
  const notShare = answers.outcome?.outcome === 'not-share';
  const next = pageKeys
    .slice(pageKeys.indexOf(page) + 1)
    .find(
      (candidate) =>
        !(
          notShare &&
          optionalForNotShare.includes(candidate) &&
          pageSections[candidate].every((section) => answers[section] === undefined)
        ),
    );
  return next === undefined ? sharingPaths.check(id) : pagePath(id, next);
}

export function previousPath(id: string, page: PageKey, fromCheck: boolean): string {
  if (fromCheck) return sharingPaths.check(id);
  const previous = pageKeys[pageKeys.indexOf(page) - 1];
  return previous === undefined ? sharingPaths.decision(id) : pagePath(id, previous);
}

export function canStart(answers: DecisionAnswers, page: PageKey): boolean {
  return prerequisites[page].every((section) => answers[section] !== undefined);
}

export type PageStatus = 'completed' | 'incomplete' | 'cannot-start' | 'not-needed';

export function pageStatus(view: Pick<DecisionView, 'answers' | 'assessment'>, page: PageKey): PageStatus {
  const sections = pageSections[page];
  const answered = sections.every((section) => view.answers[section] !== undefined);
  const notShare = view.answers.outcome?.outcome === 'not-share';
  if (
    !answered &&
    notShare &&
    optionalForNotShare.includes(page) &&
    sections.every((section) => view.answers[section] === undefined)
  )
    return 'not-needed';
  if (answered)
    return view.assessment.problems.some((problem) =>
      (sections as readonly string[]).includes(problem.section),
    )
      ? 'incomplete'
      : 'completed';
  return canStart(view.answers, page) ? 'incomplete' : 'cannot-start';
}

/** The tasks a page waits for, by their names in the task list, in the task list's order. */
export function waitingFor(answers: DecisionAnswers, page: PageKey): readonly string[] {
  const missing = prerequisites[page].filter((section) => answers[section] === undefined);
  return pageKeys
    .filter((key) => pageSections[key].some((section) => missing.includes(section)))
    .map((key) => pageTitles[key]);
}

/** "A", "A and B", "A, B and C". */
function namesList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

/** The GOV.UK task list of the six pages; links only for the author of a decision they can still change. */
export function taskList(view: DecisionView) {
  return pageKeys.map((page) => {
    const status = pageStatus(view, page);
    const linked = view.can.edit && status !== 'cannot-start';
    const waiting = waitingFor(view.answers, page);
    return {
      title: { text: pageTitles[page] },
      ...(linked ? { href: pagePath(view.id, page) } : {}),
      ...(status === 'not-needed' ? { hint: { text: 'Optional: you have decided not to share' } } : {}),
      ...(status === 'cannot-start' && waiting.length > 0
        ? { hint: { text: `Complete ${namesList(waiting.map((name) => `“${name}”`))} first` } }
        : {}),
      status:
        status === 'completed'
          ? { text: 'Completed' }
          : status === 'incomplete'
            ? { tag: { text: 'Incomplete', classes: 'govuk-tag--blue' } }
            : status === 'not-needed'
              ? { text: 'Not needed', classes: 'govuk-task-list__status--cannot-start-yet' }
              : { text: 'Cannot start yet', classes: 'govuk-task-list__status--cannot-start-yet' },
    };
  });
}

/** A problem that still stands, with where to put it right. */
export function problemLinks(view: DecisionView) {
  // A missing section is named by the task that asks it: "Telling the family" and "Safety and risks"
  // are parts of "Your decision", not tasks of their own, so that task is named once.
  const named = new Set<PageKey>();
  const problems = view.assessment.problems.flatMap((problem: DecisionProblem) => {
    if (problem.code !== 'SECTION_MISSING' || problem.section === 'advice' || problem.section === 'approval')
      return [problem];
    const page = pageOf(problem.section);
    if (named.has(page)) return [];
    named.add(page);
    return [{ ...problem, message: `Complete “${pageTitles[page]}”` }];
  });
  return problems.map((problem: DecisionProblem) => {
    const href =
      problem.section === 'advice'
        ? view.can.askAdvice
          ? sharingPaths.askAdvice(view.id)
          : undefined
        : problem.section === 'approval'
          ? '#approvals'
          : view.can.edit && canStart(view.answers, pageOf(problem.section))
            ? pagePath(view.id, pageOf(problem.section))
            : undefined;
    return { text: problem.message, href };
  });
}
