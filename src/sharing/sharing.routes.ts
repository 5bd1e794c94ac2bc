import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { StaffService, Viewer } from '../auth/index.ts';
import { consentPaths } from '../consent/index.ts';
import {
  decisionDisclosures,
  historyDisclosureRows,
  type DecisionDisclosures,
  type DisclosuresService,
} from '../disclosures/index.ts';
import type { Clock } from '../lib/clock.ts';
import { londonToday } from '../lib/time.ts';
import type { OrgsService } from '../orgs/index.ts';
import {
  formatNhsNumber,
  PersonAccessError,
  type PeopleService,
  type PersonSummary,
} from '../people/index.ts';
import type { PolicyPack } from '../policy/index.ts';
import { formErrors, parseForm, type FormErrors } from '../web/forms.ts';
import {
  outcomeNames,
  principles,
  requesterKinds,
  thirdPartyHandling,
  type DecisionAnswers,
} from './sharing.answers.ts';
import { SharingNotFoundError, SharingRuleError } from './sharing.errors.ts';
import {
  addendumFields,
  addendumForm,
  addendumKindNames,
  addendumKinds,
  blankRecipient,
  confirmationForm,
  decisionFields,
  decisionForm,
  decisionParams,
  decisionValues,
  echo,
  informationFields,
  informationForm,
  informationValues,
  lawfulBasisFields,
  lawfulBasisForm,
  lawfulBasisValues,
  maxRecipients,
  overviewQuery,
  peopleForm,
  peopleSearchForm,
  peopleValues,
  personForm,
  personParams,
  principleNames,
  questionQuery,
  recipientsPost,
  recipientsSectionFrom,
  recipientValues,
  requesterKindNames,
  requestFields,
  requestForm,
  requestValues,
  startForm,
  thirdPartyNames,
  type FormValues,
  type OverviewNotice,
  type RecipientValues,
} from './sharing.forms.ts';
import {
  advicePanel,
  answerSections,
  approvalsPanel,
  approverList,
  canStart,
  consentFindings,
  decisionStatusTags,
  nextPath,
  pagePath,
  pageSections,
  pageTitles,
  personName,
  previousPath,
  problemLinks,
  purposeName,
  taskList,
  type PageKey,
} from './sharing.pages.ts';
import { sharingPaths } from './sharing.paths.ts';
import { assessDecision, sensitiveCategoriesFor } from './sharing.rules.ts';
import type { DecisionListItem, DecisionView, SharingService } from './sharing.service.ts';
import { decisionStatusNames } from './sharing.status.ts';
import { decisionMakers, decisionReaders } from './sharing.access.ts';

export interface SharingRouteOptions {
  readonly sharing: SharingService;
  readonly people: Pick<PeopleService, 'search'>;
  readonly orgs: Pick<OrgsService, 'list'>;
  readonly policy: PolicyPack;
  readonly clock: Clock;
  /** The disclosure log: what was disclosed under a decision, and about a person. */
  readonly disclosures: Pick<DisclosuresService, 'context' | 'history'>;
  /** The practitioner's own data protection training, warned about where they share (R1.1). */
  readonly staff: Pick<StaffService, 'trainingOf'>;
}

const deciders = { access: decisionMakers };
const readers = { access: decisionReaders };

const overviewNotices: Record<OverviewNotice, string> = {
  sent: 'The decision has been sent for approval. Its answers cannot change until the approvers reply, unless you withdraw the request.',
  withdrawn: 'The request for approval has been withdrawn. You can change the decision again.',
  addendum: 'Addendum added to the record.',
};

/** Which field of a page each of the rules' problems is about, so that the error summary links to it. */
const problemFields: Readonly<Record<string, string>> = {
  PURPOSE_UNKNOWN: 'purposeId',
  REQUESTER_NAME: 'requesterName',
  CHANNEL: 'channelId',
  REQUESTER_ORGANISATION: 'requesterOrganisationId',
  RECEIVED_IN_FUTURE: 'receivedOn',
  NOTHING_SHARED: 'shared',
  CATEGORY_UNKNOWN: 'shared',
  SENSITIVE_REASON: 'shared',
  CATEGORY_TWICE: 'shared',
  SHARED_AND_WITHHELD: 'withheld',
  PART_WITHOUT_WITHHELD: 'withheld',
  THIRD_PARTY_REASON: 'thirdPartyReason',
  PRINCIPLES: 'confirmed',
  ARTICLE6: 'article6',
  ARTICLE9: 'article9',
  SCHEDULE1: 'schedule1',
  CRIMINAL_OFFENCE: 'criminalOffence',
  COMMON_LAW: 'commonLaw',
  CONFIDENCE_REASON: 'confidenceReason',
  CONSENT_WITHDRAWN: 'commonLaw',
  CONSENT_NOT_COVERING: 'commonLaw',
  IMPLIED_EXTERNAL: 'commonLaw',
  IMPLIED_AGAINST_REFUSAL: 'commonLaw',
  AGAINST_REFUSAL: 'commonLaw',
  JUSTIFICATION: 'justification',
  TOLD_DETAILS: 'toldDetails',
  NOT_TOLD_REASON: 'notToldReason',
  NOT_SHARE_REASONS: 'notShareReasonIds',
  NOT_SHARE_REASON_UNKNOWN: 'notShareReasonIds',
};

