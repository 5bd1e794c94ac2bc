import { formatDateTime } from '../../lib/time.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { consentPaths } from '../../consent/index.ts';
import { disclosurePaths } from '../../disclosures/disclosures.paths.ts';
import { exchangePaths } from '../../exchange/exchange.paths.ts';
import { RuleError } from '../../lib/errors.ts';
import { linkedTo, parseForm, ruleErrors, typedAnswers, type FormErrors } from '../../web/forms.ts';
import { outcomeNames } from '../sharing.answers.ts';
import { sharingPaths } from '../sharing.paths.ts';
import type { DecisionView } from '../sharing.service.ts';
import { decisionStatusNames } from '../sharing.status.ts';
import {
  addendumFields,
  addendumForm,
  addendumKindNames,
  addendumKinds,
  addendumLimit,
} from '../forms/addendum.ts';
import type { FormValues } from '../forms/fields.ts';
import { confirmationForm } from '../forms/params.ts';
import { answerSections, consentFindings } from '../pages/answers.ts';
import { pagePath, problemLinks } from '../pages/navigation.ts';
import { advicePanel, approvalsPanel } from '../pages/panels.ts';
import { deciders, notAuthor, readers, sectionErrors, type DecisionPages } from './context.ts';

/**
 * Check your answers, recording the decision and its confirmation; the record sheet for printing;
 * addenda (corrections and later facts) to a recorded decision, which itself never changes.
 */
export function recordRoutes(app: FastifyInstance, pages: DecisionPages): void {
  const { sharing, policy, staff, openDecision } = pages;

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

  app.get('/decisions/:id/check-your-answers', { config: deciders('none') }, async (request, reply) => {
    const { view, viewer } = await openDecision(request, false);
    if (
      view.startedBy.id !== viewer.userId ||
      view.status === 'recorded' ||
      view.status === 'awaiting-approval'
    )
      return reply.redirect(sharingPaths.decision(view.id), 303);
    return renderCheck(reply, 200, view);
  });

  app.post('/decisions/:id/record', { config: deciders(['decision.recorded']) }, async (request, reply) => {
    const { view, viewer } = await openDecision(request, false);
    if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
    // The button carries no answers: every message links to it.
    const form = parseForm(confirmationForm, request.body);
    if (!form.ok) return renderCheck(reply, 400, view, linkedTo(form.errors, 'record'));
    try {
      await sharing.record(viewer, view.id);
    } catch (error) {
      if (error instanceof RuleError) {
        const latest = await sharing.open(viewer, view.id);
        return renderCheck(reply, 400, latest, linkedTo(ruleErrors(error, []), 'record'));
      }
      throw error;
    }
    return reply.redirect(sharingPaths.confirmation(view.id), 303);
  });

  app.get('/decisions/:id/confirmation', { config: deciders('none') }, async (request, reply) => {
    const { view, viewer } = await openDecision(request, false);
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
        // A decision to share goes on to the sending: through the exchange, or a disclosure logged by hand.
        send: exchangePaths.send(view.id),
        recordDisclosure: disclosurePaths.newForDecision(view.id),
        mine: sharingPaths.mine(),
        history:
          personIds.length === 1 && personIds[0] !== undefined
            ? sharingPaths.personHistory(personIds[0])
            : undefined,
      },
    });
  });

  // The record sheet: everything recorded, for printing. Read by anyone but its author, it writes
  // `decision.viewed`; the author's own reads write nothing (as the overview).
  app.get(
    '/decisions/:id/record-sheet',
    { config: readers({ sometimes: ['decision.viewed'] }) },
    async (request, reply) => {
      const { view, viewer } = await openDecision(request, 'others');
      const recorded = view.recorded;
      const yesNo = (value: boolean) => (value ? 'Yes' : 'No');
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
        routineText:
          view.routine === null
            ? undefined
            : `A routine share under agreement ${view.routine.agreementReference}. ${view.routine.confirmedByName} confirmed, at ${formatDateTime(new Date(view.routine.confirmedAt))}, what came from the agreement and the consent: ${view.routine.prefilled.join('; ')}.`,
        consent: consentFindings(view, policy).map((finding) => ({
          ...finding,
          path: finding.consentId === undefined ? undefined : consentPaths.show(finding.consentId),
        })),
        flags:
          recorded === null
            ? undefined
            : [
                { key: 'Bulk share', value: yesNo(recorded.bulk) },
                { key: 'Shared without consent that covers it', value: yesNo(recorded.withoutConsent) },
                { key: 'Overriding a refusal or the duty of confidence', value: yesNo(recorded.override) },
                { key: 'Every recipient in the deciding organisation', value: yesNo(recorded.internal) },
                { key: 'Special category information', value: yesNo(recorded.specialCategory) },
                { key: 'Criminal offence information', value: yesNo(recorded.criminalOffence) },
              ],
        advice: advicePanel(view),
        approvals: approvalsPanel(view),
        addenda: view.addenda.map((addendum) => ({
          ...addendum,
          kindName: addendumKindNames[addendum.kind].text,
        })),
        paths: { overview: sharingPaths.decision(view.id), addendum: sharingPaths.addendum(view.id) },
      });
    },
  );

  function renderAddendum(
    reply: FastifyReply,
    status: number,
    view: DecisionView,
    values: FormValues,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('sharing/views/addendum.njk', {
      pageTitle: 'Add an addendum to the decision record',
      addendumLimit,
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

  // Writes `decision.viewed` only when someone other than the author opens it (as the overview).
  app.get(
    '/decisions/:id/addenda/new',
    { config: readers({ sometimes: ['decision.viewed'] }) },
    async (request, reply) => {
      const { view } = await openDecision(request, 'others');
      if (!view.can.addAddendum) return reply.redirect(sharingPaths.decision(view.id), 303);
      return renderAddendum(reply, 200, view, {});
    },
  );

  app.post(
    '/decisions/:id/addenda/new',
    { config: readers(['decision.addendum_added']) },
    async (request, reply) => {
      const { view, viewer } = await openDecision(request, false);
      const values = typedAnswers(request.body, addendumFields);
      const form = parseForm(addendumForm, request.body);
      if (!form.ok) return renderAddendum(reply, 400, view, values, form.errors);
      try {
        await sharing.addAddendum(viewer, view.id, form.value);
      } catch (error) {
        if (error instanceof RuleError)
          return renderAddendum(reply, 400, view, values, sectionErrors(error, addendumFields));
        throw error;
      }
      return reply.redirect(`${sharingPaths.decision(view.id)}?done=addendum`, 303);
    },
  );
}
