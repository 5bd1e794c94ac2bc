import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../auth/index.ts';
import type { Clock } from '../lib/clock.ts';
import { sharingPaths } from '../sharing/index.ts';
import { fieldError, parseForm, type FormErrors } from '../web/forms.ts';
import { formatNhsNumber } from './nhs-number.ts';
import { peoplePaths } from './people.paths.ts';
import {
  accessReviewsQuery,
  allocationForm,
  allocationParams,
  confirmationForm,
  existingRelativeFields,
  grantParams,
  londonToday,
  maximumReasonLength,
  newRelativeFields,
  personFields,
  personForm,
  personPageQuery,
  personParams,
  reasonForm,
  relativeForm,
  searchFields,
  searchForm,
  type PersonOutcome,
} from './people.schema.ts';
import {
  PeopleRuleError,
  PersonAccessError,
  breakGlassHours,
  relationshipNames,
  searchResultsShown,
  type AccessBasis,
  type PeopleService,
  type PersonRecord,
  type PersonView,
} from './people.service.ts';
import { relationships } from './people.table.ts';

export interface PeopleRouteOptions {
  readonly people: PeopleService;
  readonly clock: Clock;
}

/** Who works with people's records. Within these roles, need-to-know decides which records (invariant 4). */
const peopleAccess = { access: ['practitioner', 'manager', 'dpo', 'caldicott_guardian'] as const };
const managersOnly = { access: ['manager'] as const };
const reviewers = { access: ['manager', 'dpo'] as const };

const outcomeNotices: Record<PersonOutcome, string> = {
  created: 'Record added. It is allocated to you.',
  updated: 'Details updated.',
  'relative-added': 'Family member added.',
  allocated: 'Allocation added.',
  'allocation-ended': 'Allocation ended.',
  'reason-recorded': `Your reason has been recorded and sent for review. You can see this record for ${breakGlassHours} hours.`,
};

const basisDescriptions: Record<AccessBasis, string> = {
  role: 'Your role lets you see every record in your organisation.',
  allocated: 'You can see this record because this person is allocated to you.',
  team: 'You can see this record because this person is allocated to a member of your team.',
  'family-member':
    'You can see this record because this person is a family member of someone allocated to you or your team.',
  'break-glass': 'You can see this record because you recorded a reason for access.',
};

const relationshipItems = [
  { value: '', text: 'Select a relationship' },
  ...relationships.map((relationship) => ({ value: relationship, text: relationshipNames[relationship] })),
];

/** Helpers the templates call. */
const display = { nhs: (digits: string | null) => (digits === null ? '' : formatNhsNumber(digits)) };

