import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffService, Viewer } from '../../auth/index.ts';
import type { Clock } from '../../lib/clock.ts';
import { NotFoundError, RuleError } from '../../lib/errors.ts';
import { londonToday } from '../../lib/time.ts';
import type { OrgsService } from '../../orgs/index.ts';
import type { PeopleService } from '../../people/index.ts';
import type { PolicyPack } from '../../policy/index.ts';
import type { AuditDeclaration } from '../../web/access.ts';
import { ruleErrors, viewerOf, type FormErrors } from '../../web/forms.ts';
import { decisionMakers, decisionReaders } from '../sharing.access.ts';
import type { DecisionView, SharingService } from '../sharing.service.ts';
import { decisionParams } from '../forms/params.ts';
import { pagePath, pageTitles, previousPath, type PageKey } from '../pages/navigation.ts';
import { sharingPaths } from '../sharing.paths.ts';

export interface SharingRouteOptions {
  readonly sharing: SharingService;
  readonly people: Pick<PeopleService, 'search'>;
  readonly orgs: Pick<OrgsService, 'list'>;
  readonly policy: PolicyPack;
  readonly clock: Clock;
  /**
   * Panels that capabilities above sharing add to a decision's overview (the disclosure log adds
   * what was disclosed under it). Sharing never imports them: app.ts hands them in.
   */
  readonly overviewPanels: readonly DecisionPanel[];
  /**
   * The page, above sharing, where those who received information under a decision are told that
   * the consent it relied on was withdrawn (R3.3): linked from the overview's banner. app.ts hands it in.
   */
  readonly consentWithdrawnPath: (consentId: string) => string;
  /** The practitioner's own data protection training, warned about where they share (R1.1). */
  readonly staff: Pick<StaffService, 'trainingOf'>;
}

/**
 * A panel on a decision's overview: the template to include, and its data, or undefined when it has
 * nothing to show this viewer. The template reads its data as `panel.data`.
 */
export type DecisionPanel = (
  viewer: Viewer,
  view: DecisionView,
) => Promise<{ readonly template: string; readonly data: unknown } | undefined>;

/**
 * The advice and approval pages (R2.3, R2.15, R2.16, R2.19, R2.20). The service decides who may see
 * and answer each item; anything a viewer may not see is a page that does not exist.
 */
export interface SharingReviewRouteOptions {
  readonly sharing: SharingService;
  readonly policy: PolicyPack;
  /** Colleagues a practitioner may name as their supervisor. */
  readonly staff: Pick<StaffService, 'list'>;
}

/** What every decision page works with: the services, and the decision its address names. */
export interface DecisionPages extends SharingRouteOptions {
  /** Today's date in London, as the forms and rules judge dates. */
  readonly today: () => string;
  /**
   * The decision the address names, as this viewer may see it. A malformed id, or a decision the
   * viewer may not see, is a page that does not exist: the app's error handler answers 404.
   * `audited` as in `SharingService.open`.
   */
  readonly openDecision: (
    request: FastifyRequest,
    audited: boolean | 'others',
  ) => Promise<{ readonly view: DecisionView; readonly viewer: Viewer }>;
}

export function decisionPages(options: SharingRouteOptions): DecisionPages {
  return {
    ...options,
    today: () => londonToday(options.clock.now()),
    openDecision: async (request, audited) => {
      const params = decisionParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const viewer = viewerOf(request);
      return { view: await options.sharing.open(viewer, params.data.id, { audited }), viewer };
    },
  };
}

/** Pages for those who make (and record) sharing decisions, with the audit events the route writes. */
export function deciders(audit: AuditDeclaration) {
  return { access: decisionMakers, audit };
}

/** Pages for those who may open a decision (the service decides which). */
export function readers(audit: AuditDeclaration) {
  return { access: decisionReaders, audit };
}

/** A policy pack's list as GOV.UK radio or checkbox items, with each option's help as its hint. */
export function labelled(
  list: readonly { id: string; label: string; help?: string | undefined }[],
  hints = true,
) {
  return list.map((option) => ({
    value: option.id,
    text: option.label,
    ...(hints && option.help !== undefined ? { hint: { text: option.help } } : {}),
  }));
}

/** Someone other than the author tried to change a decision; its own page says so (nothing changed). */
export function notAuthor(reply: FastifyReply) {
  return reply.code(403).render('web/views/error.njk', {
    pageTitle: 'Only the practitioner who started this decision can change it',
    heading: 'Only the practitioner who started this decision can change it',
    paragraphs: [
      'Nothing has been changed. You can read the decision, and ask its author to make the change.',
    ],
    showHomeLink: true,
  });
}

/** Date inputs: the error summary links to the day field, as the GOV.UK pattern asks. */
export const dateFields = ['receivedOn'] as const;

/**
 * A rule the service refused, shown on a page. The service names a section or `section.member`
 * (`request.requesterOrganisationId`); the page's field is the member when the page has it.
 */
export function sectionErrors(error: RuleError, fields: readonly string[]): FormErrors {
  const dates: readonly string[] = dateFields;
  const onPage = new RuleError(
    error.problems.map((problem) => {
      const member = problem.field.slice(problem.field.indexOf('.') + 1);
      const field =
        fields.includes(problem.field) || !(fields.includes(member) || dates.includes(member))
          ? problem.field
          : member;
      return { ...problem, field };
    }),
  );
  return ruleErrors(onPage, fields, dateFields);
}

/** What every question page shows around its form: title, caption, the way back and on, and the policy's help. */
export function questionContext(pages: DecisionPages, view: DecisionView, page: PageKey, fromCheck: boolean) {
  const help = pages.policy.sharing.help;
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
