import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { dateFieldNames, dateParts, readDate } from '../lib/fields.ts';
import { NotFoundError, RuleError } from '../lib/errors.ts';
import type { Role } from '../lib/roles.ts';
import type { AuditDeclaration } from '../web/access.ts';
import { anchorDates, parseForm, ruleErrors, typedAnswers, viewerOf, type FormErrors } from '../web/forms.ts';
import { incidentPaths } from '../incidents/incidents.paths.ts';
import { retentionPaths } from './retention.paths.ts';
import { disposalApprovers, retentionKeepers, type RetentionService } from './retention.service.ts';
import type { RetentionSubject } from './retention.table.ts';

export interface RetentionRouteOptions {
  readonly retention: RetentionService;
}

const declare = (access: readonly Role[], audit: AuditDeclaration) => ({ access, audit });
const keepers = (audit: AuditDeclaration) => declare(retentionKeepers, audit);
const subjectParams = {
  person: z.strictObject({ personId: z.uuid() }).transform((params) => params.personId),
  incident: z.strictObject({ incidentId: z.uuid() }).transform((params) => params.incidentId),
};
const idParams = z.strictObject({ id: z.uuid() });
const text = z.string().max(10_000).default('');

const kindChoice = z.string().max(40).default('');
const holdFields = ['reason', ...dateFieldNames('endsOn')];
const holdForm = z.strictObject({ reason: text, ...dateParts('endsOn') });
const proposeFields = ['proposeKind', 'proposeReason'];
const proposeForm = z.strictObject({ proposeKind: kindChoice, proposeReason: text });
const keepFields = ['keepKind', 'years', 'keepReason'];
const keepForm = z.strictObject({
  keepKind: kindChoice,
  years: z.string().max(10).default(''),
  keepReason: text,
});
const liftForm = z.strictObject({ liftReason: text });
const withdrawFields = ['withdrawReason'];
const withdrawForm = z.strictObject({ withdrawReason: text });
const batchForm = z.strictObject({ batchReason: text });
const entryParams = z.strictObject({
  kind: z.enum([
    'people',
    'consent-records',
    'sharing-decisions',
    'disclosures',
    'exchange-packages',
    'incidents',
  ]),
});
const findForm = z.strictObject({ identifier: z.string().max(100).default('') });
const emptyForm = z.strictObject({});

type SubjectForm = 'hold' | 'propose' | 'keep' | 'withdraw';

/** The two kinds of page a hold, a proposal or an extension is made from: a person's and an incident's. */
const subjectTypes = [
  { type: 'person', path: '/retention/people/:personId' },
  { type: 'incident', path: '/retention/incidents/:incidentId' },
] as const;