export async function peopleRoutes(app: FastifyInstance, options: PeopleRouteOptions): Promise<void> {
  const { people, clock } = options;
  const today = () => londonToday(clock.now());

  /** The person the address names; a malformed id, an unknown person or another organisation's is a 404. */
  async function withPerson(
    request: FastifyRequest,
    reply: FastifyReply,
    work: (personId: string, viewer: Viewer) => Promise<unknown>,
  ): Promise<unknown> {
    // Routes with more ids in the address check those themselves; this checks the person's.
    const params = personParams.safeParse({
      personId: (request.params as { personId?: unknown } | undefined)?.personId,
    });
    if (!params.success) return reply.callNotFound();
    const viewer = viewerOf(request);
    try {
      return await work(params.data.personId, viewer);
    } catch (error) {
      if (error instanceof PersonAccessError) {
        if (error.kind === 'not-found') return reply.callNotFound();
        return renderNeedsReason(reply, 403, params.data.personId);
      }
      throw error;
    }
  }

  function renderNeedsReason(
    reply: FastifyReply,
    status: number,
    personId: string,
    values: Record<string, unknown> = {},
    errors?: FormErrors,
  ) {
    return reply.code(status).render('people/views/needs-reason.njk', {
      pageTitle: 'You do not have a legitimate relationship to this record',
      backLink: peoplePaths.index,
      action: peoplePaths.access(personId),
      maximumReasonLength,
      breakGlassHours,
      values,
      errors,
    });
  }

  // ---- The people page: search and caseload ------------------------------------------------

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

  app.get('/people', { config: peopleAccess }, async (request, reply) =>
    renderIndex(request, reply, 200, {}),
  );

  // A search is posted, so that no name or date of birth is ever in an address; a reload of the results comes here.
  app.get('/people/search', { config: peopleAccess }, async (_request, reply) =>
    reply.redirect(peoplePaths.index, 303),
  );

  app.post('/people/search', { config: peopleAccess }, async (request, reply) => {
    const form = parseForm(searchForm(today()), request.body);
    const values = answersOf(request.body, searchFields);
    if (!form.ok) return renderIndex(request, reply, 400, { values, errors: datesLinked(form.errors) });
    const results = await people.search(viewerOf(request), form.value);
    return renderIndex(request, reply, 200, {
      values,
      results,
      searched: true,
      shownLimit: searchResultsShown,
    });
  });

  // ---- Adding a person -----------------------------------------------------------------------

  function renderCreate(
    reply: FastifyReply,
    status: number,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('people/views/new.njk', {
      pageTitle: 'Add a person',
      backLink: peoplePaths.index,
      action: peoplePaths.create,
      values,
      errors,
    });
  }

  app.get('/people/new', { config: peopleAccess }, async (_request, reply) => renderCreate(reply, 200, {}));

  app.post('/people/new', { config: peopleAccess }, async (request, reply) => {
    const form = parseForm(personForm(today()), request.body);
    const values = answersOf(request.body, personFields);
    if (!form.ok) return renderCreate(reply, 400, values, datesLinked(form.errors));
    try {
      const id = await people.create(viewerOf(request), form.value);
      return await reply.redirect(`${peoplePaths.show(id)}?done=created`, 303);
    } catch (error) {
      if (error instanceof PeopleRuleError)
        return renderCreate(reply, 400, values, ruleErrors(error, personFields));
      throw error;
    }
  });

  // ---- Reasons for access to review ----------------------------------------------------------

  async function renderReviews(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    errors?: FormErrors,
  ) {
    const done = accessReviewsQuery.parse(request.query).done;
    const reviews = await people.accessReviews(viewerOf(request));
    return reply.code(status).render('people/views/access-reviews.njk', {
      pageTitle: 'Reasons for access to review',
      backLink: peoplePaths.index,
      reviews,
      paths: peoplePaths,
      notice: done === 'reviewed' ? 'Marked as reviewed.' : undefined,
      errors,
    });
  }

  app.get('/people/access-reviews', { config: reviewers }, async (request, reply) =>
    renderReviews(request, reply, 200),
  );

  app.post('/people/access-reviews/:grantId/reviewed', { config: reviewers }, async (request, reply) => {
    const params = grantParams.safeParse(request.params);
    if (!params.success) return reply.callNotFound();
    const form = parseForm(confirmationForm, request.body);
    if (!form.ok)
      return renderReviews(request, reply, 400, linkedTo(form.errors, `review-${params.data.grantId}`));
    try {
      const outcome = await people.markReviewed(viewerOf(request), params.data.grantId);
      if (outcome === 'not-found') return reply.callNotFound();
      return await reply.redirect(`${peoplePaths.accessReviews}?done=reviewed`, 303);
    } catch (error) {
      if (error instanceof PeopleRuleError)
        return renderReviews(
          request,
          reply,
          400,
          linkedTo(fieldError('review', error.message), `review-${params.data.grantId}`),
        );
      throw error;
    }
  });

  // ---- A person's record ---------------------------------------------------------------------

  async function renderRecord(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    view: PersonView,
    errors?: FormErrors,
  ) {
    const viewer = viewerOf(request);
    const done = personPageQuery.parse(request.query).done;
    const choices = await people.allocationChoices(viewer);
    const person = view.person;
    return reply.code(status).render('people/views/show.njk', {
      pageTitle: fullName(person),
      backLink: peoplePaths.index,
      view,
      person,
      basisDescription: basisDescriptions[view.basis],
      notice: done === undefined ? undefined : outcomeNotices[done],
      allocationItems:
        choices.length === 0
          ? []
          : [
              { value: '', text: 'Select a member of your team' },
              ...choices.map((choice) => ({ value: choice.id, text: choice.name })),
            ],
      openAllocations: view.allocations.filter((allocation) => allocation.endedAt === null),
      pastAllocations: view.allocations.filter((allocation) => allocation.endedAt !== null),
      paths: {
        edit: peoplePaths.edit(person.id),
        addRelative: peoplePaths.addRelative(person.id),
        allocations: peoplePaths.allocations(person.id),
        show: peoplePaths.show,
        endAllocation: (allocationId: string) => peoplePaths.endAllocation(person.id, allocationId),
        sharingHistory: sharingPaths.personHistory(person.id),
        startDecision: sharingPaths.start(),
      },
      display,
      errors,
    });
  }

  app.get('/people/:personId', { config: peopleAccess }, async (request, reply) =>
    withPerson(request, reply, async (personId, viewer) =>
      renderRecord(request, reply, 200, await people.open(viewer, personId, 'record')),
    ),
  );

  // ---- Changing a person's details -----------------------------------------------------------

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

  app.get('/people/:personId/edit', { config: peopleAccess }, async (request, reply) =>
    withPerson(request, reply, async (personId, viewer) => {
      const view = await people.open(viewer, personId, 'edit');
      return renderEdit(reply, 200, view.person, valuesOf(view.person));
    }),
  );

  app.post('/people/:personId/edit', { config: peopleAccess }, async (request, reply) =>
    withPerson(request, reply, async (personId, viewer) => {
      await people.basis(viewer, personId);
      const form = parseForm(personForm(today()), request.body);
      const values = answersOf(request.body, personFields);
      const again = async (errors: FormErrors) =>
        renderEdit(reply, 400, (await people.open(viewer, personId, 'edit')).person, values, errors);
      if (!form.ok) return again(datesLinked(form.errors));
      try {
        await people.update(viewer, personId, form.value);
        return await reply.redirect(`${peoplePaths.show(personId)}?done=updated`, 303);
      } catch (error) {
        if (error instanceof PeopleRuleError) return again(ruleErrors(error, personFields));
        throw error;
      }
    }),
  );

  // ---- Adding a family member ----------------------------------------------------------------

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

  app.get('/people/:personId/relationships/new', { config: peopleAccess }, async (request, reply) =>
    withPerson(request, reply, async (personId, viewer) =>
      renderAddRelative(reply, 200, await people.open(viewer, personId, 'add-family-member'), {}),
    ),
  );

  app.post('/people/:personId/relationships/new', { config: peopleAccess }, async (request, reply) =>
    withPerson(request, reply, async (personId, viewer) => {
      await people.basis(viewer, personId);
      const mode = modeOf(request.body);
      const fields = mode === 'existing' ? existingRelativeFields : newRelativeFields;
      const values = { ...answersOf(request.body, fields), mode };
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
      if (!form.ok) return again(datesLinked(form.errors));
      try {
        await people.addRelative(viewer, personId, form.value);
        return await reply.redirect(`${peoplePaths.show(personId)}?done=relative-added`, 303);
      } catch (error) {
        if (error instanceof PeopleRuleError) return again(ruleErrors(error, fields));
        throw error;
      }
    }),
  );

  // ---- Allocations (line managers) -----------------------------------------------------------

  app.post('/people/:personId/allocations', { config: managersOnly }, async (request, reply) =>
    withPerson(request, reply, async (personId, viewer) => {
      await people.basis(viewer, personId);
      const form = parseForm(allocationForm, request.body);
      const again = async (errors: FormErrors) =>
        renderRecord(request, reply, 400, await people.open(viewer, personId, 'record'), errors);
      if (!form.ok) return again(onField(form.errors, 'userId'));
      try {
        await people.allocate(viewer, personId, form.value.userId);
        return await reply.redirect(`${peoplePaths.show(personId)}?done=allocated`, 303);
      } catch (error) {
        if (error instanceof PeopleRuleError) return again(fieldError('userId', error.message));
        throw error;
      }
    }),
  );

  app.post(
    '/people/:personId/allocations/:allocationId/end',
    { config: managersOnly },
    async (request, reply) => {
      const params = allocationParams.safeParse(request.params);
      if (!params.success) return reply.callNotFound();
      const { allocationId } = params.data;
      return withPerson(request, reply, async (personId, viewer) => {
        await people.basis(viewer, personId);
        const again = async (errors: FormErrors) =>
          renderRecord(
            request,
            reply,
            400,
            await people.open(viewer, personId, 'record'),
            linkedTo(errors, `end-${allocationId}`),
          );
        const form = parseForm(confirmationForm, request.body);
        if (!form.ok) return again(form.errors);
        try {
          const outcome = await people.endAllocation(viewer, personId, allocationId);
          if (outcome === 'not-found') return reply.callNotFound();
          return await reply.redirect(`${peoplePaths.show(personId)}?done=allocation-ended`, 303);
        } catch (error) {
          if (error instanceof PeopleRuleError) return again(fieldError('allocation', error.message));
          throw error;
        }
      });
    },
  );

  // ---- A reason for access ("break-glass") ---------------------------------------------------

  /** Whether the viewer may already open the record (false: they need a reason); another organisation's is not found. */
  async function mayOpen(viewer: Viewer, personId: string): Promise<boolean> {
    try {
      await people.basis(viewer, personId);
      return true;
    } catch (error) {
      if (error instanceof PersonAccessError && error.kind === 'needs-reason') return false;
      throw error;
    }
  }

  app.get('/people/:personId/access', { config: peopleAccess }, async (request, reply) =>
    withPerson(request, reply, async (personId, viewer) => {
      if (await mayOpen(viewer, personId)) return reply.redirect(peoplePaths.show(personId), 303);
      return renderNeedsReason(reply, 200, personId);
    }),
  );

  app.post('/people/:personId/access', { config: peopleAccess }, async (request, reply) =>
    withPerson(request, reply, async (personId, viewer) => {
      const already = await mayOpen(viewer, personId);
      const form = parseForm(reasonForm, request.body);
      if (!form.ok)
        return renderNeedsReason(
          reply,
          400,
          personId,
          answersOf(request.body, ['reason']),
          onField(form.errors, 'reason'),
        );
      // Someone who may already open the record has nothing to give a reason for.
      if (already) return reply.redirect(peoplePaths.show(personId), 303);
      await people.recordReason(viewer, personId, form.value.reason);
      return reply.redirect(`${peoplePaths.show(personId)}?done=reason-recorded`, 303);
    }),
  );
}

