import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Viewer } from '../auth/index.ts';
import { incidentPaths } from '../incidents/incidents.paths.ts';
import { checkboxes, dateFieldNames, dateParts, readDate } from '../lib/fields.ts';
import { NotFoundError, RuleError } from '../lib/errors.ts';
import { formatDate, formatDateTime } from '../lib/time.ts';
import { anchorDates, parseForm, ruleErrors, typedAnswers, viewerOf, type FormErrors } from '../web/forms.ts';
import { mediaKinds, type MediaItem, type MediaService, type NewMedia } from './custody.media.service.ts';
import { custodyPaths } from './custody.paths.ts';
import type { MediaKind } from './custody.table.ts';

export interface MediaRouteOptions {
  readonly media: MediaService;
}

const kindNames: Record<MediaKind, string> = {
  'usb-stick': 'USB memory stick',
  'external-drive': 'External hard drive',
  laptop: 'Laptop',
  phone: 'Mobile phone',
  tablet: 'Tablet',
  disc: 'CD or DVD',
  other: 'Something else',
};
const statusNames: Record<MediaItem['status'], string> = {
  'in-use': 'In use',
  wiped: 'Securely wiped',
  destroyed: 'Destroyed',
  lost: 'Lost',
};

const mediaParams = z.strictObject({ id: z.uuid() });
const registerFields = [
  'kind',
  'assetTag',
  'encrypted',
  'encryption',
  'contents',
  'purpose',
  'backedUp',
  ...dateFieldNames('neededUntil'),
];
const registerForm = z
  .strictObject({
    kind: z.enum(mediaKinds as [MediaKind, ...MediaKind[]], {
      error: 'Choose what kind of medium or device it is',
    }),
    assetTag: z.string().max(10_000).default(''),
    encrypted: checkboxes(z.literal('yes')),
    encryption: z.string().max(10_000).default(''),
    contents: z.string().max(10_000).default(''),
    purpose: z.string().max(10_000).default(''),
    backedUp: z.string().max(10_000).default(''),
    ...dateParts('neededUntil'),
  })
  .transform((raw, ctx): NewMedia => {
    const date = readDate(raw, 'neededUntil');
    if (date.kind !== 'date') {
      ctx.addIssue({
        code: 'custom',
        path: ['neededUntil'],
        message:
          date.kind === 'blank'
            ? 'Enter the date it is needed until'
            : 'The date it is needed until must be a real date, like 31 1 2027',
      });
      return z.NEVER;
    }
    return {
      kind: raw.kind,
      assetTag: raw.assetTag,
      encrypted: raw.encrypted.includes('yes'),
      encryption: raw.encryption,
      contents: raw.contents,
      purpose: raw.purpose,
      backedUp: raw.backedUp,
      neededUntil: date.value,
    };
  });
const disposalForm = z.strictObject({
  how: z.enum(['wiped', 'destroyed'], { error: 'Choose whether it was wiped or destroyed' }),
  method: z.string().max(10_000).default(''),
});

/** The register of removable media and devices (R4.7, R1.2): anyone signed in registers what they hold. */
export async function mediaRoutes(app: FastifyInstance, options: MediaRouteOptions): Promise<void> {
  const { media } = options;

  const itemView = (item: MediaItem) => ({
    ...item,
    kindName: kindNames[item.kind],
    statusName: item.pastNeed ? 'Past its purpose' : statusNames[item.status],
    neededUntilText: formatDate(item.neededUntil),
    registered: formatDateTime(item.registeredAt),
    disposed: item.disposedAt === null ? null : formatDateTime(item.disposedAt),
    path: custodyPaths.media(item.id),
    disposalPath: custodyPaths.mediaDisposed(item.id),
    lostPath: `${incidentPaths.report()}?media=${item.id}`,
  });

  async function openItem(request: FastifyRequest): Promise<{ item: MediaItem; viewer: Viewer }> {
    const params = mediaParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    const viewer = viewerOf(request);
    return { item: await media.find(viewer, params.data.id), viewer };
  }

  function renderRegister(
    reply: FastifyReply,
    status: number,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    return reply.code(status).render('custody/views/media-new.njk', {
      pageTitle: 'Register a medium or device',
      backLink: custodyPaths.mediaList(),
      action: custodyPaths.mediaRegister(),
      kindItems: mediaKinds.map((kind) => ({ value: kind, text: kindNames[kind] })),
      values,
      errors,
    });
  }

  function renderItem(reply: FastifyReply, status: number, item: MediaItem, errors?: FormErrors) {
    return reply.code(status).render('custody/views/media-show.njk', {
      pageTitle: `Media register ${item.reference}`,
      backLink: custodyPaths.mediaList(),
      item: itemView(item),
      errors,
    });
  }

  app.get('/media', { config: { access: 'staff', audit: 'none' } }, async (request, reply) => {
    const items = await media.list(viewerOf(request));
    return reply.render('custody/views/media-list.njk', {
      pageTitle: 'Removable media and devices',
      columnWidth: 'full',
      items: items.map(itemView),
      registerPath: custodyPaths.mediaRegister(),
    });
  });

  app.get('/media/new', { config: { access: 'staff', audit: 'none' } }, async (_request, reply) =>
    renderRegister(reply, 200, {}),
  );

  app.post(
    '/media/new',
    { config: { access: 'staff', audit: ['media.registered'] } },
    async (request, reply) => {
      const values = typedAnswers(request.body, registerFields, ['encrypted']);
      const form = parseForm(registerForm, request.body);
      if (!form.ok) return renderRegister(reply, 400, values, anchorDates(form.errors, ['neededUntil']));
      try {
        const id = await media.register(viewerOf(request), form.value);
        return await reply.redirect(custodyPaths.media(id), 303);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderRegister(reply, 400, values, ruleErrors(error, registerFields, ['neededUntil']));
      }
    },
  );

  app.get('/media/:id', { config: { access: 'staff', audit: 'none' } }, async (request, reply) => {
    const { item } = await openItem(request);
    return renderItem(reply, 200, item);
  });

  app.post(
    '/media/:id/disposal',
    { config: { access: 'staff', audit: ['media.disposed'] } },
    async (request, reply) => {
      const { item, viewer } = await openItem(request);
      const form = parseForm(disposalForm, request.body);
      if (!form.ok) return renderItem(reply, 400, item, form.errors);
      try {
        await media.dispose(viewer, item.id, form.value);
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
        return renderItem(reply, 400, item, ruleErrors(error, ['how', 'method']));
      }
      return reply.redirect(custodyPaths.media(item.id), 303);
    },
  );
}
