import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  anchorDates,
  parseForm,
  ruleErrors,
  typedAnswers,
  viewerOf,
  type FormErrors,
  type TypedAnswers,
} from '../../web/forms.ts';
import { PeopleRuleError } from '../people.errors.ts';
import { searchResultsShown } from '../people.model.ts';
import { peoplePaths } from '../people.paths.ts';
import { personFields, personForm } from '../people.schema.ts';
import { searchFields, searchForm } from '../people.search.schema.ts';
import { dateFields, display, peoplePage, type PeoplePages } from './context.ts';

/** The people page (search and caseload), and adding a person. */
export function listRoutes(app: FastifyInstance, pages: PeoplePages): void {
  const { people, today } = pages;

  async function renderIndex(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: Record<string, unknown>,
  ) {
    const viewer = viewerOf(request);
    const caseload = await people.caseload(viewer);
    return reply.code(status).render('people/views/index.njk', {
      pageTitle: 'People',
      caseload,
      isManager: viewer.roles.includes('manager'),
      mayReview: viewer.roles.includes('manager') || viewer.roles.includes('dpo'),
      paths: peoplePaths,
      display,
      values: {},
      ...extra,
    });
  }

  // The viewer's own caseload and their team's: their work, not a read of anyone's record.
  app.get('/people', { config: peoplePage('none') }, async (request, reply) =>
    renderIndex(request, reply, 200, {}),
  );

  // A search is posted, so that no name or date of birth is ever in an address; a reload of the results comes here.
  app.get('/people/search', { config: peoplePage('none') }, async (_request, reply) =>
    reply.redirect(peoplePaths.index, 303),
  );

  // Results name only people the viewer may open already; opening one writes its `person.viewed`.
  app.post('/people/search', { config: peoplePage('none') }, async (request, reply) => {
    const form = parseForm(searchForm(today()), request.body);
    const values = typedAnswers(request.body, searchFields);
    if (!form.ok)
      return renderIndex(request, reply, 400, { values, errors: anchorDates(form.errors, dateFields) });
    const results = await people.search(viewerOf(request), form.value);
    return renderIndex(request, reply, 200, {
      values,
      results,
      searched: true,
      shownLimit: searchResultsShown,
    });
  });

  function renderCreate(reply: FastifyReply, status: number, values: TypedAnswers, errors?: FormErrors) {
    return reply.code(status).render('people/views/new.njk', {
      pageTitle: 'Add a person',
      backLink: peoplePaths.index,
      action: peoplePaths.create,
      values,
      errors,
    });
  }

  app.get('/people/new', { config: peoplePage('none') }, async (_request, reply) =>
    renderCreate(reply, 200, {}),
  );

  app.post('/people/new', { config: peoplePage(['person.created']) }, async (request, reply) => {
    const form = parseForm(personForm(today()), request.body);
    const values = typedAnswers(request.body, personFields);
    if (!form.ok) return renderCreate(reply, 400, values, anchorDates(form.errors, dateFields));
    try {
      const id = await people.create(viewerOf(request), form.value);
      return await reply.redirect(`${peoplePaths.show(id)}?done=created`, 303);
    } catch (error) {
      if (error instanceof PeopleRuleError)
        return renderCreate(reply, 400, values, ruleErrors(error, personFields));
      throw error;
    }
  });
}
