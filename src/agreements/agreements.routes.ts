import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Viewer } from '../auth/index.ts';
import { methodName } from '../channels/index.ts';
import { maxEvidenceBytes, type EvidenceFile } from '../consent/index.ts';
import { checkboxes, dateFieldNames, dateParts, readDate } from '../lib/fields.ts';
import { NotFoundError, RuleError } from '../lib/errors.ts';
import type { Role } from '../lib/roles.ts';
import type { OrgsService } from '../orgs/index.ts';
import { channelMethodIds, type PolicyPack } from '../policy/index.ts';
import {
  anchorDates,
  fieldError,
  parseForm,
  ruleErrors,
  typedAnswers,
  viewerOf,
  type FormErrors,
} from '../web/forms.ts';
import { agreementPaths } from './agreements.paths.ts';
import type { Agreement, AgreementsService, NewAgreement, NewDpia } from './agreements.service.ts';

export interface AgreementRouteOptions {
  readonly agreements: AgreementsService;
  readonly orgs: Pick<OrgsService, 'list' | 'namesOf'>;
  readonly policy: PolicyPack;
}

/** Who keeps the register: the information governance lead, and the DPO. */
export const agreementKeepers: readonly Role[] = ['ig_lead', 'dpo'];

const keepers = (audit: readonly [string, ...string[]] | 'none') => ({ access: agreementKeepers, audit });
const anyone = (audit: readonly [string, ...string[]] | 'none') => ({ access: 'staff' as const, audit });
const agreementParams = z.strictObject({ id: z.uuid() });

const stateNames: Record<Agreement['state'], { text: string; classes: string }> = {
  'not-started': { text: 'Not started', classes: 'govuk-tag--grey' },
  'in-force': { text: 'In force', classes: 'govuk-tag--green' },
  'review-overdue': { text: 'Review overdue', classes: 'govuk-tag--orange' },
  expired: { text: 'Ended: covers nothing', classes: 'govuk-tag--red' },
};

const agreementForm = (policy: PolicyPack) =>
  z
    .object({
      title: z.string().max(10_000).default(''),
      partnerOrganisationIds: checkboxes(z.string().max(100)).pipe(z.array(z.string()).max(50)),
      purposeIds: checkboxes(z.string().max(100)).pipe(z.array(z.string()).max(50)),
      categoryIds: checkboxes(z.string().max(100)).pipe(z.array(z.string()).max(50)),
      methods: checkboxes(z.string().max(40)).pipe(z.array(z.string()).max(10)),
      article6: z.string().max(100).default(''),
      article9: z.string().max(100).default(''),
      schedule1: z.string().max(100).default(''),
      criminalOffence: z.string().max(100).default(''),
      partnerBasis: z.string().max(10_000).default(''),
      retention: z.string().max(10_000).default(''),
      riskOfSharing: z.string().max(10_000).default(''),
      riskOfNotSharing: z.string().max(10_000).default(''),
      ...dateParts('startsOn'),
      ...dateParts('reviewOn'),
      ...dateParts('endsOn'),
      // Each category's relevance and sensitive reason, named by its id.
      ...Object.fromEntries(
        policy.informationCategories.flatMap((category) => [
          [`relevance-${category.id}`, z.string().max(10_000).default('')],
          [`sensitive-${category.id}`, z.string().max(10_000).default('')],
        ]),
      ),
    })
    .strict()
    .transform((raw): NewAgreement => {
      // A date left blank is '' and one that is not real 'invalid': the service names each with the rest.
      const dates = ['startsOn', 'reviewOn', 'endsOn'].map((name) => {
        const date = readDate(raw, name);
        return date.kind === 'date' ? date.value : date.kind === 'blank' ? '' : 'invalid';
      });
      const answer = (name: string): string => {
        const value = (raw as Record<string, unknown>)[name];
        return typeof value === 'string' ? value : '';
      };
      const optional = (value: string) => (value === '' ? undefined : value);
      return {
        title: raw.title,
        partnerOrganisationIds: raw.partnerOrganisationIds,
        purposeIds: raw.purposeIds,
        categories: raw.categoryIds.map((categoryId) => ({
          categoryId,
          relevance: answer(`relevance-${categoryId}`),
          ...(answer(`sensitive-${categoryId}`).trim() === ''
            ? {}
            : { sensitiveReason: answer(`sensitive-${categoryId}`) }),
        })),
        methods: raw.methods,
        ownBasis: {
          article6: raw.article6,
          ...(optional(raw.article9) === undefined ? {} : { article9: raw.article9 }),
          ...(optional(raw.schedule1) === undefined ? {} : { schedule1: raw.schedule1 }),
          ...(optional(raw.criminalOffence) === undefined ? {} : { criminalOffence: raw.criminalOffence }),
        },
        partnerBasis: raw.partnerBasis,
        retention: raw.retention,
        riskOfSharing: raw.riskOfSharing,
        riskOfNotSharing: raw.riskOfNotSharing,
        startsOn: dates[0] ?? '',
        reviewOn: dates[1] ?? '',
        endsOn: dates[2] ?? '',
      };
    });

