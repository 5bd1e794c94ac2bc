import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Viewer } from '../auth/index.ts';
import { dateFieldNames, dateParts, readDate } from '../lib/fields.ts';
import { NotFoundError, RuleError } from '../lib/errors.ts';
import { formatDate } from '../lib/time.ts';
import { relationshipNames, type PeopleService } from '../people/index.ts';
import { anchorDates, parseForm, ruleErrors, typedAnswers, viewerOf, type FormErrors } from '../web/forms.ts';
import { subjectAccessPaths } from './subject-access.paths.ts';
import {
  requesterRelationships,
  subjectAccessKeepers,
  type SubjectAccessRequest,
  type SubjectAccessService,
} from './subject-access.service.ts';

export interface SubjectAccessRouteOptions {
  readonly subjectAccess: SubjectAccessService;
  /** The people search, to find the person a request is about; and their record, when chosen from it. */
  readonly people: Pick<PeopleService, 'search' | 'requireAccess'>;
}

const keepers = (audit: readonly [string, ...string[]] | 'none') => ({ access: subjectAccessKeepers, audit });
const requestParams = z.strictObject({ id: z.uuid() });
const text = z.string().max(10_000).default('');

/** A GOV.UK date input's value as the service takes it: '' when blank, 'invalid' when not a real date. */
function dateOf(raw: Record<string, unknown>, name: string): string {
  const date = readDate(raw, name);
  return date.kind === 'date' ? date.value : date.kind === 'blank' ? '' : 'invalid';
}

const newFields = [
  'query',
  'personId',
  'requesterKind',
  'requesterName',
  'requesterRelationship',
  'verification',
  ...dateFieldNames('receivedOn'),
  ...dateFieldNames('verifiedOn'),
];
const newForm = z.strictObject({
  query: z.string().max(100, 'Search must be 100 characters or fewer').default(''),
  personId: z.string().max(100).default(''),
  requesterKind: z.enum(['self', 'parental-responsibility'], { error: 'Select who asked' }),
  requesterName: text,
  requesterRelationship: z.string().max(60).default(''),
  verification: text,
  ...dateParts('receivedOn'),
  ...dateParts('verifiedOn'),
});
const findForm = z.object({ query: z.string().max(100).default('') }).loose();

const extendFields = ['months', 'reason', ...dateFieldNames('toldOn')];
const extendForm = z.strictObject({
  months: z.enum(['1', '2'], { error: 'Select by how much the deadline is extended: one or two months' }),
  reason: text,
  ...dateParts('toldOn'),
});
const closeFields = [
  'outcome',
  'refusalReason',
  ...dateFieldNames('answeredOn'),
  ...dateFieldNames('refusedOn'),
];
const closeForm = z.strictObject({
  outcome: z.enum(['answered', 'refused'], { error: 'Select whether the request was answered or refused' }),
  refusalReason: text,
  ...dateParts('answeredOn'),
  ...dateParts('refusedOn'),
});
const reportForm = z.strictObject({ format: z.enum(['pdf', 'csv']) });

/** The deadline as the register shows it: days left, overdue in red, extended. */
function deadlineTag(request: SubjectAccessRequest): { text: string; classes: string } {
  const deadline = request.deadline;
  if (deadline.kind === 'closed')
    return request.status === 'answered'
      ? { text: 'Answered', classes: 'govuk-tag--green' }
      : { text: 'Refused', classes: 'govuk-tag--grey' };
  if (deadline.kind === 'overdue')
    return {
      text: `Overdue by ${String(deadline.daysOverdue)} ${deadline.daysOverdue === 1 ? 'day' : 'days'}`,
      classes: 'govuk-tag--red',
    };
  const left =
    deadline.daysLeft === 0
      ? 'Due today'
      : `${String(deadline.daysLeft)} ${deadline.daysLeft === 1 ? 'day' : 'days'} left`;
  return {
    text: deadline.extended ? `${left} (extended)` : left,
    classes:
      deadline.daysLeft <= 7
        ? 'govuk-tag--orange'
        : deadline.extended
          ? 'govuk-tag--blue'
          : 'govuk-tag--grey',
  };
}

