import type { FastifyInstance, FastifyReply } from 'fastify';
import { consentPaths } from '../../consent/index.ts';
import { RuleError } from '../../lib/errors.ts';
import { formatNhsNumber } from '../../lib/nhs-number.ts';
import type { PersonSummary } from '../../people/index.ts';
import { fieldError, parseForm, typedAnswers, type FormErrors } from '../../web/forms.ts';
import { sharingPaths } from '../sharing.paths.ts';
import type { DecisionView } from '../sharing.service.ts';
import type { FormValues } from '../forms/fields.ts';
import { questionQuery } from '../forms/params.ts';
import { peopleForm, peopleSearchForm, peopleValues, personForm } from '../forms/people.ts';
import { approverList, personName } from '../pages/names.ts';
import { nextPath, pagePath } from '../pages/navigation.ts';
import { deciders, notAuthor, questionContext, sectionErrors, type DecisionPages } from './context.ts';

/**
 * 2. The people: the main form answers "transfer between IT systems"; search, add and remove have
 * their own forms. Only the author of a draft changes them.
 */
export function peopleRoutes(app: FastifyInstance, pages: DecisionPages): void {
  const { sharing, people, policy, openDecision } = pages;

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
      ...questionContext(pages, view, 'people', fromCheck),
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

  app.get('/decisions/:id/people', { config: deciders('none') }, async (request, reply) => {
    const { view } = await openDecision(request, false);
    if (!view.can.edit) return reply.redirect(sharingPaths.decision(view.id), 303);
    return renderPeople(reply, 200, view, questionQuery.parse(request.query).from === 'check');
  });

  app.post('/decisions/:id/people', { config: deciders(['decision.saved']) }, async (request, reply) => {
    const { view, viewer } = await openDecision(request, false);
    if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
    const fromCheck = questionQuery.parse(request.query).from === 'check';
    const values = typedAnswers(request.body, ['systemTransfer']);
    const form = parseForm(peopleForm, request.body);
    if (!form.ok) return renderPeople(reply, 400, view, fromCheck, { values, errors: form.errors });
    const personIds = view.answers.people?.personIds ?? [];
    if (personIds.length === 0)
      return renderPeople(reply, 400, view, fromCheck, {
        values,
        errors: fieldError('query', 'Add the people the information is about: search for each one'),
      });
    try {
      await sharing.save(viewer, view.id, {
        people: { personIds: [...personIds], systemTransfer: form.value.systemTransfer },
      });
    } catch (error) {
      if (error instanceof RuleError)
        return renderPeople(reply, 400, view, fromCheck, {
          values,
          errors: sectionErrors(error, ['people', 'systemTransfer']),
        });
      throw error;
    }
    return reply.redirect(nextPath(view.id, 'people', fromCheck, view.answers), 303);
  });

  // A search is posted, so that no name is ever in an address (reuses the people search and its need-to-know).
  app.post('/decisions/:id/people/search', { config: deciders('none') }, async (request, reply) => {
    const { view, viewer } = await openDecision(request, false);
    if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
    const fromCheck = questionQuery.parse(request.query).from === 'check';
    const search = typedAnswers(request.body, ['query']);
    const form = parseForm(peopleSearchForm, request.body);
    if (!form.ok) return renderPeople(reply, 400, view, fromCheck, { search, errors: form.errors });
    const results = await people.search(viewer, { query: form.value.query, dateOfBirth: null });
    return renderPeople(reply, 200, view, fromCheck, { search, results });
  });

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
    app.post(url, { config: deciders(['decision.saved']) }, async (request, reply) => {
      const { view, viewer } = await openDecision(request, false);
      if (view.startedBy.id !== viewer.userId) return notAuthor(reply);
      const fromCheck = questionQuery.parse(request.query).from === 'check';
      const form = parseForm(personForm, request.body);
      if (!form.ok)
        return renderPeople(reply, 400, view, fromCheck, {
          errors: fieldError('query', 'Select a person from the list'),
        });
      const personIds = change(view.answers.people?.personIds ?? [], form.value.personId);
      if (personIds.length === 0)
        return renderPeople(reply, 400, view, fromCheck, {
          errors: fieldError(
            'query',
            'A decision must be about at least one person: add the right person before you remove this one',
          ),
        });
      try {
        await sharing.save(viewer, view.id, {
          people: {
            personIds,
            ...(view.answers.people?.systemTransfer === undefined
              ? {}
              : { systemTransfer: view.answers.people.systemTransfer }),
          },
        });
      } catch (error) {
        if (error instanceof RuleError)
          return renderPeople(reply, 400, view, fromCheck, { errors: sectionErrors(error, ['query']) });
        throw error;
      }
      return reply.redirect(pagePath(view.id, 'people', { fromCheck }), 303);
    });
  }
}