const dpiaFields = [
  'title',
  'agreementId',
  'screening',
  'screeningReason',
  'highRisk',
  'icoConsulted',
  'outcome',
  ...dateFieldNames('completedOn'),
  ...dateFieldNames('reviewOn'),
];
const dpiaForm = z
  .strictObject({
    title: z.string().max(10_000).default(''),
    agreementId: z.string().max(100).default(''),
    screening: z.enum(['not-needed', 'needed'], { error: 'Say whether a DPIA is needed' }),
    screeningReason: z.string().max(10_000).default(''),
    highRisk: z.enum(['yes', 'no'], { error: 'Say whether the processing is high risk' }),
    icoConsulted: z.enum(['yes', 'no']).optional(),
    outcome: z.string().max(10_000).optional(),
    ...dateParts('completedOn'),
    ...dateParts('reviewOn'),
  })
  .transform((raw, ctx): NewDpia => {
    const review = readDate(raw, 'reviewOn');
    if (review.kind !== 'date')
      ctx.addIssue({
        code: 'custom',
        path: ['reviewOn'],
        message: review.kind === 'blank' ? 'Enter the review date' : 'The review date must be a real date',
      });
    const completed = readDate(raw, 'completedOn');
    if (completed.kind === 'invalid')
      ctx.addIssue({
        code: 'custom',
        path: ['completedOn'],
        message: 'The date it was completed must be a real date',
      });
    return {
      title: raw.title,
      ...(raw.agreementId === '' ? {} : { agreementId: raw.agreementId }),
      screening: raw.screening,
      screeningReason: raw.screeningReason,
      highRisk: raw.highRisk === 'yes',
      ...(raw.icoConsulted === undefined ? {} : { icoConsulted: raw.icoConsulted === 'yes' }),
      outcome: raw.outcome,
      ...(completed.kind === 'date' ? { completedOn: completed.value } : {}),
      reviewOn: review.kind === 'date' ? review.value : '',
    };
  });

/** An upload as the multipart reader leaves it: the CSRF token and at most one file. */
interface UploadBody {
  _csrf?: string;
  file?: EvidenceFile;
  malformed?: boolean;
}

