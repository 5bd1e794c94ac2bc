import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../lib/errors.ts';
import { consentPaths } from '../../consent/consent.paths.ts';
import { sharingPaths } from '../../sharing/sharing.paths.ts';
import { subjectAccessPaths } from '../../subject-access/subject-access.paths.ts';
import { fieldError, linkedTo, parseForm, viewerOf, type FormErrors } from '../../web/forms.ts';
import { PeopleRuleError } from '../people.errors.ts';
import { breakGlassHours, type AccessBasis, type PersonView } from '../people.model.ts';
import { peoplePaths } from '../people.paths.ts';
import {
  allocationForm,
  allocationParams,
  confirmationForm,
  personPageQuery,
  type PersonOutcome,
} from '../people.schema.ts';
import {
  aboutPerson,
  display,
  fullName,
  managersPage,
  onField,
  peoplePage,
  type PeoplePages,
} from './context.ts';

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
  team: 'You can see this record because this person is allocated to someone you line-manage.',
  'family-member':
    'You can see this record because this person is a family member of someone allocated to you or to someone you line-manage.',
  'break-glass': 'You can see this record because you recorded a reason for access.',
};

/** A person's record page, and the allocations a line manager changes on it. */
export function recordRoutes(app: FastifyInstance, pages: PeoplePages): void {
  const { people, consentStanding } = pages;

  async function renderRecord(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    view: PersonView,
    errors?: FormErrors,
  ) {
    const viewer = viewerOf(request);
    const done = personPageQuery.parse(request.query).done;
    const person = view.person;
    const [choices, consents] = await Promise.all([
      people.allocationChoices(viewer),
      consentStanding(viewer, person.id),
    ]);
    return reply.code(status).render('people/views/show.njk', {
      pageTitle: fullName(person),
      backLink: peoplePaths.index,
      view,
      person,
      basisDescription: basisDescriptions[view.basis],
      consents,
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
        openedBy: peoplePaths.openedBy(person.id),
        edit: peoplePaths.edit(person.id),
        addRelative: peoplePaths.addRelative(person.id),
        allocations: peoplePaths.allocations(person.id),
        show: peoplePaths.show,
        endAllocation: (allocationId: string) => peoplePaths.endAllocation(person.id, allocationId),
        sharingHistory: sharingPaths.personHistory(person.id),
        startDecision: sharingPaths.start(),
        routineShare: sharingPaths.routine(person.id),
        // The DPO and the IG lead keep subject access requests: a request about this person starts here.
        subjectAccess: viewer.roles.some((role) => role === 'dpo' || role === 'ig_lead')
          ? subjectAccessPaths.createFor(person.id)
          : undefined,
        consents: consentPaths.list(person.id),
        recordConsent: consentPaths.create(person.id),
        consent: consentPaths.show,
      },
      display,
      errors,
    });
  }

  app.get('/people/:personId', { config: peoplePage(['person.viewed']) }, async (request, reply) =>
    aboutPerson(request, reply, async (personId, viewer) =>
      renderRecord(request, reply, 200, await people.open(viewer, personId, 'record')),
    ),
  );

  app.post(
    '/people/:personId/allocations',
    { config: managersPage(['person.allocated']) },
    async (request, reply) =>
      aboutPerson(request, reply, async (personId, viewer) => {
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
    { config: managersPage(['person.allocation_ended']) },
    async (request, reply) => {
      const params = allocationParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const { allocationId } = params.data;
      return aboutPerson(request, reply, async (personId, viewer) => {
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
          await people.endAllocation(viewer, personId, allocationId);
          return await reply.redirect(`${peoplePaths.show(personId)}?done=allocation-ended`, 303);
        } catch (error) {
          if (error instanceof PeopleRuleError) return again(fieldError('allocation', error.message));
          throw error;
        }
      });
    },
  );
}