/** The retention review and disposal pages (storage limitation; ADR 0033). */
export async function retentionRoutes(app: FastifyInstance, options: RetentionRouteOptions): Promise<void> {
  const { retention } = options;

  function subjectOf(request: FastifyRequest, type: RetentionSubject['type']): RetentionSubject {
    const params = subjectParams[type].safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    return { type, id: params.data };
  }

  function idOf(request: FastifyRequest): string {
    const params = idParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    return params.data.id;
  }

  async function renderDue(
    reply: FastifyReply,
    request: FastifyRequest,
    status: number,
    extra: {
      notice?: string | undefined;
      errors?: FormErrors;
      batchKind?: string;
      values?: Record<string, unknown>;
    } = {},
  ) {
    const viewer = viewerOf(request);
    const [due, proposals, disposals] = await Promise.all([
      retention.due(viewer),
      retention.proposals(viewer),
      retention.disposals(viewer),
    ]);
    return reply.code(status).render('retention/views/due.njk', {
      pageTitle: 'Retention review and disposal',
      columnWidth: 'full',
      due,
      proposals: proposals.map((item) => ({
        ...item,
        subjectPath: retentionPaths.subject(item.subject),
        approvePath: retentionPaths.approve(item.id),
      })),
      disposals,
      personPath: retentionPaths.person,
      incidentPath: retentionPaths.incident,
      holdsPath: retentionPaths.holds(),
      carryOutPath: retentionPaths.carryOut(),
      approvedWaiting: proposals.filter((item) => item.status === 'approved').length,
      mayApproveCount: proposals.filter((item) => item.mayApprove).length,
      approveAllPath: retentionPaths.approveAll(),
      proposeAllPath: retentionPaths.proposeAll,
      batchKind: extra.batchKind,
      values: extra.values ?? {},
      notice: extra.notice,
      errors: extra.errors,
    });
  }

  /** A batch form's errors, anchored on the form of the entry it was for (each entry has its own). */
  function entryErrors(error: RuleError, kind: string): FormErrors {
    const errors = ruleErrors(error, ['batchReason']);
    const field = `batchReason-${kind}`;
    return {
      summary: errors.summary.map((item) => ({ ...item, href: `#${field}` })),
      fields: { [field]: errors.fields['batchReason'] ?? { text: errors.summary[0]?.text ?? '' } },
    };
  }

  const notices: Record<string, string> = {
    approved: 'Disposal approved. It is carried out when someone chooses to carry out approved disposals.',
    'approved-all':
      'Disposals approved. They are carried out when someone chooses to carry out approved disposals.',
    'proposed-all':
      'Disposals proposed. A Data Protection Officer who did not propose them must approve each.',
    carried: 'Approved disposals carried out.',
    proposed: 'Disposal proposed. A Data Protection Officer who did not propose it must approve it.',
    kept: 'Recorded: the records are kept for longer.',
    withdrawn: 'Disposal withdrawn.',
    held: 'Legal hold placed. Nothing about this person will be proposed or disposed of while it stands.',
    lifted: 'Legal hold lifted.',
  };
  const noticeOf = (request: FastifyRequest) => {
    const done = z.object({ done: z.string().max(20).optional() }).safeParse(request.query);
    const key = done.success ? done.data.done : undefined;
    return key === undefined ? undefined : notices[key];
  };

  app.get('/retention', { config: keepers('none') }, async (request, reply) =>
    renderDue(reply, request, 200, { notice: noticeOf(request) }),
  );

  app.post(
    '/retention/proposals/approve',
    { config: declare(disposalApprovers, { sometimes: ['retention.disposal_approved'] }) },
    async (request, reply) => {
      const form = parseForm(emptyForm, request.body);
      if (!form.ok) return renderDue(reply, request, 400, { errors: form.errors });
      try {
        const outcome = await retention.approveAll(viewerOf(request));
        if (outcome.left > 0)
          return await renderDue(reply, request, 200, {
            notice: `${String(outcome.approved)} approved. ${String(outcome.left)} left waiting: you proposed them, or a legal hold stands.`,
          });
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderDue(reply, request, 400, { errors: ruleErrors(error, ['proposals']) });
      }
      return reply.redirect(`${retentionPaths.due()}?done=approved-all`, 303);
    },
  );

  app.post(
    '/retention/entries/:kind/propose',
    { config: keepers({ sometimes: ['retention.disposal_proposed'] }) },
    async (request, reply) => {
      const params = entryParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const { kind } = params.data;
      const values = typedAnswers(request.body, ['batchReason']);
      const form = parseForm(batchForm, request.body);
      if (!form.ok) return renderDue(reply, request, 400, { errors: form.errors, batchKind: kind, values });
      try {
        const outcome = await retention.proposeAll(viewerOf(request), {
          kind,
          reason: form.value.batchReason,
        });
        if (outcome.passedOver > 0)
          return await renderDue(reply, request, 200, {
            notice: `${String(outcome.proposed)} proposed. ${String(outcome.passedOver)} passed over: proposed already, or a legal hold stands.`,
          });
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderDue(reply, request, 400, { errors: entryErrors(error, kind), batchKind: kind, values });
      }
      return reply.redirect(`${retentionPaths.due()}?done=proposed-all`, 303);
    },
  );

  app.post(
    '/retention/proposals/:id/approve',
    { config: declare(disposalApprovers, ['retention.disposal_approved']) },
    async (request, reply) => {
      const id = idOf(request);
      const form = parseForm(emptyForm, request.body);
      if (!form.ok) return renderDue(reply, request, 400, { errors: form.errors });
      try {
        await retention.approve(viewerOf(request), id);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderDue(reply, request, 400, { errors: ruleErrors(error, ['proposals']) });
      }
      return reply.redirect(`${retentionPaths.due()}?done=approved`, 303);
    },
  );

  app.post(
    '/retention/disposals',
    { config: keepers({ sometimes: ['retention.disposed', 'retention.disposal_held'] }) },
    async (request, reply) => {
      const form = parseForm(emptyForm, request.body);
      if (!form.ok) return renderDue(reply, request, 400, { errors: form.errors });
      const outcome = await retention.carryOutApproved(viewerOf(request));
      const notice =
        outcome.held > 0
          ? `${String(outcome.disposed)} carried out. ${String(outcome.held)} left: a legal hold stands.`
          : undefined;
      if (notice !== undefined) return renderDue(reply, request, 200, { notice });
      return reply.redirect(`${retentionPaths.due()}?done=carried`, 303);
    },
  );

  async function renderHolds(
    reply: FastifyReply,
    request: FastifyRequest,
    status: number,
    extra: {
      notice?: string | undefined;
      errors?: FormErrors;
      liftId?: string;
      values?: Record<string, unknown>;
    } = {},
  ) {
    const holds = await retention.holds(viewerOf(request));
    return reply.code(status).render('retention/views/holds.njk', {
      pageTitle: 'Legal holds',
      backLink: retentionPaths.due(),
      holds: holds.map((hold) => ({
        ...hold,
        subjectPath: retentionPaths.subject(hold.subject),
        liftPath: retentionPaths.liftHold(hold.id),
      })),
      findPath: retentionPaths.find(),
      liftId: extra.liftId,
      values: extra.values ?? {},
      notice: extra.notice,
      errors: extra.errors,
    });
  }

  app.get('/retention/holds', { config: keepers('none') }, async (request, reply) =>
    renderHolds(reply, request, 200, { notice: noticeOf(request) }),
  );

  // Finding the person changes nothing; it is posted so that an NHS number never sits in an address.
  app.post('/retention/holds/find', { config: keepers('none') }, async (request, reply) => {
    const values = typedAnswers(request.body, ['identifier']);
    const form = parseForm(findForm, request.body);
    if (!form.ok) return renderHolds(reply, request, 400, { errors: form.errors, values });
    try {
      const subject = await retention.find(viewerOf(request), form.value.identifier);
      return await reply.redirect(retentionPaths.subject(subject), 303);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      return renderHolds(reply, request, 400, { errors: ruleErrors(error, ['identifier']), values });
    }
  });

  app.post(
    '/retention/holds/:id/lift',
    { config: keepers(['retention.hold_lifted']) },
    async (request, reply) => {
      const id = idOf(request);
      const values = typedAnswers(request.body, ['liftReason']);
      const form = parseForm(liftForm, request.body);
      if (!form.ok) return renderHolds(reply, request, 400, { errors: form.errors, liftId: id, values });
      try {
        await retention.liftHold(viewerOf(request), id, form.value.liftReason);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderHolds(reply, request, 400, {
          errors: ruleErrors(error, [`liftReason-${id}`]),
          liftId: id,
          values,
        });
      }
      return reply.redirect(`${retentionPaths.holds()}?done=lifted`, 303);
    },
  );

  async function renderSubject(
    reply: FastifyReply,
    request: FastifyRequest,
    subject: RetentionSubject,
    status: number,
    extra: {
      notice?: string | undefined;
      errors?: FormErrors;
      form?: SubjectForm;
      values?: Record<string, unknown>;
    } = {},
  ) {
    const viewer = viewerOf(request);
    const page =
      subject.type === 'person'
        ? await retention.person(viewer, subject.id).then((person) => ({
            ...person,
            heading: person.name ?? 'A person’s records',
            pageTitle: person.name === null ? 'A person’s records' : `${person.name}: retention`,
            these: 'this person',
            incidentPath: undefined,
          }))
        : await retention.incident(viewer, subject.id).then((incident) => ({
            ...incident,
            heading: `Incident ${incident.reference}`,
            pageTitle: `Incident ${incident.reference}: retention`,
            these: 'this incident',
            incidentPath: incidentPaths.incident(incident.incidentId),
          }));
    return reply.code(status).render('retention/views/subject.njk', {
      pageTitle: page.pageTitle,
      backLink: retentionPaths.due(),
      page,
      kindItems: page.kinds,
      paths: {
        hold: retentionPaths.placeHold(subject),
        propose: retentionPaths.propose(subject),
        keep: retentionPaths.keep(subject),
        withdraw: retentionPaths.withdraw(subject),
        holds: retentionPaths.holds(),
      },
      form: extra.form,
      values: extra.values ?? {},
      notice: extra.notice,
      errors: extra.errors,
    });
  }

  /** A retention page's form: parsed, handed to the service, re-shown with its errors on bad input. */
  function subjectForm<S extends z.ZodType>(
    type: RetentionSubject['type'],
    name: SubjectForm,
    schema: S,
    fields: readonly string[],
    dateFields: readonly string[],
    act: (request: FastifyRequest, subject: RetentionSubject, value: z.output<S>) => Promise<void>,
    done: string,
  ) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const subject = subjectOf(request, type);
      const values = typedAnswers(request.body, fields);
      const form = parseForm(schema, request.body);
      if (!form.ok)
        return renderSubject(reply, request, subject, 400, {
          form: name,
          values,
          errors: anchorDates(form.errors, dateFields),
        });
      try {
        await act(request, subject, form.value);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderSubject(reply, request, subject, 400, {
          form: name,
          values,
          errors: ruleErrors(error, fields, dateFields),
        });
      }
      return reply.redirect(`${retentionPaths.subject(subject)}?done=${done}`, 303);
    };
  }

  for (const { type, path } of subjectTypes) {
    app.get(path, { config: keepers('none') }, async (request, reply) =>
      renderSubject(reply, request, subjectOf(request, type), 200, { notice: noticeOf(request) }),
    );

    app.post(
      `${path}/hold`,
      { config: keepers(['retention.hold_placed']) },
      subjectForm(
        type,
        'hold',
        holdForm,
        holdFields,
        ['endsOn'],
        async (request, subject, value) => {
          const date = readDate(value, 'endsOn');
          await retention.placeHold(viewerOf(request), subject, {
            reason: value.reason,
            endsOn: date.kind === 'date' ? date.value : date.kind === 'blank' ? '' : 'invalid',
          });
        },
        'held',
      ),
    );

    app.post(
      `${path}/propose`,
      { config: keepers(['retention.disposal_proposed']) },
      subjectForm(
        type,
        'propose',
        proposeForm,
        proposeFields,
        [],
        async (request, subject, value) => {
          await retention.propose(viewerOf(request), subject, {
            kind: value.proposeKind,
            reason: value.proposeReason,
          });
        },
        'proposed',
      ),
    );

    app.post(
      `${path}/withdraw`,
      { config: keepers(['retention.disposal_withdrawn']) },
      subjectForm(
        type,
        'withdraw',
        withdrawForm,
        withdrawFields,
        [],
        async (request, subject, value) => {
          await retention.withdraw(viewerOf(request), subject, value.withdrawReason);
        },
        'withdrawn',
      ),
    );

    app.post(
      `${path}/keep`,
      { config: keepers(['retention.kept_longer']) },
      subjectForm(
        type,
        'keep',
        keepForm,
        keepFields,
        [],
        async (request, subject, value) => {
          await retention.keepLonger(viewerOf(request), subject, {
            kind: value.keepKind,
            years: value.years,
            reason: value.keepReason,
          });
        },
        'kept',
      ),
    );
  }
}
