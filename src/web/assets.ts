import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import send from '@fastify/send';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const require = createRequire(import.meta.url);
const govukAssets = path.join(
  path.dirname(require.resolve('govuk-frontend/package.json')),
  'dist',
  'govuk',
  'assets',
);
const mojRoot = path.dirname(require.resolve('@ministryofjustice/frontend/package.json'));
const swaggerUiRoot = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const hour = 3600;
const week = 7 * 24 * hour;
const year = 365 * 24 * hour;

interface AssetFolder {
  /** Searched in order: the first that holds the file answers. */
  readonly roots: readonly string[];
  /** Seconds a browser keeps a file without asking again. */
  readonly maxAge: number;
  /** The file's name changes whenever its content does, so a browser never needs to ask again. */
  readonly immutable: boolean;
}

/**
 * What is served under /assets/<folder>/. The stylesheets and scripts keep their package's names
 * from one release to the next, so browsers keep them for an hour. GOV.UK Frontend's stylesheet,
 * and the page template's icons, ask for /assets/fonts/..., /assets/images/... and
 * /assets/manifest.json: the fonts carry a hash of their content in their names, so they are kept
 * for a year; the icons and the MoJ components' images (whose stylesheet asks for them at
 * /assets/images too) for a week.
 */
export const assetFolders: Readonly<Record<string, AssetFolder>> = {
  govuk: { roots: [path.dirname(govukAssets)], maxAge: hour, immutable: false },
  moj: { roots: [path.join(mojRoot, 'moj')], maxAge: hour, immutable: false },
  safeshare: {
    roots: [path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'assets')],
    maxAge: hour,
    immutable: false,
  },
  fonts: { roots: [path.join(govukAssets, 'fonts')], maxAge: year, immutable: true },
  images: {
    roots: [path.join(govukAssets, 'images'), path.join(mojRoot, 'moj', 'assets', 'images')],
    maxAge: week,
    immutable: false,
  },
};

/** Files asked for at the top of /assets, or of the site, and where each is. */
const singleFiles: Readonly<Record<string, { readonly folder: AssetFolder; readonly file: string }>> = {
  // The web app manifest the page template links to; its icons are under /assets/images.
  '/assets/manifest.json': {
    folder: { roots: [govukAssets], maxAge: week, immutable: false },
    file: '/manifest.json',
  },
  // Browsers ask for it by themselves when showing something that is not a page (a PDF, a CSV).
  '/favicon.ico': { folder: assetFolders['images'] as AssetFolder, file: '/favicon.ico' },
  // Swagger UI, which draws the API documentation page (src/api/docs.routes.ts): only the two files it uses.
  '/assets/swagger-ui/swagger-ui-bundle.js': {
    folder: { roots: [swaggerUiRoot], maxAge: hour, immutable: false },
    file: '/swagger-ui-bundle.js',
  },
  '/assets/swagger-ui/swagger-ui.css': {
    folder: { roots: [swaggerUiRoot], maxAge: hour, immutable: false },
    file: '/swagger-ui.css',
  },
};

/** The static files every page asks for: anyone may have them, and asking for them is not audited. */
export function assetRoutes(app: FastifyInstance): void {
  const config = { access: 'public', audit: 'none' } as const;
  app.get('/assets/*', { config }, async (request, reply) => {
    const wildcard = (request.params as { '*': string })['*'];
    const [name, ...rest] = wildcard.split('/');
    const folder = name !== undefined && Object.hasOwn(assetFolders, name) ? assetFolders[name] : undefined;
    if (folder === undefined || rest.length === 0) return reply.callNotFound();
    return sendFrom(request, reply, folder, `/${rest.join('/')}`);
  });
  for (const [url, { folder, file }] of Object.entries(singleFiles)) {
    app.get(url, { config }, async (request, reply) => sendFrom(request, reply, folder, file));
  }
}

async function sendFrom(request: FastifyRequest, reply: FastifyReply, folder: AssetFolder, file: string) {
  for (const root of folder.roots) {
    // send resolves the path inside root and refuses anything that would leave it (or a dotfile).
    const found = await send(request.raw, file, {
      root,
      dotfiles: 'deny',
      index: false,
      maxAge: folder.maxAge * 1000,
      immutable: folder.immutable,
    });
    if (found.type === 'file') return reply.code(found.statusCode).headers(found.headers).send(found.stream);
    found.stream.destroy();
    if (found.statusCode !== 404 && found.type !== 'directory') return reply.code(found.statusCode).send();
  }
  return reply.callNotFound();
}