/** The register of sharing agreements and DPIAs (the ICO data sharing code). */
export async function agreementsRoutes(app: FastifyInstance, options: AgreementRouteOptions): Promise<void> {
  const { agreements, orgs, policy } = options;
  const label = (list: readonly { id: string; label: string }[], id: string | undefined) =>
    id === undefined ? undefined : (list.find((item) => item.id === id)?.label ?? id);
  const bases = policy.sharing.lawfulBases;
  const methodText = (method: string) => {
    const name = methodName(method as (typeof channelMethodIds)[number]);
    return `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  };

  async function openAgreement(request: FastifyRequest): Promise<{ agreement: Agreement; viewer: Viewer }> {
    const params = agreementParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const viewer = viewerOf(request);
    return { agreement: await agreements.find(viewer, params.data.id), viewer };
  }

  app.get('/agreements', { config: anyone('none') }, async (request, reply) => {
    const viewer = viewerOf(request);
    const [list, dpias] = await Promise.all([agreements.list(viewer), agreements.dpias(viewer)]);
    const names = await orgs.namesOf(list.flatMap((agreement) => agreement.partnerOrganisationIds));
    return reply.render('agreements/views/list.njk', {
      pageTitle: 'Sharing agreements and DPIAs',
      columnWidth: 'full',
      keeper: viewer.roles.some((role) => agreementKeepers.includes(role)),
      paths: { create: agreementPaths.create(), newDpia: agreementPaths.newDpia() },
      agreements: list.map((agreement) => ({
        ...agreement,
        path: agreementPaths.agreement(agreement.id),
        partners: agreement.partnerOrganisationIds
          .map((id) => names.get(id) ?? 'Not in the directory')
          .join(', '),
        tag: stateNames[agreement.state],
      })),
      dpias,
    });
  });

  async function renderNew(
    reply: FastifyReply,
    status: number,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const viewerOrganisations = await orgs.list();
    const chosen = (name: string) => (Array.isArray(values[name]) ? (values[name] as string[]) : []);
    const option = (list: readonly { id: string; label: string }[]) => [
      { value: '', text: 'None' },
      ...list.map((item) => ({ value: item.id, text: item.label })),
    ];
    return reply.code(status).render('agreements/views/new.njk', {
      pageTitle: 'Record a sharing agreement',
      backLink: agreementPaths.list(),
      action: agreementPaths.create(),
      partnerItems: viewerOrganisations.map((organisation) => ({
        value: organisation.id,
        text: organisation.name,
        checked: chosen('partnerOrganisationIds').includes(organisation.id),
      })),
      purposeItems: policy.purposes.map((purpose) => ({
        value: purpose.id,
        text: purpose.label,
        checked: chosen('purposeIds').includes(purpose.id),
      })),
      categories: policy.informationCategories.map((category) => ({
        id: category.id,
        label: category.label,
        checked: chosen('categoryIds').includes(category.id),
      })),
      methodItems: channelMethodIds.map((method) => ({
        value: method,
        text: methodText(method),
        checked: chosen('methods').includes(method),
      })),
      article6Items: option(bases.article6).slice(1),
      article9Items: option(bases.article9),
      schedule1Items: option(bases.schedule1),
      criminalItems: option(bases.criminalOffence),
      values,
      errors: errors === undefined ? undefined : anchorDates(errors, ['startsOn', 'reviewOn', 'endsOn']),
    });
  }

  const newFields = [
    'title',
    'partnerOrganisationIds',
    'purposeIds',
    'categoryIds',
    'methods',
    'article6',
    'article9',
    'schedule1',
    'criminalOffence',
    'partnerBasis',
    'retention',
    'riskOfSharing',
    'riskOfNotSharing',
    ...dateFieldNames('startsOn'),
    ...dateFieldNames('reviewOn'),
    ...dateFieldNames('endsOn'),
    ...policy.informationCategories.flatMap((category) => [
      `relevance-${category.id}`,
      `sensitive-${category.id}`,
    ]),
  ];
  const lists = ['partnerOrganisationIds', 'purposeIds', 'categoryIds', 'methods'];

  app.get('/agreements/new', { config: keepers('none') }, async (_request, reply) =>
    renderNew(reply, 200, {}),
  );

  app.post('/agreements/new', { config: keepers(['agreement.recorded']) }, async (request, reply) => {
    const viewer = viewerOf(request);
    const values = typedAnswers(request.body, newFields, lists);
    const form = parseForm(agreementForm(policy), request.body);
    if (!form.ok) return renderNew(reply, 400, values, form.errors);
    try {
      const id = await agreements.create(viewer, form.value);
      return await reply.redirect(`${agreementPaths.agreement(id)}?done=recorded`, 303);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      return renderNew(reply, 400, values, ruleErrors(error, newFields, ['startsOn', 'reviewOn', 'endsOn']));
    }
  });

  async function renderAgreement(
    reply: FastifyReply,
    status: number,
    viewer: Viewer,
    agreement: Agreement,
    options: { notice?: string | undefined; errors?: FormErrors; form?: 'end' | 'upload' } = {},
  ) {
    const names = await orgs.namesOf(agreement.partnerOrganisationIds);
    return reply.code(status).render('agreements/views/show.njk', {
      pageTitle: `Sharing agreement ${agreement.reference}`,
      backLink: agreementPaths.list(),
      notice: options.notice,
      agreement,
      tag: stateNames[agreement.state],
      keeper: viewer.roles.some((role) => agreementKeepers.includes(role)),
      partners: agreement.partnerOrganisationIds.map((id) => names.get(id) ?? 'Not in the directory'),
      purposes: agreement.purposeIds.map((id) => label(policy.purposes, id) ?? id),
      categories: agreement.categories.map((category) => ({
        ...category,
        label: label(policy.informationCategories, category.categoryId),
      })),
      methods: agreement.methods.map(methodText),
      basis: [
        label(bases.article6, agreement.ownBasis.article6),
        label(bases.article9, agreement.ownBasis.article9),
        label(bases.schedule1, agreement.ownBasis.schedule1),
        label(bases.criminalOffence, agreement.ownBasis.criminalOffence),
      ].filter((line): line is string => line !== undefined),
      paths: { signedCopy: agreementPaths.signedCopy(agreement.id), end: agreementPaths.end(agreement.id) },
      form: options.form,
      errors: options.errors,
    });
  }

  app.get('/agreements/:id', { config: anyone('none') }, async (request, reply) => {
    const { agreement, viewer } = await openAgreement(request);
    const done = z.object({ done: z.string().optional() }).parse(request.query).done;
    const notices: Record<string, string> = {
      recorded: 'Agreement recorded.',
      uploaded: 'Signed copy stored.',
      ended: 'Agreement ended: it covers nothing from today.',
    };
    return renderAgreement(reply, 200, viewer, agreement, {
      notice: done === undefined ? undefined : notices[done],
    });
  });

  app.get(
    '/agreements/:id/signed-copy',
    { config: anyone(['agreement.signed_copy_downloaded']) },
    async (request, reply) => {
      const { agreement, viewer } = await openAgreement(request);
      const copy = await agreements.signedCopy(viewer, agreement.id);
      return reply
        .header('content-type', copy.contentType)
        .header('content-disposition', `attachment; filename="${copy.reference}-signed.${copy.extension}"`)
        .header('cache-control', 'no-store')
        .send(copy.bytes);
    },
  );

  app.post('/agreements/:id/end', { config: keepers(['agreement.ended']) }, async (request, reply) => {
    const { agreement, viewer } = await openAgreement(request);
    const form = parseForm(z.strictObject({ reason: z.string().max(10_000).default('') }), request.body);
    try {
      await agreements.end(viewer, agreement.id, form.ok ? form.value.reason : '');
      return await reply.redirect(`${agreementPaths.agreement(agreement.id)}?done=ended`, 303);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      return renderAgreement(reply, 400, viewer, agreement, {
        form: 'end',
        errors: ruleErrors(error, ['reason']),
      });
    }
  });

  // The signed copy is multipart, read only in this scope, before the web plugin's CSRF check.
  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      limits: { fileSize: maxEvidenceBytes, files: 1, fields: 4, fieldSize: 1024, parts: 6, headerPairs: 50 },
      throwFileSizeLimit: false,
    });
    scope.addHook('preValidation', async (request) => {
      if (!request.isMultipart()) return;
      const body: UploadBody = {};
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === '_csrf' && typeof part.value === 'string') body._csrf = part.value;
          } else if (part.fieldname === 'signedCopy' && body.file === undefined) {
            const bytes = await part.toBuffer();
            const fileName: unknown = part.filename;
            const declaredType: unknown = part.mimetype;
            body.file = {
              fileName: typeof fileName === 'string' ? fileName : '',
              declaredType: typeof declaredType === 'string' ? declaredType : '',
              bytes,
              truncated: part.file.truncated,
            };
          } else {
            part.file.resume();
          }
        }
      } catch (error) {
        request.log.info({ err: error }, 'signed copy upload could not be read');
        body.malformed = true;
      }
      request.body = body;
    });

    scope.post(
      '/agreements/:id/signed-copy',
      { config: keepers(['agreement.signed_copy_uploaded']) },
      async (request, reply) => {
        const { agreement, viewer } = await openAgreement(request);
        const body = (request.body ?? {}) as UploadBody;
        const refuse = (text: string) =>
          renderAgreement(reply, 400, viewer, agreement, {
            form: 'upload',
            errors: fieldError('signedCopy', text),
          });
        if (body.malformed === true) return refuse('The selected file could not be read: choose it again');
        const file = body.file !== undefined && body.file.fileName !== '' ? body.file : undefined;
        try {
          await agreements.uploadSignedCopy(viewer, agreement.id, file);
          return await reply.redirect(`${agreementPaths.agreement(agreement.id)}?done=uploaded`, 303);
        } catch (error) {
          if (error instanceof RuleError) return refuse(error.message);
          throw error;
        }
      },
    );
  });

  async function renderDpia(
    reply: FastifyReply,
    status: number,
    viewer: Viewer,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const list = await agreements.list(viewer);
    return reply.code(status).render('agreements/views/dpia-new.njk', {
      pageTitle: 'Record a DPIA',
      backLink: agreementPaths.list(),
      action: agreementPaths.newDpia(),
      agreementItems: [
        { value: '', text: 'Not about one agreement' },
        ...list.map((agreement) => ({
          value: agreement.id,
          text: `${agreement.reference}: ${agreement.title}`,
        })),
      ],
      values,
      errors: errors === undefined ? undefined : anchorDates(errors, ['completedOn', 'reviewOn']),
    });
  }

  app.get('/dpias/new', { config: keepers('none') }, async (request, reply) =>
    renderDpia(reply, 200, viewerOf(request), {}),
  );

  app.post('/dpias/new', { config: keepers(['dpia.recorded']) }, async (request, reply) => {
    const viewer = viewerOf(request);
    const values = typedAnswers(request.body, dpiaFields);
    const form = parseForm(dpiaForm, request.body);
    if (!form.ok) return renderDpia(reply, 400, viewer, values, form.errors);
    try {
      await agreements.createDpia(viewer, form.value);
      return await reply.redirect(`${agreementPaths.list()}#dpias`, 303);
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      return renderDpia(
        reply,
        400,
        viewer,
        values,
        ruleErrors(error, dpiaFields, ['completedOn', 'reviewOn']),
      );
    }
  });
}
