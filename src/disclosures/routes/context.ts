import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../../auth/index.ts';
import type { Clock } from '../../lib/clock.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { londonToday } from '../../lib/time.ts';
import type { OrgsService } from '../../orgs/index.ts';
import { policyLabels, type PolicyPack } from '../../policy/index.ts';
import type { AuditDeclaration } from '../../web/access.ts';
import { viewerOf, type FormErrors } from '../../web/forms.ts';
import { disclosureReaders, disclosureRecorders } from '../disclosures.access.ts';
import { DisclosureRuleError } from '../disclosures.errors.ts';
import { decisionParams, disclosureParams } from '../disclosures.forms.ts';
import type { Disclosure, DisclosureContext, DisclosuresService } from '../disclosures.service.ts';

export interface DisclosureRouteOptions {
  readonly disclosures: DisclosuresService;
  readonly orgs: Pick<OrgsService, 'find'>;
  readonly policy: PolicyPack;
  readonly clock: Clock;
  readonly secureCookies: boolean;
}

/** A page of those who record disclosures, with the audit events it writes when it succeeds. */
export function recordersPage(audit: AuditDeclaration) {
  return { access: disclosureRecorders, audit };
}

/** A page of those who read the disclosure log and record receipts, with its audit events. */
export function readersPage(audit: AuditDeclaration) {
  return { access: disclosureReaders, audit };
}

/** Checkbox fields, shown again as lists beside errors. */
export const listFields = ['categoryIds', 'actions'] as const;

/** What every disclosure page works with: the service, the directory, and the policy pack's labels. */
export function disclosurePages(options: DisclosureRouteOptions) {
  const { disclosures, policy, clock } = options;
  const labels = policyLabels(policy);

  /**
   * The recorded decision to share the address names, as this viewer may see it. One that does not
   * exist for the viewer propagates as not found (404); one that is not a decision to share gets
   * its own page (409): nothing can be disclosed under it.
   */
  async function openDecision(
    request: FastifyRequest,
    reply: FastifyReply,
    work: (context: DisclosureContext, viewer: Viewer) => Promise<unknown>,
  ): Promise<unknown> {
    const params = decisionParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const viewer = viewerOf(request);
    let context: DisclosureContext;
    try {
      context = await disclosures.context(viewer, params.data.id);
    } catch (error) {
      if (error instanceof DisclosureRuleError) {
        return reply.code(409).render('web/views/error.njk', {
          pageTitle: 'Nothing can be disclosed under this decision',
          heading: 'Nothing can be disclosed under this decision',
          paragraphs: [
            'Information can only be disclosed under a recorded decision to share. This decision is not one: it is still a draft, or it decided not to share.',
          ],
          showHomeLink: true,
        });
      }
      throw error;
    }
    return work(context, viewer);
  }

  /** The disclosure the address names, if the viewer may see it; otherwise not found (404). */
  async function findDisclosure(
    request: FastifyRequest,
  ): Promise<{ disclosure: Disclosure; viewer: Viewer }> {
    const params = disclosureParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const viewer = viewerOf(request);
    return { disclosure: await disclosures.find(viewer, params.data.id), viewer };
  }

  return {
    ...options,
    labels,
    today: () => londonToday(clock.now()),
    availableMethods: policy.channels.methods.filter((rule) => rule.available),
    categoryName: (id: string) => labels.informationCategories[id] ?? id,
    openDecision,
    findDisclosure,
  };
}

export type DisclosurePages = ReturnType<typeof disclosurePages>;

/**
 * Problems as form errors, for pages whose fields the service names differently: each in the
 * summary, linked to its field; the field shows the first. `answers` (step 1's, carried as hidden
 * fields) has no field on the page to show it.
 */
export function errorsOf(problems: readonly { readonly field: string; readonly text: string }[]): FormErrors {
  const summary: { text: string; href: string }[] = [];
  const fields: Record<string, { text: string }> = {};
  for (const problem of problems) {
    if (!summary.some((entry) => entry.text === problem.text))
      summary.push({ text: problem.text, href: `#${problem.field}` });
    if (problem.field !== 'answers') fields[problem.field] ??= { text: problem.text };
  }
  return { summary, fields };
}
