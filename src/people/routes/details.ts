import type { FastifyInstance, FastifyReply } from 'fastify';
import { anchorDates, parseForm, ruleErrors, typedAnswers, type FormErrors } from '../../web/forms.ts';
import { formatNhsNumber } from '../../lib/nhs-number.ts';
import { PeopleRuleError } from '../people.errors.ts';
import { relationshipNames, type PersonRecord, type PersonView } from '../people.model.ts';
import { peoplePaths } from '../people.paths.ts';
import {
  existingRelativeFields,
  newRelativeFields,
  personFields,
  personForm,
  relativeForm,
} from '../people.schema.ts';
import { relationships } from '../people.table.ts';
import { aboutPerson, dateFields, peoplePage, type PeoplePages } from './context.ts';

const relationshipItems = [
  { value: '', text: 'Select a relationship' },
  ...relationships.map((relationship) => ({ value: relationship, text: relationshipNames[relationship] })),
];

/** Changing a person's details, and adding a family member to their record. */
export function detailsRoutes(app: FastifyInstance, pages: PeoplePages): void {
  const { people, today } = pages;

  function renderEdit(
    reply: FastifyReply,
    status: number,
    person: PersonRecord,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('people/views/edit.njk', {
      pageTitle: 'Change details',
      backLink: peoplePaths.show(person.id),
      action: peoplePaths.edit(person.id),
      person,
      values,
      errors,
    });
  }

  app.get('/people/:personId/edit', { config: peoplePage(['person.viewed']) }, async (request, reply) =>
    aboutPerson(request, reply, async (personId, viewer) => {
      const view = await people.open(viewer, personId, 'edit');
      return renderEdit(reply, 200, view.person, recordedAnswers(view.person));
    }),
  );

  app.post('/people/:personId/edit', { config: peoplePage(['person.updated']) }, async (request, reply) =>
    aboutPerson(request, reply, async (personId, viewer) => {
      await people.basis(viewer, personId);
      const form = parseForm(personForm(today()), request.body);
      const values = typedAnswers(request.body, personFields);
      const again = async (errors: FormErrors) =>
        renderEdit(reply, 400, (await people.open(viewer, personId, 'edit')).person, values, errors);
      if (!form.ok) return again(anchorDates(form.errors, dateFields));
      try {
        await people.update(viewer, personId, form.value);
        return await reply.redirect(`${peoplePaths.show(personId)}?done=updated`, 303);
      } catch (error) {
        if (error instanceof PeopleRuleError) return again(ruleErrors(error, personFields));
        throw error;
      }
    }),
  );

  function renderAddRelative(
    reply: FastifyReply,
    status: number,
    view: PersonView,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('people/views/relative-new.njk', {
      pageTitle: 'Add a family member',
      backLink: peoplePaths.show(view.person.id),
      action: peoplePaths.addRelative(view.person.id),
      person: view.person,
      relationshipItems,
      values,
      errors,
    });
  }

  app.get(
    '/people/:personId/relationships/new',
    { config: peoplePage(['person.viewed']) },
    async (request, reply) =>
      aboutPerson(request, reply, async (personId, viewer) =>
        renderAddRelative(reply, 200, await people.open(viewer, personId, 'add-family-member'), {}),
      ),
  );

  app.post(
    '/people/:personId/relationships/new',
    { config: peoplePage(['person.relationship_added']) },
    async (request, reply) =>
      aboutPerson(request, reply, async (personId, viewer) => {
        await people.basis(viewer, personId);
        const mode = modeOf(request.body);
        const fields = mode === 'existing' ? existingRelativeFields : newRelativeFields;
        const values = { ...typedAnswers(request.body, fields), mode };
        const again = async (errors: FormErrors) =>
          renderAddRelative(
            reply,
            400,
            await people.open(viewer, personId, 'add-family-member'),
            values,
            errors,
          );
        if (mode === undefined)
          return again({
            summary: [
              { text: 'Choose whether the family member is already in Safeshare', href: '#identifier' },
            ],
            fields: {},
          });
        const form = parseForm(relativeForm(today(), mode), request.body);
        if (!form.ok) return again(anchorDates(form.errors, dateFields));
        try {
          await people.addRelative(viewer, personId, form.value);
          return await reply.redirect(`${peoplePaths.show(personId)}?done=relative-added`, 303);
        } catch (error) {
          if (error instanceof PeopleRuleError) return again(ruleErrors(error, fields));
          throw error;
        }
      }),
  );
}

function modeOf(body: unknown): 'existing' | 'new' | undefined {
  if (body === null || typeof body !== 'object' || !('mode' in body)) return undefined;
  return body.mode === 'existing' || body.mode === 'new' ? body.mode : undefined;
}

/** The edit form's first answers: what the record holds, in the shapes the inputs take. */
function recordedAnswers(person: PersonRecord): Record<string, string> {
  const [year = '', month = '', day = ''] = person.dateOfBirth?.split('-') ?? [];
  return {
    givenNames: person.givenNames,
    familyName: person.familyName,
    knownAs: person.knownAs ?? '',
    'dateOfBirth-day': day === '' ? '' : String(Number(day)),
    'dateOfBirth-month': month === '' ? '' : String(Number(month)),
    'dateOfBirth-year': year,
    nhsNumber: person.nhsNumber === null ? '' : formatNhsNumber(person.nhsNumber),
    localReference: person.localReference ?? '',
    upn: person.upn ?? '',
    externalId: person.externalId ?? '',
    addressLine1: person.addressLine1 ?? '',
    addressLine2: person.addressLine2 ?? '',
    town: person.town ?? '',
    postcode: person.postcode ?? '',
  };
}