/** The register of subject access requests and the report that answers one (UK GDPR Art 15). */
export async function subjectAccessRoutes(
  app: FastifyInstance,
  options: SubjectAccessRouteOptions,
): Promise<void> {
  const { subjectAccess, people } = options;
  const relationshipItems = [
    { value: '', text: 'Select' },
    ...requesterRelationships.map((id) => ({ value: id, text: relationshipNames[id] })),
  ];

  async function openRequest(
    request: FastifyRequest,
  ): Promise<{ found: SubjectAccessRequest; viewer: Viewer }> {
    const params = requestParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const viewer = viewerOf(request);
    return { found: await subjectAccess.find(viewer, params.data.id), viewer };
  }

  app.get('/subject-access', { config: keepers('none') }, async (request, reply) => {
    const list = await subjectAccess.list(viewerOf(request));
    return reply.render('subject-access/views/list.njk', {
      pageTitle: 'Subject access requests',
      columnWidth: 'full',
      createPath: subjectAccessPaths.create(),
      open: list.filter((item) => item.status === 'open').length,
      overdue: list.filter((item) => item.deadline.kind === 'overdue').length,
      requests: list.map((item) => ({
        ...item,
        path: subjectAccessPaths.request(item.id),
        deadlineDate: item.deadline.deadline,
        tag: deadlineTag(item),
      })),
    });
  });

  async function renderNew(
    reply: FastifyReply,
    status: number,
    viewer: Viewer,
    values: Record<string, unknown>,
    found: { matches: { id: string; name: string; hint: string }[]; restricted: number; searched: boolean },
    errors?: FormErrors,
  ) {
    return reply.code(status).render('subject-access/views/new.njk', {
      pageTitle: 'Record a subject access request',
      backLink: subjectAccessPaths.list(),
      action: subjectAccessPaths.create(),
      findAction: subjectAccessPaths.find(),
      personItems: found.matches.map((person) => ({
        value: person.id,
        text: person.name,
        hint: { text: person.hint },
        checked: values['personId'] === person.id,
      })),
      restricted: found.restricted,
      searched: found.searched,
      relationshipItems: relationshipItems.map((item) => ({
        ...item,
        selected: values['requesterRelationship'] === item.value,
      })),
      viewerName: viewer.displayName,
      values,
      errors: errors === undefined ? undefined : anchorDates(errors, ['receivedOn', 'verifiedOn']),
    });
  }

  const personHint = (person: { dateOfBirth: string | null; localReference: string | null }) =>
    [
      person.dateOfBirth === null ? 'Date of birth not recorded' : `Born ${formatDate(person.dateOfBirth)}`,
      ...(person.localReference === null ? [] : [`case reference ${person.localReference}`]),
    ].join(', ');

  /** The people matching the name typed, that the viewer may open; and the chosen person, kept as a choice. */
  async function candidates(viewer: Viewer, query: string, chosenId: string) {
    const matches: { id: string; name: string; hint: string }[] = [];
    let restricted = 0;
    const trimmed = query.trim();
    if (trimmed !== '' && /[\p{L}\p{N}]/u.test(trimmed)) {
      const results = await people.search(viewer, { query: trimmed, dateOfBirth: null });
      matches.push(
        ...results.matches.map((person) => ({
          id: person.id,
          name: `${person.givenNames} ${person.familyName}`,
          hint: personHint(person),
        })),
      );
      restricted = results.restricted.length;
    }
    if (chosenId !== '' && !matches.some((person) => person.id === chosenId)) {
      const chosen = z.uuid().safeParse(chosenId);
      if (chosen.success) {
        try {
          const person = await people.requireAccess(viewer, chosen.data);
          matches.unshift({
            id: person.id,
            name: `${person.givenNames} ${person.familyName}`,
            hint: personHint(person),
          });
        } catch {
          // A person the viewer may not open is not offered: the service says why when it is recorded.
        }
      }
    }
    return { matches, restricted, searched: trimmed !== '' };
  }

  app.get('/subject-access/new', { config: keepers('none') }, async (request, reply) => {
    const viewer = viewerOf(request);
    const query = z.object({ personId: z.uuid().optional() }).safeParse(request.query);
    const personId = query.success ? (query.data.personId ?? '') : '';
    const values = personId === '' ? {} : { personId };
    return renderNew(reply, 200, viewer, values, await candidates(viewer, '', personId));
  });

  // Finding the person changes nothing: its own address, so that recording is the one POST that writes.
  app.post('/subject-access/new/find', { config: keepers('none') }, async (request, reply) => {
    const viewer = viewerOf(request);
    const values = typedAnswers(request.body, newFields);
    const chosen = typeof values['personId'] === 'string' ? values['personId'] : '';
    const find = findForm.safeParse(request.body);
    const query = find.success ? find.data.query : '';
    if (query.trim() === '' || query.length > 100 || !/[\p{L}\p{N}]/u.test(query))
      return renderNew(reply, 400, viewer, values, await candidates(viewer, '', chosen), {
        summary: [{ text: 'Enter the person’s name, NHS number or case reference', href: '#query' }],
        fields: { query: { text: 'Enter the person’s name, NHS number or case reference' } },
      });
    return renderNew(reply, 200, viewer, values, await candidates(viewer, query, chosen));
  });

  app.post(
    '/subject-access/new',
    { config: keepers(['subject_access.recorded']) },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const values = typedAnswers(request.body, newFields);
      const chosen = typeof values['personId'] === 'string' ? values['personId'] : '';
      const find = findForm.safeParse(request.body);
      const query = find.success ? find.data.query : '';
      const found = await candidates(viewer, query, chosen);
      const form = parseForm(newForm, request.body);
      if (!form.ok) return renderNew(reply, 400, viewer, values, found, form.errors);
      const raw = form.value as Record<string, unknown>;
      try {
        const id = await subjectAccess.create(viewer, {
          personId: form.value.personId,
          requesterKind: form.value.requesterKind,
          requesterName: form.value.requesterName,
          requesterRelationship: form.value.requesterRelationship,
          receivedOn: dateOf(raw, 'receivedOn'),
          verification: form.value.verification,
          verifiedOn: dateOf(raw, 'verifiedOn'),
        });
        return await reply.redirect(`${subjectAccessPaths.request(id)}?done=recorded`, 303);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderNew(
          reply,
          400,
          viewer,
          values,
          found,
          ruleErrors(error, newFields, ['receivedOn', 'verifiedOn']),
        );
      }
    },
  );

  async function renderRequest(
    reply: FastifyReply,
    status: number,
    found: SubjectAccessRequest,
    options: {
      notice?: string | undefined;
      errors?: FormErrors;
      form?: 'extend' | 'close';
      values?: Record<string, unknown>;
    } = {},
  ) {
    return reply.code(status).render('subject-access/views/show.njk', {
      pageTitle: `Subject access request ${found.reference}`,
      backLink: subjectAccessPaths.list(),
      notice: options.notice,
      request: found,
      tag: deadlineTag(found),
      paths: {
        extend: subjectAccessPaths.extend(found.id),
        close: subjectAccessPaths.close(found.id),
        produce: subjectAccessPaths.produce(found.id),
      },
      form: options.form,
      values: options.values ?? {},
      errors: options.errors,
    });
  }

  app.get('/subject-access/:id', { config: keepers('none') }, async (request, reply) => {
    const { found } = await openRequest(request);
    const done = z.object({ done: z.string().optional() }).safeParse(request.query);
    const notices: Record<string, string> = {
      recorded: 'Request recorded. The deadline is counting down.',
      extended: 'Deadline extended.',
      closed: 'Request closed.',
    };
    const key = done.success ? done.data.done : undefined;
    return renderRequest(reply, 200, found, { notice: key === undefined ? undefined : notices[key] });
  });

  app.post(
    '/subject-access/:id/extend',
    { config: keepers(['subject_access.extended']) },
    async (request, reply) => {
      const { found, viewer } = await openRequest(request);
      const values = typedAnswers(request.body, extendFields);
      const form = parseForm(extendForm, request.body);
      if (!form.ok)
        return renderRequest(reply, 400, found, {
          form: 'extend',
          values,
          errors: anchorDates(form.errors, ['toldOn']),
        });
      try {
        await subjectAccess.extend(viewer, found.id, {
          months: Number(form.value.months),
          reason: form.value.reason,
          toldOn: dateOf(form.value, 'toldOn'),
        });
        return await reply.redirect(`${subjectAccessPaths.request(found.id)}?done=extended`, 303);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderRequest(reply, 400, found, {
          form: 'extend',
          values,
          errors: ruleErrors(error, extendFields, ['toldOn']),
        });
      }
    },
  );

  app.post(
    '/subject-access/:id/close',
    { config: keepers(['subject_access.answered', 'subject_access.refused']) },
    async (request, reply) => {
      const { found, viewer } = await openRequest(request);
      const values = typedAnswers(request.body, closeFields);
      const form = parseForm(closeForm, request.body);
      if (!form.ok)
        return renderRequest(reply, 400, found, {
          form: 'close',
          values,
          errors: anchorDates(form.errors, ['answeredOn', 'refusedOn']),
        });
      const raw = form.value as Record<string, unknown>;
      try {
        await subjectAccess.close(
          viewer,
          found.id,
          form.value.outcome === 'answered'
            ? { outcome: 'answered', on: dateOf(raw, 'answeredOn') }
            : { outcome: 'refused', on: dateOf(raw, 'refusedOn'), reason: form.value.refusalReason },
        );
        return await reply.redirect(`${subjectAccessPaths.request(found.id)}?done=closed`, 303);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderRequest(reply, 400, found, {
          form: 'close',
          values,
          errors: ruleErrors(error, closeFields, ['answeredOn', 'refusedOn']),
        });
      }
    },
  );

  // Producing the report changes the request (it is counted and audited), so it is a form's POST; the answer is the file.
  app.post(
    '/subject-access/:id/report',
    { config: keepers(['subject_access.report_produced']) },
    async (request, reply) => {
      const { found, viewer } = await openRequest(request);
      const form = parseForm(reportForm, request.body);
      if (!form.ok)
        return renderRequest(reply, 400, found, {
          errors: { summary: [{ text: 'Choose PDF or CSV', href: '#produce' }], fields: {} },
        });
      const report = await subjectAccess.produce(viewer, found.id, form.value.format);
      return reply
        .header('content-type', report.contentType)
        .header('content-disposition', `attachment; filename="${report.fileName}"`)
        .header('cache-control', 'no-store')
        .send(report.bytes);
    },
  );
}
