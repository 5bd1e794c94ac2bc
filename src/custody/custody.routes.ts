import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Viewer } from '../auth/index.ts';
import { incidentPaths } from '../incidents/incidents.paths.ts';
import { checkboxes, dateFieldNames, dateParts, readInstant } from '../lib/fields.ts';
import { NotFoundError, RuleError } from '../lib/errors.ts';
import { formatDateTime } from '../lib/time.ts';
import { anchorDates, parseForm, ruleErrors, typedAnswers, viewerOf, type FormErrors } from '../web/forms.ts';
import { custodyPaths } from './custody.paths.ts';
import type { CustodyItem, CustodyService, OffSiteEntry } from './custody.service.ts';

export interface CustodyRouteOptions {
  readonly custody: CustodyService;
}

const itemParams = z.strictObject({ id: z.uuid() });
const logFields = [
  'form',
  'what',
  'reasonId',
  'reasonDetail',
  'destination',
  ...dateFieldNames('dueBackOn'),
  'dueBackTime',
  'protected',
  'carSafe',
];
const logForm = z
  .strictObject({
    form: z.enum(['paper', 'electronic'], { error: 'Choose whether it is paper or electronic' }),
    what: z.string().max(10_000).default(''),
    reasonId: z.string().max(100).default(''),
    reasonDetail: z.string().max(10_000).optional(),
    destination: z.string().max(10_000).default(''),
    ...dateParts('dueBackOn'),
    dueBackTime: z.string().max(20).optional(),
    protected: checkboxes(z.literal('yes')),
    carSafe: checkboxes(z.literal('yes')),
  })
  .transform((raw, ctx): OffSiteEntry => {
    const dueBackAt = readInstant(
      raw,
      'dueBackOn',
      'dueBackTime',
      (path, message) => ctx.addIssue({ code: 'custom', path: [path], message }),
      {
        blank: 'Enter the date it will be back',
        invalid: 'The date it will be back must be a real date, like 5 12 2026',
        time: 'Enter the time it will be back, like 17:30',
      },
    );
    if (dueBackAt === undefined) return z.NEVER;
    return {
      form: raw.form,
      what: raw.what,
      reasonId: raw.reasonId,
      reasonDetail: raw.reasonDetail,
      destination: raw.destination,
      dueBackAt,
      protected: raw.protected.includes('yes'),
      carSafe: raw.carSafe.includes('yes'),
    };
  });
const decisionForm = z.strictObject({
  agree: z.enum(['yes', 'no'], { error: 'Choose whether you agree' }),
  reason: z.string().max(10_000).optional(),
});

const statusNames: Record<CustodyItem['status'], string> = {
  'awaiting-agreement': 'Waiting for the line manager',
  refused: 'Not agreed',
  out: 'Off site',
  returned: 'Returned',
  lost: 'Lost',
};

/** The off-site log's pages (R4.3): anyone signed in logs what they take; line managers agree; returns and losses are recorded. */
export async function custodyRoutes(app: FastifyInstance, options: CustodyRouteOptions): Promise<void> {
  const { custody } = options;

  const itemView = (item: CustodyItem) => ({
    ...item,
    statusName: item.overdue ? 'Overdue' : statusNames[item.status],
    reasonName: custody.reasons.find((reason) => reason.id === item.reasonId)?.label ?? item.reasonId,
    formName: item.form === 'paper' ? 'Paper' : 'Electronic (laptop, phone or removable media)',
    dueBack: formatDateTime(item.dueBackAt),
    logged: formatDateTime(item.loggedAt),
    decided: item.decidedAt === null ? null : formatDateTime(item.decidedAt),
    returned: item.returnedAt === null ? null : formatDateTime(item.returnedAt),
    path: custodyPaths.item(item.id),
    lostPath: `${incidentPaths.report()}?custody=${item.id}`,
    decidePath: custodyPaths.decide(item.id),
    returnedPath: custodyPaths.returned(item.id),
  });

  async function openItem(request: FastifyRequest): Promise<{ item: CustodyItem; viewer: Viewer }> {
    const params = itemParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const viewer = viewerOf(request);
    return { item: await custody.find(viewer, params.data.id), viewer };
  }

  function renderLog(
    reply: FastifyReply,
    status: number,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('custody/views/new.njk', {
      pageTitle: 'Log information taken off site',
      backLink: custodyPaths.list(),
      action: custodyPaths.log(),
      reasonItems: custody.reasons.map((reason) => ({
        value: reason.id,
        text: reason.label,
        hint: { text: reason.standing ? 'Allowed by local policy' : 'Your line manager must agree first' },
      })),
      maxDaysOff: custody.maxDaysOff,
      values,
      errors,
    });
  }

  function renderItem(reply: FastifyReply, status: number, item: CustodyItem, errors?: FormErrors) {
    return reply.code(status).render('custody/views/show.njk', {
      pageTitle: `Off-site log ${item.reference}`,
      backLink: custodyPaths.list(),
      item: itemView(item),
      errors,
    });
  }

  app.get('/off-site', { config: { access: 'staff', audit: 'none' } }, async (request, reply) => {
    const items = await custody.list(viewerOf(request));
    return reply.render('custody/views/list.njk', {
      pageTitle: 'Information off site',
      items: items.map(itemView),
      logPath: custodyPaths.log(),
    });
  });

  app.get('/off-site/new', { config: { access: 'staff', audit: 'none' } }, async (_request, reply) =>
    renderLog(reply, 200, {}),
  );

  app.post(
    '/off-site/new',
    { config: { access: 'staff', audit: ['custody.logged'] } },
    async (request, reply) => {
      const values = typedAnswers(request.body, logFields, ['protected', 'carSafe']);
      const form = parseForm(logForm, request.body);
      if (!form.ok) return renderLog(reply, 400, values, anchorDates(form.errors, ['dueBackOn']));
      try {
        const id = await custody.log(viewerOf(request), form.value);
        return await reply.redirect(custodyPaths.item(id), 303);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderLog(reply, 400, values, ruleErrors(error, logFields, ['dueBackOn']));
      }
    },
  );

  app.get('/off-site/:id', { config: { access: 'staff', audit: 'none' } }, async (request, reply) => {
    const { item } = await openItem(request);
    return renderItem(reply, 200, item);
  });

  app.post(
    '/off-site/:id/decision',
    { config: { access: 'staff', audit: { sometimes: ['custody.agreed', 'custody.refused'] } } },
    async (request, reply) => {
      const { item, viewer } = await openItem(request);
      const form = parseForm(decisionForm, request.body);
      if (!form.ok) return renderItem(reply, 400, item, form.errors);
      try {
        await custody.decide(viewer, item.id, {
          agree: form.value.agree === 'yes',
          reason: form.value.reason,
        });
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderItem(reply, 400, item, ruleErrors(error, ['agree', 'reason']));
      }
      return reply.redirect(custodyPaths.item(item.id), 303);
    },
  );

  app.post(
    '/off-site/:id/returned',
    { config: { access: 'staff', audit: ['custody.returned'] } },
    async (request, reply) => {
      const { item, viewer } = await openItem(request);
      try {
        await custody.recordReturn(viewer, item.id);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderItem(reply, 400, item, ruleErrors(error, ['returned']));
      }
      return reply.redirect(custodyPaths.item(item.id), 303);
    },
  );
}