function viewerOf(request: FastifyRequest): Viewer {
  // People routes run only for a signed-in viewer (the access rule refuses everyone else first).
  if (request.viewer === undefined) throw new Error('people pages reached without a signed-in viewer');
  return request.viewer;
}

function fullName(person: { givenNames: string; familyName: string }): string {
  return `${person.givenNames} ${person.familyName}`;
}

function modeOf(body: unknown): 'existing' | 'new' | undefined {
  if (body === null || typeof body !== 'object' || !('mode' in body)) return undefined;
  return body.mode === 'existing' || body.mode === 'new' ? body.mode : undefined;
}

/** The edit form's first values: what the record holds, in the shapes the inputs take. */
function valuesOf(person: PersonRecord): Record<string, string> {
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

/** A date of birth's errors link to its first box, as the GOV.UK date input pattern asks. */
function datesLinked(errors: FormErrors): FormErrors {
  return {
    summary: errors.summary.map((entry) =>
      entry.href === '#dateOfBirth' ? { ...entry, href: '#dateOfBirth-day' } : entry,
    ),
    fields: errors.fields,
  };
}

/** A service rule's message on its field when the form has it; otherwise linked to the form's first field. */
function ruleErrors(error: PeopleRuleError, fields: readonly string[]): FormErrors {
  if (fields.includes(error.field)) return fieldError(error.field, error.message);
  return { summary: [{ text: error.message, href: `#${fields[0] ?? 'main-content'}` }], fields: {} };
}

/** Every error of a one-field form, on that field. */
function onField(errors: FormErrors, field: string): FormErrors {
  const first = errors.summary[0];
  return {
    summary: errors.summary.map((entry) => ({ ...entry, href: `#${field}` })),
    fields: first === undefined ? {} : { [field]: { text: first.text } },
  };
}

/** Errors about fields a page does not show, pointed at something on the page. */
function linkedTo(errors: FormErrors, target: string): FormErrors {
  return { summary: errors.summary.map((entry) => ({ ...entry, href: `#${target}` })), fields: {} };
}

/** What was typed, to show again beside the errors: text only. */
function answersOf(body: unknown, fields: readonly string[]): Record<string, string> {
  const answers: Record<string, string> = {};
  if (body === null || typeof body !== 'object') return answers;
  for (const [key, value] of Object.entries(body)) {
    if (fields.includes(key) && typeof value === 'string') answers[key] = value;
  }
  return answers;
}