/** Date inputs: the error summary links to the day field, as the GOV.UK pattern asks. */
const dateFields = new Set(['receivedOn']);

export async function sharingRoutes(app: FastifyInstance, options: SharingRouteOptions): Promise<void> {
  const { sharing, people, orgs, policy, clock, disclosures, staff } = options;
  const today = () => londonToday(clock.now());
  const labelled = (
    list: readonly { id: string; label: string; help?: string | undefined }[],
    hints = true,
  ) =>
    list.map((option) => ({
      value: option.id,
      text: option.label,
      ...(hints && option.help !== undefined ? { hint: { text: option.help } } : {}),
    }));

  /** The decision the address names, as this viewer may see it; anything else is a 404. */
  async function withDecision(
    request: FastifyRequest,
    reply: FastifyReply,
    audited: boolean | 'others',
    work: (view: DecisionView, viewer: Viewer) => Promise<unknown>,
  ): Promise<unknown> {
    const params = decisionParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    const viewer = viewerOf(request);
    let view: DecisionView;
    try {
      view = await sharing.open(viewer, params.data.id, { audited });
    } catch (error) {
      if (error instanceof SharingNotFoundError) return reply.callNotFound();
      throw error;
    }
    return work(view, viewer);
  }

  function notAuthor(reply: FastifyReply) {
    return reply.code(403).render('web/views/error.njk', {
      pageTitle: 'Only the practitioner who started this decision can change it',
      heading: 'Only the practitioner who started this decision can change it',
      paragraphs: [
        'Nothing has been changed. You can read the decision, and ask its author to make the change.',
      ],
      showHomeLink: true,
    });
  }

  /** The rules' problems with the sections a page saves, as that page's form errors. */
  function pageProblems(
    view: DecisionView,
    page: PageKey,
    sections: DecisionAnswers,
  ): FormErrors | undefined {
    const answers: DecisionAnswers = { ...view.answers, ...sections };
    // Before the outcome is chosen, a page is judged as for a share: that is when its answers matter.
    const judged: DecisionAnswers =
      answers.outcome === undefined
        ? { ...answers, outcome: { outcome: 'share', notShareReasonIds: [], reasons: 'Not yet given' } }
        : answers;
    const assessment = assessDecision(judged, {
      pack: policy,
      organisationId: view.organisationId,
      today: today(),
      consent: view.consent,
      advice: view.advice.map((advice) => ({ adviser: advice.adviser, status: advice.status })),
      approvals: view.approvals.map((approval) => ({ kind: approval.kind, status: approval.status })),
    });
    const own = pageSections[page] as readonly string[];
    const problems = assessment.problems.filter(
      (problem) => own.includes(problem.section) && problem.code !== 'SECTION_MISSING',
    );
    if (problems.length === 0) return undefined;
    return errorsFor(
      problems.map((problem) => ({
        field: problemFields[problem.code] ?? own[0] ?? 'form',
        message: problem.message,
      })),
    );
  }

  /** A rule the service refused, shown on the page: `field` is a section or `section.member`. */
  function serviceErrors(error: SharingRuleError, fields: readonly string[]): FormErrors {
    return errorsFor(
      error.problems.map((problem) => {
        const member = problem.field.includes('.')
          ? problem.field.slice(problem.field.indexOf('.') + 1)
          : problem.field;
        const field = fields.includes(problem.field)
          ? problem.field
          : fields.includes(member) || dateFields.has(member)
            ? member
            : (fields[0] ?? 'form');
        return { field, message: problem.message };
      }),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // My decisions, and starting one

  app.get('/decisions', { config: deciders }, async (request, reply) => {
    const mine = await sharing.mine(viewerOf(request));
    const rows = (items: readonly DecisionListItem[]) => items.map((item) => listRow(item));
    return reply.render('sharing/views/mine.njk', {
      pageTitle: 'Sharing decisions',
      columnWidth: 'full',
      startPath: sharingPaths.start(),
      lists: [
        { id: 'drafts', caption: 'Drafts', empty: 'You have no draft decisions.', rows: rows(mine.drafts) },
        {
          id: 'advice',
          caption: 'Waiting for advice',
          empty: 'None of your decisions is waiting for advice.',
          rows: rows(mine.waitingForAdvice),
        },
        {
          id: 'approval',
          caption: 'Waiting for approval',
          empty: 'None of your decisions is waiting for approval.',
          rows: rows(mine.waitingForApproval),
        },
        {
          id: 'recorded',
          caption: 'Recently recorded',
          empty: 'You have not recorded any decisions yet.',
          rows: rows(mine.recorded),
        },
      ],
    });
  });

  function listRow(item: DecisionListItem) {
    return {
      reference: item.reference,
      path: sharingPaths.decision(item.id),
      purpose: purposeName(policy, item.purposeId),
      people: item.peopleCount,
      status: decisionStatusNames[item.status],
      statusTag: decisionStatusTags[item.status],
      outcome:
        item.outcome === null || !isOutcome(item.outcome) ? 'Not yet decided' : outcomeNames[item.outcome],
      startedByName: item.startedByName,
      date: item.recordedAt ?? item.updatedAt,
    };
  }

  async function renderStart(reply: FastifyReply, status: number, viewer: Viewer, errors?: FormErrors) {
    const training = await staff.trainingOf(viewer.userId);
    return reply.code(status).render('sharing/views/start.njk', {
      training,
      pageTitle: 'Make a sharing decision',
      backLink: sharingPaths.mine(),
      action: sharingPaths.start(),
      guidance: policy.sharing.guidance,
      errors,
    });
  }

  app.get('/decisions/new', { config: deciders }, async (request, reply) =>
    renderStart(reply, 200, viewerOf(request)),
  );

  app.post('/decisions/new', { config: deciders }, async (request, reply) => {
    const form = parseForm(startForm, request.body);
    if (!form.ok)
      return renderStart(reply, 400, viewerOf(request), {
        summary: form.errors.summary.map((entry) => ({ ...entry, href: '#start' })),
        fields: {},
      });
    try {
      const id = await sharing.start(
        viewerOf(request),
        form.value.personId === undefined ? {} : { personId: form.value.personId },
      );
      return await reply.redirect(pagePath(id, 'request'), 303);
    } catch (error) {
      if (error instanceof SharingNotFoundError) return reply.callNotFound();
      if (error instanceof SharingRuleError)
        return renderStart(reply, 400, viewerOf(request), {
          summary: error.problems.map((problem) => ({ text: problem.message, href: '#start' })),
          fields: {},
        });
      throw error;
    }
  });

  // A person's sharing history (R2.23): every decision about them, newest first.
  app.get('/people/:personId/sharing', { config: deciders }, async (request, reply) => {
    const params = personParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    try {
      const history = await disclosures.history(viewerOf(request), params.data.personId);
      return await reply.render('sharing/views/person-history.njk', {
        pageTitle: `Sharing decisions – ${personName(history.person)}`,
        columnWidth: 'full',
        backLink: consentPaths.person(history.person.id),
        personName: personName(history.person),
        personId: history.person.id,
        startPath: sharingPaths.start(),
        rows: history.entries.flatMap((entry) =>
          entry.kind === 'decision' ? [listRow(entry.decision)] : [],
        ),
        disclosureRows: historyDisclosureRows(history.entries, policy),
      });
    } catch (error) {
      if (error instanceof PersonAccessError) {
        if (error.kind === 'needs-reason')
          return reply.redirect(consentPaths.person(params.data.personId), 303);
        return reply.callNotFound();
      }
      throw error;
    }
  });

  // ---------------------------------------------------------------------------------------------
  // The decision overview: the task list, what still stands, advice and approvals

  function renderOverview(
    reply: FastifyReply,
    status: number,
    view: DecisionView,
    viewer: Viewer,
    extra: {
      notice?: string | undefined;
      errors?: FormErrors | undefined;
      disclosures?: DecisionDisclosures | undefined;
    } = {},
  ) {
    const author = view.startedBy.id === viewer.userId;
    return reply.code(status).render('sharing/views/overview.njk', {
      pageTitle: `Sharing decision ${view.reference}`,
      backLink: author ? sharingPaths.mine() : undefined,
      view,
      author,
      notice: extra.notice,
      errors: extra.errors,
      statusName: decisionStatusNames[view.status],
      statusTag: decisionStatusTags[view.status],
      outcomeName:
        view.answers.outcome === undefined ? undefined : outcomeNames[view.answers.outcome.outcome],
      purpose:
        view.answers.request === undefined ? undefined : purposeName(policy, view.answers.request.purposeId),
      people: view.people.map((person) => personName(person)),
      tasks: taskList(view),
      problems: problemLinks(view),
      advice: advicePanel(view),
      approvals: approvalsPanel(view),
      disclosures: extra.disclosures,
      paths: {
        check: sharingPaths.check(view.id),
        askAdvice: sharingPaths.askAdvice(view.id),
        sendForApproval: sharingPaths.sendForApproval(view.id),
        withdrawApproval: sharingPaths.withdrawApproval(view.id),
        printable: sharingPaths.printable(view.id),
        addendum: sharingPaths.addendum(view.id),
      },
    });
  }

  app.get('/decisions/:id', { config: readers }, async (request, reply) =>
    withDecision(request, reply, 'others', async (view, viewer) => {
      const done = overviewQuery.parse(request.query).done;
      return renderOverview(reply, 200, view, viewer, {
        notice: done === undefined ? undefined : overviewNotices[done],
        disclosures: await decisionDisclosures(disclosures, policy, viewer, view),
      });
    }),
  );

  for (const [url, act, done] of [
    [
      '/decisions/:id/send-for-approval',
      (viewer: Viewer, id: string) => sharing.sendForApproval(viewer, id),
      'sent',
    ],
    [
      '/decisions/:id/withdraw-approval-request',
      (viewer: Viewer, id: string) => sharing.withdrawApprovalRequest(viewer, id),
      'withdrawn',
    ],
  ] as const) {
    app.post(url, { config: deciders }, async (request, reply) =>
      withDecision(request, reply, false, async (view, viewer) => {
        if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
        const form = parseForm(confirmationForm, request.body);
        if (!form.ok)
          return renderOverview(reply, 400, view, viewer, {
            errors: {
              summary: form.errors.summary.map((entry) => ({ ...entry, href: '#actions' })),
              fields: {},
            },
          });
        try {
          await act(viewer, view.id);
          return await reply.redirect(`${sharingPaths.decision(view.id)}?done=${done}`, 303);
        } catch (error) {
          if (error instanceof SharingRuleError)
            return renderOverview(reply, 400, await sharing.open(viewer, view.id), viewer, {
              errors: {
                summary: error.problems.map((problem) => ({ text: problem.message, href: '#actions' })),
                fields: {},
              },
            });
          throw error;
        }
      }),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // The six question pages. Each saves its sections as a draft and goes on to the next page.

  function questionContext(view: DecisionView, page: PageKey, fromCheck: boolean) {
    const help = policy.sharing.help;
    return {
      pageTitle: pageTitles[page],
      caption: `Sharing decision ${view.reference}`,
      backLink: previousPath(view.id, page, fromCheck),
      action: pagePath(view.id, page, { fromCheck }),
      overviewPath: sharingPaths.decision(view.id),
      decisionPath: pagePath(view.id, 'decision', { fromCheck }),
      askAdvicePath: sharingPaths.askAdvice(view.id),
      fromCheck,
      notShare: view.answers.outcome?.outcome === 'not-share',
      help: {
        // The last page's three parts each have their own help.
        page: page === 'decision' ? undefined : help[page],
        consent: help['consent'],
        openness: help['openness'],
        safety: help['safety'],
        outcome: help['outcome'],
      },
    };
  }

  /**
   * A question page: GET shows the saved answers (or what is already known); POST checks the form
   * and the rules for its sections, saves them and moves on. Only the author of a draft may use it.
   */
  function questionPage<O>(definition: {
    readonly page: PageKey;
    readonly url: string;
    readonly template: string;
    readonly fields: (view: DecisionView) => readonly string[];
    readonly values: (view: DecisionView) => FormValues | Promise<FormValues>;
    readonly choices: (
      view: DecisionView,
      values: FormValues,
    ) => Record<string, unknown> | Promise<Record<string, unknown>>;
    readonly schema: (view: DecisionView) => z.ZodType<O>;
    readonly sections: (value: O) => DecisionAnswers;
  }) {
    const render = async (
      reply: FastifyReply,
      status: number,
      view: DecisionView,
      fromCheck: boolean,
      values: FormValues,
      errors?: FormErrors,
    ) =>
      reply.code(status).render(definition.template, {
        ...questionContext(view, definition.page, fromCheck),
        view,
        values,
        errors,
        ...(await definition.choices(view, values)),
      });

    app.get(definition.url, { config: deciders }, async (request, reply) =>
      withDecision(request, reply, false, async (view) => {
        if (!view.can.edit || !canStart(view.answers, definition.page))
          return reply.redirect(sharingPaths.decision(view.id), 303);
        const fromCheck = questionQuery.parse(request.query).from === 'check';
        return render(reply, 200, view, fromCheck, await definition.values(view));
      }),
    );

    app.post(definition.url, { config: deciders }, async (request, reply) =>
      withDecision(request, reply, false, async (view, viewer) => {
        if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
        const fromCheck = questionQuery.parse(request.query).from === 'check';
        const fields = definition.fields(view);
        const values = echo(request.body, fields);
        const form = parseForm(definition.schema(view), request.body);
        if (!form.ok) return render(reply, 400, view, fromCheck, values, anchorDates(form.errors));
        const sections = definition.sections(form.value);
        const problems = skipsRules(sections) ? undefined : pageProblems(view, definition.page, sections);
        if (problems !== undefined) return render(reply, 400, view, fromCheck, values, problems);
        try {
          await sharing.save(viewer, view.id, sections);
        } catch (error) {
          if (error instanceof SharingRuleError)
            return render(reply, 400, view, fromCheck, values, serviceErrors(error, fields));
          throw error;
        }
        return reply.redirect(
          nextPath(view.id, definition.page, fromCheck, { ...view.answers, ...sections }),
          303,
        );
      }),
    );
  }

  /** "Not sure which law applies" is saved as it stands: the DPO's or Caldicott Guardian's advice settles it (R2.3). */
  function skipsRules(sections: DecisionAnswers): boolean {
    return sections.lawfulBasis?.unsure === true;
  }

  // 1. The request.
  questionPage({
    page: 'request',
    url: '/decisions/:id/request',
    template: 'sharing/views/request.njk',
    fields: () => requestFields,
    values: (view) => requestValues(view.answers.request, today()),
    choices: async () => ({
      requesterKindItems: requesterKinds.map((kind) => ({ value: kind, text: requesterKindNames[kind] })),
      organisationItems: [
        { value: '', text: 'Select an organisation' },
        ...(await orgs.list()).map((organisation) => ({ value: organisation.id, text: organisation.name })),
      ],
      channelItems: labelled(policy.sharing.requestChannels),
      purposeItems: policy.purposes.map((purpose) => ({
        value: purpose.id,
        text: purpose.label,
        hint: { text: purpose.description },
      })),
    }),
    schema: () => requestForm({ pack: policy, today: today() }),
    sections: (value) => ({ request: value }),
  });

  // 2. The people: the main form answers "transfer between IT systems"; search, add and remove have their own.
  async function renderPeople(
    reply: FastifyReply,
    status: number,
    view: DecisionView,
    fromCheck: boolean,
    extra: {
      values?: FormValues;
      errors?: FormErrors | undefined;
      search?: FormValues;
      results?:
        { matches: readonly PersonSummary[]; restricted: readonly string[]; more: boolean } | undefined;
    } = {},
  ) {
    const added = new Set(view.answers.people?.personIds ?? []);
    const hidden = added.size - view.people.length;
    return reply.code(status).render('sharing/views/people.njk', {
      ...questionContext(view, 'people', fromCheck),
      view,
      values: extra.values ?? peopleValues(view.answers.people),
      search: extra.search ?? {},
      errors: extra.errors,
      people: view.people.map((person) => ({
        id: person.id,
        name: personName(person),
        dateOfBirth: person.dateOfBirth,
        nhsNumber: person.nhsNumber === null ? null : formatNhsNumber(person.nhsNumber),
      })),
      hidden,
      bulkThreshold: policy.sharing.bulkThreshold,
      bulkApprovers: approverList(policy.sharing.approvals.bulk.approvers),
      results:
        extra.results === undefined
          ? undefined
          : {
              matches: extra.results.matches.map((person) => ({
                id: person.id,
                name: personName(person),
                dateOfBirth: person.dateOfBirth,
                nhsNumber: person.nhsNumber === null ? null : formatNhsNumber(person.nhsNumber),
                added: added.has(person.id),
              })),
              restricted: extra.results.restricted.map((id) => ({ id, path: consentPaths.person(id) })),
              more: extra.results.more,
            },
      paths: {
        search: sharingPaths.searchPeople(view.id),
        add: sharingPaths.addPerson(view.id),
        remove: sharingPaths.removePerson(view.id),
      },
    });
  }

  app.get('/decisions/:id/people', { config: deciders }, async (request, reply) =>
    withDecision(request, reply, false, async (view) => {
      if (!view.can.edit) return reply.redirect(sharingPaths.decision(view.id), 303);
      return renderPeople(reply, 200, view, questionQuery.parse(request.query).from === 'check');
    }),
  );

  app.post('/decisions/:id/people', { config: deciders }, async (request, reply) =>
    withDecision(request, reply, false, async (view, viewer) => {
      if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
      const fromCheck = questionQuery.parse(request.query).from === 'check';
      const values = echo(request.body, ['systemTransfer']);
      const form = parseForm(peopleForm, request.body);
      if (!form.ok) return renderPeople(reply, 400, view, fromCheck, { values, errors: form.errors });
      const personIds = view.answers.people?.personIds ?? [];
      if (personIds.length === 0)
        return renderPeople(reply, 400, view, fromCheck, {
          values,
          errors: errorsFor([
            { field: 'query', message: 'Add the people the information is about: search for each one' },
          ]),
        });
      try {
        await sharing.save(viewer, view.id, {
          people: { personIds: [...personIds], systemTransfer: form.value.systemTransfer },
        });
      } catch (error) {
        if (error instanceof SharingRuleError)
          return renderPeople(reply, 400, view, fromCheck, {
            values,
            errors: serviceErrors(error, ['people', 'systemTransfer']),
          });
        throw error;
      }
      return reply.redirect(nextPath(view.id, 'people', fromCheck, view.answers), 303);
    }),
  );

  // A search is posted, so that no name is ever in an address (reuses the people search and its need-to-know).
  app.post('/decisions/:id/people/search', { config: deciders }, async (request, reply) =>
    withDecision(request, reply, false, async (view, viewer) => {
      if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
      const fromCheck = questionQuery.parse(request.query).from === 'check';
      const search = echo(request.body, ['query']);
      const form = parseForm(peopleSearchForm, request.body);
      if (!form.ok) return renderPeople(reply, 400, view, fromCheck, { search, errors: form.errors });
      const results = await people.search(viewer, { query: form.value.query, dateOfBirth: null });
      return renderPeople(reply, 200, view, fromCheck, { search, results });
    }),
  );

  for (const [url, change] of [
    [
      '/decisions/:id/people/add',
      (ids: readonly string[], personId: string) => (ids.includes(personId) ? [...ids] : [...ids, personId]),
    ],
    [
      '/decisions/:id/people/remove',
      (ids: readonly string[], personId: string) => ids.filter((id) => id !== personId),
    ],
  ] as const) {
    app.post(url, { config: deciders }, async (request, reply) =>
      withDecision(request, reply, false, async (view, viewer) => {
        if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
        const fromCheck = questionQuery.parse(request.query).from === 'check';
        const form = parseForm(personForm, request.body);
        if (!form.ok)
          return renderPeople(reply, 400, view, fromCheck, {
            errors: errorsFor([{ field: 'query', message: 'Select a person from the list' }]),
          });
        const personIds = change(view.answers.people?.personIds ?? [], form.value.personId);
        if (personIds.length === 0)
          return renderPeople(reply, 400, view, fromCheck, {
            errors: errorsFor([
              {
                field: 'query',
                message:
                  'A decision must be about at least one person: add the right person before you remove this one',
              },
            ]),
          });
        try {
          await sharing.save(viewer, view.id, {
            people: { personIds, systemTransfer: view.answers.people?.systemTransfer ?? false },
          });
        } catch (error) {
          if (error instanceof SharingRuleError)
            return renderPeople(reply, 400, view, fromCheck, { errors: serviceErrors(error, ['query']) });
          throw error;
        }
        return reply.redirect(pagePath(view.id, 'people', { fromCheck }), 303);
      }),
    );
  }

  // 3. The recipients: a block per recipient, with "add another" and "remove" that work without JavaScript.
  async function renderRecipients(
    reply: FastifyReply,
    status: number,
    view: DecisionView,
    fromCheck: boolean,
    blocks: readonly RecipientValues[],
    errors?: FormErrors,
  ) {
    return reply.code(status).render('sharing/views/recipients.njk', {
      ...questionContext(view, 'recipients', fromCheck),
      view,
      blocks,
      errors,
      maxRecipients,
      organisationItems: [
        { value: '', text: 'Select an organisation' },
        ...(await orgs.list()).map((organisation) => ({ value: organisation.id, text: organisation.name })),
      ],
    });
  }

  app.get('/decisions/:id/recipients', { config: deciders }, async (request, reply) =>
    withDecision(request, reply, false, async (view) => {
      if (!view.can.edit) return reply.redirect(sharingPaths.decision(view.id), 303);
      return renderRecipients(
        reply,
        200,
        view,
        questionQuery.parse(request.query).from === 'check',
        recipientValues(view.answers.recipients, view.answers.request),
      );
    }),
  );

  app.post('/decisions/:id/recipients', { config: deciders }, async (request, reply) =>
    withDecision(request, reply, false, async (view, viewer) => {
      if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
      const fromCheck = questionQuery.parse(request.query).from === 'check';
      const posted = parseForm(recipientsPost, request.body);
      if (!posted.ok)
        return renderRecipients(
          reply,
          400,
          view,
          fromCheck,
          recipientValues(view.answers.recipients, view.answers.request),
          {
            summary: posted.errors.summary.map((entry) => ({ ...entry, href: '#recipients.0.name' })),
            fields: {},
          },
        );
      const blocks: RecipientValues[] =
        posted.value.recipients.length === 0 ? [blankRecipient] : posted.value.recipients;
      const action = posted.value.action;
      if (action.kind === 'add')
        return renderRecipients(
          reply,
          200,
          view,
          fromCheck,
          blocks.length >= maxRecipients ? blocks : [...blocks, blankRecipient],
        );
      if (action.kind === 'remove') {
        const remaining = blocks.filter((_block, index) => index !== action.index);
        return renderRecipients(
          reply,
          200,
          view,
          fromCheck,
          remaining.length === 0 ? [blankRecipient] : remaining,
        );
      }
      const section = recipientsSectionFrom(blocks);
      if (!section.ok)
        return renderRecipients(reply, 400, view, fromCheck, blocks, formErrors(section.issues));
      try {
        await sharing.save(viewer, view.id, { recipients: section.value });
      } catch (error) {
        if (error instanceof SharingRuleError)
          return renderRecipients(
            reply,
            400,
            view,
            fromCheck,
            blocks,
            serviceErrors(
              error,
              blocks.flatMap((_block, index) => [
                `recipients.${String(index)}.organisationId`,
                `recipients.${String(index)}.name`,
              ]),
            ),
          );
        throw error;
      }
      return reply.redirect(nextPath(view.id, 'recipients', fromCheck, view.answers), 303);
    }),
  );

  // 4. The information: categories shared, each with its relevance, and those withheld (R2.7, R2.22).
  questionPage({
    page: 'information',
    url: '/decisions/:id/information',
    template: 'sharing/views/information.njk',
    fields: () => informationFields(policy),
    values: (view) => informationValues(view.answers.information),
    choices: (view) => {
      const sensitive = sensitiveCategoriesFor(policy, view.answers.request?.purposeId);
      return {
        purpose: purposeName(policy, view.answers.request?.purposeId ?? null),
        categories: policy.informationCategories.map((category) => ({
          id: category.id,
          label: category.label,
          special: category.special,
          criminal: category.criminal,
          sensitive: sensitive.has(category.id),
        })),
        thirdPartyItems: thirdPartyHandling.map((value) => ({ value, text: thirdPartyNames[value] })),
        principleItems: principles.map((principle) => ({
          value: principle,
          text: principleNames[principle].text,
          hint: { text: principleNames[principle].hint },
        })),
      };
    },
    schema: (view) => informationForm({ pack: policy, purposeId: view.answers.request?.purposeId }),
    sections: (value) => ({ information: value }),
  });

  // 5. The lawful basis, beside what the consent register says for each person (R2.1, R2.3, R2.4, R2.20).
  questionPage({
    page: 'lawfulBasis',
    url: '/decisions/:id/lawful-basis',
    template: 'sharing/views/lawful-basis.njk',
    fields: () => lawfulBasisFields,
    values: (view) =>
      lawfulBasisValues(
        view.answers.lawfulBasis,
        policy,
        view.consent.length > 0 && view.consent.every((finding) => finding.outcome === 'covered'),
      ),
    choices: (view) => {
      const bases = policy.sharing.lawfulBases;
      const categories = new Map(policy.informationCategories.map((category) => [category.id, category]));
      const shared = view.answers.information?.shared ?? [];
      return {
        consent: consentFindings(view, policy).map((finding) => ({
          ...finding,
          path: finding.consentId === undefined ? undefined : consentPaths.show(finding.consentId),
        })),
        everyoneCovered:
          view.consent.length > 0 && view.consent.every((finding) => finding.outcome === 'covered'),
        specialCategory: shared.some((item) => categories.get(item.categoryId)?.special === true),
        criminalOffence: shared.some((item) => categories.get(item.categoryId)?.criminal === true),
        lawAdvisers: approverList(policy.sharing.lawAdvisers),
        article6Items: labelled(bases.article6),
        article9Items: labelled(bases.article9),
        schedule1Items: labelled(bases.schedule1),
        criminalOffenceItems: labelled(bases.criminalOffence),
        commonLawItems: labelled(bases.commonLaw),
      };
    },
    schema: (view) => {
      const categories = new Map(policy.informationCategories.map((category) => [category.id, category]));
      const shared = view.answers.information?.shared ?? [];
      return lawfulBasisForm({
        pack: policy,
        specialCategory: shared.some((item) => categories.get(item.categoryId)?.special === true),
        criminalOffence: shared.some((item) => categories.get(item.categoryId)?.criminal === true),
      });
    },
    sections: (value) => ({ lawfulBasis: value }),
  });

  // 6. The decision: openness (R2.18), safety and the balance of risks (R2.10, R2.21), the outcome and its reasons (R2.23).
  questionPage({
    page: 'decision',
    url: '/decisions/:id/decision',
    template: 'sharing/views/decision.njk',
    fields: () => decisionFields,
    values: (view) => decisionValues(view.answers),
    choices: () => ({
      outcomeItems: (['share', 'share-in-part', 'not-share'] as const).map((value) => ({
        value,
        text: outcomeNames[value],
      })),
      notShareItems: labelled(policy.sharing.notShareReasons),
    }),
    schema: () => decisionForm({ pack: policy }),
    sections: (value) => value,
  });

  // ---------------------------------------------------------------------------------------------
  // Check your answers, record, confirmation

  async function renderCheck(reply: FastifyReply, status: number, view: DecisionView, errors?: FormErrors) {
    const notShare = view.answers.outcome?.outcome === 'not-share';
    const training = await staff.trainingOf(view.startedBy.id);
    return reply.code(status).render('sharing/views/check.njk', {
      training,
      pageTitle: 'Check your answers before recording the decision',
      caption: `Sharing decision ${view.reference}`,
      backLink: sharingPaths.decision(view.id),
      view,
      errors,
      sections: answerSections(view, policy)
        .filter(
          (section) =>
            section.answered ||
            !(notShare && ['recipients', 'information', 'lawfulBasis'].includes(section.page)),
        )
        .map((section) => ({
          ...section,
          changePath: view.can.edit ? pagePath(view.id, section.page, { fromCheck: true }) : undefined,
        })),
      consent: consentFindings(view, policy),
      problems: problemLinks(view),
      approvals: approvalsPanel(view),
      paths: {
        record: sharingPaths.record(view.id),
        overview: sharingPaths.decision(view.id),
        askAdvice: sharingPaths.askAdvice(view.id),
      },
    });
  }

  app.get('/decisions/:id/check-your-answers', { config: deciders }, async (request, reply) =>
    withDecision(request, reply, false, async (view, viewer) => {
      if (
        view.startedBy.id !== viewer.userId ||
        view.status === 'recorded' ||
        view.status === 'awaiting-approval'
      )
        return reply.redirect(sharingPaths.decision(view.id), 303);
      return renderCheck(reply, 200, view);
    }),
  );

  app.post('/decisions/:id/record', { config: deciders }, async (request, reply) =>
    withDecision(request, reply, false, async (view, viewer) => {
      if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
      const form = parseForm(confirmationForm, request.body);
      if (!form.ok)
        return renderCheck(reply, 400, view, {
          summary: form.errors.summary.map((entry) => ({ ...entry, href: '#record' })),
          fields: {},
        });
      try {
        await sharing.record(viewer, view.id);
      } catch (error) {
        if (error instanceof SharingRuleError) {
          const latest = await sharing.open(viewer, view.id);
          return renderCheck(reply, 400, latest, {
            summary: error.problems.map((problem) => ({ text: problem.message, href: '#record' })),
            fields: {},
          });
        }
        throw error;
      }
      return reply.redirect(sharingPaths.confirmation(view.id), 303);
    }),
  );

  app.get('/decisions/:id/confirmation', { config: deciders }, async (request, reply) =>
    withDecision(request, reply, false, async (view, viewer) => {
      if (view.status !== 'recorded' || view.startedBy.id !== viewer.userId)
        return reply.redirect(sharingPaths.decision(view.id), 303);
      const personIds = view.answers.people?.personIds ?? [];
      return reply.render('sharing/views/confirmation.njk', {
        pageTitle: 'Decision recorded',
        view,
        sharing: view.outcome !== 'not-share',
        outcomeName: view.outcome === null ? '' : outcomeNames[view.outcome],
        paths: {
          printable: sharingPaths.printable(view.id),
          overview: sharingPaths.decision(view.id),
          mine: sharingPaths.mine(),
          history:
            personIds.length === 1 && personIds[0] !== undefined
              ? sharingPaths.personHistory(personIds[0])
              : undefined,
        },
      });
    }),
  );

  // ---------------------------------------------------------------------------------------------
  // The record sheet: everything recorded, for printing

  app.get('/decisions/:id/record-sheet', { config: readers }, async (request, reply) =>
    withDecision(request, reply, 'others', async (view, viewer) => {
      const recorded = view.recorded;
      return reply.render('sharing/views/record-sheet.njk', {
        pageTitle: `Sharing decision record ${view.reference}`,
        bodyClasses: 'safeshare-record-sheet',
        columnWidth: 'full',
        backLink: sharingPaths.decision(view.id),
        view,
        organisationName: viewer.organisationName,
        statusName: decisionStatusNames[view.status],
        outcomeName:
          view.outcome === null
            ? view.answers.outcome === undefined
              ? 'Not yet decided'
              : outcomeNames[view.answers.outcome.outcome]
            : outcomeNames[view.outcome],
        sections: answerSections(view, policy).filter((section) => section.answered),
        consent: consentFindings(view, policy).map((finding) => ({
          ...finding,
          path: finding.consentId === undefined ? undefined : consentPaths.show(finding.consentId),
        })),
        flags:
          recorded === null
            ? undefined
            : [
                { key: 'Bulk share', value: recorded.bulk ? 'Yes' : 'No' },
                {
                  key: 'Shared without consent that covers it',
                  value: recorded.withoutConsent ? 'Yes' : 'No',
                },
                {
                  key: 'Overriding a refusal or the duty of confidence',
                  value: recorded.override ? 'Yes' : 'No',
                },
                {
                  key: 'Every recipient in the deciding organisation',
                  value: recorded.internal ? 'Yes' : 'No',
                },
                { key: 'Special category information', value: recorded.specialCategory ? 'Yes' : 'No' },
                { key: 'Criminal offence information', value: recorded.criminalOffence ? 'Yes' : 'No' },
              ],
        advice: advicePanel(view),
        approvals: approvalsPanel(view),
        addenda: view.addenda.map((addendum) => ({
          ...addendum,
          kindName: addendumKindNames[addendum.kind].text,
        })),
        paths: { overview: sharingPaths.decision(view.id), addendum: sharingPaths.addendum(view.id) },
      });
    }),
  );

  // ---------------------------------------------------------------------------------------------
  // Addenda: corrections and later facts about a recorded decision, which itself never changes

  function renderAddendum(
    reply: FastifyReply,
    status: number,
    view: DecisionView,
    values: FormValues,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('sharing/views/addendum.njk', {
      pageTitle: 'Add an addendum to the decision record',
      caption: `Sharing decision ${view.reference}`,
      backLink: sharingPaths.decision(view.id),
      action: sharingPaths.addendum(view.id),
      view,
      values,
      errors,
      kindItems: addendumKinds.map((kind) => ({
        value: kind,
        text: addendumKindNames[kind].text,
        hint: { text: addendumKindNames[kind].hint },
      })),
    });
  }

  app.get('/decisions/:id/addenda/new', { config: readers }, async (request, reply) =>
    withDecision(request, reply, 'others', async (view) => {
      if (!view.can.addAddendum) return reply.redirect(sharingPaths.decision(view.id), 303);
      return renderAddendum(reply, 200, view, {});
    }),
  );

  app.post('/decisions/:id/addenda/new', { config: readers }, async (request, reply) =>
    withDecision(request, reply, false, async (view, viewer) => {
      const values = echo(request.body, addendumFields);
      const form = parseForm(addendumForm, request.body);
      if (!form.ok) return renderAddendum(reply, 400, view, values, form.errors);
      try {
        await sharing.addAddendum(viewer, view.id, form.value);
      } catch (error) {
        if (error instanceof SharingRuleError)
          return renderAddendum(reply, 400, view, values, serviceErrors(error, addendumFields));
        throw error;
      }
      return reply.redirect(`${sharingPaths.decision(view.id)}?done=addendum`, 303);
    }),
  );
}

function viewerOf(request: FastifyRequest): Viewer {
  // Decision pages run only for a signed-in viewer (the access rule refuses everyone else first).
  if (request.viewer === undefined)
    throw new Error('a sharing decision page was reached without a signed-in viewer');
  return request.viewer;
}

function isOutcome(value: string): value is keyof typeof outcomeNames {
  return Object.hasOwn(outcomeNames, value);
}

/** Errors for fields, one message per field, the summary linking to each (a date's to its day). */
function errorsFor(problems: readonly { readonly field: string; readonly message: string }[]): FormErrors {
  const summary: { text: string; href: string }[] = [];
  const fields: Record<string, { text: string }> = {};
  for (const { field, message } of problems) {
    if (summary.some((entry) => entry.text === message)) continue;
    summary.push({ text: message, href: `#${dateFields.has(field) ? `${field}-day` : field}` });
    fields[field] ??= { text: message };
  }
  return { summary, fields };
}

function anchorDates(errors: FormErrors): FormErrors {
  return {
    summary: errors.summary.map((entry) =>
      dateFields.has(entry.href.slice(1)) ? { ...entry, href: `${entry.href}-day` } : entry,
    ),
    fields: errors.fields,
  };
}
